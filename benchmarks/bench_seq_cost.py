"""How a GPT training step's cost grows with the sequence length: measured against the FLOP formula.

    .venv/bin/python benchmarks/bench_seq_cost.py [--threads 1] [--repeats 3]

A GPT of fixed width (2 layers, 4 heads, n_embd 128, vocabulary 76) takes one training step
(forward, backward, AdamW) on batches of a fixed number of tokens, 4,096, cut into sequences of
length T = 64 ... 1024 (so batch = 4096 / T). With the tokens fixed, every matrix product that
acts on one token at a time (q, k, v and output projections, the MLP, the head) costs the same at
every T; only the attention scores Q K^T and the weighted values A V, 4 B T^2 C FLOPs per layer,
grow, linearly in T per token. bigmodels.scale.flops.gpt_flops splits into exactly these two parts:

    per layer and token:  linear 24 C^2 (+ head 2 C V / n_layer),  quadratic 4 T C,

so the attention term overtakes the rest at T = 6 C + V / (2 n_layer) = 768 + 19 = 787 here.
The three implementations (scratch NumPy, nn with the formula-written attention, nn with
fused=True) run interleaved; per T the best of the repeats is kept. A straight line fitted to each
one's time per token, t(T) = a + b T, gives the measured crossover T = a / b: where the part that
grows with T costs as much as the part that does not.
Writes benchmarks/results/seq_cost.txt and seq_cost.json (the data of the figure in chapter 3.4).
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

from bigmodels.nn.gpt import GPT as NnGPT
from bigmodels.results import report
from bigmodels.scale.flops import attention_flops, gpt_flops, linear_flops
from bigmodels.scratch.gpt import GPT as ScratchGPT
from bigmodels.scratch.gpt import GPTConfig
from bigmodels.scratch.optim import AdamW

RESULTS = pathlib.Path(__file__).resolve().parent / "results"
TOKENS, N_LAYER, N_HEAD, N_EMBD, VOCAB = 4096, 2, 4, 128, 76
LENGTHS = (64, 128, 256, 512, 1024)


def flop_split(seq_len):
    """Training FLOPs of one step (forward + backward = 3x forward): (linear part, quadratic part)."""
    batch = TOKENS // seq_len
    total = gpt_flops(N_LAYER, N_EMBD, VOCAB, batch, seq_len)
    projections = attention_flops(batch, seq_len, N_EMBD) - 4 * batch * seq_len ** 2 * N_EMBD
    assert projections == linear_flops(batch * seq_len, N_EMBD, 4 * N_EMBD)
    quadratic = 3 * N_LAYER * 4 * batch * seq_len ** 2 * N_EMBD
    return total - quadratic, quadratic


def steppers(seq_len, seed=0):
    """One training step of each implementation on the same weights and batch."""
    torch.manual_seed(seed)
    config = GPTConfig(block_size=seq_len, vocab_size=VOCAB, n_layer=N_LAYER, n_head=N_HEAD, n_embd=N_EMBD,
                       bias=False)
    formula, fused = NnGPT(config), NnGPT(config, fused=True)
    fused.load_state_dict(formula.state_dict())
    scratch = ScratchGPT.from_torch(formula, dtype=np.float32)
    rng = np.random.default_rng(seed)
    x = rng.integers(0, VOCAB, (TOKENS // seq_len, seq_len))
    y = rng.integers(0, VOCAB, (TOKENS // seq_len, seq_len))
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)

    def torch_step(model):
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)

        def step():
            _, loss = model(tx, ty)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        return step

    scratch_optimizer = AdamW(scratch, lr=1e-3)

    def scratch_step():
        scratch.zero_grad()
        scratch(x, y)
        scratch.backward()
        scratch_optimizer.step()

    return {"scratch (NumPy)": scratch_step, "nn (formula attention)": torch_step(formula),
            "nn (fused attention)": torch_step(fused)}


def crossover(lengths, seconds):
    """T where the fitted per-token time a + b T has its growing part b T equal to a."""
    b, a = np.polyfit(lengths, np.asarray(seconds) / TOKENS, 1)
    return a / b


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    threadpool_limits(args.threads)
    torch.set_num_threads(args.threads)
    best = {}
    for seq_len in LENGTHS:
        steps = steppers(seq_len)
        times = {name: [] for name in steps}
        for step in steps.values():  # warm-up
            step()
        for _ in range(args.repeats):
            for name, step in steps.items():
                start = time.perf_counter()
                step()
                times[name].append(time.perf_counter() - start)
        best[seq_len] = {name: min(t) for name, t in times.items()}
        print(seq_len, {name: f"{1e3 * t:.0f} ms" for name, t in best[seq_len].items()}, flush=True)
    names = list(best[LENGTHS[0]])
    splits = {T: flop_split(T) for T in LENGTHS}
    # per token: linear FLOPs (the same at every T) = 3 * 4 * n_layer * T * C (the T^2 term) at the crossover
    formula_crossover = splits[LENGTHS[0]][0] / TOKENS / (3 * 4 * N_LAYER * N_EMBD)
    lines = [f"GPT training step (forward, backward, AdamW), {N_LAYER} layers, {N_HEAD} heads, n_embd {N_EMBD}, "
             f"vocabulary {VOCAB}, {TOKENS} tokens per batch (batch = {TOKENS} / T), float32, {args.threads} "
             f"thread(s), best of {args.repeats} interleaved repeats",
             f"{'T':>5} {'batch':>5} {'GFLOP linear':>13} {'GFLOP T^2':>10} "
             + "".join(f"{name + ' ms':>26}" for name in names)]
    for T in LENGTHS:
        linear, quadratic = splits[T]
        lines.append(f"{T:5d} {TOKENS // T:5d} {linear / 1e9:13.3f} {quadratic / 1e9:10.3f} "
                     + "".join(f"{1e3 * best[T][name]:26.1f}" for name in names))
    measured = {name: crossover(LENGTHS, [best[T][name] for T in LENGTHS]) for name in names}
    lines.append(f"FLOP formula: the T^2 term equals the linear terms at T = {formula_crossover:.0f}")
    lines += [f"measured, {name}: time per token fits a + b T with a / b = {measured[name]:.0f}" for name in names]
    lines.append(f"time at T=1024 / time at T=64, same tokens: formula {sum(splits[1024]) / sum(splits[64]):.2f}, "
                 + ", ".join(f"{name} {best[1024][name] / best[64][name]:.2f}" for name in names))
    print("\n".join(lines))
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        report("GPT step, FLOP formula: sequence length where attention's T^2 term overtakes the rest (n_embd 128)",
               formula_crossover, "{:.0f}")
        for name in names:
            report(f"GPT step, measured crossover length ({name}, n_embd 128, {args.threads} thread)",
                   measured[name], "{:.0f}")
    lines += printed.getvalue().splitlines()
    (RESULTS / "seq_cost.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = {"tokens": TOKENS, "n_layer": N_LAYER, "n_head": N_HEAD, "n_embd": N_EMBD, "vocab_size": VOCAB,
            "threads": args.threads, "repeats": args.repeats, "lengths": list(LENGTHS),
            "flops_linear": [splits[T][0] for T in LENGTHS], "flops_quadratic": [splits[T][1] for T in LENGTHS],
            "seconds": {name: [best[T][name] for T in LENGTHS] for name in names}}
    (RESULTS / "seq_cost.json").write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
