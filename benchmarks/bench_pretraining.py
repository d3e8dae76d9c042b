"""What pretraining buys: word vectors and the §4.2 LSTM pretrained on unlabelled text, then fine-tuned.

    .venv/bin/python benchmarks/bench_pretraining.py --pretrain   # writes shared/checkpoints/*.pt
    .venv/bin/python benchmarks/bench_pretraining.py              # fine-tuning study -> benchmarks/results/

Each also takes --language english / chinese (two such processes use the two cores) and --model lstm /
vectors. Word vectors (PPMI + truncated SVD, bigmodels.word_vectors), four windows each with its linear
probe: about 45 s (English) and 130 s (Chinese) at one thread, bit-identical on rerun; their study
(BagOfVectors, the same selection protocol as below) about 3 (English) and 12 (Chinese) minutes. The LSTM's
measured run times:
pretraining about four minutes per language at one thread on a quiet 2-core machine (227 s and 217 s with
both languages in parallel; 1,480 s each under a load average of 10); the study, one process per language
under that load, 15 (English) and 20 (Chinese) minutes. The checkpoints' SHA-256 are in
bigmodels.pretraining.CHECKPOINTS: one thread and fixed seeds make the run deterministic on one machine
(reruns reproduced the committed weights bit for bit; the run time is printed, not stored, so the files
match byte for byte); another CPU or torch build may round differently and then writes a different file.

Pretraining (one thread, seeds fixed): English words / Chinese characters, Embedding(64) + LSTM(64) with a
tied output layer, Adam on random 32-token windows, first of all the unlabelled text, then of the labelled
split's training texts only (ULMFiT's second stage). No validation or test text is ever read.

Study: for 100, 1,000 and all labelled training snippets, the classifier (SentimentLSTM's layers with
ULMFiT's concat pooling) starts from the pretrained embedding + LSTM or from random weights. For each
(language, labels, start) the recipe (train all weights, or the dense layers only; all weights with all
labels) and the number of epochs are chosen once on the validation split with selection seed 0; then seeds
1-5 (subset of labelled snippets, initialisation, batch order) are trained with them and evaluated on the
test split.
"""

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch

from bigmodels import pretraining as pt
from bigmodels.data import load_chinese_reviews, load_rotten_tomatoes
from bigmodels.data.unlabelled import check_no_leak, unlabelled_chinese, unlabelled_english
from bigmodels.word_vectors import word_vectors

RESULTS = Path(__file__).resolve().parent / "results"
LANGUAGES = {
    # vocabulary size, maxlen for classification, steps on all text, steps on the task's training text
    "english": dict(load=load_rotten_tomatoes, unlabelled=unlabelled_english, kind="words", vocab=10000,
                    maxlen=32, general_steps=6000, task_steps=1000),
    "chinese": dict(load=load_chinese_reviews, unlabelled=unlabelled_chinese, kind="chars", vocab=5000,
                    maxlen=48, general_steps=6000, task_steps=1000),
}
# word vectors: tokens, vocabulary size, dimension, maxlen for classification. Chosen in trials on the
# validation split with a linear probe: English word pairs and 300 dimensions did no better, Chinese characters
# alone 3-4 points worse than characters with their pairs. The co-occurrence window is chosen from WINDOWS on
# the validation split by pretrain_vectors itself.
VECTORS = {"english": dict(kind="words", vocab=10000, dim=100, maxlen=64),
           "chinese": dict(kind="char pairs", vocab=20000, dim=100, maxlen=256)}
WINDOWS = (5, 10, 20, 40)
LABELS = (100, 1000, None)  # None = all training snippets
MAX_EPOCHS = {100: 30, 1000: 12, None: 5}
VECTOR_EPOCHS = {100: 40, 1000: 20, None: 8}
BATCH = {100: 16, 1000: 32, None: 64}
SEEDS = (1, 2, 3, 4, 5)


