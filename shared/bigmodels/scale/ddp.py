"""Distributed data parallel training on CPU with torch.distributed (gloo backend).

Every process holds a full copy of the model, takes its own slice of each global batch, and after
backward the gradients are averaged over processes (an all-reduce), so all copies take the same step.
With a loss averaged over the local batch B, N processes compute exactly the gradient of one process
with batch N * B (up to float rounding): that is what `tests/test_ddp.py` checks.

One machine, N processes spawned from Python:
    python -m bigmodels.scale.ddp --nproc 2 --steps 50
The same script under torchrun (it reads RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT from the environment):
    torchrun --standalone --nproc_per_node=2 -m bigmodels.scale.ddp --steps 50
Several machines: run the same command on each, naming the node count, this node's rank and a
rendezvous host:port every node can reach (rank 0's machine):
    torchrun --nnodes=2 --node_rank=0 --nproc_per_node=2 --rdzv_backend=c10d \
             --rdzv_endpoint=HOST:29500 -m bigmodels.scale.ddp --steps 50     # on node 0
    torchrun --nnodes=2 --node_rank=1 ... (same flags)                        # on node 1
`run_nodes` starts such "nodes" as separate torchrun processes on this machine (rendezvous on 127.0.0.1).
A worker that dies takes the job down: torch.multiprocessing.spawn (or torchrun) terminates the others
and raises, and a peer stuck in an all-reduce gives up after `timeout` seconds instead of hanging.
"""

import argparse
import contextlib
import dataclasses
import datetime
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.multiprocessing.spawn import ProcessException

from ..validate import check_choice, check_number, check_positive_int, describe
from ..nn.mlp import MLP
from .checkpoint import load_checkpoint, save_checkpoint


@dataclasses.dataclass
class Config:
    steps: int = 20
    batch_size: int = 32           # per process; the global batch is batch_size * world_size
    lr: float = 0.1
    features: int = 32
    width: int = 64
    depth: int = 2                 # hidden layers
    classes: int = 10
    n_samples: int = 4096
    seed: int = 0
    dropout: float = 0.0           # on the inputs: uses the torch RNG
    noise: float = 0.0             # Gaussian input noise: uses the NumPy RNG
    threads: int = 0               # torch threads per process; 0 = cpu_count // world_size
    timeout: float = 60.0          # seconds a collective waits for a missing peer
    fail_at: int = -1              # test hook: rank fail_rank fails at this step
    fail_rank: int = 0
    fail_mode: str = "raise"       # 'raise' an exception, 'exit' the process abruptly or 'hang' (freeze)
    checkpoint: str = ""           # path; saved every checkpoint_every steps and at the end
    checkpoint_every: int = 0
    resume: bool = False
    stop_after: int = -1           # simulate an interruption: stop (after checkpointing) at this step
    warmup: int = 2                # steps excluded from the throughput measurement

    def __post_init__(self):
        """Refuse a field of the wrong type or out of range, naming it (NumPy scalars are accepted)."""
        minimum = {"depth": 0, "seed": 0, "threads": 0, "fail_at": -1, "fail_rank": 0, "checkpoint_every": 0,
                   "stop_after": -1, "warmup": 0}
        for name in ("steps", "batch_size", "features", "width", "depth", "classes", "n_samples", "seed", "threads",
                     "fail_at", "fail_rank", "checkpoint_every", "stop_after", "warmup"):
            check_positive_int(getattr(self, name), f"Config.{name}", minimum=minimum.get(name, 1))
        check_number(self.lr, "Config.lr", low=0, low_open=True, finite=True)
        check_number(self.dropout, "Config.dropout", low=0, high=1, high_open=True)
        check_number(self.noise, "Config.noise", low=0, finite=True)
        check_number(self.timeout, "Config.timeout", low=0, low_open=True, finite=True)
        check_choice(self.fail_mode, "Config.fail_mode", ("raise", "exit", "hang"))
        if not isinstance(self.checkpoint, (str, os.PathLike)) or not isinstance(self.resume, bool):
            raise TypeError(f"Config.checkpoint and Config.resume: expected a str and a bool, "
                            f"got {describe(self.checkpoint)} and {describe(self.resume)}")


