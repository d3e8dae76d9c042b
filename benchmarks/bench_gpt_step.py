"""One GPT training step (forward, backward, AdamW update): NumPy scratch vs PyTorch nn (and nn fused).

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_gpt_step.py [--threads 1] [--repeats 15]

Both models hold the same float32 weights and see the same batch; the steps are interleaved
(scratch, nn, scratch, nn, ...) so that load on a shared machine hits both alike, and the table
reports medians. Target: the scratch step at most 2x the torch step (formula attention). The
same nn model with fused=True (attention through F.scaled_dot_product_attention) is timed alongside. Writes the table to
benchmarks/results/gpt_step.txt as well.
"""

import argparse
import pathlib
import time

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from bigmodels.nn.gpt import GPT as NnGPT
from bigmodels.scratch.gpt import GPT as ScratchGPT
from bigmodels.scratch.gpt import GPTConfig
from bigmodels.scratch.optim import AdamW

OUT = pathlib.Path(__file__).resolve().parent / "results" / "gpt_step.txt"
TARGET_RATIO = 2.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    threadpool_limits(args.threads)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    config = GPTConfig(block_size=64, vocab_size=76, n_layer=4, n_head=4, n_embd=128, bias=False)
    batch_size = 12
    model, fused = NnGPT(config), NnGPT(config, fused=True)
    fused.load_state_dict(model.state_dict())
    scratch = ScratchGPT.from_torch(model, dtype=np.float32)
    torch_opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.99), weight_decay=0.1)
    fused_opt = torch.optim.AdamW(fused.parameters(), lr=1e-3, betas=(0.9, 0.99), weight_decay=0.1)
    scratch_opt = AdamW(scratch, lr=1e-3, betas=(0.9, 0.99), weight_decay=0.1)
    rng = np.random.default_rng(0)
    x = rng.integers(0, config.vocab_size, (batch_size, config.block_size))
    y = rng.integers(0, config.vocab_size, (batch_size, config.block_size))
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)

    def torch_step(model=model, optimizer=torch_opt):
        _, loss = model(tx, ty)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return loss.item()

    def fused_step():
        return torch_step(fused, fused_opt)

    def scratch_step():
        scratch.zero_grad()
        _, loss = scratch(x, y)
        scratch.backward()
        scratch_opt.step()
        return loss

    first = torch_step()
    assert abs(first - scratch_step()) < 1e-4 and abs(first - fused_step()) < 1e-4, "same starting loss"
    steps = {"scratch (NumPy)": scratch_step, "nn (PyTorch)": torch_step, "nn fused (PyTorch)": fused_step}
    times = {name: [] for name in steps}
    for _ in range(args.repeats):
        for name, step in steps.items():
            start = time.perf_counter()
            step()
            times[name].append(time.perf_counter() - start)
    medians = {name: float(np.median(t)) for name, t in times.items()}
    ratio = medians["scratch (NumPy)"] / medians["nn (PyTorch)"]
    tokens = batch_size * config.block_size
    lines = [f"GPT training step, n_layer 4, n_head 4, n_embd 128, block 64, batch 12, float32, "
             f"{args.threads} thread(s), median of {args.repeats}",
             f"{'model':18s} {'ms/step':>9s} {'tokens/s':>10s}"]
    lines += [f"{name:18s} {1e3 * m:9.1f} {tokens / m:10,.0f}" for name, m in medians.items()]
    lines += [f"scratch / torch    {ratio:9.2f}   (target <= {TARGET_RATIO})",
              f"nn fused / nn      {medians['nn fused (PyTorch)'] / medians['nn (PyTorch)']:9.2f}"]
    print("\n".join(lines))
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
