"""Finite-difference gradient checks: the independent referee for every explicit backward pass."""

import numpy as np

from ..validate import check_finite, check_float_array, check_number


def numerical_gradient(f, x, eps=1e-6):
    """Central differences (f(x + eps e_i) - f(x - eps e_i)) / (2 eps) for every entry of x.

    f takes no arguments and reads x, which is perturbed in place and restored.
    """
    check_finite(check_float_array(x, "x"), "x")
    check_number(eps, "eps", low=0, low_open=True, finite=True)
    grad = np.zeros_like(x, dtype=np.float64)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        plus = f()
        flat[i] = old - eps
        minus = f()
        flat[i] = old
        gflat[i] = (plus - minus) / (2 * eps)
    return grad


def check_module(module, inputs, seed=0, eps=1e-6):
    """Compare a module's backward with finite differences of L = sum(G * forward(*inputs)).

    inputs is a tuple of float64 arrays (integer arrays are passed through untouched). Returns a
    dict name -> relative error for every float input ("input0", ...) and every parameter.
    """
    rng = np.random.default_rng(seed)

    def outputs():
        out = module.forward(*inputs)
        return out if isinstance(out, tuple) else (out,)

    upstream = [rng.standard_normal(np.shape(o)) for o in outputs()]

    def loss():
        return sum(float(np.sum(g * o)) for g, o in zip(upstream, outputs()) if o is not None)

    outputs()
    module.zero_grad()
    grad_in = module.backward(*upstream) if len(upstream) > 1 else module.backward(upstream[0])
    grad_in = grad_in if isinstance(grad_in, tuple) else (grad_in,)
    analytic = {name: g.copy() for name, g in module.grads.items()}
    errors = {}
    for i, (x, g) in enumerate(zip(inputs, grad_in)):
        if g is not None and np.issubdtype(x.dtype, np.floating):
            errors[f"input{i}"] = _rel(g, numerical_gradient(loss, x, eps))
    for name, p in module.params.items():
        errors[name] = _rel(analytic[name], numerical_gradient(loss, p, eps))
    return errors


def _rel(a, b):
    scale = max(np.max(np.abs(b)), 1e-8)
    return float(np.max(np.abs(a - b)) / scale)
