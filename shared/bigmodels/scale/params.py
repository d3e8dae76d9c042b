"""Counting parameters of any model of the book: torch modules and NumPy scratch models alike."""

import numpy as np


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
