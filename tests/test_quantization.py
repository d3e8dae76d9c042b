"""int8 quantization from scratch: round trip error bounds, integer matmul, PyTorch's dynamic quantization."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from bigmodels.compress import (dequantize, dynamic_quantize, fake_quantize, quantize, quantized_matmul,
                                quantized_model_bytes, weight_bytes)
from bigmodels.nn import MLP


def matrix(seed, shape=(7, 9)):
    row_scales = np.random.default_rng(seed + 1).uniform(0.1, 3, (shape[0], 1))
    return np.random.default_rng(seed).normal(size=shape) * row_scales


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 1000), symmetric=st.booleans(), per_channel=st.booleans(), bits=st.sampled_from([4, 8]))
def test_round_trip_error_is_at_most_half_a_step(seed, symmetric, per_channel, bits):
    x = matrix(seed)
    q, scale, zero = quantize(x, bits, symmetric, per_channel)
    assert q.dtype == (np.int8 if symmetric else np.uint8)
    assert np.all(np.abs(dequantize(q, scale, zero) - x) <= scale / 2 + 1e-12)


def test_zero_is_exact_and_per_channel_is_finer():
    x = matrix(3)
    for symmetric in (True, False):
        q, s, z = quantize(x, 8, symmetric)
        assert dequantize(np.array([z]).astype(q.dtype) if np.ndim(z) == 0 else z, s, z) == 0
    per_tensor = np.abs(fake_quantize(x) - x).mean()
    per_channel = np.abs(fake_quantize(x, per_channel=True) - x).mean()
    assert per_channel < per_tensor


@pytest.mark.parametrize("symmetric, per_channel", [(True, False), (True, True), (False, False), (False, True)])
def test_integer_matmul_equals_float_matmul_of_dequantized_values(symmetric, per_channel):
    x, w = np.abs(matrix(0, (5, 9))), matrix(1, (4, 9))  # x: post-ReLU activations
    xq, xs, xz = quantize(x, 8, symmetric=symmetric)
    wq, ws, wz = quantize(w, 8, symmetric=symmetric, per_channel=per_channel)
    expected = dequantize(xq, xs, xz) @ dequantize(wq, ws, wz).T
    np.testing.assert_allclose(quantized_matmul(xq, xs, xz, wq, ws, wz), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("bits", [1, 3, 16, 8.0, True])
def test_unsupported_bit_widths_are_refused(bits):
    with pytest.raises(ValueError, match=r"bits: expected one of \(2, 4, 8\)"):
        quantize(matrix(0), bits)


def test_dynamic_quantization_is_about_four_times_smaller_and_close(recwarn):
    model = MLP([64, 128, 10])
    quantized = dynamic_quantize(model)
    assert not [w for w in recwarn if "deprecated" in str(w.message)]
    x = torch.randn(8, 64)
    with torch.no_grad():
        assert (quantized(x) - model(x)).abs().max() < 0.05
    ratio = weight_bytes(list(model.parameters())) / quantized_model_bytes(quantized)
    assert 2.5 < ratio < 4.1  # int8 weights; fp32 biases, scales and file overhead keep it under 4