def check_world_size(world_size):
    try:
        return check_positive_int(world_size, "world_size (number of processes)")
    except TypeError as error:
        raise ValueError(str(error)) from error


def make_data(config):
    """A fixed synthetic classification set: x ~ N(0, I), label = argmax of a random linear map."""
    g = torch.Generator().manual_seed(1234)
    X = torch.randn(config.n_samples, config.features, generator=g)
    y = (X @ torch.randn(config.features, config.classes, generator=g)).argmax(1)
    return X, y


def global_batch(step, n_samples, global_size, seed):
    """Indices of the global batch at `step`: epochs of seeded permutations, so the data position is the step."""
    step, seed = check_positive_int(step, "step", minimum=0), check_positive_int(seed, "seed", minimum=0)
    n_samples, global_size = check_positive_int(n_samples, "n_samples"), check_positive_int(global_size, "global_size")
    if global_size > n_samples:
        raise ValueError(f"global_size: expected at most n_samples = {n_samples}, got {global_size}")
    per_epoch = n_samples // global_size
    epoch, offset = divmod(step, per_epoch)
    perm = torch.randperm(n_samples, generator=torch.Generator().manual_seed(seed * 100_003 + epoch))
    return perm[offset * global_size:(offset + 1) * global_size]


def make_model(config):
    torch.manual_seed(config.seed)
    return MLP([config.features] + [config.width] * config.depth + [config.classes])


