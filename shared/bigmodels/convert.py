"""Each twin's torch.nn built-in: the constructor arguments read off a module, and the built-in made from them.

The scratch and nn twins are named like the torch.nn class they mirror (Linear, LSTM, MultiheadAttention, ...)
and keep their configuration in attributes of torch's names (in_features, hidden_size, batch_first, ...), so one
reader per class (ARGUMENTS) reads the constructor arguments off the built-in or off either twin:

    Twin.from_torch(builtin)  ->  Twin(**config_of(builtin, "LSTM")), then the weights
    twin.to_torch()           ->  build_builtin(twin) = torch.nn.LSTM(**config_of(twin, "LSTM")), then the weights

Options the twins leave out (a bidirectional LSTM, add_bias_kv, GELU's tanh approximation) are refused when
read. torch is imported inside build_builtin only, so bigmodels.scratch runs without it.
"""

from .validate import describe


def config_of(module, name):
    """The constructor arguments of torch.nn.<name>, read off module: that built-in or either of its twins."""
    if name not in ARGUMENTS:
        raise NotImplementedError(f"{name} has no torch.nn built-in")
    if name not in {cls.__name__ for cls in type(module).__mro__}:
        raise TypeError(f"expected a torch.nn.{name} or one of its twins, got {describe(module)}")
    return ARGUMENTS[name](module)


def build_builtin(model):
    """A freshly initialised torch.nn built-in with the configuration of model (a stack's layer and norm too)."""
    import torch

    name = type(model).__name__
    arguments = config_of(model, name)
    for key in ("encoder_layer", "decoder_layer", "norm"):  # the modules a stack is made of
        if arguments.get(key) is not None:
            arguments[key] = build_builtin(arguments[key])
    return getattr(torch.nn, name)(**arguments, **BUILD_OPTIONS.get(name, {}))


def activation_name(activation):
    """'relu' or 'gelu' from that name, from F.relu / F.gelu, or from nn.ReLU() / nn.GELU()."""
    name = activation if isinstance(activation, str) else getattr(activation, "__name__", type(activation).__name__)
    if name.lower() not in ("relu", "gelu"):
        raise ValueError(f"activation: expected relu or gelu, got {activation!r}")
    return name.lower()


# -- one reader per class: module -> constructor arguments (torch's names) -------------------------------------
def _linear(m):
    return dict(in_features=m.in_features, out_features=m.out_features, bias=m.bias is not None)


def _embedding(m):
    return dict(num_embeddings=m.num_embeddings, embedding_dim=m.embedding_dim, padding_idx=m.padding_idx)


def _layer_norm(m):
    return dict(normalized_shape=m.normalized_shape, eps=m.eps, elementwise_affine=m.elementwise_affine,
                bias=m.bias is not None)


def _dropout(m):
    return dict(p=m.p)


def _no_arguments(m):
    return {}


def _gelu(m):
    if getattr(m, "approximate", "none") != "none":  # only the built-in has the tanh approximation
        raise ValueError(f"GELU: expected approximate='none', got {m.approximate!r}")
    return {}


def _rnn(m):
    return dict(input_size=m.input_size, hidden_size=m.hidden_size, num_layers=m.num_layers,
                nonlinearity=m.nonlinearity, bias=m.bias, batch_first=m.batch_first, dropout=m.dropout,
                bidirectional=m.bidirectional)


def _lstm(m):
    return dict(input_size=m.input_size, hidden_size=m.hidden_size, num_layers=m.num_layers, bias=m.bias,
                batch_first=m.batch_first, dropout=m.dropout, bidirectional=m.bidirectional, proj_size=m.proj_size)


def _multihead_attention(m):
    # options only the built-in has (the twins have no such attributes)
    if (getattr(m, "bias_k", None) is not None or getattr(m, "add_zero_attn", False)
            or not getattr(m, "_qkv_same_embed_dim", True)):
        raise ValueError("MultiheadAttention: only add_bias_kv=False, add_zero_attn=False and kdim == vdim == "
                         "embed_dim are supported")
    return dict(embed_dim=m.embed_dim, num_heads=m.num_heads, dropout=m.dropout, bias=m.in_proj_bias is not None,
                batch_first=m.batch_first)


def _transformer_layer(m):
    return dict(d_model=m.linear1.in_features, nhead=m.self_attn.num_heads, dim_feedforward=m.linear1.out_features,
                dropout=m.dropout.p, activation=activation_name(m.activation), layer_norm_eps=m.norm1.eps,
                batch_first=m.self_attn.batch_first, norm_first=m.norm_first, bias=m.linear1.bias is not None)


def _transformer_encoder(m):
    return dict(encoder_layer=m.layers[0], num_layers=len(m.layers), norm=m.norm)


def _transformer_decoder(m):
    return dict(decoder_layer=m.layers[0], num_layers=len(m.layers), norm=m.norm)


def _transformer(m):
    return dict(_transformer_layer(m.encoder.layers[0]), num_encoder_layers=len(m.encoder.layers),
                num_decoder_layers=len(m.decoder.layers))


ARGUMENTS = {
    "Linear": _linear, "Embedding": _embedding, "LayerNorm": _layer_norm, "Dropout": _dropout,
    "ReLU": _no_arguments, "Sigmoid": _no_arguments, "Tanh": _no_arguments, "GELU": _gelu,
    "RNN": _rnn, "LSTM": _lstm, "MultiheadAttention": _multihead_attention,
    "TransformerEncoderLayer": _transformer_layer, "TransformerDecoderLayer": _transformer_layer,
    "TransformerEncoder": _transformer_encoder, "TransformerDecoder": _transformer_decoder,
    "Transformer": _transformer,
}

# arguments of a built-in that to_torch makes beyond the twin's configuration
BUILD_OPTIONS = {"TransformerEncoder": {"enable_nested_tensor": False}}  # no inference fast path: the same formulas
