"""Knowledge distillation (Hinton, Vinyals and Dean, 2015), and the training of the classifiers chapter 6.5 compresses.

The student learns from the teacher's temperature-softened class probabilities as well as from the labels:
    loss = alpha * T^2 * KL(softmax(t / T) || softmax(s / T)) + (1 - alpha) * CE(s, y).
The T^2 factor keeps the soft term's gradients the same size as T changes (they shrink like 1/T^2).
"""

import torch
import torch.nn.functional as F

from ..validate import (check_batch, check_number, check_probability, check_tensor,
                      check_tensor_labels, describe)


def check_temperature(temperature):
    return float(check_number(temperature, "temperature", low=0, low_open=True))


def distillation_loss(student_logits, teacher_logits, targets, temperature=4.0, alpha=0.5):
    """alpha * T^2 * KL(teacher_T || student_T) + (1 - alpha) * cross-entropy with the hard labels."""
    T = check_temperature(temperature)
    check_probability(alpha, "alpha", high_open=False)
    check_tensor(student_logits, "student_logits", ndim=2)
    check_tensor(teacher_logits, "teacher_logits", ndim=2)
    if teacher_logits.shape != student_logits.shape:
        raise ValueError(f"teacher_logits: expected the shape of student_logits {tuple(student_logits.shape)}, "
                         f"got {tuple(teacher_logits.shape)}")
    check_tensor_labels(targets, "targets", student_logits.shape[1], len(student_logits))
    soft = F.kl_div(F.log_softmax(student_logits / T, dim=-1), F.log_softmax(teacher_logits / T, dim=-1),
                    reduction="batchmean", log_target=True)
    return alpha * T**2 * soft + (1 - alpha) * F.cross_entropy(student_logits, targets)


def train_classifier(model, X, y, steps, batch_size=64, lr=1e-3, seed=0, teacher=None, temperature=4.0, alpha=0.5):
    """Adam on the trainable parameters (pruning masks stay) for `steps` mini-batches, by bigmodels.training.fit;
    with a teacher, on the distillation loss against its logits (computed once, in eval mode). Returns the
    history (per-epoch losses). The same seed gives the same batches with or without teacher."""
    from ..training import fit

    X, y = _check_data(X, y)
    if teacher is None:
        targets, loss_fn = y, F.cross_entropy
    else:
        T = check_temperature(temperature)
        check_probability(alpha, "alpha", high_open=False)
        with torch.no_grad():
            teacher_logits = teacher.eval()(X)
        targets = (y, teacher_logits)

        def loss_fn(logits, targets):
            return distillation_loss(logits, targets[1], targets[0], T, alpha)

    check_number(lr, "lr", low=0)
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=lr)
    history = fit(model, loss_fn, optimizer, X, targets, steps=steps, batch_size=batch_size, seed=seed,
                  accuracy=False, verbose=False)
    model.eval()
    return history


def _check_data(X, y):
    """X (n, ...) and integer labels y of shape (n,), as tensors (no silent broadcasting of y)."""
    X, y = _as_tensor(X, "X"), _as_tensor(y, "y")
    check_batch(X, "X")
    if y.dtype not in (torch.int32, torch.int64, torch.uint8, torch.int16, torch.int8):
        raise TypeError(f"y: expected integer class labels, got dtype {y.dtype}")
    if X.dim() == 0 or tuple(y.shape) != (len(X),):
        raise ValueError(f"y: expected shape ({len(X) if X.dim() else '?'},), one label per row of X, "
                         f"got {tuple(y.shape)} for X of shape {tuple(X.shape)}")
    return X, y


def _as_tensor(x, name):
    try:
        return torch.as_tensor(x)
    except (TypeError, RuntimeError, ValueError):
        raise TypeError(f"{name}: expected an array or a tensor, got {describe(x)}") from None
