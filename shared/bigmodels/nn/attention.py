"""Scaled dot-product attention, multi-head attention and positional encodings in PyTorch.

The same formulas, mask conventions and parameter layout as bigmodels.scratch.attention (read its
docstring); autograd does the backward. A query whose keys are all masked gets zero weights and a
zero output here (torch's built-ins return NaN for it).
"""

import math

import torch
import torch.nn.functional as F

from ..validate import (batch_axes_broadcast, check_broadcast, check_flag, check_last_dim, check_length,
                        check_positive_int, check_probability, check_tensor)
from .layers import Linear
from .module import Module


def causal_mask(length, source=None, dtype=torch.float32, device=None):
    """The (L, S) additive mask that hides the future: 0 on and below the diagonal, -inf above."""
    full = torch.full((length, length if source is None else source), float("-inf"), dtype=dtype, device=device)
    return torch.triu(full, diagonal=1)


def additive_mask(mask, name, dtype, true_means="ignore"):
    """A bool or float mask as an additive float mask (-inf where attention is forbidden)."""
    if mask is None:
        return None
    if not isinstance(mask, torch.Tensor):
        raise TypeError(f"{name}: expected a bool or float tensor, got {type(mask).__name__}")
    if mask.dtype == torch.bool:
        forbidden = mask if true_means == "ignore" else ~mask
        return torch.zeros(mask.shape, dtype=dtype, device=mask.device).masked_fill(forbidden, float("-inf"))
    if not mask.is_floating_point():
        raise TypeError(f"{name}: expected dtype bool or float, got {mask.dtype}")
    return mask.to(dtype)


def masked_softmax(scores):
    """softmax over the last axis; a row whose scores are all -inf gets all-zero weights."""
    row_max = scores.amax(dim=-1, keepdim=True).detach()
    row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))
    e = torch.exp(scores - row_max)
    total = e.sum(dim=-1, keepdim=True)
    return e / torch.where(total > 0, total, torch.ones_like(total))


def attention(query, key, value, mask=None, is_causal=False, dropout_p=0.0, scale=None, training=True):
    """softmax(Q K^T * scale + M) V given an additive mask; returns (output, weights after dropout)."""
    if (query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]
            or not batch_axes_broadcast(query, key, value)):
        raise ValueError(f"attention: expected query (..., L, E), key (..., S, E), value (..., S, Ev) with leading "
                         f"axes that broadcast, "
                         f"got {tuple(query.shape)}, {tuple(key.shape)}, {tuple(value.shape)}")
    scale = scale if scale is not None else 1 / math.sqrt(query.shape[-1])
    scores = query @ key.transpose(-2, -1) * scale
    if is_causal:
        scores = scores + causal_mask(*scores.shape[-2:], dtype=scores.dtype, device=scores.device)
    if mask is not None:
        check_broadcast(mask, scores.shape, "attn_mask")
        scores = scores + mask
    weights = masked_softmax(scores)
    if dropout_p > 0 and training:
        weights = torch.nn.functional.dropout(weights, dropout_p)
    return weights @ value, weights


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None):
    """Like F.scaled_dot_product_attention: a bool attn_mask is True where the query may attend."""
    for name, x in (("query", query), ("key", key), ("value", value)):
        check_tensor(x, name)
        if x.dim() < 2:
            raise ValueError(f"{name}: expected shape (..., length, features), got {tuple(x.shape)}")
    check_probability(dropout_p, "dropout_p")
    mask = additive_mask(attn_mask, "attn_mask", query.dtype, true_means="attend")
    return attention(query, key, value, mask, is_causal, dropout_p, scale)[0]