def train(config, rank=0, world_size=1, progress=None):
    """The training loop every process runs; returns rank-local results (params, losses, samples/s).

    progress (a shared int64 tensor, one entry per rank) records 2 * step on entering a step and
    2 * step + 1 on entering its all-reduce, so that `launch` can name a rank that froze.
    """
    torch.set_num_threads(config.threads or max(1, (os.cpu_count() or 1) // world_size))
    X, y = make_data(config)
    model = make_model(config)  # same seed on every rank: identical initial copies
    optimizer = torch.optim.SGD(model.parameters(), lr=config.lr, momentum=0.9)
    start = 0
    if config.resume:
        start = load_checkpoint(checkpoint_path(config, rank, world_size), model, optimizer)["data_position"]
    net = torch.nn.parallel.DistributedDataParallel(model) if world_size > 1 else model
    losses, timed_from = [], None
    # written out: each rank's step, the gradient all-reduce and the failure drills are the lesson
    for step in range(start, config.steps):
        if progress is not None:
            progress[rank] = 2 * step
        if step == config.fail_at and rank == config.fail_rank:
            if config.fail_mode == "exit":
                os._exit(3)
            if config.fail_mode == "hang":  # frozen: alive but never reaches the next all-reduce
                time.sleep(10 * config.timeout + 60)
            raise RuntimeError(f"worker {rank} failed on purpose at step {step}")
        if step - start == config.warmup:
            timed_from = time.perf_counter()
        idx = global_batch(step, config.n_samples, config.batch_size * world_size, config.seed)
        idx = idx[rank * config.batch_size:(rank + 1) * config.batch_size]
        x = X[idx]
        if config.noise:
            x = x + torch.from_numpy(np.random.normal(0, config.noise, x.shape).astype(np.float32))
        x = F.dropout(x, config.dropout, training=config.dropout > 0)
        loss = F.cross_entropy(net(x), y[idx])
        optimizer.zero_grad(set_to_none=True)
        if progress is not None:
            progress[rank] = 2 * step + 1
        loss.backward()  # under DDP this also all-reduces (averages) the gradients
        optimizer.step()
        losses.append(loss.item())
        done = step + 1
        if config.checkpoint and (done == config.stop_after or done == config.steps or
                                  (config.checkpoint_every and done % config.checkpoint_every == 0)):
            save_checkpoint(checkpoint_path(config, rank, world_size), model, optimizer, done)
        if done == config.stop_after:
            break
    timed_steps = len(losses) - config.warmup
    seconds = time.perf_counter() - timed_from if timed_from is not None else float("nan")
    return {"params": {k: v.detach().clone() for k, v in model.state_dict().items()}, "losses": losses,
            "samples_per_s": timed_steps * config.batch_size * world_size / seconds if timed_steps > 0 else None}


def checkpoint_path(config, rank, world_size):
    """One file per rank when several processes run (each has its own RNG states)."""
    return config.checkpoint if world_size == 1 else f"{config.checkpoint}.rank{rank}"


def free_port():
    """A TCP port nobody listens on now: bind port 0 on the loopback and read what the OS chose."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _worker(rank, world_size, config, port, result_file, progress):
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    dist.init_process_group("gloo", rank=rank, world_size=world_size,
                            timeout=datetime.timedelta(seconds=config.timeout))
    try:
        result = train(config, rank, world_size, progress)
        if rank == 0:
            torch.save(result, result_file)
    finally:
        dist.destroy_process_group()


def launch(config, nproc=1):
    """Run `train` in nproc local processes (one: in this process); return rank 0's results.

    Raises RuntimeError naming the failed worker when one raises or dies, or the frozen one when the
    others time out waiting for it.
    """
    check_world_size(nproc)
    if nproc == 1:
        return train(config)
    with tempfile.TemporaryDirectory() as tmp:
        result_file = os.path.join(tmp, "result.pt")
        spawn_log = logging.getLogger("torch.multiprocessing.spawn")
        level = spawn_log.level
        spawn_log.setLevel(logging.ERROR)  # its "Terminating process N" notice: our error below says more
        progress = torch.full((nproc,), -1, dtype=torch.int64).share_memory_()
        try:
            torch.multiprocessing.spawn(_worker, args=(nproc, config, free_port(), result_file, progress),
                                        nprocs=nproc)
        except ProcessException as error:
            message = str(error).strip().splitlines()
            last = message[-1] if message else ""
            behind = [r for r in range(nproc) if progress[r] < progress.max()]
            if "timed out" in last.lower() and behind:
                step = int(progress[behind[0]]) // 2
                raise RuntimeError(f"distributed job failed: worker {', '.join(map(str, behind))} of {nproc} froze "
                                   f"at step {step}: the others gave up after waiting {config.timeout} s for it "
                                   f"in an all-reduce ({last})") from None
            raise RuntimeError(f"distributed job failed: worker {error.error_index} of {nproc} "
                               f"(pid {error.error_pid}) died: {last}") from None
        finally:
            spawn_log.setLevel(level)
        return torch.load(result_file, weights_only=True)


def run_nodes(args, nnodes=2, nproc_per_node=1, timeout=120.0):
    """Run this script under nnodes torchrun "nodes" on this machine, each its own torchrun process.

    The nodes meet through c10d rendezvous on 127.0.0.1 (a free port), as machines would at a shared address.
    Returns each node's stdout. When a node fails, or `timeout` seconds pass, every node still running is
    stopped with its workers (`_stop`) and RuntimeError names the node and the last error lines it printed.
    """
    nnodes = check_positive_int(nnodes, "nnodes")
    nproc_per_node = check_positive_int(nproc_per_node, "nproc_per_node")
    check_number(timeout, "timeout", low=0, low_open=True, finite=True)
    port = free_port()
    command = [sys.executable, "-m", "torch.distributed.run", f"--nnodes={nnodes}",
               f"--nproc_per_node={nproc_per_node}", "--rdzv_backend=c10d", f"--rdzv_endpoint=127.0.0.1:{port}",
               f"--rdzv_id=bigmodels-{port}", "--max_restarts=0"]
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as files:
        logs = [[files.enter_context(open(os.path.join(tmp, f"{r}.{kind}"), "w+")) for kind in ("out", "err")]
                for r in range(nnodes)]
        nodes = [subprocess.Popen(command + [f"--node_rank={r}", "-m", "bigmodels.scale.ddp", *map(str, args)],
                                  stdout=out, stderr=err, start_new_session=True) for r, (out, err) in enumerate(logs)]
        deadline = time.monotonic() + timeout
        try:
            while any(node.poll() is None for node in nodes) and time.monotonic() < deadline:
                if any(node.poll() for node in nodes):  # one failed: no need to wait for the others
                    break
                time.sleep(0.1)
            failed = [r for r, node in enumerate(nodes) if node.poll()]
            running = [r for r, node in enumerate(nodes) if node.poll() is None]
            if failed:
                r = failed[0]
                raise RuntimeError(f"torchrun node {r} of {nnodes} failed with exit code {nodes[r].returncode}: "
                                   f"{_error_lines(logs[r][1])}")
            if running:
                raise RuntimeError(f"torchrun node {', '.join(map(str, running))} of {nnodes} did not finish "
                                   f"within {timeout} s: {_error_lines(logs[running[0]][1])}")
        finally:
            _stop(nodes)
        for out, _ in logs:
            out.seek(0)
        return [out.read() for out, _ in logs]


def _error_lines(log, keep=2):
    """What a node printed about its failure: the workers' exceptions ("[rankN]: SomeError: ..."), else the
    agent's lines naming an error, else its last lines."""
    log.flush()
    log.seek(0)
    lines = [line.strip() for line in log.read().splitlines() if line.strip()]
    workers = [line for line in lines if re.match(r"\[rank\d+\]: \w+(Error|Exception)\b", line)]
    agent = [line for line in lines if "Error" in line]
    return " | ".join((workers or agent or lines)[-keep:])


def _stop(nodes, grace=15.0):
    """SIGTERM each running node's torchrun agent, which terminates its workers (they run in sessions of
    their own), then SIGKILL what is left of the node's process group after `grace` seconds."""
    running = [node for node in nodes if node.poll() is None]
    for node in running:
        _signal_group(node, signal.SIGTERM)
    for node in running:
        try:
            node.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            _signal_group(node, signal.SIGKILL)
            node.wait()


def _signal_group(node, signum):
    try:
        os.killpg(node.pid, signum)
    except ProcessLookupError:  # it has just exited
        pass


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nproc", type=int, default=1, help="local processes to spawn (ignored under torchrun)")
    parser.add_argument("--save", default="", help="rank 0 saves its parameters and losses there (torch.save)")
    for field in dataclasses.fields(Config):  # one flag per Config field: --batch-size, --fail-at, ...
        flag = f"--{field.name.replace('_', '-')}"
        if isinstance(field.default, bool):
            parser.add_argument(flag, action="store_true")
        else:
            parser.add_argument(flag, type=type(field.default), default=field.default)
    args = vars(parser.parse_args(argv))
    nproc, save = args.pop("nproc"), args.pop("save")
    config = Config(**args)
    if "RANK" in os.environ and "WORLD_SIZE" in os.environ:  # started by torchrun
        rank, world_size = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
        dist.init_process_group("gloo", timeout=datetime.timedelta(seconds=config.timeout))
        try:
            result = train(config, rank, world_size)
        finally:
            dist.destroy_process_group()
    else:
        rank, world_size, result = 0, nproc, launch(config, nproc)
    if rank == 0 and save:
        torch.save({"params": result["params"], "losses": result["losses"]}, save)
    if rank == 0:
        print(json.dumps({"world_size": world_size, "steps": len(result["losses"]),
                          "final_loss": round(result["losses"][-1], 4),
                          "samples_per_s": round(result["samples_per_s"] or 0.0, 1)}))


if __name__ == "__main__":
    main()
