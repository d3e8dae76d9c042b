"""Comparison helpers shared by the tests and the chapters."""

import numpy as np

from .validate import describe


def to_numpy(x):
    """A NumPy copy of an array or a torch tensor (detached, on the CPU)."""
    if hasattr(x, "detach"):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def rel_error(actual, expected):
    """max|actual - expected| / max|expected| (absolute error when expected is all zero)."""
    a, e = _as_float64(actual, "actual"), _as_float64(expected, "expected")
    if a.shape != e.shape:
        raise ValueError(f"actual and expected: shapes differ: {a.shape} vs {e.shape}")
    if a.size == 0:
        return 0.0
    scale = np.max(np.abs(e))
    diff = np.max(np.abs(a - e))
    return float(diff / scale) if scale > 0 else float(diff)


def _as_float64(x, name):
    array = to_numpy(x)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name}: expected numbers (an array or a tensor), got {describe(x)}")
    return array.astype(np.float64)


def assert_close(actual, expected, tol=1e-10, name="value"):
    """Assert rel_error(actual, expected) <= tol with a message naming the quantity."""
    err = rel_error(actual, expected)
    assert err <= tol, f"{name}: relative error {err:.3e} exceeds {tol:.0e}"
    return err
