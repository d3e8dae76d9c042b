"""Training throughput of the book's GPT on this machine, and what it implies for big models.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_throughput.py

For six GPT sizes: tokens/s and achieved FLOP/s of AdamW training steps (16 x 64 tokens, the
median of 10 timed steps after 2 warm-up steps), and the days this machine would need for the
6ND compute of GPT-3 at its best measured rate. Writes benchmarks/results/throughput.json.
"""

import json
import pathlib
import platform
import statistics
import time

import torch

from bigmodels.nn.gpt import GPT, GPTConfig
from bigmodels.notebook import setup
from bigmodels.results import report
from bigmodels.scale.flops import device_days, gpt_flops, training_flops
from bigmodels.scale.scaling import non_embedding_parameters

OUT = pathlib.Path(__file__).resolve().parent / "results" / "throughput.json"
SIZES = [(16, 1), (32, 1), (32, 2), (64, 2), (96, 3), (128, 4)]
BATCH, BLOCK, VOCAB, WARMUP, TIMED = 16, 64, 76, 2, 10


def step_seconds(model, optimizer, idx):
    start = time.perf_counter()
    loss = model(idx, idx)[1]
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return time.perf_counter() - start


def main():
    setup(threads=1)  # one thread: tiny models, and robust on a shared machine
    rows = []
    for n_embd, n_layer in SIZES:
        model = GPT(GPTConfig(block_size=BLOCK, vocab_size=VOCAB, n_layer=n_layer, n_head=4, n_embd=n_embd))
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
        idx = torch.randint(0, VOCAB, (BATCH, BLOCK))
        times = [step_seconds(model, optimizer, idx) for _ in range(WARMUP + TIMED)][WARMUP:]
        seconds = statistics.median(times)
        flops = gpt_flops(n_layer, n_embd, VOCAB, BATCH, BLOCK)
        rows.append({"n_embd": n_embd, "n_layer": n_layer, "n_non_embedding": non_embedding_parameters(model),
                     "tokens_per_s": BATCH * BLOCK / seconds, "flops_per_s": flops / seconds})
        print(f"N = {rows[-1]['n_non_embedding']:7d}: {rows[-1]['tokens_per_s']:9.0f} tokens/s, "
              f"{rows[-1]['flops_per_s'] / 1e9:6.2f} GFLOP/s", flush=True)
    best = max(r["flops_per_s"] for r in rows)
    days = device_days(training_flops(175e9, 300e9), best)
    OUT.write_text(json.dumps({"machine": platform.processor() or platform.machine(),
                               "threads": torch.get_num_threads(), "rows": rows, "gpt3_days": days}, indent=1) + "\n")
    report("best training rate of the GPT on this CPU", best / 1e9, "{:.2f} GFLOP/s")
    report("GPT-3 (6ND) on this CPU", days / 365, "{:.2g} years")


if __name__ == "__main__":
    main()
