"""The language-model trainer every chapter and benchmark shares, and its loss estimate.

    losses = train_lm(model, train_ids, steps, batch_size, optimizer, rng, block_size=T)
    val = estimate_loss(model, val_ids, T, batch_size)              # the whole text, window after window
    val = estimate_loss(model, val_ids, T, batch_size, batches=50, rng=rng)  # 50 random batches (nanoGPT)

Each step draws `batch_size` random windows of `block_size` tokens (bigmodels.data.lm.get_batch), computes
the mean next-token cross-entropy, and takes one optimizer step. By default the loss is `model(x, y)[1]`
(the GPT twins return (logits, loss)); `loss_fn(model, x, y)` replaces it (a sampled softmax, a model with
another interface). Optional: `lr_schedule(step)` sets every group's learning rate before step `step`
(0-based), `clip` clips the gradient norm, and `on_eval(step)` runs after every `eval_every`-th step.
All randomness of the batches comes from `rng` (a np.random.Generator), so a run is repeated by its seed.
"""

import numpy as np
import torch

from ..data.lm import get_batch
from ..validate import check_number, check_positive_int, describe


def gpt_loss(model, x, y):
    """The GPT twins' own loss: model(x, y) returns (logits, mean cross-entropy)."""
    return model(x, y)[1]


def train_lm(model, ids, steps, batch_size, optimizer, rng, *, block_size=None, loss_fn=gpt_loss,
             lr_schedule=None, clip=None, eval_every=None, on_eval=None):
    """`steps` optimizer steps on random windows of `ids` (a 1-D tensor of token ids); returns the
    per-step training losses as a NumPy array. block_size defaults to model.config.block_size."""
    if not isinstance(ids, torch.Tensor) or ids.dim() != 1:
        raise TypeError(f"ids: expected a 1-D torch tensor of token ids, got {describe(ids)}")
    check_positive_int(steps, "steps")
    check_positive_int(batch_size, "batch_size")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng: expected a np.random.Generator, got {describe(rng)}")
    block_size = model.config.block_size if block_size is None else check_positive_int(block_size, "block_size")
    if clip is not None:
        check_number(clip, "clip", low=0, low_open=True)
    if (eval_every is None) != (on_eval is None):
        raise ValueError("eval_every and on_eval: expected both or neither")
    model.train()
    losses = np.empty(steps)
    for step in range(steps):
        if lr_schedule is not None:
            for group in optimizer.param_groups:
                group["lr"] = lr_schedule(step)
        x, y = get_batch(ids, block_size, batch_size, rng)
        loss = loss_fn(model, x, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        losses[step] = loss.item()
        if not np.isfinite(losses[step]):
            raise FloatingPointError(f"step {step + 1}: the training loss became {losses[step]}")
        if eval_every is not None and (step + 1) % eval_every == 0:
            on_eval(step + 1)
    return losses


@torch.no_grad()
def estimate_loss(model, ids, block_size, batch_size, batches=None, rng=None, loss_fn=gpt_loss):
    """Mean next-token loss of `model` on `ids` in eval mode: over `batches` random batches drawn with `rng`,
    or (batches=None) over the whole text cut into consecutive windows, each token predicted once."""
    if not isinstance(ids, torch.Tensor) or ids.dim() != 1:
        raise TypeError(f"ids: expected a 1-D torch tensor of token ids, got {describe(ids)}")
    check_positive_int(block_size, "block_size")
    check_positive_int(batch_size, "batch_size")
    was_training = model.training
    model.eval()
    if batches is not None:
        check_positive_int(batches, "batches")
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng: expected a np.random.Generator for random batches, got {describe(rng)}")
        values = [loss_fn(model, *get_batch(ids, block_size, batch_size, rng)).item() for _ in range(batches)]
        mean = float(np.mean(values))
    else:
        n = (len(ids) - 1) // block_size
        if n < 1:
            raise ValueError(f"ids: expected more than block_size + 1 = {block_size + 1} tokens, got {len(ids)}")
        x = ids[: n * block_size].view(n, block_size)
        y = ids[1: n * block_size + 1].view(n, block_size)
        total = sum(loss_fn(model, x[i:i + batch_size], y[i:i + batch_size]).item() * len(x[i:i + batch_size])
                    for i in range(0, n, batch_size))
        mean = total / n
    model.train(was_training)
    return mean
