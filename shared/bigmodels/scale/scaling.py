"""Scaling laws: fit L(N) = a N^-alpha + c, and a small scaling experiment that produces L(N).

The experiment trains one-hidden-layer MLPs (bigmodels.nn.MLP) on MNIST-5k with a fixed
budget of optimizer steps and reports the test cross-entropy at the step with the best
validation loss (early stopping), so a model too large for the data is not punished for
overfitting late in training.
"""

from dataclasses import dataclass

import numpy as np
import torch

from ..nn import MLP
from ..training import estimate_loss, evaluate, fit, train_lm
from ..validate import check_finite, check_number, check_numbers, check_positive_int
from .params import count_parameters

KAPLAN_ALPHA_N = 0.076  # Kaplan et al. 2020, L(N) = (N_c / N)^alpha_N for non-embedding parameters
KAPLAN_ALPHA_D = 0.095  # Kaplan et al. 2020, L(D) = (D_c / D)^alpha_D
CHINCHILLA_TOKENS_PER_PARAM = 20  # Hoffmann et al. 2022: compute-optimal D is about 20 N


def power_law(n, a, alpha, c):
    """L(n) = a n^-alpha + c: a reducible part falling as a power of n plus an irreducible floor c.

    n: a positive size or an array of them (elementwise); a, alpha, c: finite numbers >= 0."""
    values = check_numbers(n, "n")
    if values.size and not (np.isfinite(values).all() and (values > 0).all()):
        raise ValueError(f"n: expected finite sizes > 0, got min {values.min()} and max {values.max()}")
    for value, name in ((a, "a"), (alpha, "alpha"), (c, "c")):
        check_number(value, name, low=0, finite=True)
    return _power_law(n if values.dtype.kind == "f" else values.astype(float), a, alpha, c)


def _power_law(n, a, alpha, c):
    return a * np.power(n, -alpha) + c


@dataclass(frozen=True)
class PowerLawFit:
    """Fitted a, alpha, c and their standard errors (from the least-squares covariance)."""

    a: float
    alpha: float
    c: float
    a_err: float
    alpha_err: float
    c_err: float

    def __call__(self, n):
        return power_law(np.asarray(n, dtype=float), self.a, self.alpha, self.c)


def fit_power_law(n, loss, sigma=None):
    """Least-squares fit of loss = a n^-alpha + c (scipy.optimize.curve_fit) with a, alpha, c >= 0.

    n is rescaled by its smallest value for conditioning; sigma (per-point standard deviations,
    e.g. across seeds) weights the fit. Needs at least 4 points for 3 parameters and an error.
    """
    from scipy.optimize import curve_fit

    n, loss = check_numbers(n, "n").astype(float, copy=False), check_numbers(loss, "loss").astype(float, copy=False)
    if n.ndim != 1 or n.shape != loss.shape:
        raise ValueError(f"n and loss: expected 1-D arrays of equal length, got shapes {n.shape} and {loss.shape}")
    if len(n) < 4:
        raise ValueError(f"n: expected at least 4 points to fit 3 parameters, got {len(n)}")
    check_finite(n, "n")
    check_finite(loss, "loss")
    if np.any(n <= 0):
        raise ValueError(f"n: expected positive sizes, got min {n.min()}")
    n0 = n.min()
    p0 = (max(loss[0] - loss[-1], 1e-3), 0.5, max(loss.min() * 0.5, 0.0))
    params, cov = curve_fit(_power_law, n / n0, loss, p0=p0, sigma=sigma, absolute_sigma=sigma is not None,
                            bounds=([0, 0, 0], [np.inf, 5, np.inf]), maxfev=20_000)
    a0, alpha, c = params
    a0_err, alpha_err, c_err = np.sqrt(np.diag(cov))
    return PowerLawFit(a=float(a0 * n0**alpha), alpha=float(alpha), c=float(c),
                       a_err=float(a0_err * n0**alpha), alpha_err=float(alpha_err), c_err=float(c_err))


