"""Input validation with messages that name what was expected and what was given.

Shared by the NumPy (scratch) and PyTorch (nn) twins, so both refuse the same input with the same message.
Duck-typed where both kinds of input arrive (`.shape`, `.dtype`): this module never imports torch.
"""

import numpy as np

FLOAT_DTYPES = (np.float32, np.float64)


def describe(x):
    """A short description of a value for error messages: type, dtype and shape."""
    if isinstance(x, np.ndarray):
        return f"array of dtype {x.dtype} and shape {x.shape}"
    if hasattr(x, "dtype") and hasattr(x, "shape") and not isinstance(x, np.generic):
        return f"{type(x).__name__} of dtype {x.dtype} and shape {tuple(x.shape)}"
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
        raise ValueError(f"{name}: expected a {want} array, got shape {tuple(x.shape)}")


def check_last_dim(x, name, size):
    """Raise ValueError unless the last axis of x (an array or tensor) has the given size."""
    if len(x.shape) == 0 or x.shape[-1] != size:
        raise ValueError(f"{name}: expected last dimension {size}, got shape {tuple(x.shape)}")


def check_same_shape(a, b, name_a, name_b):
    if a.shape != b.shape:
        raise ValueError(f"{name_a} and {name_b} must have the same shape, got {a.shape} and {b.shape}")


def check_labels(y, name, num_classes, shape=None, rows_of=None):
    """Integer class labels in [0, num_classes), optionally of an exact shape (one per row of `rows_of`, a name)."""
    if not isinstance(y, np.ndarray) or not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"{name}: expected an integer NumPy array of class labels, got {describe(y)}")
    if shape is not None and y.shape != tuple(shape):
        per_row = f", one label per row of {rows_of}" if rows_of else ""
        raise ValueError(f"{name}: expected shape {tuple(shape)}, got {y.shape}{per_row}")
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
    if not _is_number(value):
        raise TypeError(f"{name}: expected a float, got {describe(value)}")
    ok_low = value > 0 if low_open else value >= 0
    ok_high = value < 1 if high_open else value <= 1
    if not (ok_low and ok_high):
        interval = f"{'(' if low_open else '['}0, 1{')' if high_open else ']'}"
        raise ValueError(f"{name}: expected a value in {interval}, got {value}")
    return float(value)


def _is_number(value):
    return not isinstance(value, bool) and isinstance(value, (int, float, np.integer, np.floating))


def check_number(value, name, low=None, high=None, low_open=False, high_open=False, finite=False):
    """A real number (Python or NumPy scalar, never NaN) in [low, high], ends open on request (None: no bound);
    finite=True also refuses inf. Returns value unchanged, so valid input computes exactly as before."""
    if not _is_number(value):
        raise TypeError(f"{name}: expected a number, got {describe(value)}")
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if value != value or too_low or too_high or (finite and abs(value) == np.inf):
        if low is not None and high is not None:
            want = f" in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
        elif low is not None:
            want = f" {'>' if low_open else '>='} {low}"
        elif high is not None:
            want = f" {'<' if high_open else '<='} {high}"
        else:
            want = ""
        raise ValueError(f"{name}: expected a {'finite ' if finite else ''}number{want}, got {value!r}")
    return value


def check_finite(x, name):
    """Raise ValueError if a NumPy array or torch tensor holds NaN or inf (the policy for inputs that
    would otherwise turn into silently wrong numbers); returns x."""
    finite = np.isfinite(x).all() if isinstance(x, np.ndarray) else bool(x.isfinite().all())
    if not finite:
        raise ValueError(f"{name}: expected finite values, got NaN or inf in {describe(x)}")
    return x


def check_grad(grad, shape, name="grad_output"):
    """The gradient a backward receives: a float array of exactly the shape its forward returned."""
    if not isinstance(grad, np.ndarray) or grad.dtype.kind != "f":
        raise TypeError(f"{name}: expected a NumPy float array of shape {tuple(shape)}, got {describe(grad)}")
    if grad.shape != tuple(shape):
        raise ValueError(f"{name}: expected the shape forward returned, {tuple(shape)}, got {grad.shape}")
    return grad


def check_choice(value, name, choices):
    """value must be one of choices (compared with ==)."""
    if isinstance(value, bool) or value not in choices:
        raise ValueError(f"{name}: expected one of {tuple(choices)}, got {value!r}")
    return value


def check_rng(rng, name="rng"):
    """None (a fresh unseeded generator), an int seed, or a np.random.Generator -> a Generator."""
    if rng is None or isinstance(rng, np.random.Generator):
        return rng if rng is not None else np.random.default_rng()
    if not isinstance(rng, bool) and isinstance(rng, (int, np.integer)):
        if rng < 0:
            raise ValueError(f"{name}: expected an int seed >= 0, got {rng}")
        return np.random.default_rng(int(rng))
    raise TypeError(f"{name}: expected None, an int seed >= 0 or a np.random.Generator, got {describe(rng)}")


