"""Pruning, quantization and distillation of the MNIST-5k MLP: the chapter 6.5 table with longer training.

    OMP_NUM_THREADS=2 python benchmarks/bench_compress.py [--steps 2000] [--seeds 5]

Prints: method, bytes, test accuracy, latency (ms per batch of 256, best of 50), and the distillation
comparison (mean +- std over seeds) for the full and the 1,000-image training set.
"""

import argparse
import copy

import numpy as np
import torch

from bigmodels import compress
from bigmodels.data import load_mnist5k
from bigmodels.nn import MLP
from bigmodels.notebook import setup
from bigmodels.scale import count_parameters
from bigmodels.training import score


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--hidden", type=int, default=256)
    args = parser.parse_args()
    setup()
    d = load_mnist5k()
    Xtr, ytr, Xte, yte = map(torch.from_numpy, (d.X_train, d.y_train, d.X_test, d.y_test))
    torch.manual_seed(0)
    base = MLP([784, args.hidden, 10])
    compress.train_classifier(base, Xtr, ytr, steps=args.steps)
    acc = lambda m: score(m, Xte, yte)  # noqa: E731
    batch = Xte[:256]

    rows = [("dense float32", 4 * count_parameters(base), acc(base), compress.latency_ms(base, batch))]
    for s in (0.5, 0.8, 0.9, 0.95):
        pruned = compress.prune_model(copy.deepcopy(base), s, "global")
        compress.train_classifier(pruned, Xtr, ytr, steps=args.steps // 5, lr=5e-4, seed=1)
        pruned = compress.finalize(pruned)
        nonzero = sum(int((p != 0).sum()) for p in pruned.parameters())
        rows.append((f"global pruning {s:.0%} + fine-tune", 8 * nonzero, acc(pruned),
                     compress.latency_ms(pruned, batch)))
    for bits in (8, 4):
        fq = compress.fake_quantize_model(base, bits)
        rows.append((f"fake-quant int{bits} per channel", count_parameters(base) * bits // 8, acc(fq), float("nan")))
    q = compress.dynamic_quantize(base)
    rows.append(("int8 dynamic quantization", compress.quantized_model_bytes(q), acc(q), compress.latency_ms(q, batch)))
    print(f"{'method':36s} {'bytes':>9s} {'accuracy':>9s} {'ms/256':>8s}")
    for name, size, a, ms in rows:
        print(f"{name:36s} {size:9d} {a:9.4f} {ms:8.3f}")

    print(f"\ndistillation: teacher {count_parameters(base)} params, student 784-12-10 "
          f"{count_parameters(MLP([784, 12, 10]))} params, T=4, alpha=0.5")
    for n in (1000, len(ytr)):
        res = {"labels only": [], "distilled": []}
        for seed in range(args.seeds):
            for name, teacher in (("labels only", None), ("distilled", base)):
                torch.manual_seed(seed)
                s = MLP([784, 12, 10])
                compress.train_classifier(s, Xtr[:n], ytr[:n], steps=args.steps, seed=seed, teacher=teacher,
                                          temperature=4.0, alpha=0.5)
                res[name].append(acc(s))
        print(f"{n:5d} training images: " + ", ".join(
            f"{k} {np.mean(v):.4f} +- {np.std(v):.4f}" for k, v in res.items()))


if __name__ == "__main__":
    main()
