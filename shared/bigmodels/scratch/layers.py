"""Basic layers in NumPy: Linear, Embedding, LayerNorm, Dropout and activation layers.

Each layer's forward keeps what its backward needs; backward(grad_output) accumulates the
parameter gradients into `grads` and returns the gradient with respect to the input.
"""

import numpy as np

from ..validate import (check_dtype, check_float_array, check_grad, check_index, check_number, check_positive_int,
                      check_probability)
from . import functional as F
from .module import Module, default_rng, init_uniform


class Linear(Module):
    """y = x W^T + b, with W of shape (out_features, in_features) like torch.nn.Linear.

    x may have any number of leading dimensions: (..., in_features) -> (..., out_features).
    """

    def __init__(self, in_features, out_features, bias=True, *, dtype=np.float64, rng=None):
        super().__init__()
        self.in_features = check_positive_int(in_features, "in_features")
        self.out_features = check_positive_int(out_features, "out_features")
        self.dtype = check_dtype(dtype)
        rng = default_rng(rng)
        bound = 1 / np.sqrt(in_features)
        self.weight = self.add_param("weight", init_uniform(rng, (out_features, in_features), bound, dtype))
        self.bias = self.add_param("bias", init_uniform(rng, (out_features,), bound, dtype)) if bias else None

    def forward(self, x):
        check_float_array(x, "Linear input", dtype=self.dtype)
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ValueError(f"Linear input: expected shape (..., {self.in_features}), got {x.shape}")
        self.x = x
        y = x @ self.weight.T
        if self.bias is not None:
            y += self.bias  # in place: y is a fresh array, so this saves one allocation
        return y

    def backward(self, grad_output, input_grad=True):
        """dW = dy^T x, db = sum dy, dx = dy W (summed over all leading dimensions).

        input_grad=False skips dx (returns None): the gradient for the data fed to the first layer
        is never used in training, and torch skips it too for inputs that do not require grad.
        """
        check_grad(grad_output, self.x.shape[:-1] + (self.out_features,), "Linear grad_output")
        x2 = self.x.reshape(-1, self.in_features)
        g2 = grad_output.reshape(-1, self.out_features)
        self._grads["weight"] += g2.T @ x2
        if self.bias is not None:
            self._grads["bias"] += g2.sum(axis=0)
        return grad_output @ self.weight if input_grad else None


class Embedding(Module):
    """y = W[ids]: a lookup table of shape (num_embeddings, embedding_dim), N(0, 1) initialised.

    The row at padding_idx starts at zero and receives no gradient, as in torch.nn.Embedding.
    """

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, *, dtype=np.float64, rng=None):
        super().__init__()
        self.num_embeddings = check_positive_int(num_embeddings, "num_embeddings")
        self.embedding_dim = check_positive_int(embedding_dim, "embedding_dim")
        if padding_idx is not None:
            check_index(padding_idx, "padding_idx", -num_embeddings, num_embeddings)
        self.padding_idx = padding_idx % num_embeddings if padding_idx is not None else None
        self.dtype = check_dtype(dtype)
        weight = default_rng(rng).standard_normal((num_embeddings, embedding_dim)).astype(dtype)
        if self.padding_idx is not None:
            weight[self.padding_idx] = 0
        self.weight = self.add_param("weight", weight)

    def forward(self, ids):
        if not isinstance(ids, np.ndarray) or not np.issubdtype(ids.dtype, np.integer):
            raise TypeError(f"Embedding input: expected an integer array of token ids, got {type(ids).__name__} "
                            f"{getattr(ids, 'dtype', '')}")
        if ids.size and (ids.min() < 0 or ids.max() >= self.num_embeddings):
            raise ValueError(f"Embedding input: token ids must lie in [0, {self.num_embeddings}), "
                             f"got min {ids.min()} and max {ids.max()}")
        self.ids = ids
        return self.weight[ids]

    def backward(self, grad_output):
        """dW[i] += sum of grad_output rows where ids == i; token ids have no gradient (returns None)."""
        check_grad(grad_output, self.ids.shape + (self.embedding_dim,), "Embedding grad_output")
        grad = self._grads["weight"]
        np.add.at(grad, self.ids.reshape(-1), grad_output.reshape(-1, self.embedding_dim))
        if self.padding_idx is not None:
            grad[self.padding_idx] = 0
        return None


