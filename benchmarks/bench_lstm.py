"""Forward + backward time of the scratch LSTM, the nn LSTM and torch.nn.LSTM (float32, CPU).

    .venv/bin/python benchmarks/bench_lstm.py [--threads 2] [--repeats 15] [--clock wall|cpu]

Runs are interleaved (scratch, nn, built-in, scratch, ...) so that load from other processes hits
all three alike; the table shows medians and the ratio to the built-in.
"""

import argparse
import time

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from bigmodels import nn as bnn
from bigmodels import scratch


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=64)
    parser.add_argument("--input", type=int, default=128)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                        help="cpu (process time) is steadier on a machine shared with other jobs")
    args = parser.parse_args()
    threadpool_limits(args.threads)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    builtin = torch.nn.LSTM(args.input, args.hidden)
    model = scratch.LSTM.from_torch(builtin, dtype=np.float32)
    twin = bnn.LSTM.from_torch(builtin)
    x = np.random.default_rng(0).standard_normal((args.steps, args.batch, args.input)).astype(np.float32)
    grad_y = np.ones((args.steps, args.batch, args.hidden), dtype=np.float32)

    def run_scratch():
        y, _ = model(x)
        model.backward(grad_y)

    def torch_runner(module):
        def run():
            x_t = torch.from_numpy(x).requires_grad_()
            y, _ = module(x_t)
            y.backward(torch.from_numpy(grad_y))
        return run

    runners = {"scratch (NumPy)": run_scratch, "bigmodels.nn (torch ops)": torch_runner(twin),
               "torch.nn.LSTM (built-in)": torch_runner(builtin)}
    times = {name: [] for name in runners}
    for run in runners.values():  # warm-up
        run()
    clock = time.perf_counter if args.clock == "wall" else time.process_time
    for _ in range(args.repeats):
        for name, run in runners.items():
            start = clock()
            run()
            times[name].append(clock() - start)

    base = np.median(times["torch.nn.LSTM (built-in)"])
    print(f"LSTM forward+backward, batch {args.batch}, length {args.steps}, input {args.input}, "
          f"hidden {args.hidden}, float32, {args.threads} threads, {args.clock} clock, median of {args.repeats}")
    print(f"{'implementation':<26}{'ms':>9}{'x built-in':>12}")
    for name, t in times.items():
        print(f"{name:<26}{1e3 * np.median(t):>9.2f}{np.median(t) / base:>12.2f}")


if __name__ == "__main__":
    main()
