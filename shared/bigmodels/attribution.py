"""Attribution methods: which inputs made a model produce its output.

For an output score f_t(x) (the logit of class t):
- saliency: |d f_t / d x|;
- gradient x input: x * d f_t / d x;
- integrated gradients (Sundararajan et al. 2017): (x - x') * mean over the straight path
  x' + s (x - x'), s in [0, 1], of d f_t / d x, approximated by the trapezoid rule. Its
  attributions sum to f_t(x) - f_t(x') (completeness) up to the quadrature error.

Each method works on a scratch model (NumPy, anything with forward(x) and backward(grad_output)
returning the input gradient) and on a torch module; `input_gradient` picks the backend.
"""

import numpy as np

from .validate import check_finite, check_positive_int, describe


class Chain:
    """Scratch layers applied in order: forward runs them first to last, backward last to first."""

    def __init__(self, *layers):
        self.layers = layers

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_output):
        for layer in reversed(self.layers):
            grad_output = layer.backward(grad_output)
        return grad_output

    __call__ = forward


def _is_torch(model):
    import sys

    torch = sys.modules.get("torch")
    return torch is not None and isinstance(model, torch.nn.Module)


def input_gradient(model, x, target):
    """d f_target(x_i) / d x_i for a batch x of shape (n, ...); target: an int or one per row.

    Returns (gradients like x, scores f_target(x) of shape (n,)). NumPy in, NumPy out for a
    scratch model; torch in, torch out for a torch module.
    """
    _check_input(x)
    if _is_torch(model):
        import torch

        x = x.detach().requires_grad_(True)
        logits = model(x)
        rows = torch.arange(len(x))
        _check_target(target, logits)
        target = torch.as_tensor(target).expand(len(x)) if np.ndim(target) == 0 else torch.as_tensor(target)
        scores = logits[rows, target]
        (grad,) = torch.autograd.grad(scores.sum(), x)
        return grad, scores.detach()
    logits = model.forward(x)
    _check_target(target, logits)
    target = np.broadcast_to(target, (len(x),))
    select = np.zeros_like(logits)
    select[np.arange(len(x)), target] = 1
    return model.backward(select), logits[np.arange(len(x)), target]


def _check_input(x):
    """x: a float batch (n, ...) of finite values, a NumPy array or a torch tensor."""
    floating = getattr(x, "is_floating_point", lambda: getattr(getattr(x, "dtype", None), "kind", "") == "f")()
    if not hasattr(x, "shape") or len(x.shape) < 2 or not floating:
        raise TypeError(f"x: expected a float batch of shape (n, ...), got {describe(x)}")
    check_finite(x, "x")


def _check_target(target, logits):
    """target: one class index, or one per row, in [0, number of classes) of the (n, classes) logits."""
    if len(logits.shape) != 2:
        raise ValueError(f"x: expected inputs for which the model returns (n, classes) logits, got {describe(logits)}")
    t = np.asarray(target.cpu() if hasattr(target, "cpu") else target)
    if t.dtype.kind not in "iu" or t.shape not in ((), (logits.shape[0],)):
        raise TypeError(f"target: expected an int or {logits.shape[0]} ints, got {describe(target)}")
    if t.size and (t.min() < 0 or t.max() >= logits.shape[1]):
        raise ValueError(f"target: expected class indices in [0, {logits.shape[1]}), got {target!r:.60}")


def saliency(model, x, target):
    """|d f_target / d x| (Simonyan et al. 2014)."""
    grad, _ = input_gradient(model, x, target)
    return abs(grad)


def gradient_x_input(model, x, target):
    """x * d f_target / d x."""
    grad, _ = input_gradient(model, x, target)
    return x * grad


def integrated_gradients(model, x, target, baseline=None, steps=64):
    """(x - x') * trapezoid-rule average of the gradient along x' + s (x - x'), s = 0, 1/steps, ..., 1.

    baseline x' defaults to zeros. Returns (attributions like x, f(x) - f(x') per row): the
    attributions of a row should sum to the second value (completeness).
    """
    check_positive_int(steps, "steps")
    _check_input(x)
    baseline = x * 0 if baseline is None else baseline
    if baseline.shape != x.shape:
        raise ValueError(f"baseline: expected shape {tuple(x.shape)}, got {tuple(baseline.shape)}")
    weights = np.full(steps + 1, 1.0 / steps)
    weights[[0, -1]] /= 2
    total = 0
    for i, w in enumerate(weights):
        grad, score = input_gradient(model, baseline + (i / steps) * (x - baseline), target)
        total = total + w * grad
        if i == 0:
            start = score
    return (x - baseline) * total, score - start
