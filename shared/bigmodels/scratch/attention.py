"""Scaled dot-product attention, multi-head attention and positional encodings in NumPy.

    Attention(Q, K, V) = softmax(Q K^T / sqrt(d_k) + M) V

M is an additive mask (0 where a query may look at a key, -inf where it may not). A query row
whose keys are *all* masked has no distribution to normalise; here it gets all-zero weights and
hence a zero output (torch returns NaN for such rows). Every layer keeps what its backward needs.

Mask conventions follow torch exactly, and torch has two of them:
- `scaled_dot_product_attention` (like F.scaled_dot_product_attention): a bool attn_mask is
  True where the query MAY attend;
- `MultiheadAttention` (like nn.MultiheadAttention): a bool attn_mask or key_padding_mask is
  True where the key must be IGNORED.
Float masks are added to the scores in both.
"""

import numpy as np

from ..validate import (batch_axes_broadcast, check_broadcast, check_dtype, check_float_array, check_grad,
                        check_last_dim, check_length, check_number, check_positive_int, check_probability, describe)
from .layers import Dropout, Linear
from .module import Module, default_rng
from . import functional as F


# -- masks ---------------------------------------------------------------------------------------
def causal_mask(length, source=None, dtype=np.float64):
    """The (L, S) additive mask that hides the future: 0 on and below the diagonal, -inf above (S = L by default)."""
    return np.triu(np.full((length, length if source is None else source), -np.inf, dtype=dtype), k=1)


def additive_mask(mask, name, dtype, true_means="ignore"):
    """A bool or float mask as an additive float mask (-inf where attention is forbidden)."""
    if mask is None:
        return None
    if not isinstance(mask, np.ndarray):
        raise TypeError(f"{name}: expected a NumPy bool or float array, got {describe(mask)}")
    if mask.dtype == np.bool_:
        forbidden = mask if true_means == "ignore" else ~mask
        return np.where(forbidden, -np.inf, 0.0).astype(dtype)
    if not np.issubdtype(mask.dtype, np.floating):
        raise TypeError(f"{name}: expected dtype bool or float, got {mask.dtype}")
    return mask.astype(dtype, copy=False)


def masked_softmax(scores):
    """softmax over the last axis that gives all-zero weights to a row whose scores are all -inf."""
    row_max = np.max(scores, axis=-1, keepdims=True)
    row_max = np.where(np.isfinite(row_max), row_max, 0)  # an all -inf row: avoid -inf - -inf
    e = np.exp(scores - row_max)
    total = np.sum(e, axis=-1, keepdims=True)
    return e / np.where(total > 0, total, 1)


