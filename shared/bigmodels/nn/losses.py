"""MSELoss, CrossEntropyLoss and BCEWithLogitsLoss from their formulas (mean reduction).

Cross-entropy takes raw logits and integer class targets and uses the stable log-sum-exp:
log softmax(z)_k = z_k - m - log sum_j exp(z_j - m), m = max_j z_j, so logits of 1e4 stay finite.
"""

import torch

from ..validate import check_tensor, describe
from .activations import neg_abs


def check_targets(logits, target):
    check_tensor(logits, "logits")
    if logits.ndim != 2:
        raise ValueError(f"logits: expected a 2-D tensor (batch, classes), got shape {tuple(logits.shape)}")
    if not isinstance(target, torch.Tensor) or target.dtype not in (torch.int32, torch.int64):
        raise TypeError(f"target: expected an integer tensor of class labels, got {describe(target)}")
    if tuple(target.shape) != (logits.shape[0],):
        raise ValueError(f"target: expected shape ({logits.shape[0]},), got {tuple(target.shape)}, "
                         "one label per row of logits")
    if target.numel() and (target.min() < 0 or target.max() >= logits.shape[1]):
        raise ValueError(f"target: labels must lie in [0, {logits.shape[1]}), "
                         f"got min {int(target.min())} and max {int(target.max())}")


def check_same_shape(input, target, input_name="input"):
    check_tensor(input, input_name)
    check_tensor(target, "target")
    if input.shape != target.shape:
        raise ValueError(f"{input_name} and target must have the same shape, got {tuple(input.shape)} "
                         f"and {tuple(target.shape)}")
    if not target.is_floating_point():
        raise TypeError(f"target: expected a float tensor, got {target.dtype}")


def log_softmax(z, dim=-1):
    """z - m - log sum exp(z - m) with m the (constant) row maximum."""
    shifted = z - z.max(dim=dim, keepdim=True).values.detach()
    return shifted - torch.log(torch.exp(shifted).sum(dim=dim, keepdim=True))


class MSELoss(torch.nn.Module):
    """mean((input - target)^2)"""

    def forward(self, input, target):
        check_same_shape(input, target)
        return ((input - target) ** 2).mean()


class CrossEntropyLoss(torch.nn.Module):
    """-mean_i log softmax(logits_i)[target_i]: logits (N, C), integer targets (N,)."""

    def forward(self, logits, target):
        check_targets(logits, target)
        logp = log_softmax(logits, dim=1)
        return -logp.gather(1, target.long()[:, None]).mean()


class BCEWithLogitsLoss(torch.nn.Module):
    """mean(max(z, 0) - z y + log(1 + exp(-|z|))) = mean BCE(sigmoid(z), y), overflow-free."""

    def forward(self, logits, target):
        check_same_shape(logits, target, "logits")
        relu_z = torch.where(logits >= 0, logits, torch.zeros_like(logits))
        return (relu_z - logits * target + torch.log1p(torch.exp(neg_abs(logits)))).mean()
