"""Transformer encoder and decoder layers, their stacks and the encoder-decoder model in NumPy.

Each layer wraps its sub-layers (self-attention, cross-attention, feed-forward) in a residual
connection and a LayerNorm, in one of two orders:

    post-norm (the 2017 paper, norm_first=False):  x = LayerNorm(x + Sublayer(x))
    pre-norm  (GPT-2 onwards, norm_first=True):    x = x + Sublayer(LayerNorm(x))

Parameter names and shapes are those of torch.nn.TransformerEncoderLayer and friends.
"""

import copy

import numpy as np

from ..validate import check_dtype, check_float_array, check_positive_int, check_probability
from . import functional as F
from .attention import MultiheadAttention, causal_mask
from .layers import Dropout, LayerNorm, Linear
from .module import Module, default_rng


class Residual:
    """y = norm(x + f(x)) (post-norm) or y = x + f(norm(x)) (pre-norm), with its backward.

    f and f_backward are callables; the layer owns the modules, this only wires them.
    """

    def __init__(self, norm, norm_first):
        self.norm, self.norm_first = norm, norm_first

    def forward(self, x, f):
        return x + f(self.norm(x)) if self.norm_first else self.norm(x + f(x))

    def backward(self, grad, f_backward):
        if self.norm_first:
            return grad + self.norm.backward(f_backward(grad))
        grad = self.norm.backward(grad)
        return grad + f_backward(grad)


class TransformerLayer(Module):
    """The parts every layer shares: the feed-forward block linear2(dropout(act(linear1(x))))."""

    def _init_common(self, d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
                     batch_first, norm_first, bias, dtype, rng, n_norms):
        self.d_model = check_positive_int(d_model, "d_model")
        check_positive_int(dim_feedforward, "dim_feedforward")
        check_probability(dropout, "dropout")
        if activation not in ("relu", "gelu"):
            raise ValueError(f"activation: expected 'relu' or 'gelu', got {activation!r}")
        self.activation = activation
        self.act, self.act_grad = F.get_activation(activation)
        self.norm_first, self.batch_first = norm_first, batch_first
        self.dtype = check_dtype(dtype)
        rng = default_rng(rng)
        kw = dict(dtype=dtype, rng=rng)
        self.self_attn = self.add_module(
            "self_attn", MultiheadAttention(d_model, nhead, dropout, bias, batch_first=batch_first, **kw))
        if n_norms == 3:
            self.multihead_attn = self.add_module(
                "multihead_attn", MultiheadAttention(d_model, nhead, dropout, bias, batch_first=batch_first, **kw))
        self.linear1 = self.add_module("linear1", Linear(d_model, dim_feedforward, bias, **kw))
        self.dropout = self.add_module("dropout", Dropout(dropout, **kw))
        self.linear2 = self.add_module("linear2", Linear(dim_feedforward, d_model, bias, **kw))
        for i in range(1, n_norms + 1):
            norm = self.add_module(f"norm{i}", LayerNorm(d_model, layer_norm_eps, bias=bias, **kw))
            setattr(self, f"norm{i}", norm)
            setattr(self, f"dropout{i}", self.add_module(f"dropout{i}", Dropout(dropout, **kw)))
            setattr(self, f"residual{i}", Residual(norm, norm_first))

    def _check_input(self, x, name):
        """x: a float (L, N, E) or (N, L, E) sequence, or an unbatched (L, E) one, E = d_model, L >= 1."""
        check_float_array(x, name, ndim=(2, 3), dtype=self.dtype)
        if x.shape[-1] != self.d_model:
            raise ValueError(f"{name}: expected last dimension d_model (embed_dim) {self.d_model}, got shape {x.shape}")
        if x.shape[1 if x.ndim == 3 and self.batch_first else 0] == 0:
            raise ValueError(f"{name}: expected at least one time step, got shape {x.shape}")

    def _ff(self, x):
        self.h = self.linear1(x)
        self.a = self.act(self.h)
        return self.linear2(self.dropout(self.a))

    def _ff_backward(self, grad):
        grad = self.dropout.backward(self.linear2.backward(grad))
        return self.linear1.backward(grad * self.act_grad(self.h, self.a))