def check_sizes(sizes, name="sizes"):
    """Layer widths (in, hidden..., out): at least two positive ints; returns them as a list of ints."""
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__"):
        raise TypeError(f"{name}: expected a sequence of ints, got {describe(sizes)}")
    sizes = [check_positive_int(s, f"{name}[{i}]") for i, s in enumerate(sizes)]
    if len(sizes) < 2:
        raise ValueError(f"{name}: expected at least (in_features, out_features), got {sizes}")
    return sizes


def check_index(value, name, low, high):
    """An int (Python or NumPy) in [low, high), e.g. a padding_idx that may count from the end."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: expected an int, got {describe(value)}")
    if not low <= value < high:
        raise ValueError(f"{name}: expected a value in [{low}, {high}), got {value}")
    return int(value)


def check_dtype(dtype, name="dtype"):
    """np.dtype(dtype), which must be float32 or float64 (the dtypes scratch models compute in)."""
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{name}: expected float32 or float64, got {describe(dtype)}") from None
    if dtype not in FLOAT_DTYPES:
        raise TypeError(f"{name}: expected float32 or float64, got {dtype}")
    return dtype


def check_tensor(x, name, ndim=None, floating=True):
    """A torch tensor of the given rank(s), floating point (or integer with floating=False); returns x.

    Duck-typed, so that this module never imports torch."""
    kind = "a float" if floating else "an integer"
    if not (hasattr(x, "is_floating_point") and hasattr(x, "dim")):
        raise TypeError(f"{name}: expected {kind} torch tensor, got {describe(x)}")
    if not (x.is_floating_point() if floating else has_integer_dtype(x)):
        raise TypeError(f"{name}: expected {kind} tensor, got dtype {x.dtype}")
    check_ndim(x, name, ndim)
    return x


def has_integer_dtype(x):
    """Whether a NumPy array or a torch tensor holds integers (bool does not count)."""
    if isinstance(x, np.ndarray):
        return np.issubdtype(x.dtype, np.integer)
    is_tensor = hasattr(x, "is_floating_point")
    return is_tensor and not (x.is_floating_point() or x.is_complex() or str(x.dtype) == "torch.bool")


def check_tensor_labels(y, name, num_classes, rows):
    """A 1-D integer tensor of `rows` class labels in [0, num_classes) (one scan of y); returns y."""
    check_tensor(y, name, ndim=1, floating=False)
    if len(y) != rows:
        raise ValueError(f"{name}: expected {rows} labels, one per row of the input, got {len(y)}")
    if rows and (int(y.min()) < 0 or int(y.max()) >= num_classes):
        raise ValueError(f"{name}: labels must lie in [0, {num_classes}), "
                         f"got min {int(y.min())} and max {int(y.max())}")
    return y


def check_batch(x, name):
    """A non-empty NumPy array or torch tensor of examples, finite if it holds floats (checked once); returns x."""
    if not (isinstance(x, np.ndarray) or hasattr(x, "is_floating_point")):
        raise TypeError(f"{name}: expected a NumPy array or a torch tensor, got {describe(x)}")
    if len(x.shape) == 0 or x.shape[0] == 0:
        raise ValueError(f"{name}: expected at least one row, got shape {tuple(x.shape)}")
    floating = x.dtype.kind == "f" if isinstance(x, np.ndarray) else x.is_floating_point()
    if floating:
        check_finite(x, name)
    return x


def check_array_list(arrays, name):
    """A list or tuple of NumPy arrays or torch tensors; returns it."""
    if not isinstance(arrays, (list, tuple)) or not all(isinstance(a, np.ndarray) or hasattr(a, "numel")
                                                          for a in arrays):
        raise TypeError(f"{name}: expected a list of NumPy arrays or torch tensors, got {describe(arrays)}")
    return arrays


def loss_naming_targets(loss_fn, outputs, targets, name="y"):
    """loss_fn(outputs, targets); an error of the loss itself (a label out of range, a wrong dtype or shape) is
    re-raised naming the targets, with the loss's own message."""
    try:
        return loss_fn(outputs, targets)
    except (IndexError, RuntimeError, ValueError, TypeError) as error:
        if "out of memory" in str(error):  # not the targets' fault
            raise
        raise ValueError(f"{name}: loss_fn(outputs, {name}) failed on these targets: {error}") from None


def check_numbers(values, name):
    """np.asarray(values) for a number or an array of numbers (int or float); TypeError naming it otherwise."""
    array = np.asarray(values)
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{name}: expected a number or an array of numbers, got {describe(values)}")
    return array


# -- recurrent layers (RNN, LSTM) -------------------------------------------------------------
def check_unsupported(dropout, bidirectional, proj_size=0):
    """The torch options the book's RNN and LSTM leave out must keep their defaults."""
    if dropout != 0:
        raise ValueError(f"dropout between layers is not supported: expected 0, got {dropout}")
    if bidirectional:
        raise ValueError("bidirectional is not supported: expected False, got True")
    if proj_size != 0:
        raise ValueError(f"proj_size is not supported: expected 0, got {proj_size}")


