"""Forward + backward time of the scratch LSTM, the nn LSTM and torch.nn.LSTM (float32, CPU).

    .venv/bin/python benchmarks/bench_lstm.py [--threads 2 1] [--repeats 21]

For each thread count, runs are interleaved (scratch, nn, built-in, scratch, ...) so that load from
other processes hits all three alike. Each run is timed by the wall clock and by the process's CPU
time (steadier when other jobs share the machine; at 2 threads it adds up both threads). The table
shows the best (least disturbed) wall time and the median, the best CPU time, and the ratios of the
best times to the built-in's; the wall-clock ratio is checked against the targets of issue 19.
torch.nn.LSTM runs oneDNN's fused LSTM kernel; the book's twins run one matrix product per step
plus the gate arithmetic (bigmodels/scratch/rnn.py and bigmodels/nn/rnn.py say how).
Writes the tables to benchmarks/results/lstm.txt when run with the default sizes.
"""

import argparse
import pathlib
import time

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from bigmodels import nn as bnn
from bigmodels import scratch

OUT = pathlib.Path(__file__).resolve().parent / "results" / "lstm.txt"
# issue 19: largest time ratio to torch.nn.LSTM, per implementation and thread count
TARGETS = {"scratch (NumPy)": {2: 1.5, 1: 1.3}, "bigmodels.nn (torch ops)": {2: 2.5, 1: 2.0}}
BUILTIN = "torch.nn.LSTM (built-in)"


def runners(args):
    torch.manual_seed(0)
    builtin = torch.nn.LSTM(args.input, args.hidden)
    model = scratch.LSTM.from_torch(builtin, dtype=np.float32)
    twin = bnn.LSTM.from_torch(builtin)
    x = np.random.default_rng(0).standard_normal((args.steps, args.batch, args.input)).astype(np.float32)
    grad_y = np.ones((args.steps, args.batch, args.hidden), dtype=np.float32)

    def run_scratch():
        model(x)
        model.backward(grad_y)

    def torch_runner(module):
        def run():
            x_t = torch.from_numpy(x).requires_grad_()
            y, _ = module(x_t)
            y.backward(torch.from_numpy(grad_y))
        return run

    return {"scratch (NumPy)": run_scratch, "bigmodels.nn (torch ops)": torch_runner(twin),
            BUILTIN: torch_runner(builtin)}


def measure(args, threads):
    threadpool_limits(threads)
    torch.set_num_threads(threads)
    runs = runners(args)
    wall, cpu = {name: [] for name in runs}, {name: [] for name in runs}
    for run in runs.values():  # warm-up
        run()
    for _ in range(args.repeats):
        for name, run in runs.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            run()
            wall[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
    base, base_cpu = min(wall[BUILTIN]), min(cpu[BUILTIN])
    lines = [f"LSTM forward+backward, batch {args.batch}, length {args.steps}, input {args.input}, hidden "
             f"{args.hidden}, float32, {threads} thread(s), {args.repeats} interleaved repeats",
             f"{'implementation':<26}{'wall ms':>9}{'median':>8}{'CPU ms':>8}{'x built-in':>12}{'(CPU)':>7}"
             "   target (wall)"]
    results = []
    for name in runs:
        ratio, target = min(wall[name]) / base, TARGETS.get(name, {}).get(threads)
        verdict = "" if target is None else f"<= {target}: {'met' if ratio <= target else 'NOT met'}"
        lines.append(f"{name:<26}{1e3 * min(wall[name]):>9.2f}{1e3 * np.median(wall[name]):>8.2f}"
                     f"{1e3 * min(cpu[name]):>8.2f}{ratio:>12.2f}{min(cpu[name]) / base_cpu:>7.2f}   {verdict}")
        if target is not None:
            results.append(f"[result] LSTM forward+backward, {name} / torch.nn.LSTM, {threads} thread(s) "
                           f"(target <= {target}, {verdict.split(': ')[1]}) = {ratio:.2f}x")
    return lines + results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[2, 1])
    parser.add_argument("--repeats", type=int, default=21)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=64)
    parser.add_argument("--input", type=int, default=128)
    parser.add_argument("--hidden", type=int, default=128)
    args = parser.parse_args()
    lines = []
    for threads in args.threads:
        table = measure(args, threads)
        lines += table
        print("\n".join(table), flush=True)
    if (args.batch, args.steps, args.input, args.hidden) == (32, 64, 128, 128):
        OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
