"""An LSTM language model with a tied output layer in NumPy (twin of pretraining.LSTMLanguageModel).

    h = LSTM(E[ids]),   logits = h E^T + b

E (vocab_size, d) is both the embedding and the output matrix, so its gradient has two parts:
dE = (lookup rows of dh_input) + dlogits^T h, and dh = dlogits E. The <pad> row (id 0) gets neither: the
lookup skips it (padding_idx) and the output matrix uses a zero row in its place, as the torch twin does.
"""

import numpy as np

from ..validate import check_grad, check_positive_int
from .layers import Embedding
from .module import Module, default_rng
from .rnn import LSTM


class LSTMLanguageModel(Module):
    """forward(ids (B, T) int) -> logits (B, T, vocab_size); backward(grad_logits) fills `grads`."""

    def __init__(self, vocab_size, embedding_dim=64, *, dtype=np.float64, rng=None):
        super().__init__()
        check_positive_int(vocab_size, "vocab_size", minimum=3)
        check_positive_int(embedding_dim, "embedding_dim")
        rng = default_rng(rng)
        self.dtype = np.dtype(dtype)
        self.embedding = self.add_module(
            "embedding", Embedding(vocab_size, embedding_dim, padding_idx=0, dtype=dtype, rng=rng))
        self.lstm = self.add_module(
            "lstm", LSTM(embedding_dim, embedding_dim, batch_first=True, dtype=dtype, rng=rng))
        self.decoder_bias = self.add_param("decoder_bias", np.zeros(vocab_size, dtype=dtype))

    def forward(self, ids):
        if not isinstance(ids, np.ndarray) or ids.ndim != 2:
            raise ValueError(f"ids: expected a (batch, time) integer array, got {type(ids).__name__} "
                             f"of shape {getattr(ids, 'shape', None)}")
        self.h, _ = self.lstm(self.embedding(ids))
        return self.h @ self.output_matrix().T + self.decoder_bias

    def output_matrix(self):
        """E with a zero <pad> row (id 0 is never a target)."""
        output = self.embedding.weight.copy()
        output[0] = 0
        return output

    def backward(self, grad_logits):
        """Back through the tied output layer, the LSTM and the lookup; token ids get no gradient."""
        check_grad(grad_logits, self.h.shape[:2] + self.decoder_bias.shape, "grad_logits")
        E = self.output_matrix()
        grad_h = grad_logits @ E
        self.embedding.backward(self.lstm.backward(grad_h))  # zeroes the <pad> row of the lookup part only
        flat = grad_logits.reshape(-1, E.shape[0])
        output_grad = flat.T @ self.h.reshape(-1, E.shape[1])
        output_grad[0] = 0  # the <pad> row of the output matrix is the constant 0
        self.embedding.grads["weight"] += output_grad
        self._grads["decoder_bias"] += flat.sum(axis=0)

    @classmethod
    def from_torch(cls, model, dtype=np.float64):
        """The NumPy twin of a bigmodels.pretraining.LSTMLanguageModel, holding a copy of its weights."""
        vocab_size, dim = model.embedding.weight.shape
        twin = cls(vocab_size, dim, dtype=dtype)
        twin.load_params({name: p.detach().cpu().numpy() for name, p in model.named_parameters()})
        return twin