def check_state(h, name, expected_shape):
    """An initial state h0 or c0 of shape (num_layers, batch, hidden_size) ((num_layers, hidden_size) unbatched)."""
    if tuple(h.shape) != tuple(expected_shape):
        raise ValueError(f"{name}: expected shape {tuple(expected_shape)} (num_layers, batch, hidden_size), "
                         f"got {tuple(h.shape)}")


def check_lengths(lengths, batch, steps):
    """lengths as an int64 array of shape (batch,) with 1 <= length <= steps (torch's rule)."""
    lengths = np.asarray(lengths)
    if not np.issubdtype(lengths.dtype, np.integer):
        raise TypeError(f"lengths: expected integers, got dtype {lengths.dtype}")
    if lengths.shape != (batch,):
        raise ValueError(f"lengths: expected shape ({batch},) (one length per sequence), got {lengths.shape}")
    if lengths.size and (lengths.min() < 1 or lengths.max() > steps):
        raise ValueError(f"lengths: expected values in [1, {steps}] (the sequence length), "
                         f"got min {lengths.min()} and max {lengths.max()}")
    return lengths.astype(np.int64)


# -- attention ---------------------------------------------------------------------------------
def batch_axes_broadcast(query, key, value):
    """Whether the leading (batch) axes of query, key and value broadcast together."""
    try:
        np.broadcast_shapes(tuple(query.shape[:-2]), tuple(key.shape[:-2]), tuple(value.shape[:-2]))
    except ValueError:
        return False
    return True


def check_broadcast(mask, shape, name):
    """Raise ValueError unless mask broadcasts to the scores' shape (N, H, L, S)."""
    try:
        np.broadcast_shapes(tuple(mask.shape), tuple(shape))
    except ValueError:
        raise ValueError(f"{name}: shape {tuple(mask.shape)} does not broadcast to the attention scores "
                         f"(batch, heads, target length, source length) = {tuple(shape)}") from None


def check_length(length, max_len):
    """A sequence no longer than the positional table (GPT's block_size)."""
    if length > max_len:
        raise ValueError(f"sequence length {length} exceeds the positional table's max_len (block_size) {max_len}")


def check_flag(value, name):
    """value must be True or False (a bool, not a truthy object)."""
    if not isinstance(value, bool):
        raise TypeError(f"{name}: expected True or False, got {value!r}")
    return value


# -- token ids and the GPT ---------------------------------------------------------------------
def check_token_ids(ids, name="ids"):
    """A (batch, time) integer array or tensor of token ids with batch, time >= 1 (the range is the embedding's)."""
    if len(getattr(ids, "shape", ())) != 2 or not has_integer_dtype(ids) or 0 in ids.shape:
        raise ValueError(f"{name}: expected a (batch, time) integer array of token ids, got {describe(ids)}")
    return ids


def check_config(config):
    """Every size of a GPTConfig a positive int, n_embd divisible by n_head, dropout in [0, 1)."""
    for name in ("block_size", "vocab_size", "n_layer", "n_head", "n_embd"):
        check_positive_int(getattr(config, name, None), f"config.{name}")
    if config.n_embd % config.n_head:
        raise ValueError(f"config.n_embd: expected a value divisible by n_head={config.n_head}, got {config.n_embd}")
    check_probability(config.dropout, "config.dropout")
    return config


def check_idx(idx, config, crop=False):
    """idx must be integer (B, T) with 1 <= T and T <= block_size unless generate crops it (token range is checked
    by the embedding: see lookup_tokens)."""
    if not has_integer_dtype(idx):
        raise TypeError(f"idx: expected an integer array (batch, time) of token ids, got {describe(idx)}")
    if idx.ndim != 2:
        raise ValueError(f"idx: expected shape (batch, time), got {tuple(idx.shape)}")
    if idx.shape[1] == 0:
        raise ValueError(f"idx: expected at least one time step, got shape {tuple(idx.shape)}")
    if idx.shape[1] > config.block_size and not crop:
        raise ValueError(f"idx: sequence length {idx.shape[1]} exceeds block_size {config.block_size}")


def lookup_tokens(wte, idx):
    """wte(idx), its out-of-range error naming idx (the embedding scans the ids once, so idx is not scanned twice)."""
    try:
        return wte(idx)
    except (TypeError, ValueError) as error:
        raise type(error)(f"idx: {error}") from None


def check_generate(max_new_tokens, temperature, top_k):
    """generate's arguments: max_new_tokens >= 0, temperature > 0, top_k None or >= 1."""
    check_positive_int(max_new_tokens, "max_new_tokens", minimum=0)
    check_number(temperature, "temperature", low=0, low_open=True, finite=True)
    if top_k is not None:
        check_positive_int(top_k, "top_k")
