"""Activations, softmax and losses with their derivatives (NumPy).

Each activation comes as a pair: `f(x)` and `f_grad(x, y)` = df/dx given the input x and
output y (whichever is cheaper is used). Losses return a float and have a `_grad` twin that
returns dL/d(input) for grad_output = 1.
"""

import numpy as np
from scipy.special import erf

from ..validate import check_float_array, check_labels, check_same_shape, describe


# -- activations ------------------------------------------------------------------------------
def relu(x):
    """max(0, x)"""
    if not isinstance(x, np.ndarray):
        raise TypeError(f"x: expected a NumPy array, got {describe(x)}")
    return np.maximum(x, 0)


def relu_grad(x, y):
    """1 where x > 0, else 0 (torch also uses 0 at x == 0)."""
    return (x > 0).astype(x.dtype)


def sigmoid(x):
    """1 / (1 + exp(-x)), computed without overflow for large |x|."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def sigmoid_grad(x, y):
    """sigma'(x) = sigma(x) (1 - sigma(x))"""
    return y * (1 - y)


def tanh(x):
    return np.tanh(x)


def tanh_grad(x, y):
    """tanh'(x) = 1 - tanh(x)^2"""
    return 1 - y * y


def gelu(x):
    """x Phi(x) with the exact Gaussian CDF Phi(x) = (1 + erf(x / sqrt 2)) / 2 (torch's default)."""
    return (0.5 * x * (1 + erf(x / np.sqrt(2)))).astype(x.dtype, copy=False)


def gelu_grad(x, y):
    """Phi(x) + x phi(x), phi the standard normal density."""
    cdf = 0.5 * (1 + erf(x / np.sqrt(2)))
    pdf = np.exp(-0.5 * x * x) / np.sqrt(2 * np.pi)
    return (cdf + x * pdf).astype(x.dtype, copy=False)


def identity(x):
    return x


def identity_grad(x, y):
    return np.ones_like(x)


ACTIVATIONS = {
    "relu": (relu, relu_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "gelu": (gelu, gelu_grad),
    "identity": (identity, identity_grad),
}


def get_activation(name):
    """The (f, f_grad) pair for an activation name."""
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(f"activation: expected one of the names {sorted(ACTIVATIONS)}, got {name!r}")
    return ACTIVATIONS[name]


# -- softmax ----------------------------------------------------------------------------------
def softmax(x, axis=-1):
    """exp(x_i - max x) / sum_j exp(x_j - max x): shifting by the max keeps exp from overflowing."""
    _check_softmax_input(x, axis)
    z = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(z)
    return e / np.sum(e, axis=axis, keepdims=True)


def softmax_grad(y, grad_y, axis=-1):
    """Backward of y = softmax(x): dx = y * (dy - sum(dy * y))."""
    return y * (grad_y - np.sum(grad_y * y, axis=axis, keepdims=True))


def log_softmax(x, axis=-1):
    """x - logsumexp(x), stable for logits of any size."""
    _check_softmax_input(x, axis)
    z = x - np.max(x, axis=axis, keepdims=True)
    return z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))


def _check_softmax_input(x, axis):
    check_float_array(x, "x")
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) or not -x.ndim <= axis < x.ndim:
        raise ValueError(f"axis: expected an int in [{-x.ndim}, {x.ndim}), got {axis!r}")


# -- losses (mean reduction, like torch's default) ----------------------------------------------
def mse_loss(input, target):
    """L = mean((input - target)^2)"""
    check_float_array(input, "input")
    check_float_array(target, "target")
    check_same_shape(input, target, "input", "target")
    return float(np.mean((input - target) ** 2))


def mse_loss_grad(input, target):
    """dL/dinput = 2 (input - target) / n"""
    return 2 * (input - target) / input.size


def cross_entropy(logits, target):
    """L = -mean_i log softmax(logits_i)[target_i]; logits (N, C), integer targets (N,)."""
    _check_logits_targets(logits, target)
    logp = log_softmax(logits, axis=1)
    return float(-np.mean(logp[np.arange(len(target)), target]))


def cross_entropy_grad(logits, target):
    """dL/dlogits = (softmax(logits) - onehot(target)) / N"""
    p = softmax(logits, axis=1)
    p[np.arange(len(target)), target] -= 1
    return p / len(target)


def binary_cross_entropy_with_logits(logits, target):
    """L = mean(max(z, 0) - z y + log(1 + exp(-|z|))), the stable form of BCE(sigmoid(z), y)."""
    check_float_array(logits, "logits")
    check_float_array(target, "target")
    check_same_shape(logits, target, "logits", "target")
    z, y = logits, target
    return float(np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))))


def binary_cross_entropy_with_logits_grad(logits, target):
    """dL/dz = (sigmoid(z) - y) / n"""
    return (sigmoid(logits) - target) / logits.size


def _check_logits_targets(logits, target):
    check_float_array(logits, "logits", ndim=2)
    check_labels(target, "target", logits.shape[1], shape=(logits.shape[0],), rows_of="logits")
