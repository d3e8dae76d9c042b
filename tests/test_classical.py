import numpy as np
import pytest
import torch

from bigmodels.classical import (
    SmallCNN, accuracy, fit_classifier, learning_curve, mlp_parameter_count, shift_images, stratified_subset,
)
from bigmodels.nn import MLP


@pytest.mark.parametrize("sizes", [[64, 10], [64, 32, 10], [784, 128, 64, 10]])
def test_parameter_count_formula_matches_module(sizes):
    model = MLP(sizes)
    assert mlp_parameter_count(sizes) == sum(p.numel() for p in model.parameters())


def test_fit_learns_a_separable_problem():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    torch.manual_seed(0)
    model = fit_classifier(MLP([2, 2]), X, y, epochs=30, lr=0.05)
    assert accuracy(model, X, y) > 0.95


def test_stratified_subset_balances_classes():
    y = np.repeat(np.arange(3), [50, 30, 20])
    rows = stratified_subset(y, 30, seed=1)
    assert len(set(rows)) == 30
    assert np.bincount(y[rows]).tolist() == [10, 10, 10]
    with pytest.raises(ValueError, match="at most"):
        stratified_subset(y, 101)


def test_learning_curve_calls_fit_per_size():
    class Majority:
        def fit(self, X, y):
            self.label = np.bincount(y).argmax()
            return self

        def predict(self, X):
            return np.full(len(X), self.label)

    X = np.zeros((10, 1), np.float32)
    y = np.array([0] * 6 + [1] * 4)
    curve = learning_curve(lambda a, b: Majority().fit(a, b), X, y, X, y, sizes=[2, 10])
    assert curve == [pytest.approx(0.6), pytest.approx(0.6)]


def test_shift_images_keeps_pixels():
    X = np.random.default_rng(0).random((5, 16), dtype=np.float32)
    shifted = shift_images(X, side=4, max_shift=2)
    assert shifted.shape == (5, 64)
    np.testing.assert_allclose(shifted.sum(axis=1), X.sum(axis=1), rtol=1e-6)
    with pytest.raises(ValueError, match="pixels per row"):
        shift_images(X, side=3, max_shift=1)


def test_small_cnn_shapes():
    model = SmallCNN(side=8)
    assert model(torch.zeros(3, 64)).shape == (3, 10)
    with pytest.raises(ValueError, match="multiple of 4"):
        SmallCNN(side=10)
