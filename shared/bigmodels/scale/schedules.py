"""Training recipes of large models: learning-rate warmup + cosine decay, gradient accumulation."""

import math

from ..validate import check_number, check_positive_int, check_tensor, describe, loss_naming_targets


def warmup_cosine_lr(step, max_lr, warmup_steps, total_steps, min_lr=0.0):
    """The learning rate at optimizer step `step` (0-based).

    Linear warmup: max_lr * (step + 1) / warmup_steps for step < warmup_steps;
    then cosine decay: min_lr + (max_lr - min_lr) (1 + cos(pi t)) / 2, t = (step - warmup) / (total - warmup);
    min_lr from total_steps on.
    """
    check_positive_int(step, "step", minimum=0)
    check_number(max_lr, "max_lr", low=0)
    check_number(min_lr, "min_lr", low=0)
    check_positive_int(warmup_steps, "warmup_steps", minimum=0)
    check_positive_int(total_steps, "total_steps")
    if warmup_steps >= total_steps:
        raise ValueError(f"warmup_steps: expected fewer than total_steps={total_steps}, got {warmup_steps}")
    if not 0 <= min_lr <= max_lr:
        raise ValueError(f"min_lr, max_lr: expected 0 <= min_lr <= max_lr, got {min_lr} and {max_lr}")
    if step < warmup_steps:
        return max_lr * (step + 1) / warmup_steps
    if step >= total_steps:
        return min_lr
    progress = (step - warmup_steps) / (total_steps - warmup_steps)
    return min_lr + (max_lr - min_lr) * 0.5 * (1 + math.cos(math.pi * progress))


def accumulate_gradients(model, loss_fn, X, y, micro_batches):
    """Gradients of loss_fn(model(X), y) (a mean) computed in micro_batches equal slices.

    Each slice's mean loss is scaled by its share of the batch before backward, so the summed
    .grad equals the gradient of the full-batch mean: the memory of a small batch, the update of
    a large one. Returns the full-batch loss (a float).
    """
    check_positive_int(micro_batches, "micro_batches")
    check_tensor(X, "X")
    if not hasattr(y, "dim") or y.dim() == 0:
        raise TypeError(f"y: expected a tensor of targets, one per row of X, got {describe(y)}")
    if len(y) != len(X) or len(y) == 0:
        raise ValueError(f"y: expected one target per row of X ({len(X)} rows, at least 1), got {len(y)}")
    n = len(y)
    if n % micro_batches:
        raise ValueError(f"micro_batches: expected a divisor of the batch size {n}, got {micro_batches}")
    size = n // micro_batches
    total = 0.0
    for start in range(0, n, size):
        loss = loss_naming_targets(loss_fn, model(X[start:start + size]), y[start:start + size]) * (size / n)
        loss.backward()
        total += loss.item()
    return total

