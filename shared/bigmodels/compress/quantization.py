"""Integer quantization from scratch (Jacob et al., 2018), plus PyTorch's dynamic quantization.

A real number x is stored as an integer q with a scale s and a zero point z:
    q = clip(round(x / s) + z, qmin, qmax),        x ~ dequantize(q) = s * (q - z).
Symmetric:  z = 0, s = max|x| / (2^(b-1) - 1), q in [-(2^(b-1) - 1), 2^(b-1) - 1] (int8).
Asymmetric: s = (max x - min x) / (2^b - 1), z = round(-min x / s), q in [0, 2^b - 1] (uint8);
            the range is widened to contain 0 so that zero is exact (padding, ReLU outputs).
Per-tensor: one (s, z) for the whole array; per-channel: one per row (output neuron) of a weight.
A matrix product of quantized values accumulates integers in int32 and rescales once:
    x W^T ~ s_x s_w * ((q_x - z_x) (q_w - z_w)^T).
"""

import warnings

import numpy as np

from ..validate import check_array_list, check_batch, check_finite, check_positive_int, describe

SUPPORTED_BITS = (2, 4, 8)


def check_bits(bits):
    if isinstance(bits, bool) or not isinstance(bits, (int, np.integer)) or bits not in SUPPORTED_BITS:
        raise ValueError(f"bits: expected one of {SUPPORTED_BITS}, got {bits!r}")
    return bits


def integer_range(bits, symmetric):
    """(qmin, qmax): symmetric ranges drop -2^(b-1) so that +x and -x round alike."""
    check_bits(bits)
    return (-(2 ** (bits - 1) - 1), 2 ** (bits - 1) - 1) if symmetric else (0, 2**bits - 1)


def quantize(x, bits=8, symmetric=True, per_channel=False):
    """Return (q, scale, zero_point); scale and zero_point have shape (rows, 1) per channel, () else."""
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise TypeError(f"x: expected a NumPy float array, got {describe(x)}")
    if x.size == 0:
        raise ValueError(f"x: expected at least one value, got {describe(x)}")
    check_finite(x, "x")  # one NaN would make the scale NaN (or 1.0) and every weight wrong
    if per_channel and x.ndim != 2:
        raise ValueError(f"x: per-channel quantization expects a 2-D weight, got shape {x.shape}")
    qmin, qmax = integer_range(bits, symmetric)
    axis = 1 if per_channel else None
    lo = np.minimum(x.min(axis=axis, keepdims=per_channel), 0).astype(np.float64)
    hi = np.maximum(x.max(axis=axis, keepdims=per_channel), 0).astype(np.float64)
    if symmetric:
        scale = np.maximum(hi, -lo) / qmax
        zero_point = np.zeros_like(scale, dtype=np.int32)
    else:
        scale = (hi - lo) / (qmax - qmin)
    scale = np.where(scale > 0, scale, 1.0)  # an all-zero channel: any scale represents it exactly
    if not symmetric:
        zero_point = np.clip(np.round(qmin - lo / scale), qmin, qmax).astype(np.int32)
    q = np.clip(np.round(x / scale) + zero_point, qmin, qmax)
    return q.astype(np.int8 if symmetric else np.uint8), scale, zero_point


def dequantize(q, scale, zero_point):
    """x_hat = scale * (q - zero_point), as float64."""
    if not isinstance(q, np.ndarray) or q.dtype.kind not in "iu":
        raise TypeError(f"q: expected a NumPy integer array, got {describe(q)}")
    scales, zeros = np.asarray(scale), np.asarray(zero_point)
    if scales.dtype.kind not in "iuf" or not (np.isfinite(scales).all() and (scales > 0).all()):
        raise ValueError(f"scale: expected finite numbers > 0, got {describe(scale)}")
    if zeros.dtype.kind not in "iu":
        raise TypeError(f"zero_point: expected an int or an integer array, got {describe(zero_point)}")
    return scale * (q.astype(np.int32) - zero_point)


