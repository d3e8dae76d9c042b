"""The four ways to split training over processes, side by side on one GPT in one launch of local processes.

    data parallel (DDP)      every rank: whole model, its slice of the batch; all-reduce of the gradients
    fully sharded (FSDP2)    every rank: 1/N of weights, gradients, Adam state; all-gathers weights,
                             reduce-scatters gradients
    tensor parallel          every rank: 1/N of each layer's matrices, whole batch; all-reduce of activations
    pipeline parallel        every rank: a run of whole layers; sends activations forward and gradients back

`launch(fn, nproc, ...)` starts nproc processes joined by a gloo process group on 127.0.0.1 (free port,
one thread each, a timeout on every collective) and returns every rank's result. `sent_bytes()` reads
what this process has handed to write-type system calls (/proc/self/io, Linux): gloo sends through
TCP sockets with writev, so the difference around one training step is the bytes this rank put on the
wire for it (including gloo's small message headers), measured rather than computed.
"""

import datetime
import logging
import os
import tempfile
import time

import torch
import torch.distributed as dist
from torch.multiprocessing.spawn import ProcessException

from ..validate import check_positive_int
from . import pipeline, sharding, tensor_parallel
from .ddp import free_port


def sent_bytes():
    """Bytes this process has passed to write-type system calls (sockets included); None off Linux."""
    try:
        with open("/proc/self/io", encoding="ascii") as file:
            fields = dict(line.split(": ") for line in file.read().splitlines())
    except OSError:
        return None
    return int(fields["wchar"])


def measure_sent(run, group=None):
    """(result of run(), bytes this rank sent during it); a barrier first, so no earlier traffic counts."""
    dist.barrier(group=group)
    before = sent_bytes()
    result = run()
    after = sent_bytes()
    return result, None if before is None else after - before


def _entry(rank, world_size, port, timeout, fn, args, folder):
    torch.set_num_threads(1)
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    try:
        dist.init_process_group("gloo", rank=rank, world_size=world_size,
                                timeout=datetime.timedelta(seconds=timeout))
        result = fn(rank, world_size, *args)
        torch.save(result, os.path.join(folder, f"rank{rank}.pt"))
    except Exception as error:  # note when and why, so that launch can name the first failure, not its echoes
        with open(os.path.join(folder, f"rank{rank}.failed"), "w", encoding="utf-8") as file:
            file.write(f"{time.time()!r} {type(error).__name__}: {' '.join(str(error).split())}")
        raise
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()


def _first_failure(folder, nproc, error):
    """(rank, message) of the worker that failed first (its peers then fail in their collectives)."""
    notes = []
    for rank in range(nproc):
        path = os.path.join(folder, f"rank{rank}.failed")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as file:
                when, message = file.read().split(" ", 1)
            notes.append((float(when), rank, message))
    if notes:
        return min(notes)[1:]
    lines = str(error).strip().splitlines()  # died without raising (killed, os._exit): spawn's account
    return error.error_index, f"(pid {error.error_pid}) {lines[-1] if lines else ''}"


def launch(fn, nproc, *args, timeout=60):
    """Run fn(rank, nproc, *args) in nproc processes (gloo, 127.0.0.1, a free port); return their results.

    fn must be importable (a module-level function) and return tensors, numbers, strings, lists and dicts.
    A worker that raises or dies ends the job with a RuntimeError naming the first one that failed; a
    collective waiting for a missing peer gives up after `timeout` seconds.
    """
    check_positive_int(nproc, "nproc (number of processes)")
    spawn_log = logging.getLogger("torch.multiprocessing.spawn")
    level = spawn_log.level
    spawn_log.setLevel(logging.ERROR)  # its "Terminating process N" notice: our error says more
    with tempfile.TemporaryDirectory() as folder:
        try:
            torch.multiprocessing.spawn(_entry, args=(nproc, free_port(), timeout, fn, args, folder),
                                        nprocs=nproc)
        except ProcessException as error:
            rank, message = _first_failure(folder, nproc, error)
            raise RuntimeError(f"distributed job failed: worker {rank} of {nproc} failed first: "
                               f"{message}") from None
        finally:
            spawn_log.setLevel(level)
        return [torch.load(os.path.join(folder, f"rank{r}.pt"), weights_only=True) for r in range(nproc)]


def fsdp_worker(rank, world_size, config, tokens, vocab_size):
    """Sharded training over all ranks; also the bytes sent during step 2 (a warm step)."""
    from torch.distributed.device_mesh import init_device_mesh
    sent = {}

    def on_step(i, step):
        if i == 2:
            _, sent["fsdp"] = measure_sent(lambda: step(i))
        else:
            step(i)

    result = sharding.train_lm(config, tokens, vocab_size, init_device_mesh("cpu", (world_size,)), on_step)
    return {**result, "sent": sent["fsdp"] if config.steps > 2 else None}


def largest_difference(pairs):
    return max((a - b).abs().max().item() for a, b in pairs)


def _ddp_sent(config, tokens, vocab_size, rank, world_size):
    model = torch.nn.parallel.DistributedDataParallel(sharding.make_gpt(config, vocab_size))
    per = config.batch_size // world_size
    x, y = sharding.lm_batch(tokens, 0, config.batch_size, config.block_size, config.seed)

    def step():
        _, loss = model(x[rank * per:(rank + 1) * per], y[rank * per:(rank + 1) * per])
        loss.backward()

    step()  # the first backward also builds DDP's gradient buckets
    return measure_sent(step)[1]