# -- scaled dot-product attention ----------------------------------------------------------------
class ScaledDotProductAttention(Module):
    """softmax(Q K^T * scale + M) V for Q (..., L, E), K (..., S, E), V (..., S, Ev); scale = 1/sqrt(E).

    forward(query, key, value, attn_mask=None, is_causal=False) follows F.scaled_dot_product_attention
    (bool mask True = may attend; float mask added). `self.weights` keeps the attention
    probabilities after the forward pass; backward returns (grad_query, grad_key, grad_value).
    """

    def __init__(self, dropout_p=0.0, scale=None, *, dtype=np.float64, rng=None):
        super().__init__()
        self.dtype = check_dtype(dtype)
        self.scale = scale if scale is None else check_number(scale, "scale")
        check_probability(dropout_p, "dropout_p")
        self.dropout = self.add_module("dropout", Dropout(dropout_p, dtype=dtype, rng=default_rng(rng)))

    def forward(self, query, key, value, attn_mask=None, is_causal=False):
        mask = additive_mask(attn_mask, "attn_mask", query.dtype, true_means="attend")
        return self.attend(query, key, value, mask, is_causal)

    def attend(self, query, key, value, mask=None, is_causal=False):
        """The attention itself, given an additive float mask (or None)."""
        for name, x in (("query", query), ("key", key), ("value", value)):
            check_float_array(x, name, dtype=self.dtype)
            if x.ndim < 2:
                raise ValueError(f"{name}: expected shape (..., length, features), got {x.shape}")
        if (query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]
                or not batch_axes_broadcast(query, key, value)):
            raise ValueError(f"attention: expected query (..., L, E), key (..., S, E), value (..., S, Ev) with leading "
                             f"axes that broadcast, "
                             f"got {query.shape}, {key.shape}, {value.shape}")
        self.q, self.k, self.v = query, key, value
        self.s = float(self.scale if self.scale is not None else 1 / np.sqrt(query.shape[-1]))
        scores = query @ np.swapaxes(key, -1, -2) * self.s
        if is_causal:
            scores = scores + causal_mask(*scores.shape[-2:], dtype=scores.dtype)
        if mask is not None:
            check_broadcast(mask, scores.shape, "attn_mask")
            scores = scores + mask
        self.weights = masked_softmax(scores)
        self.dropped = self.dropout(self.weights)
        out = self.dropped @ value
        self.out_shape = out.shape
        return out

    def backward(self, grad_output):
        """dV = P^T dO, dP = dO V^T, dS = softmax_grad(P, dP) * scale, dQ = dS K, dK = dS^T Q."""
        check_grad(grad_output, self.out_shape, "attention grad_output")
        grad_value = np.swapaxes(self.dropped, -1, -2) @ grad_output
        grad_weights = self.dropout.backward(grad_output @ np.swapaxes(self.v, -1, -2))
        grad_scores = F.softmax_grad(self.weights, grad_weights) * self.s
        grad_query = grad_scores @ self.k
        grad_key = np.swapaxes(grad_scores, -1, -2) @ self.q
        return (_unbroadcast(grad_query, self.q.shape), _unbroadcast(grad_key, self.k.shape),
                _unbroadcast(grad_value, self.v.shape))


def _unbroadcast(grad, shape):
    """Sum a gradient over the leading axes that broadcasting added or stretched."""
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False,
                                 scale=None, *, rng=None):
    """The function form of ScaledDotProductAttention, like F.scaled_dot_product_attention."""
    check_float_array(query, "query")
    layer = ScaledDotProductAttention(dropout_p, scale, dtype=query.dtype, rng=rng)
    return layer(query, key, value, attn_mask, is_causal)