def fake_quantize(x, bits=8, symmetric=True, per_channel=False):
    """Round x to the nearest value the integer grid can represent, in x's dtype (training sees the error)."""
    return dequantize(*quantize(x, bits, symmetric, per_channel)).astype(x.dtype)


def quantized_matmul(xq, x_scale, x_zero, wq, w_scale, w_zero):
    """y = x W^T from quantized x (n, k) and W (m, k): int32 accumulation, one float rescale.

    w_scale / w_zero are scalars or (m, 1) per channel; returns float64 (n, m).
    """
    for name, q in (("xq", xq), ("wq", wq)):
        if not isinstance(q, np.ndarray) or q.dtype.kind not in "iu" or q.ndim != 2:
            raise TypeError(f"{name}: expected a 2-D NumPy integer array, got {describe(q)}")
    if xq.shape[1] != wq.shape[1]:
        raise ValueError(f"xq, wq: expected shapes (n, k) and (m, k), got {xq.shape} and {wq.shape}")
    acc = (xq.astype(np.int32) - x_zero) @ (wq.astype(np.int32) - w_zero).T  # int32 sums of products
    if acc.dtype != np.int32:
        raise AssertionError(f"accumulator must stay int32, got {acc.dtype}")
    return acc * (x_scale * np.reshape(w_scale, -1))


def weight_bytes(arrays):
    """Bytes to store a list of arrays (or tensors) in their own dtype."""
    check_array_list(arrays, "arrays")
    return sum(int(a.nbytes) if isinstance(a, np.ndarray) else a.numel() * a.element_size() for a in arrays)


# ----------------------------------------------------------------- torch models

def fake_quantize_model(model, bits=8, symmetric=True, per_channel=True):
    """A copy of a torch model whose linear weights are replaced by their fake-quantized values."""
    import copy

    import torch

    model = copy.deepcopy(model)
    with torch.no_grad():
        for m in model.modules():
            if hasattr(m, "in_features") and hasattr(m, "weight"):
                w = m.weight.detach().cpu().numpy()
                m.weight.copy_(torch.from_numpy(fake_quantize(w, bits, symmetric, per_channel)))
    return model


def to_builtin_linears(model):
    """A copy of a torch model where every bigmodels.nn.Linear is swapped for torch.nn.Linear
    (same weights), so that PyTorch's quantization tools, which look for torch.nn.Linear, see it."""
    import copy

    from ..nn import Linear

    model = copy.deepcopy(model)
    for name, child in model.named_children():
        if isinstance(child, Linear):
            setattr(model, name, child.to_torch())
        else:
            setattr(model, name, to_builtin_linears(child))
    return model


def dynamic_quantize(model):
    """PyTorch post-training dynamic quantization of the linear layers to int8 (weights per tensor,
    activations quantized on the fly per batch).

    torch.ao.quantization.quantize_dynamic is deprecated in favour of torchao, which this book's
    environment does not install; we silence exactly its two deprecation notices (the module's
    DeprecationWarning and the UserWarning about quantized tensor dtypes) and nothing else.
    """
    import torch
    from torch.ao.quantization import quantize_dynamic

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="torch.ao.quantization is deprecated", category=DeprecationWarning)
        warnings.filterwarnings("ignore", message="torch.quantize_per_tensor, torch.quantize_per_channel",
                                category=UserWarning)
        return quantize_dynamic(to_builtin_linears(model).eval(), {torch.nn.Linear}, dtype=torch.qint8)


def quantized_model_bytes(model):
    """Bytes of a dynamically quantized model's state: packed int8 weights plus float biases/scales."""
    import io

    import torch

    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    return buffer.getbuffer().nbytes


def latency_ms(model, x, repeats=30):
    """Best-of-repeats wall time of one forward pass of a torch model on x, in milliseconds."""
    import time

    import torch

    check_positive_int(repeats, "repeats")
    check_batch(x, "x")  # NaN or inf could time a different code path than real inputs

    with torch.no_grad():
        model(x)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            model(x)
            times.append(time.perf_counter() - start)
    return 1000 * min(times)