class LayerNorm(Module):
    """y = (x - mean) / sqrt(var + eps) * weight + bias over the last dimension (biased variance)."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, *,
                 dtype=np.float64, rng=None):
        super().__init__()
        if isinstance(normalized_shape, (tuple, list)):
            if len(normalized_shape) != 1:
                raise ValueError(f"normalized_shape: only the last dimension is supported, got {normalized_shape}")
            normalized_shape = normalized_shape[0]
        self.normalized_shape = check_positive_int(normalized_shape, "normalized_shape")
        self.eps = float(check_number(eps, "eps", low=0, finite=True))
        self.dtype = check_dtype(dtype)
        self.elementwise_affine = elementwise_affine
        self.weight = self.add_param("weight", np.ones(normalized_shape, dtype=dtype)) if elementwise_affine else None
        has_bias = elementwise_affine and bias
        self.bias = self.add_param("bias", np.zeros(normalized_shape, dtype=dtype)) if has_bias else None

    def forward(self, x):
        check_float_array(x, "LayerNorm input", dtype=self.dtype)
        if x.ndim == 0 or x.shape[-1] != self.normalized_shape:
            raise ValueError(f"LayerNorm input: expected shape (..., {self.normalized_shape}), got {x.shape}")
        mean = x.mean(axis=-1, keepdims=True)
        var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
        self.inv_std = 1 / np.sqrt(var + self.eps)
        self.x_hat = (x - mean) * self.inv_std
        y = self.x_hat * self.weight if self.weight is not None else self.x_hat
        return y + self.bias if self.bias is not None else y

    def backward(self, grad_output):
        """dx = inv_std * (g - mean(g) - x_hat * mean(g * x_hat)), g = dy * weight."""
        check_grad(grad_output, self.x_hat.shape, "LayerNorm grad_output")
        lead = tuple(range(grad_output.ndim - 1))
        if self.weight is not None:
            self._grads["weight"] += np.sum(grad_output * self.x_hat, axis=lead)
            g = grad_output * self.weight
        else:
            g = grad_output
        if self.bias is not None:
            self._grads["bias"] += np.sum(grad_output, axis=lead)
        return self.inv_std * (g - g.mean(axis=-1, keepdims=True)
                               - self.x_hat * (g * self.x_hat).mean(axis=-1, keepdims=True))


class Dropout(Module):
    """In training, zero each element with probability p and scale the rest by 1 / (1 - p)."""

    def __init__(self, p=0.5, *, dtype=np.float64, rng=None):
        super().__init__()
        self.p = check_probability(p, "p")
        self.dtype = check_dtype(dtype)
        self.rng = default_rng(rng)

    def forward(self, x):
        check_float_array(x, "Dropout input")
        self.shape = x.shape
        if not self.training or self.p == 0:
            self.mask = None
            return x
        self.mask = (self.rng.random(x.shape) >= self.p).astype(x.dtype) / (1 - self.p)
        return x * self.mask

    def backward(self, grad_output):
        check_grad(grad_output, self.shape, "Dropout grad_output")
        return grad_output if self.mask is None else grad_output * self.mask


class Activation(Module):
    """An element-wise activation as a layer: ReLU, Sigmoid, Tanh, GELU (see functional)."""

    name = "identity"

    def __init__(self, *, dtype=np.float64, rng=None):
        super().__init__()
        self.dtype = check_dtype(dtype)
        self.f, self.f_grad = F.get_activation(self.name)

    def forward(self, x):
        check_float_array(x, f"{type(self).__name__} input")
        self.x, self.y = x, self.f(x)
        return self.y

    def backward(self, grad_output):
        check_grad(grad_output, self.x.shape, f"{type(self).__name__} grad_output")
        return grad_output * self.f_grad(self.x, self.y)


class ReLU(Activation):
    name = "relu"

    def backward(self, grad_output):
        """dy passes where x > 0: multiplying by the boolean mask keeps the dtype (and beats np.where)."""
        check_grad(grad_output, self.x.shape, "ReLU grad_output")
        return grad_output * (self.x > 0)


class Sigmoid(Activation):
    name = "sigmoid"


class Tanh(Activation):
    name = "tanh"


class GELU(Activation):
    name = "gelu"
