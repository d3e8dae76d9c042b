"""The full scaling experiment of chapter 5 (15 to 30 minutes on 2 shared CPU cores).

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_scaling.py

1. Model size: the book's GPT (bigmodels.nn.GPT) on character-level Shakespeare at 6 sizes, 3 seeds
   each, every run with the same budget of 400 steps x 16 x 64 tokens; best validation loss.
2. Data size: the GPT with n_embd=32, n_layer=2 trained for 600 steps on the first D characters
   (D = 4k ... 512k; small D repeats its windows), 3 seeds each, best validation loss (early stopping).
   One seed's curve is too noisy for a three-parameter fit: the chapter fits the means, weighted by
   their standard errors.
3. Model size for the MLP on MNIST-5k (3 seeds), as in the chapter's live run.
Writes benchmarks/results/scaling.json (the points; the chapter fits the power laws).
"""

import json
import pathlib
import time

from bigmodels.data.corpora import load_shakespeare, train_val_text
from bigmodels.data.datasets import load_mnist5k
from bigmodels.nn.gpt import GPTConfig
from bigmodels.notebook import setup
from bigmodels.results import report
from bigmodels.scale.scaling import train_for_scaling, train_gpt_for_scaling
from bigmodels.data.lm import encode_chars

OUT = pathlib.Path(__file__).resolve().parent / "results" / "scaling.json"
BLOCK, BATCH = 64, 16
GPT_SIZES = [(16, 1), (32, 1), (32, 2), (64, 2), (96, 3), (128, 4)]  # (n_embd, n_layer), 4 heads
MODEL_STEPS, DATA_STEPS, DATA_SIZE = 400, 600, (32, 2)
DATA_CHARS = [2**k for k in range(12, 20)]
MLP_WIDTHS, MLP_SEEDS, MLP_STEPS = [2, 4, 8, 16, 32, 64, 128, 256], [0, 1, 2], 1000
GPT_SEEDS = [0, 1, 2]


def config(n_embd, n_layer, vocab_size):
    return GPTConfig(block_size=BLOCK, vocab_size=vocab_size, n_layer=n_layer, n_head=4, n_embd=n_embd, dropout=0.0)


def main():
    setup(threads=1)
    train_text, val_text = train_val_text(load_shakespeare())
    ids, chars = encode_chars(train_text + val_text)
    vocab_size = len(chars)
    train_ids, val_ids = ids[:len(train_text)], ids[len(train_text):]
    results = {"settings": {"block_size": BLOCK, "batch_size": BATCH, "model_steps": MODEL_STEPS,
                            "data_steps": DATA_STEPS, "data_model": DATA_SIZE, "mlp_steps": MLP_STEPS,
                            "vocab_size": vocab_size}}
    start = time.perf_counter()
    results["gpt_model"] = []
    for (n_embd, n_layer), seed in ((size, seed) for size in GPT_SIZES for seed in GPT_SEEDS):
        run = train_gpt_for_scaling(train_ids, val_ids, config(n_embd, n_layer, vocab_size), MODEL_STEPS, BATCH,
                                    seed=seed)
        results["gpt_model"].append({"n_embd": n_embd, "n_layer": n_layer, "seed": seed, **run})
        print(results["gpt_model"][-1], f"{time.perf_counter() - start:.0f} s", flush=True)
    results["gpt_data"] = []
    for n_chars, seed in ((n, seed) for n in DATA_CHARS for seed in GPT_SEEDS):
        run = train_gpt_for_scaling(train_ids[:n_chars], val_ids, config(*DATA_SIZE, vocab_size), DATA_STEPS, BATCH,
                                    seed=seed)
        results["gpt_data"].append({"seed": seed, **run})
        print(results["gpt_data"][-1], f"{time.perf_counter() - start:.0f} s", flush=True)
    split = load_mnist5k()
    results["mlp_model"] = [{"hidden": h, "seed": s, **train_for_scaling(split, h, steps=MLP_STEPS, seed=s)}
                            for h in MLP_WIDTHS for s in MLP_SEEDS]
    results["seconds"] = round(time.perf_counter() - start)
    OUT.write_text(json.dumps(results, indent=1) + "\n")
    report("GPT scaling runs (model size)", len(GPT_SIZES) * len(GPT_SEEDS))
    report("scaling experiment time", results["seconds"], "{} s")


if __name__ == "__main__":
    main()