# -- multi-head attention ------------------------------------------------------------------------
class MultiheadAttention(Module):
    """head_i = Attention(Q W_i^Q, K W_i^K, V W_i^V); MultiHead = Concat(head_1..head_h) W^O.

    Like nn.MultiheadAttention: the h projections W_i^Q (E/h columns each) are stacked into one
    (E, E) matrix, and W^Q, W^K, W^V into in_proj_weight (3E, E); W^O is out_proj.
    Inputs are (L, N, E), or (N, L, E) with batch_first, or unbatched (L, E).
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, *, batch_first=False,
                 dtype=np.float64, rng=None):
        super().__init__()
        self.embed_dim = check_positive_int(embed_dim, "embed_dim")
        self.num_heads = check_positive_int(num_heads, "num_heads")
        if embed_dim % num_heads:
            raise ValueError(f"embed_dim must be divisible by num_heads, got embed_dim={embed_dim} "
                             f"and num_heads={num_heads}")
        self.head_dim = embed_dim // num_heads
        self.dropout = check_probability(dropout, "dropout")
        self.batch_first = batch_first
        self.dtype = check_dtype(dtype)
        rng = default_rng(rng)
        bound = np.sqrt(6 / (4 * embed_dim))  # xavier_uniform_ on (3E, E), as torch initialises it
        self.in_proj_weight = self.add_param("in_proj_weight",
                                             rng.uniform(-bound, bound, (3 * embed_dim, embed_dim)).astype(dtype))
        self.in_proj_bias = self.add_param("in_proj_bias", np.zeros(3 * embed_dim, dtype)) if bias else None
        self.out_proj = self.add_module("out_proj", Linear(embed_dim, embed_dim, bias, dtype=dtype, rng=rng))
        if bias:
            self.out_proj.bias[...] = 0
        self.attention = self.add_module("attention", ScaledDotProductAttention(dropout, dtype=dtype, rng=rng))

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        """Returns (attn_output, attn_weights): weights averaged over heads, per head, or None."""
        check_float_array(query, "query", ndim=(2, 3), dtype=self.dtype)
        self.unbatched = query.ndim == 2
        q, k, v = (self._batch_first(x, name) for x, name in ((query, "query"), (key, "key"), (value, "value")))
        if self.unbatched and key_padding_mask is not None:
            key_padding_mask = key_padding_mask[None]
        n, length, e = q.shape
        if k.shape[0] != n or v.shape[:2] != k.shape[:2] or k.shape[2] != e or v.shape[2] != e:
            raise ValueError(f"MultiheadAttention: query, key and value must share batch size and "
                             f"embed_dim {self.embed_dim}, and key and value their length; got "
                             f"{query.shape}, {key.shape}, {value.shape}")
        mask = self._mask(attn_mask, key_padding_mask, is_causal, n, length, k.shape[1], q.dtype)
        self.x = (q, k, v)
        w = self.in_proj_weight
        b = self.in_proj_bias if self.in_proj_bias is not None else np.zeros(3 * e, q.dtype)
        heads = [self._split(x @ w[i * e:(i + 1) * e].T + b[i * e:(i + 1) * e]) for i, x in enumerate((q, k, v))]
        out = self.attention.attend(*heads, mask)
        out = self.out_proj(self._merge(out))
        weights = self.attention.dropped if need_weights else None
        if weights is not None and average_attn_weights:
            weights = weights.mean(axis=1)
        if self.unbatched:
            out, weights = out[0], None if weights is None else weights[0]
        elif not self.batch_first:
            out = out.transpose(1, 0, 2)
        self.out_shape = out.shape
        return out, weights

    def backward(self, grad_attn_output):
        """Returns (grad_query, grad_key, grad_value) in the layout of the inputs."""
        g = check_grad(grad_attn_output, self.out_shape, "grad_attn_output")
        g = g[None] if self.unbatched else (g if self.batch_first else g.transpose(1, 0, 2))
        g_heads = self.attention.backward(self._split(self.out_proj.backward(g)))
        e, w = self.embed_dim, self.in_proj_weight
        grads = []
        for i, (x, gh) in enumerate(zip(self.x, g_heads)):
            g2 = self._merge(gh)
            self._grads["in_proj_weight"][i * e:(i + 1) * e] += g2.reshape(-1, e).T @ x.reshape(-1, e)
            if self.in_proj_bias is not None:
                self._grads["in_proj_bias"][i * e:(i + 1) * e] += g2.reshape(-1, e).sum(axis=0)
            gx = g2 @ w[i * e:(i + 1) * e]
            grads.append(gx[0] if self.unbatched else (gx if self.batch_first else gx.transpose(1, 0, 2)))
        return tuple(grads)

    def _batch_first(self, x, name):
        check_float_array(x, name, ndim=2 if self.unbatched else 3, dtype=self.dtype)
        if x.shape[-1] != self.embed_dim:
            raise ValueError(f"{name}: expected last dimension embed_dim={self.embed_dim}, got shape {x.shape}")
        return x[None] if self.unbatched else (x if self.batch_first else x.transpose(1, 0, 2))

    def _split(self, x):
        """(N, L, E) -> (N, h, L, E/h)"""
        n, length, _ = x.shape
        return x.reshape(n, length, self.num_heads, self.head_dim).transpose(0, 2, 1, 3)

    def _merge(self, x):
        """(N, h, L, E/h) -> (N, L, E): Concat(head_1, ..., head_h)"""
        n, _, length, _ = x.shape
        return x.transpose(0, 2, 1, 3).reshape(n, length, self.embed_dim)

    def _mask(self, attn_mask, key_padding_mask, is_causal, n, length, source, dtype):
        """One additive mask broadcastable to (N, h, L, S), or None."""
        shape = (n, self.num_heads, length, source)
        mask = additive_mask(attn_mask, "attn_mask", dtype)
        if mask is not None:
            if mask.ndim == 3:  # torch's (N * h, L, S) layout
                if mask.shape[0] != n * self.num_heads:
                    raise ValueError(f"attn_mask: expected shape ({length}, {source}) or "
                                     f"({n * self.num_heads}, {length}, {source}), got {mask.shape}")
                mask = mask.reshape(n, self.num_heads, *mask.shape[1:])
            check_broadcast(mask, shape, "attn_mask")
        if is_causal:  # torch treats is_causal as a hint that attn_mask is causal; here it builds it
            causal = causal_mask(length, source, dtype)
            mask = causal if mask is None else mask + causal
        pad = additive_mask(key_padding_mask, "key_padding_mask", dtype)
        if pad is not None:
            if pad.shape != (n, source):
                raise ValueError(f"key_padding_mask: expected shape (batch, source length) = {(n, source)}, "
                                 f"got {pad.shape}")
            pad = pad[:, None, None, :]
            mask = pad if mask is None else mask + pad
        return mask


# -- positional encodings ------------------------------------------------------------------------
def sinusoidal_table(max_len, d_model, dtype=np.float64):
    """PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(pos / 10000^(2i/d)), shape (max_len, d)."""
    pos = np.arange(max_len)[:, None]
    freq = np.exp(-np.log(10000.0) * np.arange(0, d_model, 2) / d_model)
    table = np.zeros((max_len, d_model))
    table[:, 0::2] = np.sin(pos * freq)
    table[:, 1::2] = np.cos(pos * freq)[:, : d_model // 2]
    return table.astype(dtype)


class PositionalEncoding(Module):
    """x + PE[:L] with the fixed sinusoidal table; x is (L, N, E), or (N, L, E) with batch_first."""

    def __init__(self, d_model, max_len=5000, batch_first=False, *, dtype=np.float64, rng=None):
        super().__init__()
        self.d_model, self.max_len = check_positive_int(d_model, "d_model"), check_positive_int(max_len, "max_len")
        self.batch_first, self.dtype = batch_first, check_dtype(dtype)
        self.table = sinusoidal_table(max_len, d_model, dtype)

    def forward(self, x):
        check_float_array(x, "PositionalEncoding input", ndim=3)
        check_last_dim(x, "PositionalEncoding input", self.d_model)
        self.shape = x.shape
        length = x.shape[1] if self.batch_first else x.shape[0]
        check_length(length, self.max_len)
        pe = self.table[:length]
        return x + (pe[None] if self.batch_first else pe[:, None])

    def backward(self, grad_output):
        return check_grad(grad_output, self.shape, "PositionalEncoding grad_output")


class LearnedPositionalEncoding(Module):
    """x + P[:L] with a trained table P of shape (max_len, d_model) (GPT's wpe), N(0, 0.02) initialised."""

    def __init__(self, d_model, max_len=5000, batch_first=False, *, dtype=np.float64, rng=None):
        super().__init__()
        self.d_model, self.max_len = check_positive_int(d_model, "d_model"), check_positive_int(max_len, "max_len")
        self.batch_first, self.dtype = batch_first, check_dtype(dtype)
        weight = 0.02 * default_rng(rng).standard_normal((max_len, d_model))
        self.weight = self.add_param("weight", weight.astype(dtype))

    def forward(self, x):
        check_float_array(x, "LearnedPositionalEncoding input", ndim=3, dtype=self.dtype)
        check_last_dim(x, "LearnedPositionalEncoding input", self.d_model)
        self.shape = x.shape
        self.length = x.shape[1] if self.batch_first else x.shape[0]
        check_length(self.length, self.max_len)
        pe = self.weight[:self.length]
        return x + (pe[None] if self.batch_first else pe[:, None])

    def backward(self, grad_output):
        check_grad(grad_output, self.shape, "LearnedPositionalEncoding grad_output")
        lead = 0 if self.batch_first else 1
        self._grads["weight"][:self.length] += grad_output.sum(axis=lead)
        return grad_output
