"""Power-law fitting and the compute-optimal split."""

import numpy as np
import pytest

from bigmodels.scale.scaling import chinchilla_optimal, fit_power_law, power_law


def test_fit_recovers_known_law():
    n = np.logspace(3, 6, 8)
    rng = np.random.default_rng(0)
    loss = power_law(n, 40.0, 0.35, 1.2) * (1 + 0.002 * rng.standard_normal(len(n)))
    fit = fit_power_law(n, loss)
    assert abs(fit.alpha - 0.35) <= 3 * fit.alpha_err + 1e-3
    assert fit.c == pytest.approx(1.2, abs=0.05)
    assert fit(n) == pytest.approx(loss, rel=0.01)


def test_fit_without_noise_is_exact():
    n = np.array([1e3, 3e3, 1e4, 3e4, 1e5])
    fit = fit_power_law(n, power_law(n, 10.0, 0.5, 0.3))
    assert (fit.a, fit.alpha, fit.c) == pytest.approx((10.0, 0.5, 0.3), rel=1e-4)


def test_chinchilla_split():
    n, d = chinchilla_optimal(5.76e23)  # Chinchilla's budget: 70B parameters, 1.4T tokens
    assert 6 * n * d == pytest.approx(5.76e23)
    assert d == pytest.approx(20 * n)
    assert n == pytest.approx(70e9, rel=0.03)


@pytest.mark.parametrize("n,loss", [([1, 2, 3], [3, 2, 1]), ([-1, 2, 3, 4], [4, 3, 2, 1]), ([1, 2, 3, 4], [1, 2])])
def test_bad_input(n, loss):
    with pytest.raises(ValueError):
        fit_power_law(n, loss)


def test_bad_compute():
    with pytest.raises(ValueError):
        chinchilla_optimal(-1.0)
