"""Linear, Embedding and LayerNorm written from their formulas (same names as torch.nn)."""

import math

import torch

from ..validate import check_index, check_number, check_positive_int, check_tensor, describe
from .module import Module


class Linear(Module):
    """y = x W^T + b, W of shape (out_features, in_features), U(-1/sqrt(in), 1/sqrt(in)) initialised."""

    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        in_features = check_positive_int(in_features, "in_features")
        out_features = check_positive_int(out_features, "out_features")
        self.in_features, self.out_features = in_features, out_features
        bound = 1 / math.sqrt(in_features)
        self.weight = torch.nn.Parameter(torch.empty(out_features, in_features).uniform_(-bound, bound))
        self.bias = torch.nn.Parameter(torch.empty(out_features).uniform_(-bound, bound)) if bias else None

    def forward(self, x):
        check_tensor(x, "Linear input")
        if x.shape[-1] != self.in_features:
            raise ValueError(f"Linear input: expected shape (..., {self.in_features}), got {tuple(x.shape)}")
        y = x @ self.weight.T
        return y + self.bias if self.bias is not None else y


class Embedding(Module):
    """y = W[ids]; the padding_idx row starts at zero and gets no gradient."""

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None):
        super().__init__()
        num_embeddings = check_positive_int(num_embeddings, "num_embeddings")
        embedding_dim = check_positive_int(embedding_dim, "embedding_dim")
        if padding_idx is not None:
            check_index(padding_idx, "padding_idx", -num_embeddings, num_embeddings)
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx = padding_idx % num_embeddings if padding_idx is not None else None
        weight = torch.randn(num_embeddings, embedding_dim)
        if self.padding_idx is not None:
            weight[self.padding_idx] = 0
        self.weight = torch.nn.Parameter(weight)

    def forward(self, ids):
        if not isinstance(ids, torch.Tensor) or ids.dtype not in (torch.int32, torch.int64):
            raise TypeError(f"Embedding input: expected an integer tensor of token ids, got {describe(ids)}")
        if ids.numel() and (ids.min() < 0 or ids.max() >= self.num_embeddings):
            raise ValueError(f"Embedding input: token ids must lie in [0, {self.num_embeddings}), "
                             f"got min {int(ids.min())} and max {int(ids.max())}")
        weight = self.weight
        if self.padding_idx is not None:  # the padding row is a constant: stop its gradient
            keep = torch.ones(self.num_embeddings, 1, dtype=weight.dtype, device=weight.device)
            keep[self.padding_idx] = 0
            weight = weight * keep + (weight * (1 - keep)).detach()
        return weight[ids]


class LayerNorm(Module):
    """y = (x - mean) / sqrt(var + eps) * weight + bias over the last dimension (biased variance)."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True):
        super().__init__()
        if isinstance(normalized_shape, (tuple, list)):
            if len(normalized_shape) != 1:
                raise ValueError(f"normalized_shape: only the last dimension is supported, got {normalized_shape}")
            (normalized_shape,) = normalized_shape
        normalized_shape = check_positive_int(normalized_shape, "normalized_shape")
        self.normalized_shape, self.eps = normalized_shape, check_number(eps, "eps", low=0, finite=True)
        self.elementwise_affine = elementwise_affine
        self.weight = torch.nn.Parameter(torch.ones(normalized_shape)) if elementwise_affine else None
        self.bias = torch.nn.Parameter(torch.zeros(normalized_shape)) if elementwise_affine and bias else None

    def forward(self, x):
        check_tensor(x, "LayerNorm input")
        if x.shape[-1] != self.normalized_shape:
            raise ValueError(f"LayerNorm input: expected shape (..., {self.normalized_shape}), got {tuple(x.shape)}")
        mean = x.mean(dim=-1, keepdim=True)
        var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)
        y = (x - mean) / torch.sqrt(var + self.eps)
        if self.weight is not None:
            y = y * self.weight
        return y + self.bias if self.bias is not None else y
