"""Differential privacy for training: DP-SGD (Abadi et al. 2016) and its Renyi-DP accountant.

DP-SGD = per-example gradients, each clipped to norm <= C, summed, plus Gaussian noise of standard
deviation sigma C, over batches drawn by Poisson sampling with rate q. One step is the sampled
Gaussian mechanism; its Renyi divergence of integer order alpha (Mironov et al. 2019) is

    RDP(alpha) = log A_alpha / (alpha - 1),
    A_alpha = sum_k C(alpha, k) (1 - q)^(alpha - k) q^k exp((k^2 - k) / (2 sigma^2)),

T steps compose to T RDP(alpha), and (epsilon, delta)-DP follows from
epsilon = min_alpha T RDP(alpha) + log(1 / delta) / (alpha - 1).
The module also has the loss-threshold membership-inference attack (Yeom et al. 2018) that DP
is meant to defeat.
"""

import math

import numpy as np
import torch

from .validate import (check_batch, check_finite, check_number, check_numbers, check_positive_int, check_tensor,
                     check_tensor_labels, describe)

DEFAULT_ORDERS = tuple(range(2, 257))


# -- the accountant ---------------------------------------------------------------------------
def _check_mechanism(sample_rate, noise_multiplier):
    check_number(sample_rate, "sample_rate", low=0, high=1, low_open=True)
    check_number(noise_multiplier, "noise_multiplier", low=0, low_open=True, finite=True)


def _check_orders(orders):
    orders = np.atleast_1d(np.asarray(orders))
    if orders.ndim != 1 or orders.size == 0:
        raise ValueError(f"orders: expected a non-empty 1-D list of integers >= 2, got shape {orders.shape}")
    if not np.issubdtype(orders.dtype, np.integer) or orders.min() < 2:
        raise ValueError(f"orders: expected integers >= 2, got {orders!r}")
    return orders


def rdp_sampled_gaussian(sample_rate, noise_multiplier, orders=DEFAULT_ORDERS):
    """RDP of one step of the sampled Gaussian mechanism at integer orders (binomial expansion).

    Computed in log space; at sample_rate 1 it is the Gaussian mechanism's alpha / (2 sigma^2).
    """
    from scipy.special import gammaln, logsumexp

    _check_mechanism(sample_rate, noise_multiplier)
    orders = _check_orders(orders)
    q, var = float(sample_rate), float(noise_multiplier) ** 2
    if q == 1:
        return orders / (2 * var)
    rdp = []
    for alpha in orders:
        k = np.arange(alpha + 1)
        log_binom = gammaln(alpha + 1) - gammaln(k + 1) - gammaln(alpha - k + 1)
        terms = log_binom + (alpha - k) * math.log1p(-q) + k * math.log(q) + (k * k - k) / (2 * var)
        rdp.append(logsumexp(terms) / (alpha - 1))
    return np.array(rdp)


def rdp_sampled_gaussian_numerical(sample_rate, noise_multiplier, order):
    """The same RDP by quadrature: log E_{x ~ N(0, s^2)}[(mu(x) / mu0(x))^alpha] / (alpha - 1).

    mu = (1 - q) N(0, s^2) + q N(1, s^2) is the output distribution with the example present,
    mu0 = N(0, s^2) without it; the likelihood ratio is (1 - q) + q exp((2x - 1) / (2 s^2)).
    An independent check of the closed form (scipy.integrate.quad on a log-scaled integrand).
    """
    from scipy.integrate import quad

    _check_mechanism(sample_rate, noise_multiplier)
    check_number(order, "order", low=1, low_open=True, finite=True)
    q, s, alpha = float(sample_rate), float(noise_multiplier), float(order)

    def log_integrand(x):
        log_ratio = np.logaddexp(math.log1p(-q) if q < 1 else -np.inf, math.log(q) + (2 * x - 1) / (2 * s * s))
        return -x * x / (2 * s * s) - math.log(s * math.sqrt(2 * math.pi)) + alpha * log_ratio

    low, high = -12 * s, alpha + 12 * s  # the integrand peaks between 0 and about alpha
    grid = np.linspace(low, high, 2001)
    peak = max(log_integrand(x) for x in grid)
    value, _ = quad(lambda x: math.exp(log_integrand(x) - peak), low, high,
                    points=[0.0, 0.5, min(alpha, high)], limit=500, epsabs=0, epsrel=1e-10)
    return (peak + math.log(value)) / (alpha - 1)


