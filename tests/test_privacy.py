"""The RDP accountant against quadrature, the closed form at q = 1 and published values; DP-SGD parts."""

import numpy as np
import pytest
import torch

from bigmodels.nn import Linear
from bigmodels.privacy import (clip_per_example, membership_advantage, noise_for_epsilon, per_example_gradients,
                               privacy_spent, rdp_sampled_gaussian, rdp_sampled_gaussian_numerical, train_dp_sgd)


@pytest.mark.parametrize("q,sigma,alpha", [(0.01, 4.0, 32), (0.004, 1.3, 17), (0.1, 2.0, 16), (0.5, 1.5, 5),
                                           (0.02, 0.8, 40), (1.0, 2.0, 10)])
def test_closed_form_matches_quadrature(q, sigma, alpha):
    closed = rdp_sampled_gaussian(q, sigma, [alpha])[0]
    assert closed == pytest.approx(rdp_sampled_gaussian_numerical(q, sigma, alpha), rel=1e-6)


def test_full_batch_is_gaussian_mechanism():
    orders = np.arange(2, 20)
    assert rdp_sampled_gaussian(1.0, 1.7, orders) == pytest.approx(orders / (2 * 1.7**2))


@pytest.mark.parametrize("sigma,epochs,published", [(1.3, 20, 1.34), (0.7, 70, 8.68)])
def test_published_moments_accountant_values(sigma, epochs, published):
    """Bu, Dong, Long and Su 2020 (Harvard Data Science Review), figure 4: MNIST, batch 256 of 60,000,
    delta = 1e-5, epsilon from the moments accountant."""
    steps = round(epochs * 60000 / 256)
    eps, _ = privacy_spent(256 / 60000, sigma, steps, 1e-5)
    assert eps == pytest.approx(published, rel=0.05)


def test_more_noise_or_fewer_steps_means_less_epsilon():
    assert privacy_spent(0.01, 2.0, 1000, 1e-5)[0] < privacy_spent(0.01, 1.0, 1000, 1e-5)[0]
    assert privacy_spent(0.01, 1.0, 100, 1e-5)[0] < privacy_spent(0.01, 1.0, 1000, 1e-5)[0]


def test_noise_for_epsilon_inverts_privacy_spent():
    sigma = noise_for_epsilon(2.0, 0.05, 500, 1e-5)
    assert privacy_spent(0.05, sigma, 500, 1e-5)[0] <= 2.0
    assert privacy_spent(0.05, sigma * 0.99, 500, 1e-5)[0] > 2.0


@pytest.mark.parametrize("call", [
    lambda: privacy_spent(0.0, 1.0, 10, 1e-5),
    lambda: privacy_spent(1.5, 1.0, 10, 1e-5),
    lambda: privacy_spent(0.1, 0.0, 10, 1e-5),
    lambda: privacy_spent(0.1, -1.0, 10, 1e-5),
    lambda: privacy_spent(0.1, 1.0, 10, 1.0),
    lambda: privacy_spent(0.1, 1.0, 10, 0.0),
    lambda: rdp_sampled_gaussian(0.1, 1.0, [1]),
])
def test_bad_input(call):
    with pytest.raises(ValueError):
        call()


def small_model():
    torch.manual_seed(0)
    return torch.nn.Sequential(Linear(5, 8), torch.nn.Tanh(), Linear(8, 3)).double()


def test_per_example_gradients_match_a_loop():
    model = small_model()
    X, y = torch.randn(6, 5, dtype=torch.float64), torch.randint(0, 3, (6,))
    grads = per_example_gradients(model, torch.nn.functional.cross_entropy, X, y)
    for i in range(6):
        model.zero_grad()
        torch.nn.functional.cross_entropy(model(X[i:i + 1]), y[i:i + 1]).backward()
        for name, p in model.named_parameters():
            torch.testing.assert_close(grads[name][i], p.grad, rtol=1e-10, atol=1e-12)


def test_clipping_bounds_each_norm():
    grads = {"w": torch.randn(10, 3, 4, dtype=torch.float64), "b": torch.randn(10, 3, dtype=torch.float64)}
    clipped, norms = clip_per_example(grads, 0.5)
    new = torch.sqrt(clipped["w"].flatten(1).pow(2).sum(1) + clipped["b"].pow(2).sum(1))
    assert torch.all(new <= 0.5 + 1e-12)
    small = norms <= 0.5
    torch.testing.assert_close(new[small], norms[small])


@pytest.mark.parametrize("max_grad_norm", [None, 1e6])
def test_dp_sgd_without_noise_or_clipping_is_full_batch_sgd(max_grad_norm):
    model, reference = small_model(), small_model()
    X, y = torch.randn(20, 5, dtype=torch.float64), torch.randint(0, 3, (20,))
    train_dp_sgd(model, X, y, sample_rate=1.0, noise_multiplier=0.0, max_grad_norm=max_grad_norm, steps=3, lr=0.1)
    opt = torch.optim.SGD(reference.parameters(), lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(reference(X), y).backward()
        opt.step()
    for p, q in zip(model.parameters(), reference.parameters()):
        torch.testing.assert_close(p, q, rtol=1e-10, atol=1e-12)


def test_control_runs_share_their_batches():
    """Without clipping and noise, DP-SGD is SGD on the Poisson batches every run of that seed draws: the
    noise is drawn even at sigma 0, so sigma and C never change which examples a step uses."""
    X, y = torch.randn(30, 5, dtype=torch.float64), torch.randint(0, 3, (30,))
    runs = [train_dp_sgd(small_model(), X, y, 0.3, 0.0, None, 4, 0.1, seed=5) for _ in range(2)]
    for p, q in zip(runs[0].parameters(), runs[1].parameters()):
        assert torch.equal(p, q)
    reference = small_model()
    generator = torch.Generator().manual_seed(5)
    opt = torch.optim.SGD(reference.parameters(), lr=0.1)
    for _ in range(4):
        chosen = torch.rand(30, generator=generator) < 0.3
        for p in reference.parameters():
            torch.randn(p.shape, generator=generator, dtype=p.dtype)  # the noise draw keeps the stream aligned
        opt.zero_grad()
        (torch.nn.functional.cross_entropy(reference(X[chosen]), y[chosen], reduction="sum") / (0.3 * 30)).backward()
        opt.step()
    for p, q in zip(runs[0].parameters(), reference.parameters()):
        torch.testing.assert_close(p, q, rtol=1e-10, atol=1e-12)


def test_no_clipping_refuses_noise():
    X, y = torch.randn(4, 5, dtype=torch.float64), torch.randint(0, 3, (4,))
    with pytest.raises(ValueError, match="max_grad_norm"):
        train_dp_sgd(small_model(), X, y, 0.5, 1.0, None, 1, 0.1)


def test_membership_advantage():
    rng = np.random.default_rng(0)
    same = rng.random(2000)
    assert membership_advantage(same[:1000], same[1000:]) < 0.1
    assert membership_advantage(np.zeros(50), np.ones(50)) == 1.0
    assert membership_advantage(np.zeros(50), np.ones(50), threshold=0.5) == 1.0
