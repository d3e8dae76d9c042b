"""Spoken words from synthetic speech: held-out voices of the same engine vs the other engine.

    .venv/bin/python benchmarks/bench_speech.py [--seeds 0 1 2 3 4 5] [--threads 1] > benchmarks/results/speech.txt

Needs both synthesizers (`make data` fetches espeak-ng and flite from Debian without root); the
corpus is synthesized on first use and cached. Trains the chapter's SpeechLSTM (bigmodels.speech,
same recipe as chapter 6.3) with several seeds:

- espeak-ng training voices -> espeak-ng held-out voices (variants never heard) and all flite voices;
- all flite voices -> all espeak-ng voices (the other direction);
- flite leave-one-voice-out: four flite voices -> the fifth, alone and with espeak-ng's training
  voices added (does a second engine in training help on an unheard voice?).

Accuracies are over every test clip clean, at 20 dB and at 10 dB SNR; by SNR in a second table.
"""

import argparse
import time

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from bigmodels import speech as S
from bigmodels.results import report


def accuracy(model, corpus, snrs=S.TEST_SNRS):
    y, pred = S.predict_words(model, corpus, snrs)
    return float(np.mean(y == pred))


def merge(a, b):
    """Clips of two corpora in one (engine names joined)."""
    fields = ("waves", "lengths", "word", "voice", "speed", "pitch")
    arrays = (np.concatenate([getattr(a, f), getattr(b, f)]) for f in fields)
    return S.Corpus(f"{a.engine}+{b.engine}", *arrays, planned=a.planned + b.planned)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4, 5])
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    threadpool_limits(args.threads)
    torch.set_num_threads(args.threads)
    start = time.time()

    espeak, flite = S.load_corpus("espeak-ng"), S.load_corpus("flite")
    train, held = S.split_voices(espeak)
    print(f"# {len(S.WORDS)} words; SpeechLSTM(hidden 64), 12 epochs; training copies at SNR {S.TRAIN_SNRS} "
          "(None: clean, (a, b): drawn per clip in a..b dB)")
    for corpus in (espeak, flite):
        print(f"{corpus.engine:10s} {len(corpus):5d} clips ({corpus.planned} planned; identical clips kept "
              f"once), {len(set(corpus.voice))} voices")
    print(f"espeak-ng split: training {len(train)} clips ({len(set(train.voice))} voices), "
          f"held-out {len(held)} clips ({len(set(held.voice))} voices, "
          f"variants {', '.join(S.HELD_OUT_VARIANTS)})")

    rows, by_snr = [], []
    for seed in args.seeds:
        model = S.train_on(train, seed=seed)
        same, cross = accuracy(model, held), accuracy(model, flite)
        back = accuracy(S.train_on(flite, seed=seed), espeak)
        rows.append((same, cross, back))
        by_snr.append([(accuracy(model, held, (snr,)), accuracy(model, flite, (snr,)))
                       for snr in S.TEST_SNRS])
        print(f"seed {seed}: espeak-ng held-out voices {same:.3f}, espeak-ng -> flite {cross:.3f}, "
              f"flite -> espeak-ng {back:.3f}  ({time.time() - start:.0f} s)", flush=True)
    rows, by_snr = np.array(rows), np.array(by_snr)

    print("\n# Accuracy by test SNR (mean over seeds; model trained on espeak-ng training voices)")
    print(f"{'SNR':>6s} {'espeak-ng held-out':>20s} {'flite':>8s}")
    for snr, (same, cross) in zip(S.TEST_SNRS, by_snr.mean(axis=0)):
        print(f"{'clean' if snr is None else f'{snr} dB':>6s} {same:20.3f} {cross:8.3f}")

    print("\n# flite leave-one-voice-out (seed 0): trained on the other four flite voices, "
          "alone / with espeak-ng's training voices")
    print(f"{'held-out voice':>14s} {'flite only':>11s} {'+ espeak-ng':>12s}")
    lovo = []
    for voice in S.FLITE_VOICES:
        rest, one = flite.subset(flite.voice != voice), flite.subset(flite.voice == voice)
        alone = accuracy(S.train_on(rest), one)
        both = accuracy(S.train_on(merge(rest, train)), one)
        lovo.append((alone, both))
        print(f"{voice:>14s} {alone:11.3f} {both:12.3f}", flush=True)
    lovo = np.array(lovo)
    print(f"{'mean':>14s} {lovo[:, 0].mean():11.3f} {lovo[:, 1].mean():12.3f}")

    print(f"\n# Over seeds {args.seeds}: mean, and max - min")
    names = ("Speech: espeak-ng held-out voices accuracy",
             "Speech: espeak-ng -> flite (cross-engine) accuracy",
             "Speech: flite -> espeak-ng (cross-engine) accuracy")
    for name, column in zip(names, rows.T):
        print(f"{name}: mean {column.mean():.3f}, spread {column.max() - column.min():.3f}")
        report(name, column.mean(), "{:.2f}")
    report("Speech: flite leave-one-voice-out accuracy (mean of 5 voices)", lovo[:, 0].mean(), "{:.2f}")
    report("Speech: flite leave-one-voice-out with espeak-ng voices added", lovo[:, 1].mean(), "{:.2f}")
    print(f"# total {time.time() - start:.0f} s")


if __name__ == "__main__":
    main()
