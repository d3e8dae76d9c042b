"""Knowledge distillation loss: formula, T^2 scaling, limits; the training loop it drives."""

import pytest
import torch
import torch.nn.functional as F

from bigmodels.compress import distillation_loss, train_classifier
from bigmodels.nn import MLP
from bigmodels.training import score


def logits(seed):
    g = torch.Generator().manual_seed(seed)
    student, teacher = torch.randn(6, 5, generator=g) * 3, torch.randn(6, 5, generator=g) * 3
    return student, teacher, torch.randint(0, 5, (6,), generator=g)


def test_loss_is_the_formula():
    s, t, y = logits(0)
    T, alpha = 3.0, 0.7
    p_t = F.softmax(t / T, -1)
    kl = (p_t * (p_t.log() - F.log_softmax(s / T, -1))).sum(-1).mean()
    expected = alpha * T**2 * kl + (1 - alpha) * F.cross_entropy(s, y)
    torch.testing.assert_close(distillation_loss(s, t, y, T, alpha), expected)


def test_alpha_zero_is_cross_entropy_and_matching_teacher_costs_nothing():
    s, t, y = logits(1)
    torch.testing.assert_close(distillation_loss(s, t, y, 2.0, 0.0), F.cross_entropy(s, y))
    assert distillation_loss(t, t, y, 2.0, 1.0).abs() < 1e-6


def test_t_squared_keeps_soft_gradients_comparable_across_temperatures():
    s, t, y = logits(2)
    norms = []
    for T in (4.0, 16.0):
        s_ = (s / 10).clone().requires_grad_()  # small logits: the high-temperature limit applies
        distillation_loss(s_, t / 10, y, T, 1.0).backward()
        norms.append(s_.grad.norm().item())
    assert norms[1] == pytest.approx(norms[0], rel=0.05)


@pytest.mark.parametrize("T", [0, -1.0, float("nan")])
def test_temperature_must_be_positive(T):
    s, t, y = logits(0)
    with pytest.raises(ValueError, match="temperature: expected a number > 0"):
        distillation_loss(s, t, y, T, 0.5)


def test_training_with_a_teacher_uses_the_same_batches_and_learns():
    g = torch.Generator().manual_seed(0)
    X = torch.randn(200, 6, generator=g)
    y = (X[:, 0] > 0).long()
    torch.manual_seed(1)
    teacher = MLP([6, 32, 2])
    train_classifier(teacher, X, y, steps=150, lr=1e-2)
    assert score(teacher, X, y) > 0.95
    torch.manual_seed(2)
    student = MLP([6, 2])
    losses = train_classifier(student, X, y, steps=100, lr=1e-2, teacher=teacher)["loss"]
    assert losses[-1] < losses[0] and score(student, X, y) > 0.9
