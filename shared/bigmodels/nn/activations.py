"""ReLU, Sigmoid, Tanh and GELU written from their formulas (no torch.relu / sigmoid / tanh / gelu).

The exponentials only ever see -|x|, so nothing overflows for large |x|. -|x| is written
`where(x >= 0, -x, x)`: unlike torch.abs (slope 0 at x = 0) it keeps the slope of a branch at 0,
so autograd's derivative at exactly x = 0 is the true one.
"""

import math

import torch

from ..validate import check_tensor
from .module import Module


def neg_abs(x):
    """-|x| with slope -1 at x = 0 (the x >= 0 branch)."""
    return torch.where(x >= 0, -x, x)


def relu(x):
    """max(x, 0), slope 0 at x = 0 like torch.relu (torch.clamp would pass the gradient there).

    Written with x <= 0 so that NaN (which compares False) passes through as NaN, as in torch.relu.
    """
    return torch.where(x <= 0, torch.zeros_like(x), x)


def sigmoid(x):
    """1 / (1 + e^-x) for x >= 0 and e^x / (1 + e^x) for x < 0, both from e = exp(-|x|) <= 1."""
    e = torch.exp(neg_abs(x))
    return torch.where(x >= 0, 1 / (1 + e), e / (1 + e))


def tanh(x):
    """sign(x) (1 - e^{-2|x|}) / (1 + e^{-2|x|}), with expm1 for accuracy near 0."""
    t = torch.expm1(2 * neg_abs(x))  # e^{-2|x|} - 1, in (-1, 0]
    return torch.where(x >= 0, -t / (2 + t), t / (2 + t))


def gelu(x):
    """x Phi(x), Phi(x) = (1 + erf(x / sqrt 2)) / 2 the standard normal CDF (exact GELU)."""
    return 0.5 * x * (1 + torch.erf(x / math.sqrt(2)))


class Activation(Module):
    fn = staticmethod(relu)

    def forward(self, x):
        return self.fn(check_tensor(x, f"{type(self).__name__} input"))


class ReLU(Activation):
    fn = staticmethod(relu)


class Sigmoid(Activation):
    fn = staticmethod(sigmoid)


class Tanh(Activation):
    fn = staticmethod(tanh)


class GELU(Activation):
    fn = staticmethod(gelu)
