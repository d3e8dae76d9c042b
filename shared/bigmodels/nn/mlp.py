"""The multilayer perceptron built from bigmodels.nn.Linear and the formula-written activations.

`MLP` returns a plain torch.nn.Sequential (parameter names "0.weight", "2.bias", ...), so its
state_dict loads straight into the built-in model made by `MLP(..., builtin=True)` and into
bigmodels.scratch.Sequential.from_torch.
"""

import torch

from ..validate import check_positive_int, check_probability, describe
from . import activations
from .layers import Linear

ACTIVATIONS = {"relu": "ReLU", "sigmoid": "Sigmoid", "tanh": "Tanh", "gelu": "GELU"}


def MLP(sizes, activation="relu", dropout=0.0, bias=True, builtin=False):
    """sizes = (in, hidden_1, ..., out): Linear, activation[, Dropout], ..., Linear (outputs logits).

    builtin=True builds the same network from torch.nn's own Linear and activation classes.
    """
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__iter__"):
        raise TypeError(f"sizes: expected a sequence of MLP layer sizes, got {describe(sizes)}")
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(f"sizes: expected at least (in_features, out_features), two MLP layer sizes, got {sizes}")
    for i, size in enumerate(sizes):
        check_positive_int(size, f"sizes[{i}]: MLP layer size")
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation: expected one of {sorted(ACTIVATIONS)}, got {activation!r}")
    check_probability(dropout, "dropout")
    source = torch.nn if builtin else activations
    linear = torch.nn.Linear if builtin else Linear
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(linear(n_in, n_out, bias=bias))
        if i < len(sizes) - 2:
            layers.append(getattr(source, ACTIVATIONS[activation])())
            if dropout > 0:
                layers.append(torch.nn.Dropout(dropout))
    return torch.nn.Sequential(*layers)