def pretrain_language(language, general_steps=None, task_steps=None):
    cfg = LANGUAGES[language]
    split = cfg["load"]()
    sources = cfg["unlabelled"](split)
    n_lines = check_no_leak(sources, split)
    lines = [line for text in sources.values() for line in text]
    vocab = pt.build_vocabulary(lines, cfg["kind"], cfg["vocab"])
    general = pt.token_stream(lines, vocab)
    task = pt.token_stream(split.X_train, vocab)
    held_out = pt.token_stream(split.X_val, vocab)
    print(f"{language}: {n_lines:,} lines, {len(general):,} tokens ({len(task):,} from the task's training "
          f"texts), vocabulary {len(vocab):,}", flush=True)
    for name, text in sources.items():
        print(f"  {name:<40}{len(text):>8,} lines")
    steps = (general_steps or cfg["general_steps"], task_steps or cfg["task_steps"])
    torch.manual_seed(0)
    model = pt.LSTMLanguageModel(len(vocab), 64)
    start = time.perf_counter()
    before = pt.lm_loss(model, held_out)
    losses = pt.pretrain(model, [(general, steps[0]), (task, steps[1])], seed=0)
    seconds = time.perf_counter() - start
    after = pt.lm_loss(model, held_out)
    meta = {"language": language, "lines": n_lines, "tokens": int(len(general)),
            "task_tokens": int(len(task)),
            "steps": list(steps), "batch_size": 64, "seq_len": 32, "seconds": round(seconds),
            "val_loss_before": round(before, 4), "val_loss_after": round(after, 4)}
    pt.CHECKPOINT_DIR.mkdir(exist_ok=True)
    path = pt.CHECKPOINT_DIR / pt.CHECKPOINTS[language][0]
    # the run time is printed, not stored: the file then holds only what the run computes, byte for byte
    stored = {key: value for key, value in meta.items() if key != "seconds"}
    digest = pt.save_pretrained(path, model, vocab, cfg["kind"], stored)
    print(f"{language}: validation-text loss {before:.3f} -> {after:.3f} nats "
          f"(uniform {math.log(len(vocab)):.3f}), "
          f"{seconds:.0f} s; last training losses {np.mean(losses[-100:]):.3f}")
    print(f"{path.name} {path.stat().st_size:,} bytes sha256 {digest}", flush=True)
    return meta, digest


def probe_accuracy(vectors, split, vocab, maxlen):
    """Validation accuracy of a linear probe (logistic regression on the mean vector of a text), averaged over
    100 and 1,000 labelled texts drawn with seeds 0-2, the regularisation C best of four for each."""
    from sklearn.linear_model import LogisticRegression

    def features(texts):
        ids = pt.encode_texts(vocab, texts, maxlen)[0].numpy()
        real = (ids >= 3)[..., None]
        return (vectors[ids] * real).sum(1) / np.maximum(real.sum(1), 1)

    train, val = features(split.X_train), features(split.X_val)
    accs = []
    for n in (100, 1000):
        for seed in (0, 1, 2):
            idx = pt.labelled_subset(len(split.y_train), n, seed)
            accs.append(max(LogisticRegression(C=C, max_iter=3000).fit(train[idx], split.y_train[idx])
                            .score(val, split.y_val) for C in (0.1, 1, 10, 100)))
    return float(np.mean(accs))


