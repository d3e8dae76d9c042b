"""Costs of the memory-saving techniques of chapter 6.4, timed on this machine.

    python benchmarks/bench_sharding.py [--repeats 20] [--steps 20] > benchmarks/results/sharding.txt

1. Activation checkpointing: one training step of the 16-layer MLP (width 256, batch 128) with k checkpointed
   segments, against the plain step. Recomputing the forward pass costs at most one more forward, about a
   third of a step, so the ratio must lie in 0.8 .. 3 (the generous bounds absorb a shared machine's timing
   noise; the chapter asserts only the memory saving and equal gradients).
2. FSDP2: seconds per training step of the chapter's GPT over 1, 2 and 4 processes (one thread each), and
   the bytes of training state on the largest process.
"""

import argparse
import os
import sys
import time

import torch

from bigmodels.nn import MLP
from bigmodels.data import load_shakespeare
from bigmodels.results import report
from bigmodels.scale import checkpointed, parallel, sharding, step_seconds
from bigmodels.data.lm import encode_chars


def timed_fsdp(rank, world_size, config, tokens, vocab_size):
    """fsdp_worker, timed from the second step on (the first builds the sharded buffers)."""
    marks = {}

    def on_step(i, step):
        if i == 1:
            marks["start"] = time.perf_counter()
        step(i)

    result = sharding.train_lm(config, tokens, vocab_size, _mesh(world_size), on_step)
    return {**result, "seconds_per_step": (time.perf_counter() - marks["start"]) / (config.steps - 1)}


def _mesh(world_size):
    from torch.distributed.device_mesh import init_device_mesh
    return init_device_mesh("cpu", (world_size,))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.manual_seed(0)
    deep = MLP([256] * 17)
    x = torch.randn(128, 256)
    plain = step_seconds(deep, x, args.repeats)
    print("command: python benchmarks/bench_sharding.py " + " ".join(sys.argv[1:]))
    print(f"load average {os.getloadavg()[0]:.1f} (other work on the machine)")
    print(f"activation checkpointing, 16-layer MLP, batch 128, best of {args.repeats} steps")
    print(f"{'segments':>8s} {'seconds/step':>12s} {'ratio':>6s}")
    print(f"{'none':>8s} {plain:12.4f} {1:6.2f}")
    ratios = {}
    for segments in (2, 4, 8):
        ratio = ratios[segments] = step_seconds(checkpointed(deep, segments), x, args.repeats) / plain
        print(f"{segments:8d} {ratio * plain:12.4f} {ratio:6.2f}")
        if not 0.8 < ratio < 3:
            raise SystemExit(f"checkpointed step with {segments} segments takes {ratio:.2f}x the plain step: "
                             "outside 0.8 .. 3, the range one extra forward pass allows")

    report("Activation checkpointing, 4 segments: time per step (x plain)", ratios[4], "{:.2f}")

    text = load_shakespeare()[:200_000]
    ids, chars = encode_chars(text)
    tokens = torch.from_numpy(ids)
    config = sharding.LMConfig(steps=args.steps)
    torch.set_num_threads(1)
    start = time.perf_counter()
    single = sharding.train_lm(config, tokens, len(chars))
    rows = [(1, (time.perf_counter() - start) / config.steps, sum(single["bytes"].values()))]
    for n in (2, 4):
        ranks = parallel.launch(timed_fsdp, n, config, tokens, len(chars))
        seconds = max(r["seconds_per_step"] for r in ranks)
        state = max(sum(r["bytes"].values()) for r in ranks)
        rows.append((n, seconds, state))
    print(f"\nFSDP2, GPT of chapter 6.4, {config.steps} steps, global batch {config.batch_size}, "
          "1 thread per process")
    print(f"{'processes':>9s} {'seconds/step':>12s} {'state bytes (largest)':>22s}")
    for n, seconds, state in rows:
        print(f"{n:9d} {seconds:12.4f} {state:22,d}")


if __name__ == "__main__":
    main()
