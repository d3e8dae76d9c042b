"""Word vectors from counts, and the bag-of-vectors classifier that reads them (chapter 6.1–6.2).

Word vectors (Levy & Goldberg 2014: word2vec's skip-gram factorises a shifted PMI matrix; counted and
factorised directly they do as well on small corpora, and the result does not depend on a sampling order):

    n(w, c)   = sum over the occurrences of c within `window` tokens of w of 1 / distance
    PPMI(w,c) = max(0, log n(w, c) n / (n(w) n_0.75(c))),   n_0.75(c) = n * n(c)^0.75 / sum_c' n(c')^0.75
    PPMI ~= U S V^T (truncated SVD, k = dim),   vectors = rows of U S^(1/2), scaled to unit length

Bag-of-vectors classifier (the neural bag of words; Kim 2014's CNN reads the same kind of vectors):

    h = mean of E[x_t] over the real tokens of a text,   logit = w . (sqrt(dim) h) + b

`<pad>`, `<unk>` and `<eos>` (ids 0-2) have zero vectors and are not counted in the mean.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp
import torch

from .validate import check_positive_int, describe

SPECIAL_IDS = 3  # <pad>, <unk>, <eos> of bigmodels.pretraining.build_vocabulary


def cooccurrence_counts(lines, vocab, window=5, chunk_tokens=2_000_000):
    """n(w, c) of the module doc as a sparse (V, V) matrix: each pair of tokens of a line at distance
    d <= window counts 1/d, in both directions; pairs with a special id (<pad>, <unk>, <eos>) are left out.
    Lines are counted in chunks of about chunk_tokens tokens, so memory grows with the distinct pairs only."""
    window = check_positive_int(window, "window")
    size = len(vocab)
    counts = sp.csr_matrix((size, size))
    rows, cols, weights, pending = [], [], [], 0

    def add_pending():
        pairs = sp.coo_matrix((np.concatenate(weights), (np.concatenate(rows), np.concatenate(cols))),
                              shape=(size, size))
        rows.clear(), cols.clear(), weights.clear()
        return counts + pairs.tocsr()  # tocsr sums repeated (w, c) entries

    for line in lines:
        ids = np.asarray(vocab.encode(line), dtype=np.int64)
        for d in range(1, min(window, len(ids) - 1) + 1):
            left, right = ids[:-d], ids[d:]
            kept = (left >= SPECIAL_IDS) & (right >= SPECIAL_IDS)
            rows += [left[kept], right[kept]]
            cols += [right[kept], left[kept]]
            weights += [np.full(2 * int(kept.sum()), 1.0 / d)]
        pending += len(ids)
        if pending >= chunk_tokens and rows:
            counts, pending = add_pending(), 0
    if rows:
        counts = add_pending()
    if counts.nnz == 0:
        raise ValueError("lines: expected text with at least two known tokens on a line, got none")
    return counts


def ppmi(counts, alpha=0.75):
    """Positive pointwise mutual information of a sparse co-occurrence matrix, context counts ** alpha."""
    if not sp.issparse(counts) or counts.shape[0] != counts.shape[1]:
        raise ValueError(f"counts: expected a square scipy sparse matrix, got {describe(counts)}")
    counts = counts.tocoo()
    total = counts.sum()
    word = np.asarray(counts.sum(axis=1)).ravel()
    context = np.asarray(counts.sum(axis=0)).ravel() ** alpha
    context *= total / context.sum()
    pmi = np.log(counts.data * total / (word[counts.row] * context[counts.col]))
    kept = pmi > 0
    return sp.csr_matrix((pmi[kept], (counts.row[kept], counts.col[kept])), shape=counts.shape)


def svd_vectors(matrix, dim, seed=0, oversample=10, power_iterations=4):
    """Rows of U_k S_k^(1/2) of a truncated SVD, by the randomized range finder of Halko et al. (2011):
    Q spans matrix @ G (G Gaussian, k + oversample columns at most, power iterations for accuracy); then the
    SVD of the small Q^T matrix. Rows scaled to unit length (zero rows stay zero)."""
    dim = check_positive_int(dim, "dim")
    if dim > min(matrix.shape):
        raise ValueError(f"dim: expected at most {min(matrix.shape)} for a {matrix.shape} matrix, got {dim}")
    columns = min(dim + oversample, min(matrix.shape))
    gaussian = np.random.default_rng(seed).standard_normal((matrix.shape[1], columns))
    q, _ = np.linalg.qr(matrix @ gaussian)
    for _ in range(power_iterations):
        q, _ = np.linalg.qr(matrix.T @ q)
        q, _ = np.linalg.qr(matrix @ q)
    u_small, s, _ = np.linalg.svd((matrix.T @ q).T, full_matrices=False)
    vectors = (q @ u_small[:, :dim]) * np.sqrt(s[:dim])
    vectors *= np.sign(vectors.sum(axis=0) + (vectors.sum(axis=0) == 0))  # a fixed sign per column
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


def word_vectors(lines, vocab, dim=100, window=5, seed=0):
    """PPMI + truncated SVD vectors (V, dim), float32, unit rows; rows of the special ids are zero."""
    vectors = svd_vectors(ppmi(cooccurrence_counts(lines, vocab, window)), dim, seed)
    vectors[:SPECIAL_IDS] = 0.0
    return vectors.astype(np.float32)


def random_vectors(vocab_size, dim, generator=None):
    """The random start of the comparison: Gaussian rows scaled to unit length, the special ids' rows zero."""
    vectors = torch.randn(check_positive_int(vocab_size, "vocab_size", minimum=SPECIAL_IDS + 1),
                          check_positive_int(dim, "dim"), generator=generator)
    vectors /= vectors.norm(dim=1, keepdim=True)
    vectors[:SPECIAL_IDS] = 0.0
    return vectors


class BagOfVectors(torch.nn.Module):
    """forward(ids (B, T)) -> logits (B,): the mean of the vectors of the real tokens
    (id >= 3), times sqrt(dim) so that unit vectors give features of unit scale, then Linear(dim, 1)."""

    def __init__(self, vocab_size, embedding_dim=100):
        super().__init__()
        check_positive_int(vocab_size, "vocab_size", minimum=SPECIAL_IDS + 1)
        check_positive_int(embedding_dim, "embedding_dim")
        self.embedding = torch.nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
        self.out = torch.nn.Linear(embedding_dim, 1)

    def forward(self, ids):
        if not isinstance(ids, torch.Tensor) or ids.dim() != 2 or ids.dtype != torch.int64:
            raise ValueError(f"ids: expected a (batch, time) int64 tensor of token ids, got {describe(ids)}")
        real = (ids >= SPECIAL_IDS).unsqueeze(-1).to(self.embedding.weight.dtype)
        mean = (self.embedding(ids) * real).sum(1) / real.sum(1).clamp(min=1)
        return self.out(mean * math.sqrt(self.embedding.embedding_dim))[:, 0]

    def load_vectors(self, vectors):
        """Copy word vectors (V, dim) into the embedding."""
        vectors = torch.as_tensor(vectors)
        if vectors.shape != self.embedding.weight.shape:
            raise ValueError(f"vectors: expected shape {tuple(self.embedding.weight.shape)}, "
                             f"got {describe(vectors)}")
        with torch.no_grad():
            self.embedding.weight.copy_(vectors)
        return self
