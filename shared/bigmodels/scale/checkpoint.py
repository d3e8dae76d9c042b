"""Checkpoints that resume bit-identically and load with torch.load(..., weights_only=True).

A resumable checkpoint holds everything the next step depends on: model and optimizer state, the
random number generator states of Python, NumPy and torch, and the position in the data. Every field
is a tensor or a plain Python type, so loading never unpickles arbitrary objects (a checkpoint is a
file someone may hand you: a pickle can run code when loaded).

Integrity: a checkpoint carries the sha256 of its content (every key, value and tensor byte), and
loading checks the file, its checksum and that it fits the model and optimizer before changing
anything; if applying it fails anyway, the model, optimizer and RNG states are put back (atomic load).
"""

import copy
import hashlib
import os
import pickle
import random
import time
import zipfile

import numpy as np
import torch

from ..validate import check_positive_int

CHECKPOINT_KEYS = ("model", "optimizer", "rng", "step", "data_position")


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
    state["sha256"] = content_digest(state)
    tmp = f"{path}.tmp"
    torch.save(state, tmp)
    os.replace(tmp, path)  # a crash mid-write never leaves a half-written checkpoint under `path`


def load_checkpoint(path, model, optimizer=None):
    """Load into model (and optimizer), restore the RNG states; return {'step', 'data_position'}.

    Refuses (ValueError, saying what is wrong) a file that is empty, truncated, not a checkpoint, damaged
    (checksum), or holds anything but tensors and plain types. Atomic: on failure nothing is changed.
    """
    state = read_checkpoint(path)
    backup = ({k: v.clone() for k, v in model.state_dict().items()},
              copy.deepcopy(optimizer.state_dict()) if optimizer is not None else None, rng_state())
    try:
        model.load_state_dict(state["model"])
        if optimizer is not None:
            optimizer.load_state_dict(state["optimizer"])
        set_rng_state(state["rng"])
    except (RuntimeError, ValueError, KeyError, TypeError, IndexError) as error:
        model.load_state_dict(backup[0])
        if optimizer is not None:
            optimizer.load_state_dict(backup[1])
        set_rng_state(backup[2])
        raise ValueError(f"{path} does not fit this model or optimizer, so nothing was loaded: "
                         f"{' '.join(str(error).split())[:400]}") from error
    return {"step": state["step"], "data_position": state["data_position"]}


def read_checkpoint(path):
    """The verified content of a checkpoint file (a dict); ValueError naming what is wrong with the file."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path: expected a str or a path, got {type(path).__name__}")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"path: checkpoint {path} does not exist")
    if os.path.getsize(path) == 0:
        raise ValueError(f"{path} is empty (0 bytes): the write that made it never happened; use an earlier one")
    if not zipfile.is_zipfile(path):
        with open(path, "rb") as f:
            head = f.read(16)
        raise ValueError(f"{path} is not a complete torch checkpoint: it has no zip directory at its end, so it is "
                         f"truncated or another kind of file (it starts with {head!r})")
    try:
        state = torch.load(path, weights_only=True)
    except pickle.UnpicklingError as error:
        raise ValueError(f"refusing to load {path}: it holds objects other than tensors and plain Python "
                         f"types, and unpickling them could run code ({str(error).splitlines()[0]})") from error
    except (RuntimeError, OSError, EOFError, ValueError, zipfile.BadZipFile) as error:
        raise ValueError(f"{path} is damaged: torch cannot read it ({str(error).splitlines()[0]})") from error
    if not isinstance(state, dict) or any(key not in state for key in CHECKPOINT_KEYS):
        found = sorted(state) if isinstance(state, dict) else type(state).__name__
        raise ValueError(f"{path} is not a training checkpoint: expected the keys {CHECKPOINT_KEYS}, got {found}")
    recorded = state.pop("sha256", None)
    if recorded is None:
        raise ValueError(f"{path} has no sha256 checksum (written by an older version): save it again")
    if recorded != content_digest(state):
        raise ValueError(f"{path} is damaged: its content does not match the sha256 checksum it carries "
                         "(a bit changed on disk or in transfer); use another copy or an earlier checkpoint")
    return state


def content_digest(state):
    """sha256 of nested dicts, lists, tensors and plain values: keys, types, dtypes, shapes and bytes."""
    h = hashlib.sha256()

    def walk(x):
        if isinstance(x, dict):
            h.update(b"{")
            for key in sorted(x, key=repr):
                h.update(repr(key).encode() + b":")
                walk(x[key])
            h.update(b"}")
        elif isinstance(x, (list, tuple)):
            h.update(b"[")
            for item in x:
                walk(item)
            h.update(b"]")
        elif torch.is_tensor(x):
            t = x.detach().cpu().contiguous()
            h.update(f"tensor {t.dtype} {tuple(t.shape)};".encode())
            h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes())
        else:
            h.update(f"{type(x).__name__} {x!r};".encode())

    walk(state)
    return h.hexdigest()


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

    if not isinstance(model, torch.nn.Sequential):
        raise TypeError(f"model: expected a torch.nn.Sequential, got {type(model).__name__}")
    check = check_positive_int(segments, "segments")
    return lambda x: checkpoint_sequential(model, check, x, use_reentrant=False)


def step_seconds(forward, x, repeats=10):
    """Best of `repeats` timed forward-backward passes of forward(x) (loss: mean square), in seconds: what
    activation checkpointing costs in time, measured the same way by chapter 6.4 and bench_sharding.py."""
    check_positive_int(repeats, "repeats")
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        forward(x).square().mean().backward()
        best = min(best, time.perf_counter() - start)
    return best
