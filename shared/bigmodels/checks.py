"""Input validation with messages that name what was expected and what was given."""

import numpy as np

FLOAT_DTYPES = (np.float32, np.float64)


def describe(x):
    """A short description of a value for error messages: type, dtype and shape."""
    if isinstance(x, np.ndarray):
        return f"array of dtype {x.dtype} and shape {x.shape}"
    return f"{type(x).__name__} {x!r}"[:80]


def check_float_array(x, name, ndim=None, dtype=None):
    """Return x if it is a floating NumPy array (float32/float64) of the given rank(s).

    ndim may be an int or a tuple of allowed ranks; dtype, if given, must match exactly.
    """
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name}: expected a NumPy float array, got {describe(x)}")
    if x.dtype not in FLOAT_DTYPES:
        raise TypeError(f"{name}: expected dtype float32 or float64, got {x.dtype}")
    if dtype is not None and x.dtype != dtype:
        raise TypeError(f"{name}: expected dtype {np.dtype(dtype)}, got {x.dtype}")
    check_ndim(x, name, ndim)
    return x


def check_ndim(x, name, ndim):
    """Raise ValueError unless x.ndim is ndim (an int, a tuple of ints, or None for any)."""
    if ndim is None:
        return
    allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
    if x.ndim not in allowed:
        want = " or ".join(f"{d}-D" for d in allowed)
        raise ValueError(f"{name}: expected a {want} array, got shape {x.shape}")


def check_last_dim(x, name, size):
    """Raise ValueError unless the last axis of x has the given size."""
    if x.shape[-1] != size:
        raise ValueError(f"{name}: expected last dimension {size}, got shape {x.shape}")


def check_same_shape(a, b, name_a, name_b):
    if a.shape != b.shape:
        raise ValueError(f"{name_a} and {name_b} must have the same shape, got {a.shape} and {b.shape}")


def check_labels(y, name, num_classes, shape=None):
    """Integer class labels in [0, num_classes), optionally of an exact shape."""
    if not isinstance(y, np.ndarray) or not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"{name}: expected an integer NumPy array of class labels, got {describe(y)}")
    if shape is not None and y.shape != tuple(shape):
        raise ValueError(f"{name}: expected shape {tuple(shape)}, got {y.shape}")
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(
            f"{name}: labels must lie in [0, {num_classes}), got min {y.min()} and max {y.max()}"
        )
    return y


def check_positive_int(value, name, minimum=1):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: expected an int, got {describe(value)}")
    if value < minimum:
        raise ValueError(f"{name}: expected an int >= {minimum}, got {value}")
    return int(value)


def check_probability(value, name, low_open=False, high_open=True):
    """A float in [0, 1) by default; the interval ends are configurable."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
        raise TypeError(f"{name}: expected a float, got {describe(value)}")
    ok_low = value > 0 if low_open else value >= 0
    ok_high = value < 1 if high_open else value <= 1
    if not (ok_low and ok_high):
        interval = f"{'(' if low_open else '['}0, 1{')' if high_open else ']'}"
        raise ValueError(f"{name}: expected a value in {interval}, got {value}")
    return float(value)
