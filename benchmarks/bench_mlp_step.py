"""One training step (forward, backward, SGD update) of the scratch MLP vs the PyTorch one.

Same shapes (batch 256, 784-512-512-10), float32, same thread count for NumPy's BLAS and torch,
repetitions interleaved in one run, medians reported. The reference ceiling is a plain NumPy
float32 GEMM of the first layer's size (256x784 @ 784x512).

    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/bench_mlp_step.py --threads 2
"""

import argparse
import os
import statistics
import time


def step_flops(batch, sizes):
    """Matrix-multiply FLOPs of one step: forward 2BNM per layer, backward dW for all layers and
    dX for all but the first (the data needs no gradient), 2BNM each."""
    layers = list(zip(sizes[:-1], sizes[1:]))
    forward = sum(2 * batch * a * b for a, b in layers)
    return forward + forward + (forward - 2 * batch * sizes[0] * sizes[1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--batch", type=int, default=256)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))

    import numpy as np
    import torch
    from threadpoolctl import threadpool_limits

    from bigmodels import scratch

    threadpool_limits(args.threads)
    torch.set_num_threads(args.threads)
    sizes = [784, 512, 512, 10]
    rng = np.random.default_rng(0)
    X = rng.standard_normal((args.batch, sizes[0])).astype(np.float32)
    y = rng.integers(0, 10, size=args.batch)

    torch.manual_seed(0)
    builtin = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 512),
                                  torch.nn.ReLU(), torch.nn.Linear(512, 10))
    model = scratch.Sequential.from_torch(builtin, dtype=np.float32)
    opt_torch = torch.optim.SGD(builtin.parameters(), lr=1e-3)
    opt = scratch.SGD(model, lr=1e-3)
    loss_torch, loss = torch.nn.CrossEntropyLoss(), scratch.CrossEntropyLoss()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    A = rng.standard_normal((args.batch, sizes[0])).astype(np.float32)
    B = rng.standard_normal((sizes[0], sizes[1])).astype(np.float32)
    C = np.empty((args.batch, sizes[1]), dtype=np.float32)

    def torch_step():
        opt_torch.zero_grad()
        loss_torch(builtin(Xt), yt).backward()
        opt_torch.step()

    def scratch_step():
        opt.zero_grad()
        loss(model(X), y)
        model.backward(loss.backward(), input_grad=False)
        opt.step()

    def gemm():
        np.matmul(A, B, out=C)

    runs = {"scratch": scratch_step, "torch": torch_step, "numpy gemm": gemm}
    times = {name: [] for name in runs}
    for _ in range(5):  # warm-up
        for f in runs.values():
            f()
    for _ in range(args.repeats):  # interleaved, so load changes hit all three alike
        for name, f in runs.items():
            t = time.perf_counter()
            f()
            times[name].append(time.perf_counter() - t)
    median = {name: statistics.median(ts) for name, ts in times.items()}
    flops = {"scratch": step_flops(args.batch, sizes), "torch": step_flops(args.batch, sizes),
             "numpy gemm": 2 * args.batch * sizes[0] * sizes[1]}
    gflops = {name: flops[name] / median[name] / 1e9 for name in runs}

    print(f"threads {args.threads}, batch {args.batch}, sizes {sizes}, float32, {args.repeats} interleaved repeats, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'':12s} {'median ms':>10s} {'GFLOP/s':>9s}")
    for name in runs:
        print(f"{name:12s} {median[name] * 1e3:10.3f} {gflops[name]:9.1f}")
    print(f"scratch / torch time ratio: {median['scratch'] / median['torch']:.3f} (target <= 1.15)")
    print(f"scratch GFLOP/s / NumPy GEMM GFLOP/s: {gflops['scratch'] / gflops['numpy gemm']:.3f} (target >= 0.80)")


if __name__ == "__main__":
    main()
