"""Data-parallel throughput on this machine: samples/s for 1..N processes and a few thread settings.

    python benchmarks/bench_ddp.py [--max-procs 2] [--steps 100] [--batch-size 256] [--width 512]

Each process uses cpu_count // processes threads unless --threads is given. Compare with torchrun:
    torchrun --standalone --nproc_per_node=2 -m bigmodels.scale.ddp --steps 100 --batch-size 256 --width 512
"""

import argparse
import os

from bigmodels.scale.ddp import Config, launch


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-procs", type=int, default=2)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--width", type=int, default=512)
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    print(f"cpu_count {os.cpu_count()}, per-process batch {args.batch_size}, width {args.width}")
    print(f"{'processes':>9s} {'threads/proc':>12s} {'samples/s':>10s} {'speed-up':>9s}")
    first = None
    for nproc in range(1, args.max_procs + 1):
        threads = args.threads or max(1, (os.cpu_count() or 1) // nproc)
        config = Config(steps=args.steps, batch_size=args.batch_size, width=args.width, depth=3, threads=threads)
        rate = launch(config, nproc)["samples_per_s"]
        first = first or rate
        print(f"{nproc:9d} {threads:12d} {rate:10.0f} {rate / first:9.2f}")


if __name__ == "__main__":
    main()
