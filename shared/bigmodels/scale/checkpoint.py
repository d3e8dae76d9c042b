"""Checkpoints that resume bit-identically and load with torch.load(..., weights_only=True).

A resumable checkpoint holds everything the next step depends on: model and optimizer state, the
random number generator states of Python, NumPy and torch, and the position in the data. Every field
is a tensor or a plain Python type, so loading never unpickles arbitrary objects (a checkpoint is a
file someone may hand you: a pickle can run code when loaded).
"""

import os
import pickle
import random

import numpy as np
import torch


def rng_state():
    """The global RNG states of Python, NumPy and torch as tensors and plain types."""
    version, mt, gauss = random.getstate()
    name, keys, pos, has_gauss, cached = np.random.get_state()
    return {
        "python": {"version": version, "state": torch.tensor(mt, dtype=torch.int64), "gauss": gauss},
        "numpy": {"name": name, "keys": torch.from_numpy(keys.astype(np.int64)), "pos": int(pos),
                  "has_gauss": int(has_gauss), "cached_gaussian": float(cached)},
        "torch": torch.get_rng_state(),
    }


def set_rng_state(state):
    """Restore what rng_state returned."""
    py, npy = state["python"], state["numpy"]
    random.setstate((py["version"], tuple(py["state"].tolist()), py["gauss"]))
    np.random.set_state((npy["name"], npy["keys"].numpy().astype(np.uint32), npy["pos"], npy["has_gauss"],
                         npy["cached_gaussian"]))
    torch.set_rng_state(state["torch"])


def save_checkpoint(path, model, optimizer, step, data_position=None):
    """Write model, optimizer, RNG states, step and data position atomically (tmp file + rename)."""
    state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "rng": rng_state(),
             "step": int(step), "data_position": int(step if data_position is None else data_position)}
    tmp = f"{path}.tmp"
    torch.save(state, tmp)
    os.replace(tmp, path)  # a crash mid-write never leaves a half-written checkpoint under `path`


def load_checkpoint(path, model, optimizer=None):
    """Load into model (and optimizer), restore the RNG states; return {'step', 'data_position'}.

    Refuses (ValueError) a file that holds anything but tensors and plain types.
    """
    try:
        state = torch.load(path, weights_only=True)
    except pickle.UnpicklingError as error:
        raise ValueError(f"refusing to load {path}: it holds objects other than tensors and plain Python "
                         f"types, and unpickling them could run code ({str(error).splitlines()[0]})") from error
    model.load_state_dict(state["model"])
    if optimizer is not None:
        optimizer.load_state_dict(state["optimizer"])
    set_rng_state(state["rng"])
    return {"step": state["step"], "data_position": state["data_position"]}


# ----------------------------------------------------------------- activation checkpointing

def saved_activation_bytes(loss_fn, parameters=()):
    """Run loss_fn(); return (loss, bytes of the activations autograd keeps for backward).

    Sums, once per storage, the tensors torch.autograd.graph.saved_tensors_hooks sees, leaving out the
    given parameters (they are in memory anyway). Deterministic, unlike peak-memory readings.
    """
    weights = {p.untyped_storage().data_ptr() for p in parameters}
    storages = {}

    def pack(t):
        ptr = t.untyped_storage().data_ptr()
        if ptr not in weights:
            storages[ptr] = t.untyped_storage().nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        loss = loss_fn()
    return loss, sum(storages.values())


def checkpointed(model, segments):
    """model (a torch.nn.Sequential) run with activation checkpointing (Chen et al., 2016):
    only the inputs of `segments` chunks are kept; the rest is recomputed during backward."""
    from torch.utils.checkpoint import checkpoint_sequential

    check = int(segments)
    return lambda x: checkpoint_sequential(model, check, x, use_reentrant=False)
