"""Data-parallel throughput on this machine: samples/s for 1..N processes, and the speed-up over 1 process.

    python benchmarks/bench_ddp.py [--max-procs 2] [--steps 100] [--batch-size 256] [--width 512] \
        > benchmarks/results/ddp.txt

Each process uses cpu_count // processes threads unless --threads is given (on a loaded machine, use
--threads 1 and OMP_WAIT_POLICY=PASSIVE: spinning OpenMP threads then distort the one-process figure).
N processes can at best do N times the work of one (the linear bound); the script checks every measured
speed-up against N * (1 + --slack), the slack covering the timing noise of a shared machine (the best of
--repeats runs is kept). Chapter 6.4 only
checks that data-parallel runs complete: throughput claims live here. Compare with torchrun:
    torchrun --standalone --nproc_per_node=2 -m bigmodels.scale.ddp --steps 100 --batch-size 256 --width 512
"""

import argparse
import os
import sys

from bigmodels.scale.ddp import Config, launch


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-procs", type=int, default=2)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--width", type=int, default=512)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--slack", type=float, default=0.1)
    args = parser.parse_args()
    print("command: python benchmarks/bench_ddp.py " + " ".join(sys.argv[1:]))
    print(f"cpu_count {os.cpu_count()}, load average {os.getloadavg()[0]:.1f} (other work on the machine), "
          f"per-process batch {args.batch_size}, width {args.width}, {args.steps} steps, best of {args.repeats}")
    print(f"{'processes':>9s} {'threads/proc':>12s} {'samples/s':>10s} {'speed-up':>9s} "
          f"{'linear bound':>12s}")
    first = None
    for nproc in range(1, args.max_procs + 1):
        threads = args.threads or max(1, (os.cpu_count() or 1) // nproc)
        config = Config(steps=args.steps, batch_size=args.batch_size, width=args.width, depth=3,
                        threads=threads)
        rate = max(launch(config, nproc)["samples_per_s"] for _ in range(args.repeats))
        first = first or rate
        print(f"{nproc:9d} {threads:12d} {rate:10.0f} {rate / first:9.2f} {nproc:12d}")
        if rate / first > nproc * (1 + args.slack):
            raise SystemExit(f"speed-up {rate / first:.2f} with {nproc} processes exceeds the linear bound "
                             f"{nproc} by more than the {args.slack:.0%} timing slack: the timing is wrong")


if __name__ == "__main__":
    main()
