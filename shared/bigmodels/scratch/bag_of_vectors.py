"""The bag-of-vectors classifier of chapter 6.1–6.2 in NumPy, with its backward pass.

    h = mean of E[x_t] over the real tokens of a text (ids >= 3),   logit = w . (sqrt(dim) h) + b

The twin of bigmodels.word_vectors.BagOfVectors (same arguments and parameter names). Ids 0-2 are <pad>,
<unk> and <eos>: they are left out of the mean (a text with none of its own counts as the zero vector).
"""

import numpy as np

from ..validate import check_dtype, check_positive_int, check_token_ids
from .layers import Embedding, Linear
from .module import Module

SPECIAL_IDS = 3  # <pad>, <unk>, <eos>


class BagOfVectors(Module):
    """forward(ids (B, T) int) -> logits (B,); backward(grad_logits) fills `grads`."""

    def __init__(self, vocab_size, embedding_dim=100, *, dtype=np.float64, rng=None):
        super().__init__()
        check_positive_int(vocab_size, "vocab_size", minimum=SPECIAL_IDS + 1)
        check_positive_int(embedding_dim, "embedding_dim")
        self.dtype = check_dtype(dtype)
        self.embedding = self.add_module(
            "embedding", Embedding(vocab_size, embedding_dim, padding_idx=0, dtype=dtype, rng=rng))
        self.out = self.add_module("out", Linear(embedding_dim, 1, dtype=dtype, rng=rng))

    def forward(self, ids):
        check_token_ids(ids)
        real = (np.asarray(ids) >= SPECIAL_IDS)[..., None].astype(self.dtype)  # (B, T, 1)
        # d(sqrt(dim) h)/dE[x_t] for each position: sqrt(dim) / (real tokens), 0 for special ids
        self.weights = real * np.sqrt(self.embedding.embedding_dim) / np.maximum(real.sum(1, keepdims=True), 1)
        return self.out((self.embedding(ids) * self.weights).sum(1))[:, 0]

    def backward(self, grad_logits):
        """Back through the output layer and the mean into the rows of the embedding."""
        grad_features = self.out.backward(grad_logits[:, None])  # (B, dim)
        self.embedding.backward(grad_features[:, None, :] * self.weights)

    @classmethod
    def from_torch(cls, model, dtype=np.float64):
        """The NumPy twin of a bigmodels.word_vectors.BagOfVectors, holding a copy of its weights."""
        twin = cls(model.embedding.num_embeddings, model.embedding.embedding_dim, dtype=dtype)
        twin.load_params({name: p.detach().cpu().numpy() for name, p in model.named_parameters()})
        return twin