def pretrain_vectors(language):
    """Word vectors (PPMI + truncated SVD) of the same unlabelled text, for each window of WINDOWS; the one
    whose linear probe does best on the validation split is written to shared/checkpoints/."""
    cfg, vec = LANGUAGES[language], VECTORS[language]
    split = cfg["load"]()
    sources = cfg["unlabelled"](split)
    n_lines = check_no_leak(sources, split)
    lines = [line for text in sources.values() for line in text]
    vocab = pt.build_vocabulary(lines, vec["kind"], vec["vocab"])
    probes, best = {}, None
    for window in WINDOWS:
        start = time.perf_counter()
        vectors = word_vectors(lines, vocab, vec["dim"], window, seed=0)
        probes[window] = round(probe_accuracy(vectors, split, vocab, vec["maxlen"]), 4)
        print(f"{language}: window {window:>2}, linear probe on the validation split {probes[window]:.4f} "
              f"({time.perf_counter() - start:.0f} s)", flush=True)
        if best is None or probes[window] > probes[best[0]]:
            best = (window, vectors)
    window, vectors = best
    meta = {"language": language, "lines": n_lines, "tokens": int(sum(len(vocab.tokenize(x)) for x in lines)),
            "dim": vec["dim"], "window": window, "probe_by_window": {str(w): a for w, a in probes.items()}}
    path = pt.CHECKPOINT_DIR / pt.VECTOR_CHECKPOINTS[language][0]
    digest = pt.save_word_vectors(path, vectors, vocab, vec["kind"], meta)
    print(f"{language}: word vectors {vectors.shape}, window {window}, from {meta['tokens']:,} tokens "
          f"({vec['kind']})")
    print(f"{path.name} {path.stat().st_size:,} bytes sha256 {digest}", flush=True)
    return meta, digest


def study_vectors(language):
    """The word-vector study: BagOfVectors from the pretrained or random vectors, recipe and epochs chosen on
    the validation split with seed 0, then seeds 1-5 on the test split."""
    cfg, vec = LANGUAGES[language], VECTORS[language]
    split = cfg["load"]()
    vectors, vocab, meta = pt.load_word_vectors(language)
    train, val, test = ((pt.encode_texts(vocab, X, vec["maxlen"])[0], torch.from_numpy(y))
                        for X, y in (split.train, split.val, split.test))
    result = {"language": language, "pretraining": meta, "rows": []}

    def run(n, start, seed, epochs, recipe, probe_epochs=0, validate=False):
        return pt.vectors_experiment(vectors, train, test, n, start, seed, epochs, BATCH[n],
                                     val=val if validate else None, recipe=recipe, probe_epochs=probe_epochs)

    for n in LABELS:
        for start in ("pretrained", "random init"):
            t = time.perf_counter()
            curves = {recipe: run(n, start, 0, VECTOR_EPOCHS[n], recipe, validate=True)[1]
                      for recipe in ("output layer only", "all weights")}
            # the two-step recipe's first step: as many epochs as the output layer alone did best with
            probe_epochs = int(np.argmax(curves["output layer only"])) + 1
            two_steps = "output layer, then all weights"
            curves[two_steps] = run(n, start, 0, VECTOR_EPOCHS[n], two_steps, probe_epochs, validate=True)[1]
            recipe = max(curves, key=lambda r: max(curves[r]))  # the first of equals: dict order
            epochs = int(np.argmax(curves[recipe])) + 1
            probe_epochs = probe_epochs if recipe == two_steps else 0
            accs = [run(n, start, seed, epochs, recipe, probe_epochs)[0] for seed in SEEDS]
            row = {"labels": len(split.y_train) if n is None else n, "start": start, "recipe": recipe,
                   "epochs": epochs, "probe_epochs": probe_epochs,
                   "val_curves": {r: [round(a, 4) for a in c] for r, c in curves.items()},
                   "test": accs, "seconds": round(time.perf_counter() - t)}
            result["rows"].append(row)
            print(f"{language} {row['labels']:>6} labels, {start:<11}: {recipe}, {probe_epochs}+{epochs} epochs, test "
                  f"{np.mean(accs):.3f} +- {np.std(accs):.3f} ({row['seconds']} s)", flush=True)
    (RESULTS / f"word_vectors_{language}.json").write_text(json.dumps(result, indent=1))
    return result


def run_one(data, lm, n, start, seed, epochs, recipe, validate=False):
    """Fine-tune one classifier; returns (test accuracy, validation accuracy after each epoch)."""
    train, val, test = data
    return pt.experiment(lm, train, test, n, start, seed, epochs, batch_size=BATCH[n],
                         val=val if validate else None, recipe=recipe)