class TransformerEncoderLayer(TransformerLayer):
    """x = Residual1(x, SelfAttention); x = Residual2(x, FeedForward). Like nn.TransformerEncoderLayer."""

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation="relu",
                 layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True, *,
                 dtype=np.float64, rng=None):
        super().__init__()
        self._init_common(d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
                          batch_first, norm_first, bias, dtype, rng, n_norms=2)

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        self._check_input(src, "src")

        def sa(x):
            out, _ = self.self_attn(x, x, x, src_key_padding_mask, False, src_mask, is_causal=is_causal)
            return self.dropout1(out)

        x = self.residual1.forward(src, sa)
        return self.residual2.forward(x, lambda x: self.dropout2(self._ff(x)))

    def backward(self, grad_output):
        """Returns the gradient with respect to src."""
        g = self.residual2.backward(grad_output, lambda g: self._ff_backward(self.dropout2.backward(g)))
        return self.residual1.backward(g, lambda g: sum(self.self_attn.backward(self.dropout1.backward(g))))


class TransformerDecoderLayer(TransformerLayer):
    """Self-attention (masked), cross-attention to the encoder's memory, feed-forward; each in a residual."""

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation="relu",
                 layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True, *,
                 dtype=np.float64, rng=None):
        super().__init__()
        self._init_common(d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
                          batch_first, norm_first, bias, dtype, rng, n_norms=3)

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        self._check_input(tgt, "tgt")
        self._check_input(memory, "memory")

        def sa(x):
            out, _ = self.self_attn(x, x, x, tgt_key_padding_mask, False, tgt_mask, is_causal=tgt_is_causal)
            return self.dropout1(out)

        def ca(x):
            out, _ = self.multihead_attn(x, memory, memory, memory_key_padding_mask, False, memory_mask,
                                         is_causal=memory_is_causal)
            return self.dropout2(out)

        x = self.residual1.forward(tgt, sa)
        x = self.residual2.forward(x, ca)
        return self.residual3.forward(x, lambda x: self.dropout3(self._ff(x)))

    def backward(self, grad_output):
        """Returns (grad_tgt, grad_memory)."""
        grad_memory = []

        def ca_backward(g):
            g_query, g_key, g_value = self.multihead_attn.backward(self.dropout2.backward(g))
            grad_memory.append(g_key + g_value)
            return g_query

        g = self.residual3.backward(grad_output, lambda g: self._ff_backward(self.dropout3.backward(g)))
        g = self.residual2.backward(g, ca_backward)
        g = self.residual1.backward(g, lambda g: sum(self.self_attn.backward(self.dropout1.backward(g))))
        return g, grad_memory[0]


class Stack(Module):
    """num_layers deep copies of a layer, then an optional final LayerNorm (torch's layers.N, norm)."""

    def __init__(self, layer, num_layers, norm=None):
        super().__init__()
        self.num_layers = check_positive_int(num_layers, "num_layers")
        self.dtype = layer.dtype
        self.layers = [self.add_module(f"layers.{i}", copy.deepcopy(layer)) for i in range(num_layers)]
        self.norm = self.add_module("norm", norm) if norm is not None else None

    @classmethod
    def from_torch(cls, module, dtype=np.float64):
        layer = cls.layer_class.from_torch(module.layers[0], dtype)
        norm = LayerNorm.from_torch(module.norm, dtype) if module.norm is not None else None
        model = cls(layer, len(module.layers), norm)
        model.load_params({n: p.detach().cpu().numpy() for n, p in module.named_parameters()})
        return model.train(module.training)