class MultiheadAttention(Module):
    """head_i = Attention(Q W_i^Q, K W_i^K, V W_i^V); MultiHead = Concat(head_1..head_h) W^O.

    W^Q, W^K, W^V stacked in in_proj_weight (3E, E), W^O in out_proj, like nn.MultiheadAttention.

    fused=True computes Attention with torch.nn.functional.scaled_dot_product_attention (one kernel
    that never stores the (L, S) weights) instead of the formulas in `attention`, and self-attention's
    Q, K, V with one product; it is used when need_weights is False and is equal to the formula path
    up to rounding, except that a query whose keys are all masked gets NaN instead of zeros. The
    default stays the formula path.
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, *, batch_first=False, fused=False):
        super().__init__()
        embed_dim, num_heads = check_positive_int(embed_dim, "embed_dim"), check_positive_int(num_heads, "num_heads")
        check_probability(dropout, "dropout")
        if embed_dim % num_heads:
            raise ValueError(f"embed_dim must be divisible by num_heads, got embed_dim={embed_dim} "
                             f"and num_heads={num_heads}")
        self.embed_dim, self.num_heads, self.head_dim = embed_dim, num_heads, embed_dim // num_heads
        self.dropout, self.batch_first, self.fused = dropout, batch_first, check_flag(fused, "fused")
        self.in_proj_weight = torch.nn.Parameter(torch.empty(3 * embed_dim, embed_dim))
        torch.nn.init.xavier_uniform_(self.in_proj_weight)
        self.in_proj_bias = torch.nn.Parameter(torch.zeros(3 * embed_dim)) if bias else None
        self.out_proj = Linear(embed_dim, embed_dim, bias)
        if bias:
            torch.nn.init.zeros_(self.out_proj.bias)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        """Returns (attn_output, attn_weights): weights averaged over heads, per head, or None."""
        for name, x in (("query", query), ("key", key), ("value", value)):
            check_tensor(x, name, ndim=(2, 3))
        unbatched = query.dim() == 2
        if unbatched:
            query, key, value = query[None], key[None], value[None]
            key_padding_mask = key_padding_mask[None] if key_padding_mask is not None else None
        elif not self.batch_first:
            query, key, value = (x.transpose(0, 1) for x in (query, key, value))
        n, length, e = query.shape
        if e != self.embed_dim or key.shape[0] != n or value.shape[:2] != key.shape[:2]:
            raise ValueError(f"MultiheadAttention: query, key and value must share batch size and embed_dim "
                             f"{self.embed_dim}, and key and value their length; got {tuple(query.shape)}, "
                             f"{tuple(key.shape)}, {tuple(value.shape)}")
        fused = self.fused and not need_weights
        only_causal = is_causal and attn_mask is None and key_padding_mask is None
        mask = None if fused and only_causal else self._mask(attn_mask, key_padding_mask, is_causal, n, length,
                                                             key.shape[1], query.dtype)
        if fused and query is key is value:  # self-attention: Q, K and V from one product
            q, k, v = map(self._split, F.linear(query, self.in_proj_weight, self.in_proj_bias).chunk(3, dim=-1))
        else:
            w_q, w_k, w_v = self.in_proj_weight.chunk(3)
            b_q, b_k, b_v = self.in_proj_bias.chunk(3) if self.in_proj_bias is not None else (None,) * 3
            q, k, v = (self._split(F.linear(x, w, b))
                       for x, w, b in ((query, w_q, b_q), (key, w_k, b_k), (value, w_v, b_v)))
        if fused:
            out, weights = self._fused(q, k, v, mask, only_causal)
        else:
            out, weights = attention(q, k, v, mask, dropout_p=self.dropout, training=self.training)
        out = self.out_proj(out.transpose(1, 2).reshape(n, length, e))
        weights = (weights.mean(dim=1) if average_attn_weights else weights) if need_weights else None
        if unbatched:
            return out[0], None if weights is None else weights[0]
        return (out if self.batch_first else out.transpose(0, 1)), weights

    def _fused(self, q, k, v, mask, only_causal):
        """The same attention in one torch kernel; a mask that is only causal is passed as is_causal."""
        dropout_p = self.dropout if self.training else 0.0
        if only_causal:
            return F.scaled_dot_product_attention(q, k, v, dropout_p=dropout_p, is_causal=True), None
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=dropout_p), None

    def _split(self, x):
        """(N, L, E) -> (N, h, L, E/h)"""
        return x.view(x.shape[0], x.shape[1], self.num_heads, self.head_dim).transpose(1, 2)

    def _mask(self, attn_mask, key_padding_mask, is_causal, n, length, source, dtype):
        shape = (n, self.num_heads, length, source)
        mask = additive_mask(attn_mask, "attn_mask", dtype)
        if mask is not None:
            if mask.dim() == 3:
                if mask.shape[0] != n * self.num_heads:
                    raise ValueError(f"attn_mask: expected shape ({length}, {source}) or "
                                     f"({n * self.num_heads}, {length}, {source}), got {tuple(mask.shape)}")
                mask = mask.view(n, self.num_heads, *mask.shape[1:])
            check_broadcast(mask, shape, "attn_mask")
        if is_causal:
            causal = causal_mask(length, source, dtype, self.in_proj_weight.device)
            mask = causal if mask is None else mask + causal
        pad = additive_mask(key_padding_mask, "key_padding_mask", dtype)
        if pad is not None:
            if tuple(pad.shape) != (n, source):
                raise ValueError(f"key_padding_mask: expected shape (batch, source length) = {(n, source)}, "
                                 f"got {tuple(pad.shape)}")
            pad = pad[:, None, None, :]
            mask = pad if mask is None else mask + pad
        return mask


def sinusoidal_table(max_len, d_model, dtype=torch.float32):
    """PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(pos / 10000^(2i/d)), shape (max_len, d)."""
    pos = torch.arange(max_len, dtype=torch.float64)[:, None]
    freq = torch.exp(-math.log(10000.0) * torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)
    table = torch.zeros(max_len, d_model, dtype=torch.float64)
    table[:, 0::2] = torch.sin(pos * freq)
    table[:, 1::2] = torch.cos(pos * freq)[:, : d_model // 2]
    return table.to(dtype)


def check_input(x, name, d_model):
    """A positional encoding's input: a 3-D float tensor whose last dimension is d_model."""
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        raise TypeError(f"{name} input: expected a float tensor, got {getattr(x, 'dtype', type(x).__name__)}")
    if x.dim() != 3:
        raise ValueError(f"{name} input: expected a 3-D tensor, got shape {tuple(x.shape)}")
    check_last_dim(x, f"{name} input", d_model)


