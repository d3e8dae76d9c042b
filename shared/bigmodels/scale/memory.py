"""Memory of training: weights, gradients, optimizer states and the activations kept for backward.

Estimates are formulas in the sizes; measurements read the tensors torch actually holds, which is
deterministic (unlike the process's resident memory): parameters, their .grad, the optimizer's
state, and every tensor autograd saves for the backward pass (seen through saved_tensors_hooks).
"""

import torch

from ..validate import check_positive_int, check_sizes

OPTIMIZER_STATES = {"sgd": 0, "momentum": 1, "adam": 2, "adamw": 2}


def training_state_bytes(n_params, bytes_per_value=4, optimizer="adam"):
    """Bytes of weights, gradients and optimizer states for n_params parameters.

    weights = gradients = N b; Adam keeps two moments (2 N b), SGD with momentum one, plain SGD none.
    With mixed precision the same formula applies per copy (e.g. fp32 master weights + bf16 weights).
    """
    check_positive_int(n_params, "n_params")
    check_positive_int(bytes_per_value, "bytes_per_value")
    if optimizer not in OPTIMIZER_STATES:
        raise ValueError(f"optimizer: expected one of {sorted(OPTIMIZER_STATES)}, got {optimizer!r}")
    one_copy = n_params * bytes_per_value
    return {"weights": one_copy, "gradients": one_copy,
            "optimizer": OPTIMIZER_STATES[optimizer] * one_copy}


def mlp_activation_bytes(sizes, batch_size, bytes_per_value=4):
    """Bytes autograd saves for an MLP Linear -> ReLU -> ... -> Linear with cross-entropy loss.

    Each Linear keeps its input (B * in_features; a ReLU's output is the next Linear's input, one
    buffer), and the loss keeps the log-softmax of the logits (B * out_features) and the int64
    targets (8 B bytes) and a scalar normaliser (one value).
    """
    check_sizes(sizes)
    check_positive_int(batch_size, "batch_size")
    check_positive_int(bytes_per_value, "bytes_per_value")
    values = batch_size * (sum(sizes[:-1]) + sizes[-1])
    return (values + 1) * bytes_per_value + 8 * batch_size


def _storage_key(t):
    return t.untyped_storage().data_ptr()


def measure_saved_bytes(fn, exclude=()):
    """Run fn() and return the bytes of the distinct tensors autograd saved for backward.

    Tensors sharing storage count once; tensors sharing storage with `exclude` (the parameters)
    are not activations and are skipped. Returns (bytes, number of distinct tensors).
    """
    skip = {_storage_key(p) for p in exclude}
    seen = {}

    def pack(t):
        key = _storage_key(t)
        if key not in skip:
            seen[key] = t.untyped_storage().nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        fn()
    return sum(seen.values()), len(seen)


def measure_training_state_bytes(model, optimizer):
    """Bytes of the model's parameters, their gradients and the optimizer's tensors (after a step).

    Scalar bookkeeping tensors (Adam's step count) are left out of the optimizer figure.
    """
    params = list(model.parameters())
    state = [t for s in optimizer.state.values() for t in s.values()
             if torch.is_tensor(t) and t.numel() > 1]
    return {"weights": sum(p.nbytes for p in params),
            "gradients": sum(p.grad.nbytes for p in params if p.grad is not None),
            "optimizer": sum(t.nbytes for t in state)}
