"""Magnitude pruning: zero the weights (or whole neurons) that matter least (Han et al., 2015).

The mask functions are NumPy only and pick exactly the weights torch.nn.utils.prune picks:
- unstructured, per layer: the round(s * n) entries of smallest |w| in one matrix (prune.l1_unstructured);
- unstructured, global: the round(s * N) smallest |w| over all matrices together (prune.global_unstructured);
- structured: the round(s * rows) output neurons (rows of W) of smallest L2 norm (prune.ln_structured, n=2, dim=0).
A mask is 1 for kept and 0 for pruned entries; the pruned weight is W * mask.
"""

import numpy as np

from ..validate import check_array_list, check_finite, check_probability, describe


def check_sparsity(sparsity):
    """A sparsity must lie in [0, 1): pruning every weight leaves no model."""
    return check_probability(sparsity, "sparsity")


def _check_weight(weight, name="weight"):
    if not isinstance(weight, np.ndarray) or weight.dtype.kind != "f":
        raise TypeError(f"{name}: expected a NumPy float array, got {describe(weight)}")
    return check_finite(weight, name)  # NaN sorts last: a NaN weight would always be kept


def _mask_smallest(scores, n_prune):
    """1 everywhere except at the n_prune smallest scores (a flat stable argsort breaks ties by position)."""
    mask = np.ones(scores.size)
    mask[np.argsort(scores.ravel(), kind="stable")[:n_prune]] = 0
    return mask.reshape(scores.shape)


def magnitude_mask(weight, sparsity):
    """Unstructured per-layer mask: prune the round(sparsity * weight.size) entries of smallest |w|."""
    _check_weight(weight)
    n_prune = round(check_sparsity(sparsity) * weight.size)
    return _mask_smallest(np.abs(weight), n_prune).astype(weight.dtype)


def global_magnitude_masks(weights, sparsity):
    """Unstructured global masks for a dict {name: weight}: one threshold over all entries together."""
    if not isinstance(weights, dict) or not weights:
        raise TypeError(f"weights: expected a non-empty dict of name -> array, got {describe(weights)}")
    for name, w in weights.items():
        _check_weight(w, name)
    scores = np.concatenate([np.abs(w).ravel() for w in weights.values()])
    flat = _mask_smallest(scores, round(check_sparsity(sparsity) * scores.size))
    masks, start = {}, 0
    for name, w in weights.items():
        masks[name] = flat[start:start + w.size].reshape(w.shape).astype(w.dtype)
        start += w.size
    return masks


def neuron_mask(weight, sparsity):
    """Structured mask: zero the round(sparsity * rows) rows (output neurons) of smallest L2 norm."""
    _check_weight(weight)
    if weight.ndim != 2:
        raise ValueError(f"weight: expected a 2-D (out_features, in_features) array, got shape {weight.shape}")
    rows = _mask_smallest(np.linalg.norm(weight, axis=1), round(check_sparsity(sparsity) * weight.shape[0]))
    return np.repeat(rows[:, None], weight.shape[1], axis=1).astype(weight.dtype)


def sparsity_of(arrays):
    """Fraction of exactly-zero entries over a list of arrays or tensors."""
    check_array_list(arrays, "arrays")
    arrays = [np.asarray(a.detach().cpu()) if hasattr(a, "detach") else np.asarray(a) for a in arrays]
    if sum(a.size for a in arrays) == 0:
        raise ValueError(f"arrays: expected at least one value, got {len(arrays)} empty arrays")
    return sum(int((a == 0).sum()) for a in arrays) / sum(a.size for a in arrays)


# ----------------------------------------------------------------- torch models (torch.nn.utils.prune)

def prunable_weights(model):
    """The (module, 'weight') pairs of every linear layer of a torch model: the matrices we prune."""
    return [(m, "weight") for m in model.modules() if hasattr(m, "in_features") and hasattr(m, "weight")]


def prune_model(model, sparsity, method="global"):
    """Prune a torch model's linear weights in place with torch.nn.utils.prune; returns the model.

    method: 'layer' (l1_unstructured per matrix), 'global' (global_unstructured) or
    'neuron' (ln_structured, L2 norm of rows, dim=0). The masks stay attached (weight = weight_orig *
    weight_mask), so fine-tuning afterwards keeps the pruned weights at zero; call `finalize` to bake them.
    """
    from torch.nn.utils import prune

    check_sparsity(sparsity)
    targets = prunable_weights(model)
    if method == "global":
        prune.global_unstructured(targets, pruning_method=prune.L1Unstructured, amount=sparsity)
    elif method == "layer":
        for module, name in targets:
            prune.l1_unstructured(module, name, amount=sparsity)
    elif method == "neuron":
        for module, name in targets[:-1]:  # never remove output classes
            prune.ln_structured(module, name, amount=sparsity, n=2, dim=0)
    else:
        raise ValueError(f"method: expected 'layer', 'global' or 'neuron', got {method!r}")
    return model


def finalize(model):
    """Make pruning permanent: replace weight_orig * weight_mask by a plain weight with zeros."""
    from torch.nn.utils import prune

    for module, name in prunable_weights(model):
        if prune.is_pruned(module) and hasattr(module, name + "_mask"):
            prune.remove(module, name)
    return model
