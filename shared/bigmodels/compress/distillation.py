"""Knowledge distillation (Hinton, Vinyals and Dean, 2015) and the small classifiers this chapter compresses.

The student learns from the teacher's temperature-softened class probabilities as well as from the labels:
    loss = alpha * T^2 * KL(softmax(t / T) || softmax(s / T)) + (1 - alpha) * CE(s, y).
The T^2 factor keeps the soft term's gradients the same size as T changes (they shrink like 1/T^2).
"""

import torch
import torch.nn.functional as F

from ..checks import check_positive_int, check_probability
from ..nn.mlp import MLP


def mlp(sizes, seed=0):
    """bigmodels.nn.MLP(sizes) (Linear -> ReLU -> ... -> Linear) initialised from torch seed `seed`."""
    torch.manual_seed(seed)
    return MLP(sizes)


def check_temperature(temperature):
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or not temperature > 0:
        raise ValueError(f"temperature: expected a number > 0, got {temperature!r}")
    return float(temperature)


def distillation_loss(student_logits, teacher_logits, targets, temperature=4.0, alpha=0.5):
    """alpha * T^2 * KL(teacher_T || student_T) + (1 - alpha) * cross-entropy with the hard labels."""
    T = check_temperature(temperature)
    check_probability(alpha, "alpha", high_open=False)
    soft = F.kl_div(F.log_softmax(student_logits / T, dim=-1), F.log_softmax(teacher_logits / T, dim=-1),
                    reduction="batchmean", log_target=True)
    return alpha * T**2 * soft + (1 - alpha) * F.cross_entropy(student_logits, targets)


def train_classifier(model, X, y, steps, batch_size=64, lr=1e-3, seed=0, teacher=None, temperature=4.0, alpha=0.5):
    """Adam on mini-batches drawn by a seeded generator; with a teacher, the distillation loss.

    Returns the list of per-step losses. The same seed gives the same batches with or without teacher.
    """
    check_positive_int(steps, "steps")
    check_positive_int(batch_size, "batch_size")
    X, y = torch.as_tensor(X), torch.as_tensor(y)
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=lr)
    if teacher is not None:
        teacher.eval()
    model.train()
    losses, order = [], torch.empty(0, dtype=torch.long)
    for _ in range(steps):
        if len(order) < batch_size:
            order = torch.cat([order, torch.randperm(len(y), generator=generator)])
        idx, order = order[:batch_size], order[batch_size:]
        logits = model(X[idx])
        if teacher is None:
            loss = F.cross_entropy(logits, y[idx])
        else:
            with torch.no_grad():
                teacher_logits = teacher(X[idx])
            loss = distillation_loss(logits, teacher_logits, y[idx], temperature, alpha)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    model.eval()
    return losses


@torch.no_grad()
def accuracy(model, X, y):
    """Fraction of rows whose arg-max logit is the label."""
    model.eval()
    return (model(torch.as_tensor(X)).argmax(-1) == torch.as_tensor(y)).float().mean().item()