class PositionalEncoding(Module):
    """x + PE[:L] with the fixed sinusoidal table (a buffer, not a parameter)."""

    def __init__(self, d_model, max_len=5000, batch_first=False):
        super().__init__()
        d_model, max_len = check_positive_int(d_model, "d_model"), check_positive_int(max_len, "max_len")
        self.d_model, self.max_len, self.batch_first = d_model, max_len, batch_first
        self.register_buffer("table", sinusoidal_table(max_len, d_model, torch.float64), persistent=False)

    def forward(self, x):
        check_input(x, type(self).__name__, self.d_model)
        length = x.shape[1] if self.batch_first else x.shape[0]
        check_length(length, self.max_len)
        pe = self.table[:length].to(x.dtype)
        return x + (pe[None] if self.batch_first else pe[:, None])


class LearnedPositionalEncoding(Module):
    """x + P[:L] with a trained table P (max_len, d_model), N(0, 0.02) initialised (GPT's wpe)."""

    def __init__(self, d_model, max_len=5000, batch_first=False):
        super().__init__()
        d_model, max_len = check_positive_int(d_model, "d_model"), check_positive_int(max_len, "max_len")
        self.d_model, self.max_len, self.batch_first = d_model, max_len, batch_first
        self.weight = torch.nn.Parameter(0.02 * torch.randn(max_len, d_model))

    def forward(self, x):
        check_input(x, type(self).__name__, self.d_model)
        length = x.shape[1] if self.batch_first else x.shape[0]
        check_length(length, self.max_len)
        pe = self.weight[:length]
        return x + (pe[None] if self.batch_first else pe[:, None])
