"""Train the German -> English Transformer of chapter 6.3 and score it against the dictionary baseline.

    .venv/bin/python benchmarks/bench_translation.py [--steps 2500] [--threads 1] \
        | tee benchmarks/results/translation.txt
    .venv/bin/python benchmarks/bench_translation.py --evaluate-only   # score the saved checkpoint

Data: the Ding dictionary's sentence pairs (bigmodels.data.load_translation_pairs: split 80/10/10 by
German sentence), both sides <= 12 words. Each batch also carries a share (--dict-share) of the
dictionary's single-word entries (German word -> first English translation), the same entries the
word-by-word baseline uses. BPE merges and the vocabulary are learned from the training sentences only.
Writes shared/checkpoints/translation_de_en.pt (float16 weights, merges, vocabulary, sha256) and prints
chrF/BLEU on the whole test set for greedy decoding, beam search (4) and the baseline as [result] lines.
"""

import argparse
import math
import random
import time

import torch
from threadpoolctl import threadpool_limits

from bigmodels import translation as T
from bigmodels.data import load_translation_pairs
from bigmodels.nn.seq2seq import Seq2SeqTransformer
from bigmodels.results import report


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=2500)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--d-model", type=int, default=128)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--ff", type=int, default=512)
    parser.add_argument("--dropout", type=float, default=0.1)
    parser.add_argument("--merges", type=int, default=4000)
    parser.add_argument("--dict-share", type=float, default=0.25,
                        help="fraction of each batch taken from the dictionary's word entries")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--eval-every", type=int, default=500)
    parser.add_argument("--out", default=str(T.CHECKPOINT))
    parser.add_argument("--evaluate-only", action="store_true", help="score the checkpoint at --out")
    args = parser.parse_args()
    threadpool_limits(args.threads)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)

    pairs = load_translation_pairs()
    train = T.short_pairs(pairs.X_train, pairs.y_train)
    val = T.short_pairs(pairs.X_val, pairs.y_val)
    test = T.short_pairs(pairs.X_test, pairs.y_test)
    assert not set(test[0]) & set(train[0]) and not set(val[0]) & set(train[0]), "split by German sentence"
    dictionary = T.Dictionary.load()
    words = sorted(dictionary.entries.items())
    print(f"pairs <= 12 words: train {len(train[0])}, val {len(val[0])}, test {len(test[0])}; "
          f"dictionary words {len(words)}")

    if args.evaluate_only:
        model, bpe, vocab, meta = T.load_translator(args.out)
        print(f"loaded {args.out}: {meta}")
        return evaluate(model, vocab, dictionary, test)

    start = time.perf_counter()
    bpe = T.BPE.learn(train[0] + train[1], args.merges)
    vocab = T.build_vocabulary(bpe, train[0] + train[1])
    seconds = time.perf_counter() - start
    print(f"BPE: {len(bpe.merges)} merges, vocabulary {len(vocab)} units ({seconds:.0f} s)")

    config = dict(d_model=args.d_model, nhead=args.heads, num_encoder_layers=args.layers,
                  num_decoder_layers=args.layers, dim_feedforward=args.ff, dropout=args.dropout, max_len=64,
                  norm_first=True)
    model = Seq2SeqTransformer(len(vocab), len(vocab), **config)
    print(f"model: {sum(p.numel() for p in model.parameters()):,} parameters, {config}")
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.98), weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min((s + 1) / args.warmup, 0.5 * (
        1 + math.cos(math.pi * min(1.0, (s - args.warmup) / max(1, args.steps - args.warmup))))))

    n_dict = round(args.batch * args.dict_share)
    start, running = time.perf_counter(), []
    val_subset = (val[0][:300], val[1][:300])
    # written out: sentence pairs are tokenized and batched per step (translation_loss), with dictionary
    # entries mixed in; neither of the book's trainers takes text
    for step in range(1, args.steps + 1):
        model.train()
        rows = rng.sample(range(len(train[0])), args.batch - n_dict)
        src, tgt = [train[0][i] for i in rows], [train[1][i] for i in rows]
        for de, en in rng.sample(words, n_dict):
            src.append(de)
            tgt.append(en)
        loss = T.translation_loss(model, vocab, src, tgt, label_smoothing=0.1)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        running.append(loss.item())
        if step % 100 == 0:
            print(f"step {step:5d}  loss {sum(running) / len(running):.3f}  "
                  f"{time.perf_counter() - start:6.0f} s", flush=True)
            running = []
        if step % args.eval_every == 0 or step == args.steps:
            model.eval()
            chrf = T.score(T.greedy_decode(model, vocab, val_subset[0]), val_subset[1])["chrF"]
            print(f"step {step:5d}  validation chrF (300 sentences, greedy) {chrf:.1f}", flush=True)
    train_seconds = time.perf_counter() - start

    T.fp16_roundtrip(model.eval())  # score exactly what the checkpoint holds
    meta = {"steps": args.steps, "batch": args.batch, "dict_share": args.dict_share, "seed": args.seed,
            "train_seconds": round(train_seconds), "threads": args.threads}
    T.save_translator(args.out, model, config, bpe, vocab, meta)
    print(f"trained {args.steps} steps in {train_seconds:.0f} s; wrote {args.out}")
    evaluate(model, vocab, dictionary, test)


def evaluate(model, vocab, dictionary, test):
    """chrF and BLEU on the whole test set: greedy, beam search (4), dictionary baseline."""
    start = time.perf_counter()
    outputs = {"greedy": T.greedy_decode(model, vocab, test[0]),
               "beam 4": T.beam_search(model, vocab, test[0], beam=4),
               "dictionary baseline": T.dictionary_translate(dictionary, test[0])}
    print(f"\ntest set: {len(test[0])} sentence pairs (<= 12 words)")
    print(f"{'system':<22}{'chrF':>8}{'BLEU':>8}")
    scores = {name: T.score(out, test[1]) for name, out in outputs.items()}
    for name, s in scores.items():
        print(f"{name:<22}{s['chrF']:8.1f}{s['BLEU']:8.1f}")
    for name, s in scores.items():
        for metric in ("chrF", "BLEU"):
            report(f"translation {metric}, {name} (de-en test, benchmark)", s[metric], "{:.1f}")
    print(f"(decoding took {time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