def epsilon_from_rdp(rdp, orders, delta):
    """(epsilon, best order): epsilon = min over alpha of rdp(alpha) + log(1/delta) / (alpha - 1)."""
    check_number(delta, "delta", low=0, high=1, low_open=True, high_open=True)
    orders = _check_orders(orders)
    rdp = check_numbers(rdp, "rdp").astype(float)
    if rdp.shape != orders.shape:
        raise ValueError(f"rdp: expected one value per order, shape {orders.shape}, got {rdp.shape}")
    if np.isnan(rdp).any() or (rdp < 0).any():
        raise ValueError(f"rdp: expected values >= 0 (a Renyi divergence), got min {np.min(rdp)}")
    eps = rdp + math.log(1 / delta) / (orders - 1)
    best = int(np.argmin(eps))
    return float(eps[best]), int(orders[best])


def privacy_spent(sample_rate, noise_multiplier, steps, delta, orders=DEFAULT_ORDERS):
    """(epsilon, best order) after `steps` DP-SGD steps with Poisson rate q and noise multiplier sigma."""
    check_positive_int(steps, "steps")
    rdp = steps * rdp_sampled_gaussian(sample_rate, noise_multiplier, orders)
    return epsilon_from_rdp(rdp, orders, delta)


def noise_for_epsilon(target_epsilon, sample_rate, steps, delta, low=0.3, high=50.0, orders=DEFAULT_ORDERS):
    """The smallest noise multiplier (to 1e-3 relative, by bisection) with epsilon <= target_epsilon."""
    check_number(target_epsilon, "target_epsilon", low=0, low_open=True, finite=True)
    check_number(low, "low", low=0, low_open=True, finite=True)
    check_number(high, "high", low=low, low_open=True, finite=True)
    if privacy_spent(sample_rate, high, steps, delta, orders)[0] > target_epsilon:
        raise ValueError(f"target_epsilon: {target_epsilon} needs noise above {high}")
    while high / low > 1.001:
        mid = math.sqrt(low * high)
        if privacy_spent(sample_rate, mid, steps, delta, orders)[0] > target_epsilon:
            low = mid
        else:
            high = mid
    return high


# -- DP-SGD -----------------------------------------------------------------------------------
def per_example_gradients(model, loss_fn, X, y):
    """Gradients of loss_fn(model(x_i), y_i) for every example separately: {name: (n, *shape)}.

    torch.func.vmap over torch.func.grad of a one-example loss: one pass, no Python loop.
    """
    from torch.func import functional_call, grad, vmap

    check_batch(check_tensor(X, "X"), "X")
    _check_targets(y, len(X))
    params = {name: p.detach() for name, p in model.named_parameters()}

    def loss_one(p, x, t):
        return loss_fn(functional_call(model, p, (x.unsqueeze(0),)), t.unsqueeze(0))

    try:
        return vmap(grad(loss_one), in_dims=(None, 0, 0))(params, X, y)
    except (IndexError, RuntimeError) as error:  # the loss refused the targets (a label out of range, a dtype)
        raise ValueError(f"y: loss_fn(model(x_i), y_i) failed on these targets: {error}") from None


def clip_per_example(grads, max_norm):
    """Scale each example's gradient (over all parameters together) to norm <= max_norm.

    g_i <- g_i min(1, C / ||g_i||). Returns (clipped grads, the per-example norms before clipping).
    """
    check_number(max_norm, "max_norm", low=0, low_open=True, finite=True)  # inf: unbounded sensitivity, no privacy
    if not isinstance(grads, dict) or not grads or not all(torch.is_tensor(g) for g in grads.values()):
        raise TypeError(f"grads: expected a non-empty dict of name -> per-example gradients, got {describe(grads)}")
    norms = torch.sqrt(sum(g.flatten(1).pow(2).sum(1) for g in grads.values()))
    factor = torch.clamp(max_norm / (norms + 1e-12), max=1.0)
    return {name: g * factor.view(-1, *[1] * (g.dim() - 1)) for name, g in grads.items()}, norms


