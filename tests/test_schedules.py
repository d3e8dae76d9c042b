"""Learning-rate schedule against torch.optim.lr_scheduler; gradient accumulation against one big batch."""

import pytest
import torch

from bigmodels.nn import Linear
from bigmodels.scale.schedules import accumulate_gradients, warmup_cosine_lr


@pytest.mark.parametrize("warmup,total,min_lr", [(10, 100, 0.0), (5, 37, 1e-4), (1, 20, 3e-4)])
def test_matches_torch_linear_then_cosine(warmup, total, min_lr):
    max_lr = 1e-3
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=max_lr)
    schedulers = [torch.optim.lr_scheduler.LinearLR(opt, 1 / warmup, 1.0, total_iters=max(warmup - 1, 1)),
                  torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total - warmup, eta_min=min_lr)]
    sched = torch.optim.lr_scheduler.SequentialLR(opt, schedulers, milestones=[warmup])
    for step in range(total):
        assert warmup_cosine_lr(step, max_lr, warmup, total, min_lr) == pytest.approx(opt.param_groups[0]["lr"],
                                                                                       rel=1e-9, abs=1e-15)
        opt.step()
        sched.step()
    assert warmup_cosine_lr(total + 5, max_lr, warmup, total, min_lr) == min_lr


@pytest.mark.parametrize("micro_batches", [1, 2, 4, 8])
def test_accumulation_equals_large_batch(micro_batches):
    torch.manual_seed(0)
    big, small = Linear(6, 3).double(), Linear(6, 3).double()
    small.load_state_dict(big.state_dict())
    X, y = torch.randn(32, 6, dtype=torch.float64), torch.randint(0, 3, (32,))
    loss_fn = torch.nn.functional.cross_entropy
    full = loss_fn(big(X), y)
    full.backward()
    accumulated = accumulate_gradients(small, loss_fn, X, y, micro_batches)
    assert accumulated == pytest.approx(full.item(), rel=1e-12)
    for p, q in zip(big.parameters(), small.parameters()):
        torch.testing.assert_close(q.grad, p.grad, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("args", [(-1, 1e-3, 10, 100), (0, 1e-3, 100, 100), (0, 1e-3, 10, 100, 1e-2)])
def test_bad_schedule(args):
    with pytest.raises(ValueError):
        warmup_cosine_lr(*args)


def test_bad_micro_batches():
    with pytest.raises(ValueError):
        accumulate_gradients(Linear(2, 2), torch.nn.functional.cross_entropy, torch.randn(6, 2),
                             torch.zeros(6, dtype=torch.long), 4)
