"""A decoder-only GPT in PyTorch (after karpathy/nanoGPT's model.py), built from bigmodels.nn layers.

Same structure, parameter names and initialisation as bigmodels.scratch.gpt.GPT:
wte, wpe, drop, blocks.N (pre-norm causal TransformerEncoderLayer with GELU), ln_f, lm_head
(tied to wte unless config.tie_weights is False).

GPT(config, fused=True) computes every block's attention with torch's fused kernel
F.scaled_dot_product_attention instead of the formula-written softmax(Q K^T / sqrt(d) + M) V:
same parameters, same results up to rounding (tests/test_gpt.py), faster and without storing the
(T, T) attention weights. The default is the formula path.
"""

import math

import torch
import torch.nn.functional as F

from ..configs import GPTConfig, gpt_block_config
from ..validate import check_config, check_flag, check_generate, check_idx, lookup_tokens
from .layers import Embedding, LayerNorm, Linear
from .transformer import TransformerEncoderLayer

__all__ = ["GPT", "GPTConfig"]


class GPT(torch.nn.Module):
    """forward(idx, targets=None) -> (logits (B, T, V), mean cross-entropy or None)."""

    def __init__(self, config, fused=False):
        super().__init__()
        self.config = check_config(config)
        self.wte = Embedding(config.vocab_size, config.n_embd)
        self.wpe = Embedding(config.block_size, config.n_embd)
        self.drop = torch.nn.Dropout(config.dropout)
        self.blocks = torch.nn.ModuleList(TransformerEncoderLayer(**gpt_block_config(config))
                                          for _ in range(config.n_layer))
        self.fused = check_flag(fused, "fused")
        for block in self.blocks:
            block.self_attn.fused = self.fused
        self.ln_f = LayerNorm(config.n_embd, bias=config.bias)
        self.lm_head = Linear(config.n_embd, config.vocab_size, bias=False)
        if config.tie_weights:
            self.lm_head.weight = self.wte.weight  # one matrix: named_parameters lists it as wte.weight
        for name, p in self.named_parameters():
            init_(name, p, config)

    def forward(self, idx, targets=None):
        check_idx(idx, self.config)
        pos = torch.arange(idx.shape[1], device=idx.device)
        x = self.drop(lookup_tokens(self.wte, idx) + self.wpe(pos))
        for block in self.blocks:
            x = block(x, is_causal=True)
        logits = self.lm_head(self.ln_f(x))
        if targets is None:
            return logits, None
        return logits, F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))

    @torch.no_grad()
    def generate(self, idx, max_new_tokens, temperature=1.0, top_k=None, generator=None):
        """Append max_new_tokens sampled tokens to idx (B, T), feeding back at most block_size of them.

        generator: the torch.Generator that draws the samples (None: torch's global one)."""
        check_generate(max_new_tokens, temperature, top_k)
        check_idx(idx, self.config, crop=True)
        training, _ = self.training, self.eval()
        for _ in range(max_new_tokens):
            logits, _ = self(idx[:, -self.config.block_size:])
            logits = logits[:, -1] / temperature
            if top_k is not None:
                kth = torch.topk(logits, min(top_k, logits.shape[-1])).values[:, [-1]]
                logits = logits.masked_fill(logits < kth, float("-inf"))
            nxt = torch.multinomial(F.softmax(logits, dim=-1), 1, generator=generator)
            idx = torch.cat([idx, nxt], dim=1)
        self.train(training)
        return idx

    def configure_optimizer(self, weight_decay, learning_rate, betas):
        """AdamW that decays the 2-D weights (matrices, embeddings) but not biases and LayerNorm gains."""
        decay = [p for p in self.parameters() if p.dim() >= 2]
        no_decay = [p for p in self.parameters() if p.dim() < 2]
        groups = [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
        return torch.optim.AdamW(groups, lr=learning_rate, betas=betas)


def init_(name, p, config):
    """nanoGPT's initialisation, in place: N(0, 0.02) weights, zero biases, unit LayerNorm gains, and
    N(0, 0.02 / sqrt(2 n_layer)) for the two projections that write into the residual stream."""
    with torch.no_grad():
        if name.endswith("bias"):
            p.zero_()
        elif "norm" in name or name.startswith("ln_f"):
            p.fill_(1.0)
        else:
            residual = name.endswith(("out_proj.weight", "linear2.weight"))
            p.normal_(0.0, 0.02 / math.sqrt(2 * config.n_layer) if residual else 0.02)