def train_dp_sgd(model, X, y, sample_rate, noise_multiplier, max_grad_norm, steps, lr, seed=0):
    """DP-SGD: Poisson batches (rate q), clipped per-example gradients, Gaussian noise sigma C.

    Update: theta <- theta - lr (sum_i clip(g_i) + N(0, sigma^2 C^2 I)) / (q n). noise_multiplier 0
    gives clipped SGD with no privacy; max_grad_norm None (only with noise_multiplier 0) also drops the
    clipping: plain SGD on the same Poisson batches, the control run of an experiment. The batches do
    not depend on sigma or C (the noise is drawn at every step, also when sigma is 0). Trains the model
    in place and returns it.
    """
    check_number(sample_rate, "sample_rate", low=0, high=1, low_open=True)
    check_number(noise_multiplier, "noise_multiplier", low=0, finite=True)
    if max_grad_norm is None and noise_multiplier != 0:
        raise ValueError(f"max_grad_norm: None (no clipping) needs noise_multiplier 0, got {noise_multiplier}: "
                         "noise is scaled by the clipping norm")
    if max_grad_norm is not None:
        check_number(max_grad_norm, "max_grad_norm", low=0, low_open=True, finite=True)
    check_positive_int(steps, "steps")
    check_number(lr, "lr", low=0, finite=True)
    check_batch(check_tensor(X, "X"), "X")
    check_tensor(y, "y", ndim=1, floating=False)
    if len(X) != len(y) or int(y.min()) < 0:
        raise ValueError(f"y: expected one class label >= 0 per row of X, got {describe(y)} for {describe(X)}")
    generator = torch.Generator().manual_seed(seed)
    loss_fn = torch.nn.functional.cross_entropy
    expected_batch = sample_rate * len(y)
    noise_std = 0.0 if max_grad_norm is None else noise_multiplier * max_grad_norm
    params = dict(model.named_parameters())
    for _ in range(steps):
        chosen = torch.rand(len(y), generator=generator) < sample_rate
        if chosen.any():
            grads = per_example_gradients(model, loss_fn, X[chosen], y[chosen])
            if max_grad_norm is not None:
                grads, _ = clip_per_example(grads, max_grad_norm)
        with torch.no_grad():
            for name, p in params.items():
                summed = grads[name].sum(0) if chosen.any() else torch.zeros_like(p)
                noise = torch.randn(p.shape, generator=generator, dtype=p.dtype) * noise_std
                p -= lr * (summed + noise) / expected_batch
    return model


# -- membership inference ---------------------------------------------------------------------
def example_losses(model, X, y):
    """Per-example cross-entropy losses of a classifier, as a NumPy array."""
    check_batch(check_tensor(X, "X"), "X")
    with torch.no_grad():
        logits = model(X)
        check_tensor_labels(y, "y", logits.shape[-1], len(X))
        return torch.nn.functional.cross_entropy(logits, y, reduction="none").numpy()


def membership_advantage(member_losses, nonmember_losses, threshold=None):
    """Advantage TPR - FPR of the attack "member if loss <= threshold" (Yeom et al. 2018).

    threshold None: the best threshold over all observed losses (an optimistic, upper-bound attack);
    Yeom et al. use the mean training loss. 0 means the attacker learns nothing.
    """
    members = check_numbers(member_losses, "member_losses").astype(float)
    others = check_numbers(nonmember_losses, "nonmember_losses").astype(float)
    for name, losses in (("member_losses", members), ("nonmember_losses", others)):
        if losses.ndim != 1 or losses.size == 0:
            raise ValueError(f"{name}: expected a non-empty 1-D array of losses, got shape {losses.shape}")
        check_finite(losses, name)
    if threshold is not None:
        check_number(threshold, "threshold")
    thresholds = np.concatenate([members, others]) if threshold is None else np.array([threshold], float)
    tpr = (members[None, :] <= thresholds[:, None]).mean(1)
    fpr = (others[None, :] <= thresholds[:, None]).mean(1)
    return float(np.max(tpr - fpr))


def _check_targets(y, rows):
    """Targets for a per-example loss: a tensor with one entry per row of X."""
    if not torch.is_tensor(y) or y.dim() == 0 or len(y) != rows:
        raise ValueError(f"y: expected a tensor with one target per row of X ({rows}), got {describe(y)}")
