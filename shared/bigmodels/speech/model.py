"""The spoken-word experiment (bigmodels.speech): train the classifier, split voices, score words.

The classifier is the book's LSTM over the log-mel frames, averaged over time and mapped to one
logit per word (bigmodels.nn.SpeechLSTM; its NumPy twin is bigmodels.scratch.SpeechLSTM):
logits = W (1/T sum_t h_t) + b.
"""

import numpy as np
import torch

from ..nn.speech import SpeechLSTM
from ..validate import check_labels, check_positive_int, describe
from .features import noisy_set
from .synth import HELD_OUT_VARIANTS, WORDS, Corpus


def train_classifier(X, y, epochs=12, hidden_size=64, lr=3e-3, batch_size=64, seed=0, verbose=False):
    """A SpeechLSTM trained with Adam on (X, y); returns (model, history)."""
    from ..training import fit

    torch.manual_seed(seed)
    model = SpeechLSTM(X.shape[-1], hidden_size, len(WORDS))
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = fit(model, torch.nn.CrossEntropyLoss(), optimizer, X, y, epochs=epochs, batch_size=batch_size,
                  seed=seed, verbose=verbose)
    return model, history


def confusion_matrix(y_true, y_pred, n_classes=len(WORDS)):
    """counts[i, j] = number of examples of class i predicted as j."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ValueError(f"y_true, y_pred: expected two 1-D label arrays of one length, got "
                         f"{describe(y_true)} and {describe(y_pred)}")
    check_positive_int(n_classes, "n_classes")
    check_labels(y_true, "y_true", n_classes)
    check_labels(y_pred, "y_pred", n_classes)
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


# -- the experiment ---------------------------------------------------------------------------
TRAIN_SNRS = (None, (5, 30))  # training copies: clean, and noisy at an SNR drawn in 5..30 dB per clip
TEST_SNRS = (None, 20, 10)  # every test clip clean, at 20 dB and at 10 dB


def split_voices(corpus, held_out=HELD_OUT_VARIANTS):
    """(training clips, held-out clips) of an espeak-ng corpus: voices whose variant is in held_out
    (all accents) are held out."""
    if not isinstance(corpus, Corpus):
        raise TypeError(f"corpus: expected a Corpus from load_corpus(), got {describe(corpus)}")
    variant = np.array([voice.partition("+")[2] for voice in corpus.voice])
    held = np.isin(variant, held_out)
    if not held.any() or held.all():
        raise ValueError(f"held_out: expected variants that split the voices, got {held_out!r}")
    return corpus.subset(~held), corpus.subset(held)


def predict_words(model, corpus, snrs=TEST_SNRS, seed=1000):
    """(true labels, predicted labels) of every clip of corpus at every SNR in snrs."""
    from ..training import predict

    X, y = noisy_set(corpus, snrs, seed)
    return y, predict(model, X).argmax(axis=1)


def train_on(corpus, snrs=TRAIN_SNRS, epochs=12, seed=0, verbose=False):
    """A SpeechLSTM trained on the clips of corpus, each clean and noisy (snrs); returns the model."""
    X, y = noisy_set(corpus, snrs, seed)
    return train_classifier(X, y, epochs=epochs, seed=seed, verbose=verbose)[0]
