"""The Keras text classifier of the article's §4.2 in NumPy, with its backward pass.

    Embedding(vocab_size, embedding_dim) -> LSTM(hidden_size) -> Dense(dense_size, ReLU) -> Dense(1)

The twin of bigmodels.nn.SentimentLSTM (same arguments and parameter names): one logit per text from
the LSTM's last hidden state. Token id 0 is padding; with post-padded texts pass `lengths`.
"""

import numpy as np

from ..validate import check_dtype, check_positive_int, check_token_ids
from .layers import Embedding, Linear, ReLU
from .module import Module
from .rnn import LSTM


class SentimentLSTM(Module):
    """forward(ids (B, T) int, lengths=None) -> logits (B,); backward(grad_logits) fills `grads`."""

    def __init__(self, vocab_size, embedding_dim=64, hidden_size=128, dense_size=64, *,
                 dtype=np.float64, rng=None):
        super().__init__()
        for name, size in (("vocab_size", vocab_size), ("embedding_dim", embedding_dim),
                           ("hidden_size", hidden_size), ("dense_size", dense_size)):
            check_positive_int(size, name)
        self.dtype = check_dtype(dtype)
        self.embedding = self.add_module(
            "embedding", Embedding(vocab_size, embedding_dim, padding_idx=0, dtype=dtype, rng=rng))
        self.lstm = self.add_module("lstm", LSTM(embedding_dim, hidden_size, batch_first=True, dtype=dtype, rng=rng))
        self.dense = self.add_module("dense", Linear(hidden_size, dense_size, dtype=dtype, rng=rng))
        self.relu = ReLU(dtype=dtype)
        self.out = self.add_module("out", Linear(dense_size, 1, dtype=dtype, rng=rng))

    def forward(self, ids, lengths=None):
        check_token_ids(ids)
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
        """The NumPy twin of a bigmodels.nn.SentimentLSTM, holding a copy of its weights."""
        twin = cls(model.embedding.num_embeddings, model.embedding.embedding_dim, model.lstm.hidden_size,
                   model.dense.out_features, dtype=dtype)
        twin.load_params({name: p.detach().cpu().numpy() for name, p in model.named_parameters()})
        return twin
