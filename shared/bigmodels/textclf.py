"""The Keras text classifier of the article's §4.2, in PyTorch (bigmodels.nn layers) and in NumPy.

    Embedding(vocab_size, embedding_dim) -> LSTM(hidden_size) -> Dense(dense_size, ReLU) -> Dense(1)

Keras's LSTM layer returns the last hidden state; the final Dense(1, sigmoid) becomes a Linear
giving one logit per text, trained with BCEWithLogitsLoss (sigmoid + binary cross-entropy in one
numerically stable step). Token id 0 is padding. With Keras's default pre-padding the real tokens
come last, so the last hidden state has read the whole text; with post-padding pass `lengths`.
"""

import numpy as np
import torch

from . import nn as bnn
from . import scratch
from .checks import check_positive_int, describe


def _check_sizes(vocab_size, embedding_dim, hidden_size, dense_size):
    for name, value in (("vocab_size", vocab_size), ("embedding_dim", embedding_dim), ("hidden_size", hidden_size),
                        ("dense_size", dense_size)):
        check_positive_int(value, name)


def _check_ids(ids):
    """ids: a (B, T) integer array or tensor of token ids, B and T >= 1."""
    kind = str(getattr(ids, "dtype", ""))
    if len(getattr(ids, "shape", ())) != 2 or "int" not in kind or 0 in ids.shape:
        raise ValueError(f"ids: expected a (batch, time) integer array of token ids, got {describe(ids)}")


class SentimentLSTM(torch.nn.Module):
    """forward(ids (B, T) int64, lengths=None) -> logits (B,)."""

    def __init__(self, vocab_size, embedding_dim=64, hidden_size=128, dense_size=64):
        super().__init__()
        _check_sizes(vocab_size, embedding_dim, hidden_size, dense_size)
        self.embedding = bnn.Embedding(vocab_size, embedding_dim, padding_idx=0)
        self.lstm = bnn.LSTM(embedding_dim, hidden_size, batch_first=True)
        self.dense = bnn.Linear(hidden_size, dense_size)
        self.out = bnn.Linear(dense_size, 1)

    def forward(self, ids, lengths=None):
        _check_ids(ids)
        _, (h_n, _) = self.lstm(self.embedding(ids), lengths=lengths)
        return self.out(torch.relu(self.dense(h_n[-1])))[:, 0]


class ScratchSentimentLSTM(scratch.Module):
    """The same network in NumPy (same parameter names); backward(grad_logits) fills `grads`."""

    def __init__(self, vocab_size, embedding_dim=64, hidden_size=128, dense_size=64, *,
                 dtype=np.float64, rng=None):
        super().__init__()
        _check_sizes(vocab_size, embedding_dim, hidden_size, dense_size)
        self.dtype = np.dtype(dtype)
        self.embedding = self.add_module(
            "embedding", scratch.Embedding(vocab_size, embedding_dim, padding_idx=0, dtype=dtype, rng=rng))
        self.lstm = self.add_module(
            "lstm", scratch.LSTM(embedding_dim, hidden_size, batch_first=True, dtype=dtype, rng=rng))
        self.dense = self.add_module("dense", scratch.Linear(hidden_size, dense_size, dtype=dtype, rng=rng))
        self.relu = scratch.ReLU(dtype=dtype)
        self.out = self.add_module("out", scratch.Linear(dense_size, 1, dtype=dtype, rng=rng))

    def forward(self, ids, lengths=None):
        _check_ids(ids)
        out, (h_n, _) = self.lstm(self.embedding(ids), lengths=lengths)
        self.lstm_out_shape = out.shape
        return self.out(self.relu(self.dense(h_n[-1])))[:, 0]

    def backward(self, grad_logits):
        """Back through the head into the LSTM's final state; token ids get no gradient."""
        grad_h = self.dense.backward(self.relu.backward(self.out.backward(grad_logits[:, None])))
        grad_h_n = np.zeros((1, *grad_h.shape), dtype=self.dtype)
        grad_h_n[0] = grad_h
        grad_x = self.lstm.backward(np.zeros(self.lstm_out_shape, dtype=self.dtype), grad_h_n)
        self.embedding.backward(grad_x)

    @classmethod
    def from_torch(cls, model, dtype=np.float64):
        """The NumPy twin of a SentimentLSTM, holding a copy of its weights."""
        twin = cls(model.embedding.num_embeddings, model.embedding.embedding_dim, model.lstm.hidden_size,
                   model.dense.out_features, dtype=dtype)
        twin.load_params({name: p.detach().cpu().numpy() for name, p in model.named_parameters()})
        return twin
