"""Transformer layers, stacks and the encoder-decoder in PyTorch, written from the formulas.

    post-norm (norm_first=False):  x = LayerNorm(x + Sublayer(x))
    pre-norm  (norm_first=True):   x = x + Sublayer(LayerNorm(x))

Parameter names follow torch.nn.TransformerEncoderLayer / DecoderLayer / Encoder / Decoder / Transformer.
"""

import copy

import torch
import torch.nn.functional as F

from ..validate import check_positive_int, check_probability, check_tensor
from .attention import MultiheadAttention, causal_mask
from .layers import LayerNorm, Linear
from .module import Module

ACTIVATIONS = {"relu": F.relu, "gelu": F.gelu}


class TransformerLayer(Module):
    """What encoder and decoder layers share: attention modules, the feed-forward block, the norms."""

    def __init__(self, d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps, batch_first,
                 norm_first, bias, n_norms):
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation: expected 'relu' or 'gelu', got {activation!r}")
        check_probability(dropout, "dropout")
        self.config = dict(d_model=d_model, nhead=nhead, dim_feedforward=dim_feedforward, dropout=dropout,
                           activation=activation, layer_norm_eps=layer_norm_eps, batch_first=batch_first,
                           norm_first=norm_first, bias=bias)
        self.norm_first, self.activation = norm_first, ACTIVATIONS[activation]
        self.self_attn = MultiheadAttention(d_model, nhead, dropout, bias, batch_first=batch_first)
        if n_norms == 3:
            self.multihead_attn = MultiheadAttention(d_model, nhead, dropout, bias, batch_first=batch_first)
        self.linear1 = Linear(d_model, dim_feedforward, bias)
        self.dropout = torch.nn.Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias)
        for i in range(1, n_norms + 1):
            setattr(self, f"norm{i}", LayerNorm(d_model, layer_norm_eps, bias=bias))
            setattr(self, f"dropout{i}", torch.nn.Dropout(dropout))

    def check_input(self, x, name):
        """x: a float (L, N, E) or (N, L, E) sequence, or an unbatched (L, E) one, E = d_model, L >= 1."""
        check_tensor(x, name, ndim=(2, 3))
        if x.shape[-1] != self.config["d_model"]:
            raise ValueError(f"{name}: expected last dimension d_model (embed_dim) {self.config['d_model']}, "
                             f"got shape {tuple(x.shape)}")
        if x.shape[1 if x.dim() == 3 and self.config["batch_first"] else 0] == 0:
            raise ValueError(f"{name}: expected at least one time step, got shape {tuple(x.shape)}")

    def residual(self, x, norm, sublayer):
        """norm(x + f(x)) (post-norm) or x + f(norm(x)) (pre-norm)."""
        return x + sublayer(norm(x)) if self.norm_first else norm(x + sublayer(x))

    def feed_forward(self, x):
        """FFN(x) = linear2(dropout(act(linear1(x))))"""
        return self.linear2(self.dropout(self.activation(self.linear1(x))))


class TransformerEncoderLayer(TransformerLayer):
    """x = residual(x, SelfAttention); x = residual(x, FeedForward)."""

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation="relu", layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True):
        super().__init__(d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps, batch_first,
                         norm_first, bias, n_norms=2)

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        self.check_input(src, "src")

        def self_attention(x):
            out, _ = self.self_attn(x, x, x, src_key_padding_mask, False, src_mask, is_causal=is_causal)
            return self.dropout1(out)

        x = self.residual(src, self.norm1, self_attention)
        return self.residual(x, self.norm2, lambda x: self.dropout2(self.feed_forward(x)))


class TransformerDecoderLayer(TransformerLayer):
    """x = residual(x, MaskedSelfAttention); x = residual(x, CrossAttention(memory)); x = residual(x, FFN)."""

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation="relu", layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True):
        super().__init__(d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps, batch_first,
                         norm_first, bias, n_norms=3)

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        self.check_input(tgt, "tgt")
        self.check_input(memory, "memory")

        def self_attention(x):
            out, _ = self.self_attn(x, x, x, tgt_key_padding_mask, False, tgt_mask, is_causal=tgt_is_causal)
            return self.dropout1(out)

        def cross_attention(x):
            out, _ = self.multihead_attn(x, memory, memory, memory_key_padding_mask, False, memory_mask,
                                         is_causal=memory_is_causal)
            return self.dropout2(out)

        x = self.residual(tgt, self.norm1, self_attention)
        x = self.residual(x, self.norm2, cross_attention)
        return self.residual(x, self.norm3, lambda x: self.dropout3(self.feed_forward(x)))


class Stack(Module):
    """num_layers deep copies of a layer (layers.N) and an optional final LayerNorm (norm)."""

    def __init__(self, layer, num_layers, norm=None):
        super().__init__()
        self.num_layers = check_positive_int(num_layers, "num_layers")
        self.layers = torch.nn.ModuleList(copy.deepcopy(layer) for _ in range(num_layers))
        self.norm = norm

    @classmethod
    def from_torch(cls, builtin):
        layer = cls.layer_class.from_torch(builtin.layers[0])
        norm = LayerNorm.from_torch(builtin.norm) if builtin.norm is not None else None
        model = cls(layer, len(builtin.layers), norm)
        model.load_state_dict(builtin.state_dict())
        return model.train(builtin.training)


class TransformerEncoder(Stack):
    layer_class = TransformerEncoderLayer

    def __init__(self, encoder_layer, num_layers, norm=None):
        super().__init__(encoder_layer, num_layers, norm)

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=False):
        x = src
        for layer in self.layers:
            x = layer(x, mask, src_key_padding_mask, is_causal)
        return self.norm(x) if self.norm is not None else x


class TransformerDecoder(Stack):
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


class Transformer(Module):
    """out = Decoder(tgt, Encoder(src)); both stacks end in a LayerNorm, 2-D weights xavier-uniform."""

    def __init__(self, d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6, dim_feedforward=2048,
                 dropout=0.1, activation="relu", *, layer_norm_eps=1e-5, batch_first=False, norm_first=False,
                 bias=True):
        super().__init__()
        cfg = dict(d_model=d_model, nhead=nhead, dim_feedforward=dim_feedforward, dropout=dropout,
                   activation=activation, layer_norm_eps=layer_norm_eps, batch_first=batch_first,
                   norm_first=norm_first, bias=bias)
        self.encoder = TransformerEncoder(TransformerEncoderLayer(**cfg), num_encoder_layers,
                                          LayerNorm(d_model, layer_norm_eps, bias=bias))
        self.decoder = TransformerDecoder(TransformerDecoderLayer(**cfg), num_decoder_layers,
                                          LayerNorm(d_model, layer_norm_eps, bias=bias))
        for p in self.parameters():
            if p.dim() > 1:
                torch.nn.init.xavier_uniform_(p)

    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None, src_key_padding_mask=None,
                tgt_key_padding_mask=None, memory_key_padding_mask=None, src_is_causal=False,
                tgt_is_causal=False, memory_is_causal=False):
        memory = self.encoder(src, src_mask, src_key_padding_mask, src_is_causal)
        return self.decoder(tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask,
                            tgt_is_causal, memory_is_causal)

    @staticmethod
    def generate_square_subsequent_mask(sz, dtype=torch.float32, device=None):
        return causal_mask(sz, dtype=dtype, device=device)