class TransformerEncoder(Stack):
    """x = layer_N(...layer_1(src)), then norm. Like nn.TransformerEncoder."""

    layer_class = TransformerEncoderLayer

    def __init__(self, encoder_layer, num_layers, norm=None):
        super().__init__(encoder_layer, num_layers, norm)

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=False):
        x = src
        for layer in self.layers:
            x = layer(x, mask, src_key_padding_mask, is_causal)
        return self.norm(x) if self.norm is not None else x

    def backward(self, grad_output):
        g = self.norm.backward(grad_output) if self.norm is not None else grad_output
        for layer in reversed(self.layers):
            g = layer.backward(g)
        return g


class TransformerDecoder(Stack):
    """x = layer_N(...layer_1(tgt, memory), memory), then norm. Like nn.TransformerDecoder."""

    layer_class = TransformerDecoderLayer

    def __init__(self, decoder_layer, num_layers, norm=None):
        super().__init__(decoder_layer, num_layers, norm)

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        x = tgt
        for layer in self.layers:
            x = layer(x, memory, tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask,
                      tgt_is_causal, memory_is_causal)
        return self.norm(x) if self.norm is not None else x

    def backward(self, grad_output):
        """Returns (grad_tgt, grad_memory); memory's gradient sums over the layers."""
        g = self.norm.backward(grad_output) if self.norm is not None else grad_output
        grad_memory = 0
        for layer in reversed(self.layers):
            g, gm = layer.backward(g)
            grad_memory = grad_memory + gm
        return g, grad_memory


class Transformer(Module):
    """The encoder-decoder of "Attention is all you need": out = Decoder(tgt, Encoder(src)).

    Both stacks end in a LayerNorm, as in nn.Transformer; 2-D weights are xavier-uniform initialised.
    """

    def __init__(self, d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6, dim_feedforward=2048,
                 dropout=0.1, activation="relu", *, layer_norm_eps=1e-5, batch_first=False, norm_first=False,
                 bias=True, dtype=np.float64, rng=None):
        super().__init__()
        check_positive_int(d_model, "d_model")
        rng = default_rng(rng)
        self.d_model, self.nhead, self.batch_first, self.dtype = d_model, nhead, batch_first, check_dtype(dtype)
        cfg = dict(d_model=d_model, nhead=nhead, dim_feedforward=dim_feedforward, dropout=dropout,
                   activation=activation, layer_norm_eps=layer_norm_eps, batch_first=batch_first,
                   norm_first=norm_first, bias=bias, dtype=dtype, rng=rng)
        norm = LayerNorm(d_model, layer_norm_eps, bias=bias, dtype=dtype)
        self.encoder = self.add_module("encoder", TransformerEncoder(
            TransformerEncoderLayer(**cfg), num_encoder_layers, norm))
        self.decoder = self.add_module("decoder", TransformerDecoder(
            TransformerDecoderLayer(**cfg), num_decoder_layers, copy.deepcopy(norm)))
        for p in self.params.values():
            if p.ndim > 1:
                bound = np.sqrt(6 / sum(p.shape))
                p[...] = rng.uniform(-bound, bound, p.shape)

    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None, src_key_padding_mask=None,
                tgt_key_padding_mask=None, memory_key_padding_mask=None, src_is_causal=False,
                tgt_is_causal=False, memory_is_causal=False):
        memory = self.encoder(src, src_mask, src_key_padding_mask, src_is_causal)
        return self.decoder(tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask,
                            tgt_is_causal, memory_is_causal)

    def backward(self, grad_output):
        """Returns (grad_src, grad_tgt)."""
        grad_tgt, grad_memory = self.decoder.backward(grad_output)
        return self.encoder.backward(grad_memory), grad_tgt

    @staticmethod
    def generate_square_subsequent_mask(sz, dtype=np.float64):
        """The (sz, sz) causal mask: -inf above the diagonal."""
        return causal_mask(sz, dtype=dtype)
