"""The article's dense classifier (PyTorch, 10 epochs) against scikit-learn's MLPClassifier, over many seeds.

    .venv/bin/python benchmarks/bench_mnist_baselines.py [--seeds 20] [--threads 2]

One seed is one draw: on MNIST-5k's 1,000 test images the test accuracy of either model moves by
several tenths of a point from seed to seed. This script trains both models with seeds 0 .. N-1 (the
seed sets the PyTorch model's initial weights and batch order, and MLPClassifier's random_state),
prints the means, the paired difference with its standard error and every pair, and writes them to
benchmarks/results/mnist_baselines.txt (per-seed accuracies also to mnist_baselines.json). Chapter
4.1 plots the JSON and checks that its own seed-0 run matches the first row. About 3 minutes for 20
seeds on a quiet 2-core CPU.
"""

import argparse
import contextlib
import io
import json
import pathlib
import time

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from bigmodels.data import load_mnist5k
from bigmodels.dense_classifier import paired_difference, seed_comparison
from bigmodels.results import report

OUT = pathlib.Path(__file__).resolve().parent / "results" / "mnist_baselines.json"
TARGET_POINTS = -0.5  # issue: PyTorch >= MLPClassifier - 0.5 points


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    threadpool_limits(args.threads)
    torch.set_num_threads(args.threads)

    data = load_mnist5k()
    start = time.perf_counter()
    table = seed_comparison(data, range(args.seeds))
    wall = time.perf_counter() - start
    pytorch, mlp = np.array(table["pytorch"]), np.array(table["mlpclassifier"])
    diff, se = paired_difference(pytorch, mlp)

    with contextlib.redirect_stdout(io.StringIO()) as reported:
        report(f"MNIST-5k test accuracy, mean of {args.seeds} seeds: PyTorch (64, 64), 10 epochs",
               pytorch.mean(), "{:.4f}")
        report(f"MNIST-5k test accuracy, mean of {args.seeds} seeds: MLPClassifier (64, 64)", mlp.mean(), "{:.4f}")
    lines = [f"MNIST-5k test accuracy, seeds 0..{args.seeds - 1}, {args.threads} threads, {wall:.0f} s",
             f"PyTorch (64, 64), 10 epochs  mean {pytorch.mean():.4f}  std {pytorch.std(ddof=1):.4f}",
             f"MLPClassifier (64, 64)       mean {mlp.mean():.4f}  std {mlp.std(ddof=1):.4f}",
             f"PyTorch minus MLPClassifier: {100 * diff:+.2f} points (standard error {100 * se:.2f}); "
             f"target >= {TARGET_POINTS:+.1f}: {'met' if 100 * diff >= TARGET_POINTS else 'NOT met'}",
             *reported.getvalue().splitlines(),
             "seed   PyTorch   MLPClassifier"]
    lines += [f"{s:4d}   {p:.3f}     {m:.3f}" for s, p, m in zip(table["seed"], pytorch, mlp)]
    print("\n".join(lines))
    OUT.parent.mkdir(exist_ok=True)
    OUT.with_suffix(".txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    OUT.write_text(json.dumps({"threads": args.threads, "seconds": round(wall), **table}, indent=1) + "\n")


if __name__ == "__main__":
    main()
