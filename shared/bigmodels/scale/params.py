"""Counting parameters of any model of the book: torch modules and NumPy scratch models alike."""

import numpy as np

from ..validate import check_sizes


def mlp_parameter_count(sizes):
    """Parameters of MLP(sizes): sum over layers of n_in * n_out weights + n_out biases."""
    check_sizes(sizes)
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


def count_parameters(model, trainable_only=False):
    """Number of distinct parameter entries (a tied matrix counts once).

    Accepts a torch.nn.Module (uses named_parameters, which lists a shared tensor once), a scratch
    model with a `.params` dict of arrays, or a plain dict of arrays.
    """
    if hasattr(model, "named_parameters"):
        return sum(p.numel() for _, p in model.named_parameters() if p.requires_grad or not trainable_only)
    arrays = model.params if hasattr(model, "params") else model
    if not isinstance(arrays, dict):
        raise TypeError("model: expected a torch module, a scratch model or a dict of arrays, "
                        f"got {type(model).__name__}")
    distinct = {id(a): a for a in arrays.values()}  # tied weights are the same array object
    return sum(int(np.asarray(a).size) for a in distinct.values())
