"""Training beyond one process: data, sharded, tensor and pipeline parallelism, checkpoints, sizes and costs."""

from .checkpoint import (checkpointed, load_checkpoint, rng_state, save_checkpoint, saved_activation_bytes,
                         set_rng_state, step_seconds)
from .params import count_parameters

__all__ = ["checkpointed", "count_parameters", "load_checkpoint", "rng_state", "save_checkpoint",
           "saved_activation_bytes", "set_rng_state", "step_seconds"]
