"""A decoder-only GPT in NumPy (after karpathy/nanoGPT's model.py), with a full backward pass.

    x_0 = wte[idx] + wpe[0..T-1]
    x_l = Block_l(x_{l-1}),  Block = pre-norm TransformerEncoderLayer with a causal mask and GELU
    logits = LayerNorm_f(x_L) W_head^T,  W_head = wte (tied) or its own matrix

A block is exactly nanoGPT's: x = x + attn(ln_1(x)); x = x + mlp(ln_2(x)), so it reuses
TransformerEncoderLayer(norm_first=True, activation="gelu", batch_first=True) with is_causal=True.
"""

import numpy as np

from ..configs import GPTConfig, gpt_block_config
from ..validate import (check_config, check_dtype, check_generate, check_grad, check_idx, check_positive_int,
                        lookup_tokens)
from . import functional as F
from .layers import Dropout, Embedding, LayerNorm, Linear
from .module import Module, default_rng
from .transformer import TransformerEncoderLayer

__all__ = ["GPT", "GPTConfig"]


class GPT(Module):
    """nanoGPT in NumPy: forward(idx, targets=None) -> (logits (B, T, V), mean cross-entropy or None)."""

    def __init__(self, config, *, dtype=np.float64, rng=None):
        super().__init__()
        self.config, self.dtype = check_config(config), check_dtype(dtype)
        rng = default_rng(rng)
        kw = dict(dtype=dtype, rng=rng)
        self.wte = self.add_module("wte", Embedding(config.vocab_size, config.n_embd, **kw))
        self.wpe = self.add_module("wpe", Embedding(config.block_size, config.n_embd, **kw))
        self.drop = self.add_module("drop", Dropout(config.dropout, **kw))
        self.blocks = [self.add_module(f"blocks.{i}", TransformerEncoderLayer(**gpt_block_config(config), **kw))
                       for i in range(config.n_layer)]
        self.ln_f = self.add_module("ln_f", LayerNorm(config.n_embd, bias=config.bias, **kw))
        if not config.tie_weights:
            self.lm_head = self.add_module("lm_head", Linear(config.n_embd, config.vocab_size, bias=False, **kw))
        for name, p in self.params.items():
            p[...] = init_value(name, p, config, rng)

    def forward(self, idx, targets=None):
        check_idx(idx, self.config)
        x = self.drop(lookup_tokens(self.wte, idx) + self.wpe(np.arange(idx.shape[1])))
        for block in self.blocks:
            x = block(x, is_causal=True)
        self.x = self.ln_f(x)
        logits = self.x @ self.wte.weight.T if self.config.tie_weights else self.lm_head(self.x)
        self.logits, self.targets = logits, targets
        if targets is None:
            return logits, None
        return logits, F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))

    def backward(self, grad_logits=None):
        """Backpropagate dL/dlogits (by default that of the loss of the last forward); returns None."""
        if grad_logits is None and self.targets is None:
            raise ValueError("grad_logits: expected an array, since forward was called without targets")
        if grad_logits is not None:
            check_grad(grad_logits, self.logits.shape, "grad_logits")
        else:
            v = self.logits.shape[-1]
            grad_logits = F.cross_entropy_grad(self.logits.reshape(-1, v), self.targets.reshape(-1))
            grad_logits = grad_logits.reshape(self.logits.shape)
        if self.config.tie_weights:
            n = self.config.n_embd
            self.wte._grads["weight"] += grad_logits.reshape(-1, grad_logits.shape[-1]).T @ self.x.reshape(-1, n)
            g = grad_logits @ self.wte.weight
        else:
            g = self.lm_head.backward(grad_logits)
        g = self.ln_f.backward(g)
        for block in reversed(self.blocks):
            g = block.backward(g)
        g = self.drop.backward(g)
        self.wte.backward(g)
        self.wpe.backward(g.sum(axis=0))

    def generate(self, idx, max_new_tokens, temperature=1.0, top_k=None, generator=None):
        """Append max_new_tokens sampled tokens to idx (B, T), feeding back at most block_size of them.

        generator: the np.random.Generator that draws the samples (or an int seed; None: unseeded)."""
        check_generate(max_new_tokens, temperature, top_k)
        check_idx(idx, self.config, crop=True)
        rng = default_rng(generator)
        training, _ = self.training, self.eval()
        for _ in range(max_new_tokens):
            logits, _ = self(idx[:, -self.config.block_size:])
            probs = F.softmax(top_k_filter(logits[:, -1] / temperature, top_k), axis=-1)
            u = rng.random((len(idx), 1))
            nxt = np.minimum((np.cumsum(probs, axis=-1) < u).sum(axis=-1), probs.shape[-1] - 1)
            idx = np.concatenate([idx, nxt[:, None].astype(idx.dtype)], axis=1)
        self.train(training)
        return idx

    @classmethod
    def from_torch(cls, model, dtype=np.float64):
        """The scratch twin of the book's torch GPT, a bigmodels.nn.GPT (same config, parameter names and shapes;
        torch.nn has no GPT built-in)."""
        scratch = cls(model.config, dtype=dtype, rng=np.random.default_rng(0))
        scratch.load_params({n: p.detach().cpu().numpy() for n, p in model.named_parameters()})
        return scratch.train(model.training)


def init_value(name, p, config, rng):
    """nanoGPT's initialisation: N(0, 0.02) weights, zero biases, unit LayerNorm gains, and
    N(0, 0.02 / sqrt(2 n_layer)) for the two projections that write into the residual stream."""
    if name.endswith("bias"):
        return np.zeros_like(p)
    if "norm" in name or name.startswith("ln_f"):
        return np.ones_like(p)
    std = 0.02 / np.sqrt(2 * config.n_layer) if name.endswith(("out_proj.weight", "linear2.weight")) else 0.02
    return std * rng.standard_normal(p.shape)


def top_k_filter(logits, top_k):
    """Set every logit below the k-th largest of its row to -inf (top_k None keeps all)."""
    if top_k is None:
        return logits
    k = min(int(top_k), logits.shape[-1])
    kth = np.sort(logits, axis=-1)[:, -k][:, None]
    return np.where(logits < kth, -np.inf, logits)