def chinchilla_optimal(compute, tokens_per_param=CHINCHILLA_TOKENS_PER_PARAM):
    """Compute-optimal (N, D) for a budget C = 6 N D with D = tokens_per_param * N."""
    check_number(compute, "compute", low=0, low_open=True, finite=True)
    check_number(tokens_per_param, "tokens_per_param", low=0, low_open=True, finite=True)
    n_params = np.sqrt(compute / (6 * tokens_per_param))
    return float(n_params), float(tokens_per_param * n_params)


def train_for_scaling(split, hidden, n_train=None, steps=1000, batch_size=64, lr=1e-3, eval_every=50, seed=0):
    """Train MLP([d, hidden, classes]) on the first n_train training examples for `steps` Adam steps.

    Returns dict(n_params, n_train, val_loss, test_loss): the best validation loss seen at the
    evaluations every eval_every steps, and the test loss at that same point.
    """
    check_positive_int(hidden, "hidden")
    n_train = len(split.y_train) if n_train is None else check_positive_int(n_train, "n_train")
    if n_train > len(split.y_train):
        raise ValueError(f"n_train: expected at most {len(split.y_train)}, got {n_train}")
    torch.manual_seed(seed)
    model = MLP([split.X_train.shape[1], hidden, len(split.classes)])
    loss_fn = torch.nn.CrossEntropyLoss()
    best = {"val_loss": np.inf, "test_loss": np.inf}

    def keep_best(step):
        val = evaluate(model, loss_fn, split.X_val, split.y_val, accuracy=False)["loss"]
        if val < best["val_loss"]:
            best.update(val_loss=val, test_loss=evaluate(model, loss_fn, split.X_test, split.y_test,
                                                         accuracy=False)["loss"])

    fit(model, loss_fn, torch.optim.Adam(model.parameters(), lr=lr), split.X_train[:n_train],
        split.y_train[:n_train], steps=steps, batch_size=min(batch_size, n_train), seed=seed, accuracy=False,
        verbose=False, eval_every=eval_every, on_eval=keep_best)
    return {"n_params": count_parameters(model), "n_train": n_train, **best}


# -- the GPT experiment (character-level Shakespeare) ------------------------------------------
def non_embedding_parameters(model):
    """Kaplan et al.'s N: parameters outside the token and position embeddings (wte, wpe)."""
    return sum(p.numel() for name, p in model.named_parameters() if not name.startswith(("wte.", "wpe.")))


def train_gpt_for_scaling(train_ids, val_ids, config, steps, batch_size=16, lr=2e-3, warmup=50,
                          eval_every=100, seed=0):
    """Train bigmodels.nn.GPT(config) for `steps` AdamW steps (warmup + cosine schedule).

    train_ids may be a short prefix of the corpus (the data-size experiment: windows then repeat).
    Returns dict(n_params, n_non_embedding, tokens, val_loss): the best validation loss over the
    evaluations every eval_every steps and at the end.
    """
    from ..nn.gpt import GPT
    from .schedules import warmup_cosine_lr

    train_ids, val_ids = torch.as_tensor(train_ids), torch.as_tensor(val_ids)
    torch.manual_seed(seed)
    model = GPT(config)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    best = [np.inf]

    def keep_best(step):  # the same 8 validation batches at every evaluation
        loss = estimate_loss(model, val_ids, config.block_size, batch_size, batches=8, rng=np.random.default_rng(1234))
        best[0] = min(best[0], loss)

    train_lm(model, train_ids, steps, batch_size, optimizer, np.random.default_rng(seed),
             lr_schedule=lambda step: warmup_cosine_lr(step, lr, warmup, steps, min_lr=lr / 10),
             eval_every=eval_every, on_eval=keep_best)
    if steps % eval_every:
        keep_best(steps)
    return {"n_params": count_parameters(model), "n_non_embedding": non_embedding_parameters(model),
            "train_tokens": len(train_ids), "tokens": steps * batch_size * config.block_size, "val_loss": best[0]}
