"""Attributions: scratch (NumPy) and torch agree in float64; integrated gradients are complete."""

import numpy as np
import pytest
import torch

from bigmodels.attribution import Chain, gradient_x_input, input_gradient, integrated_gradients, saliency
from bigmodels.scratch import Linear, ReLU, Tanh
from bigmodels.testing import assert_close


def models(activation):
    rng = np.random.default_rng(0)
    first, second = Linear(6, 9, rng=rng), Linear(9, 4, rng=rng)
    scratch = Chain(first, activation(), second)
    built_in = {ReLU: torch.nn.ReLU, Tanh: torch.nn.Tanh}[activation]()
    return scratch, torch.nn.Sequential(first.to_torch(), built_in, second.to_torch())


@pytest.mark.parametrize("activation", [ReLU, Tanh])
@pytest.mark.parametrize("method", [saliency, gradient_x_input])
def test_scratch_matches_torch(activation, method):
    scratch, built_in = models(activation)
    x = np.random.default_rng(1).standard_normal((5, 6))
    target = np.array([0, 1, 2, 3, 1])
    assert_close(method(built_in, torch.from_numpy(x), torch.from_numpy(target)), method(scratch, x, target))


@pytest.mark.parametrize("activation", [ReLU, Tanh])
def test_integrated_gradients_scratch_matches_torch(activation):
    scratch, built_in = models(activation)
    x = np.random.default_rng(2).standard_normal((3, 6))
    baseline = np.full_like(x, 0.1)
    a, da = integrated_gradients(scratch, x, 2, baseline, steps=32)
    b, db = integrated_gradients(built_in, torch.from_numpy(x), 2, torch.from_numpy(baseline), steps=32)
    assert_close(b, a)
    assert_close(db, da)


def test_completeness():
    scratch, _ = models(Tanh)
    x = np.random.default_rng(3).standard_normal((4, 6))
    attributions, difference = integrated_gradients(scratch, x, 1, steps=128)
    assert np.allclose(attributions.sum(1), difference, rtol=0.01, atol=1e-6)


def test_gradient_of_linear_model_is_its_weight_row():
    layer = Linear(3, 2, rng=np.random.default_rng(0))
    grad, _ = input_gradient(layer, np.ones((2, 3)), 1)
    assert_close(grad, np.tile(layer.weight[1], (2, 1)))


def test_bad_input():
    scratch, _ = models(ReLU)
    with pytest.raises(ValueError):
        integrated_gradients(scratch, np.zeros((2, 6)), 0, baseline=np.zeros((2, 5)))
    with pytest.raises(ValueError):
        integrated_gradients(scratch, np.zeros((2, 6)), 0, steps=0)
