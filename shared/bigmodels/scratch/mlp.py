"""The multilayer perceptron: Linear, activation, Linear, activation, ..., Linear.

`MLP` is a function, not a class: it returns a plain `Sequential`, so the model's parameter names
("0.weight", "2.bias", ...), from_torch and to_torch are those of torch.nn.Sequential.
"""

import numpy as np

from ..validate import check_positive_int, check_probability
from .layers import GELU, Dropout, Linear, ReLU, Sigmoid, Tanh
from .module import default_rng
from .sequential import Sequential

ACTIVATION_LAYERS = {"relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh, "gelu": GELU}


def MLP(sizes, activation="relu", dropout=0.0, bias=True, *, dtype=np.float64, rng=None):
    """sizes = (in, hidden_1, ..., out): h_l = f(h_{l-1} W_l^T + b_l), no activation after the last layer.

    The output is the logits (feed them to CrossEntropyLoss). dropout > 0 adds a Dropout after
    every hidden activation.
    """
    sizes = [check_positive_int(s, "sizes entry") for s in sizes]
    if len(sizes) < 2:
        raise ValueError(f"sizes: expected at least (in_features, out_features), got {sizes}")
    if activation not in ACTIVATION_LAYERS:
        raise ValueError(f"activation: expected one of {sorted(ACTIVATION_LAYERS)}, got {activation!r}")
    check_probability(dropout, "dropout")
    rng = default_rng(rng)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Linear(n_in, n_out, bias=bias, dtype=dtype, rng=rng))
        if i < len(sizes) - 2:
            layers.append(ACTIVATION_LAYERS[activation](dtype=dtype))
            if dropout > 0:
                layers.append(Dropout(dropout, dtype=dtype, rng=rng))
    return Sequential(*layers)
