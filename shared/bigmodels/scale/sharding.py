"""Fully sharded data parallelism (FSDP2, ZeRO stage 3): each of N processes keeps 1/N of the training state.

Plain data parallelism keeps a full copy of everything on every process. Trained with Adam in float32,
one parameter costs 4 bytes (weight) + 4 (gradient) + 8 (Adam's two moments) = 16 bytes on every rank.
ZeRO (Rajbhandari et al. 2020) shards all three over the N ranks, so each holds 16/N bytes per parameter:

    forward of a layer:   all-gather its weight shards -> full weights; compute; free the gathered copy
    backward of a layer:  all-gather again; compute gradients; reduce-scatter them, so that rank r receives
                          the average over ranks of its own shard's gradient only
    optimizer step:       each rank updates its shard with its shard of the moments

`torch.distributed.fsdp.fully_shard` does this per module: every parameter becomes a DTensor cut along
dimension 0 into N pieces (dimension 0 padded up to a multiple of N when it does not divide). With each
rank taking batch/N sequences of the global batch and the loss averaged per rank, the averaged gradient
is the global batch's, so training follows single-process training up to float32 rounding.
"""

import dataclasses

import torch
import torch.distributed as dist

from ..validate import check_number, check_positive_int, check_tensor
from ..nn.gpt import GPT, GPTConfig


@dataclasses.dataclass
class LMConfig:
    """A small character-level GPT and its training run (batch_size is the global batch)."""
    steps: int = 20
    batch_size: int = 16
    block_size: int = 32
    n_layer: int = 2
    n_head: int = 4
    n_embd: int = 64
    lr: float = 3e-3
    seed: int = 0

    def __post_init__(self):
        for name in ("steps", "batch_size", "block_size", "n_layer", "n_head", "n_embd"):
            check_positive_int(getattr(self, name), f"LMConfig.{name}")
        check_positive_int(self.seed, "LMConfig.seed", minimum=0)
        check_number(self.lr, "LMConfig.lr", low=0, low_open=True, finite=True)


def make_gpt(config, vocab_size, tie_weights=True):
    """The book's GPT with config's sizes, seeded so that every process builds the same weights."""
    torch.manual_seed(config.seed)
    return GPT(GPTConfig(block_size=config.block_size, vocab_size=vocab_size, n_layer=config.n_layer,
                         n_head=config.n_head, n_embd=config.n_embd, tie_weights=tie_weights))


def lm_batch(tokens, step, batch_size, block_size, seed=0):
    """Global batch `step`: batch_size windows of block_size tokens (inputs) and the next tokens (targets)."""
    check_tensor(tokens, "tokens", ndim=1, floating=False)
    if len(tokens) <= block_size + 1:
        raise ValueError(f"tokens: expected more than block_size + 1 = {block_size + 1} tokens, "
                         f"got {len(tokens)}")
    g = torch.Generator().manual_seed(seed * 100_003 + step)
    start = torch.randint(len(tokens) - block_size - 1, (batch_size,), generator=g)
    window = start[:, None] + torch.arange(block_size + 1)
    return tokens[window[:, :-1]], tokens[window[:, 1:]]


def local_bytes(tensors):
    """Bytes this process holds for the given tensors: a sharded DTensor counts its local shard only."""
    total = 0
    for t in tensors:
        local = t.to_local() if hasattr(t, "to_local") else t
        total += local.numel() * local.element_size()
    return total


def state_bytes(model, optimizer):
    """Bytes of parameters, gradients and optimizer state (Adam's moments and step counts) on this rank."""
    params = list(model.parameters())
    state = [v for s in optimizer.state.values() for v in s.values() if isinstance(v, torch.Tensor)]
    grads = [p.grad for p in params if p.grad is not None]
    return {"parameters": local_bytes(params), "gradients": local_bytes(grads),
            "optimizer": local_bytes(state)}


def shard_rows(rows, world_size, rank):
    """Rows of a dimension-0 shard: ceil(rows / N) per rank, the last ranks getting what is left (maybe 0)."""
    per = -(-rows // world_size)
    return max(0, min(per, rows - rank * per))


def shard_gpt(model, mesh):
    """fully_shard each block, then the root (embeddings, final norm, head): one all-gather per block."""
    from torch.distributed.fsdp import fully_shard
    for block in model.blocks:
        fully_shard(block, mesh=mesh)
    return fully_shard(model, mesh=mesh)


def train_lm(config, tokens, vocab_size, mesh=None, on_step=None):
    """Train make_gpt(config) with AdamW on the global batches of lm_batch; sharded over mesh if given.

    Every rank takes its batch_size / N sequences of each global batch. Returns the global mean loss of
    every step (the same on all ranks) and this rank's bytes of parameters, gradients and optimizer state
    after the last step (gradients not yet cleared). on_step(step, run_step) may wrap a step (to measure it).
    """
    world_size, rank = (mesh.size(), mesh.get_local_rank()) if mesh is not None else (1, 0)
    if config.batch_size % world_size:
        raise ValueError(f"LMConfig.batch_size: expected a multiple of the {world_size} processes, "
                         f"got {config.batch_size}")
    model = make_gpt(config, vocab_size)
    if mesh is not None:
        shard_gpt(model, mesh)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=0.0)
    per_rank = config.batch_size // world_size
    losses = []

    def step(i):
        x, y = lm_batch(tokens, i, config.batch_size, config.block_size, config.seed)
        optimizer.zero_grad(set_to_none=True)
        _, loss = model(x[rank * per_rank:(rank + 1) * per_rank], y[rank * per_rank:(rank + 1) * per_rank])
        loss.backward()
        optimizer.step()
        loss = loss.detach().clone()
        if mesh is not None:  # for the record only: the mean of the ranks' losses is the global batch's loss
            dist.all_reduce(loss, group=mesh.get_group())
        losses.append(loss.item() / world_size)

    for i in range(config.steps):
        if on_step is not None:
            on_step(i, step)
        else:
            step(i)
    return {"losses": losses, "bytes": state_bytes(model, optimizer)}