def _tensor_parallel(config, tokens, vocab_size, rank, world_size):
    gpt = sharding.make_gpt(config, vocab_size)
    tp = tensor_parallel.parallelize_gpt(gpt, rank, world_size)
    x, y = sharding.lm_batch(tokens, 0, config.batch_size, config.block_size, config.seed)
    logits, loss = gpt(x, y)
    loss.backward()
    (tp_logits, tp_loss), sent = measure_sent(lambda: tp(x, y))
    _, sent_backward = measure_sent(tp_loss.backward)
    grads = [pair for a, b in zip(tp.blocks, gpt.blocks) for pair in tensor_parallel.block_gradients(a, b)]
    grads += [(tp.get_parameter(n).grad, p.grad) for n, p in gpt.named_parameters()
              if not n.startswith("blocks")]  # embeddings, final norm: replicated
    return {"output": largest_difference([(tp_logits, logits)]), "gradient": largest_difference(grads),
            "logits": tp_logits[0, :4, :4].clone(),
            "sent": sent + sent_backward if sent is not None else None}


def _pipeline(config, tokens, vocab_size, rank, world_size, microbatches=4):
    from torch.distributed.pipelining import PipelineStage, ScheduleGPipe
    gpt = sharding.make_gpt(config, vocab_size, tie_weights=False)
    reference = sharding.make_gpt(config, vocab_size, tie_weights=False)
    x, y = sharding.lm_batch(tokens, 0, config.batch_size, config.block_size, config.seed)
    _, loss = reference(x, y)
    loss.backward()
    stage = pipeline.GPTStage(gpt, rank, world_size)
    schedule = ScheduleGPipe(PipelineStage(stage, rank, world_size, torch.device("cpu")), microbatches,
                             loss_fn=pipeline.lm_loss)
    losses = []
    _, sent = measure_sent(lambda: schedule.step(x) if rank == 0 else schedule.step(target=y, losses=losses))
    name_of = {id(p): n for n, p in gpt.named_parameters()}
    grads = [(p.grad, reference.get_parameter(name_of[id(p)]).grad) for p in stage.parameters()]
    loss_difference = abs(torch.stack(losses).mean().item() - loss.item()) if losses else 0.0
    return {"loss": loss_difference, "gradient": largest_difference(grads), "sent": sent}


def collectives_sent(world_size, numel=2**16):
    """Bytes one rank sends for each collective on a float32 tensor of numel entries (S = 4 numel bytes).

    all-reduce and reduce-scatter take S bytes from every rank; all-gather takes S / N from every rank and
    returns S. Ring algorithms send 2 (N-1)/N S, (N-1)/N S and (N-1)/N S.
    """
    x, shard = torch.ones(numel), numel // world_size
    return {
        "all-reduce": measure_sent(lambda: dist.all_reduce(x.clone()))[1],
        "all-gather": measure_sent(lambda: dist.all_gather_single(torch.empty(numel), x[:shard]))[1],
        "reduce-scatter": measure_sent(lambda: dist.reduce_scatter_single(torch.empty(shard), x))[1],
    }


def compare_worker(rank, world_size, config, tokens, vocab_size):
    """One launch, every measurement: FSDP2 training, then a step each of DDP, tensor, pipeline parallel."""
    result = fsdp_worker(rank, world_size, config, tokens, vocab_size)
    result["collectives"] = collectives_sent(world_size)
    result["ddp_sent"] = _ddp_sent(config, tokens, vocab_size, rank, world_size)
    result["tensor"] = _tensor_parallel(config, tokens, vocab_size, rank, world_size)
    try:
        result["pipeline"] = _pipeline(config, tokens, vocab_size, rank, world_size)
    except Exception as error:  # the chapter reports what failed instead of crashing
        result["pipeline"] = {"error": f"{type(error).__name__}: {error}"}
    return result


def computed_bytes(config, n_params, n_block_params, world_size, reduce_scatter_as_all_reduce=False):
    """Bytes one rank sends per training step, from tensor sizes (float32; ring collectives).

    A ring all-reduce of S bytes sends 2 (N-1)/N S per rank, an all-gather or reduce-scatter (N-1)/N S.
    FSDP: all-gather of all weights forward, of the blocks' again backward (the root keeps its gathered
    weights), reduce-scatter of the gradients (gloo's costs as much as an all-reduce: the flag).
    """
    n, s = world_size, 4 * n_params
    activation = 4 * config.batch_size * config.block_size * config.n_embd
    scatter = 2 * (n - 1) / n * s if reduce_scatter_as_all_reduce else (n - 1) / n * s
    return {
        "DDP": 2 * (n - 1) / n * s,
        "FSDP": (n - 1) / n * (s + 4 * n_block_params) + scatter,
        "tensor": 2 * (n - 1) / n * activation * 4 * config.n_layer,  # per block: 2 all-reduces fwd, 2 bwd
        "pipeline": 2 * (n - 1) / n * activation,  # N-1 boundaries, each: activations forward, gradients back
    }