def tfidf_accuracy(split, kind, n, seed):
    """Chapter 4.2's TF-IDF (words and pairs) + logistic regression on the same labelled subset."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    idx = pt.labelled_subset(len(split.y_train), n, seed)
    texts = [split.X_train[i] for i in idx]
    tfidf = TfidfVectorizer(tokenizer=pt.TOKENIZERS[kind], token_pattern=None, lowercase=False,
                            ngram_range=(1, 2),
                            min_df=1 if n is not None and n < 1000 else 2, sublinear_tf=True)
    clf = LogisticRegression(C=4.0, max_iter=2000).fit(tfidf.fit_transform(texts), split.y_train[idx])
    return float(clf.score(tfidf.transform(split.X_test), split.y_test))


def study(language):
    cfg = LANGUAGES[language]
    split = cfg["load"]()
    lm, vocab, meta = pt.load_pretrained(language)
    data = tuple((*pt.encode_texts(vocab, X, cfg["maxlen"]), torch.from_numpy(y))
                 for X, y in (split.train, split.val, split.test))
    result = {"language": language, "pretraining": meta, "rows": []}
    for n in LABELS:
        for start in ("pretrained", "random init"):
            t = time.perf_counter()
            curves = {recipe: run_one(data, lm, n, start, 0, MAX_EPOCHS[n], recipe, validate=True)[1]
                      for recipe in (pt.RECIPES if n is not None else ["all weights"])}
            recipe = max(curves, key=lambda r: max(curves[r]))  # the first of equals: dict order
            epochs = int(np.argmax(curves[recipe])) + 1
            accs = [run_one(data, lm, n, start, seed, epochs, recipe)[0] for seed in SEEDS]
            row = {"labels": len(split.y_train) if n is None else n, "start": start, "recipe": recipe,
                   "epochs": epochs, "val_curves": {r: [round(a, 4) for a in c] for r, c in curves.items()},
                   "test": accs, "seconds": round(time.perf_counter() - t)}
            result["rows"].append(row)
            print(f"{language} {row['labels']:>6} labels, {start:<11}: {recipe}, {epochs:2d} epochs, test "
                  f"{np.mean(accs):.3f} +- {np.std(accs):.3f} ({row['seconds']} s)", flush=True)
        accs = [tfidf_accuracy(split, cfg["kind"], n, seed) for seed in SEEDS]
        labels = len(split.y_train) if n is None else n
        result["rows"].append({"labels": labels, "start": "TF-IDF", "test": accs})
    (RESULTS / f"pretraining_{language}.json").write_text(json.dumps(result, indent=1))
    return result


MODELS = {"lstm": ("LSTM LM", "pretraining_{}.json", "Pretrained LSTM"),
          "vectors": ("word vectors", "word_vectors_{}.json", "Pretrained word vectors")}


def summarize(results):
    """The study's table, the targets (met or NOT met) and [result] lines, as text.
    results: {(model, language): the JSON of study() or study_vectors()}; TF-IDF rows come with the LSTM's."""
    lines = [f"{'language':<9}{'labels':>7}  {'model':<14}{'start':<12}{'recipe':<32}{'epochs':>6}  "
             f"{'test accuracy, seeds 1-5':<30}{'gain':>13}"]
    verdicts, figures = [], []
    for (model, language), result in results.items():
        name, _, headline = MODELS[model]
        rows = {(r["labels"], r["start"]): r for r in result["rows"]}
        tfidf_rows = {(r["labels"], r["start"]): r for r in results.get(("lstm", language), result)["rows"]}
        for n in sorted({r["labels"] for r in result["rows"]}):
            pre, rnd = (np.array(rows[n, s]["test"]) for s in ("pretrained", "random init"))
            gains = 100 * (pre - rnd)  # paired: the same seed draws the same labelled snippets
            shown = [(start, rows[n, start]) for start in ("pretrained", "random init")]
            if model == "lstm":
                shown.append(("TF-IDF", rows[n, "TF-IDF"]))
            for start, row in shown:
                acc = np.array(row["test"])
                gain = f"{gains.mean():+.1f} ({gains.min():+.1f}..{gains.max():+.1f})" if start == "pretrained" else ""
                epochs = row.get("epochs", "")
                if row.get("probe_epochs"):
                    epochs = f"{row['probe_epochs']}+{epochs}"
                lines.append(f"{language:<9}{n:>7}  {name if start != 'TF-IDF' else '':<14}{start:<12}"
                             f"{row.get('recipe', ''):<32}{epochs:>6}  "
                             f"{acc.mean():.3f} +- {acc.std():.3f} ({acc.min():.3f}-{acc.max():.3f})     {gain}")
            label = "all" if n > 1000 else f"{n:,}"
            figures.append((f"{headline} minus random init, {language}, {label} labels (accuracy points)",
                            f"{gains.mean():+.1f} (5 seeds: {gains.min():+.1f} to {gains.max():+.1f})", "{}"))
            if n <= 1000:
                target = 5 if n == 100 else 3
                met = gains.mean() >= target and gains.min() > 0
                verdicts.append(f"{name}, {language}, {n} labels: gain {gains.mean():+.1f} points (every seed > 0: "
                                f"{bool(gains.min() > 0)}), target >= {target}: {'met' if met else 'NOT met'}")
            else:
                tfidf = np.mean(tfidf_rows[n, "TF-IDF"]["test"])  # chapter 4.2's baseline: 0.795 / 0.850
                met = pre.mean() >= tfidf
                verdicts.append(f"{name}, {language}, all labels: pretrained {pre.mean():.3f} vs TF-IDF "
                                f"{tfidf:.3f}: {'met' if met else 'NOT met'}")
                figures.append((f"{headline} fine-tuned on all labels, {language}: test accuracy", pre.mean(),
                                "{:.3f}"))
    meta = []
    for (model, language), r in results.items():
        m = r["pretraining"]
        if model == "lstm":
            meta.append(f"{language}, LSTM LM: pretrained {m['steps']} steps on {m['tokens']:,} tokens; "
                        f"validation-text loss {m['val_loss_before']} -> {m['val_loss_after']} nats")
        else:
            meta.append(f"{language}, word vectors: {m['dim']} dimensions from {m['tokens']:,} tokens, "
                        f"window {m['window']}")
    return "\n".join(lines + [""] + meta + [""] + verdicts + [""] +
                     [f"[result] {name} = {fmt.format(v)}" for name, v, fmt in figures])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pretrain", action="store_true", help="pretrain and write the checkpoints")
    parser.add_argument("--language", choices=list(LANGUAGES), nargs="*", default=list(LANGUAGES))
    parser.add_argument("--model", choices=list(MODELS), nargs="*", default=list(MODELS))
    parser.add_argument("--report", action="store_true",
                        help="only rebuild pretraining.txt from the JSON files")
    parser.add_argument("--general-steps", type=int, default=None, help="override (quick trials only)")
    parser.add_argument("--task-steps", type=int, default=None, help="override (quick trials only)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.pretrain:
        for language in args.language:
            if "vectors" in args.model:
                pretrain_vectors(language)
            if "lstm" in args.model:
                pretrain_language(language, args.general_steps, args.task_steps)
        return 0
    if not args.report:
        for language in args.language:
            if "lstm" in args.model:
                study(language)
            if "vectors" in args.model:
                study_vectors(language)
    results = {}
    for model, (_, filename, _) in MODELS.items():
        for language in LANGUAGES:
            path = RESULTS / filename.format(language)
            if path.exists():
                results[model, language] = json.loads(path.read_text())
    text = summarize(results)
    print(text)
    (RESULTS / "pretraining.txt").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
