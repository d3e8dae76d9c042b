"""The Keras text classifier of the article's §4.2, written with bigmodels.nn layers.

    Embedding(vocab_size, embedding_dim) -> LSTM(hidden_size) -> Dense(dense_size, ReLU) -> Dense(1)

Keras's LSTM layer returns the last hidden state; the final Dense(1, sigmoid) becomes a Linear
giving one logit per text, trained with BCEWithLogitsLoss (sigmoid + binary cross-entropy in one
numerically stable step). Token id 0 is padding. With Keras's default pre-padding the real tokens
come last, so the last hidden state has read the whole text; with post-padding pass `lengths`.
"""

import torch

from ..validate import check_positive_int, check_token_ids
from .layers import Embedding, Linear
from .rnn import LSTM


class SentimentLSTM(torch.nn.Module):
    """forward(ids (B, T) int64, lengths=None) -> logits (B,)."""

    def __init__(self, vocab_size, embedding_dim=64, hidden_size=128, dense_size=64):
        super().__init__()
        for name, size in (("vocab_size", vocab_size), ("embedding_dim", embedding_dim),
                           ("hidden_size", hidden_size), ("dense_size", dense_size)):
            check_positive_int(size, name)
        self.embedding = Embedding(vocab_size, embedding_dim, padding_idx=0)
        self.lstm = LSTM(embedding_dim, hidden_size, batch_first=True)
        self.dense = Linear(hidden_size, dense_size)
        self.out = Linear(dense_size, 1)

    def forward(self, ids, lengths=None):
        check_token_ids(ids)
        _, (h_n, _) = self.lstm(self.embedding(ids), lengths=lengths)
        return self.out(torch.relu(self.dense(h_n[-1])))[:, 0]
