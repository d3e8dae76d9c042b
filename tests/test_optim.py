"""Scratch SGD / Adam / AdamW / clip_grad_norm_ track torch.optim step for step (float64)."""

import numpy as np
import pytest
import torch

from bigmodels import nn, scratch
from bigmodels.testing import assert_close

OPTIMIZERS = [
    ("SGD", dict(lr=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=1e-2)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-2)),
    ("Adam", dict(lr=1e-2)),
    ("Adam", dict(lr=1e-2, betas=(0.8, 0.99), eps=1e-6, weight_decay=1e-2)),
    ("AdamW", dict(lr=1e-2)),
    ("AdamW", dict(lr=1e-2, weight_decay=0.1, betas=(0.85, 0.995))),
]


def twins(seed=0, sizes=(6, 8, 5, 3)):
    torch.manual_seed(seed)
    builtin = nn.MLP(sizes, "tanh", builtin=True).double()
    return builtin, scratch.Sequential.from_torch(builtin)


@pytest.mark.parametrize("clip", [None, 0.5])
@pytest.mark.parametrize("name, kwargs", OPTIMIZERS, ids=lambda v: str(v))
def test_twenty_steps_track_torch(name, kwargs, clip):
    builtin, model = twins()
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((20, 6)), rng.integers(0, 3, size=20)
    opt_torch = getattr(torch.optim, name)(builtin.parameters(), **kwargs)
    opt = getattr(scratch, name)(model, **kwargs)
    loss_torch, loss = torch.nn.CrossEntropyLoss(), scratch.CrossEntropyLoss()
    for step in range(20):
        batch = rng.choice(20, size=8, replace=False)
        opt_torch.zero_grad()
        loss_torch(builtin(torch.tensor(X[batch])), torch.tensor(y[batch])).backward()
        opt.zero_grad()
        loss(model(X[batch]), y[batch])
        model.backward(loss.backward())
        if clip is not None:
            norm_torch = torch.nn.utils.clip_grad_norm_(builtin.parameters(), clip)
            norm = scratch.clip_grad_norm_(model, clip)
            assert abs(norm - float(norm_torch)) <= 1e-10 * float(norm_torch)
        opt_torch.step()
        opt.step()
    for pname, p in builtin.named_parameters():
        assert_close(model.params[pname], p, name=f"{name} {pname} after 20 steps")
        assert not np.allclose(model.params[pname], twins()[1].params[pname])  # it did move


def test_clip_grad_norm_forms_and_inf_norm():
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[4.0]])}
    assert scratch.clip_grad_norm_(grads, 10.0) == 5.0 and grads["a"][0] == 3.0  # under the limit
    total = scratch.clip_grad_norm_(list(grads.values()), 1.0)
    assert total == 5.0
    np.testing.assert_allclose(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())), 1.0, rtol=1e-5)
    ts = [torch.nn.Parameter(torch.zeros(2)), torch.nn.Parameter(torch.zeros(1))]
    ts[0].grad, ts[1].grad = torch.tensor([3.0, -7.0]), torch.tensor([1.0])
    arrays = [t.grad.numpy().copy() for t in ts]
    assert scratch.clip_grad_norm_(arrays, 2.0, norm_type=np.inf) == float(
        torch.nn.utils.clip_grad_norm_(ts, 2.0, norm_type=np.inf)) == 7.0
    for a, t in zip(arrays, ts):
        np.testing.assert_allclose(a, t.grad.numpy(), rtol=1e-6)


def test_float32_step_keeps_float32():
    model = scratch.MLP([4, 3], dtype=np.float32, rng=np.random.default_rng(0))
    for opt in (scratch.SGD(model, 0.1, momentum=0.9), scratch.Adam(model), scratch.AdamW(model)):
        loss = scratch.CrossEntropyLoss()
        loss(model(np.ones((2, 4), dtype=np.float32)), np.array([0, 2]))
        model.backward(loss.backward())
        opt.step()
        opt.zero_grad()
        assert all(p.dtype == np.float32 for p in model.params.values())
        assert not any(g.any() for g in model.grads.values())


def test_bad_arguments():
    model = scratch.MLP([2, 2])
    with pytest.raises(TypeError, match="expected a scratch model with params and grads"):
        scratch.SGD([np.zeros(2)], lr=0.1)
    with pytest.raises(ValueError, match="lr: expected a finite number >= 0, got -1"):
        scratch.Adam(model, lr=-1)
    with pytest.raises(ValueError, match=r"betas\[1\]: expected a value in \[0, 1\), got 1.0"):
        scratch.Adam(model, betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="nesterov: expected momentum > 0 and dampening = 0"):
        scratch.SGD(model, 0.1, nesterov=True)
