"""Pipeline parallelism (GPipe, Huang et al. 2019): consecutive layers on consecutive processes.

Stage s holds blocks s*L/S .. (s+1)*L/S - 1 (the first stage also the embeddings, the last the final
LayerNorm and the head). A batch is cut into M micro-batches; stage s sends each micro-batch's activation
to stage s+1 and, backward, each activation's gradient to stage s-1. With all forwards before all
backwards (GPipe) a stage idles for (S-1) of the M+S-1 time slots: the "bubble" fraction (S-1)/(M+S-1).
The loss is the mean of the micro-batches' mean losses, so the gradients equal the whole batch's.
torch.distributed.pipelining runs the schedule; this module only cuts the book's GPT into stages.
"""

import torch
import torch.nn.functional as F

from ..validate import check_positive_int, describe, lookup_tokens


class GPTStage(torch.nn.Module):
    """Stage `stage` of `n_stages` of a bigmodels.nn.gpt.GPT (embedding, head untied); shares its modules."""

    def __init__(self, gpt, stage, n_stages):
        super().__init__()
        n_stages = check_positive_int(n_stages, "n_stages")
        n_layer = len(gpt.blocks)
        if n_layer % n_stages or not 0 <= stage < n_stages:
            raise ValueError(f"stage, n_stages: expected 0 <= stage < n_stages and n_stages dividing "
                             f"n_layer={n_layer}, got stage={stage}, n_stages={n_stages}")
        if gpt.config.tie_weights:
            raise ValueError("gpt: expected config.tie_weights=False (the first and last stage cannot "
                             f"share the embedding matrix), got {describe(gpt.config)}")
        self.first, self.last = stage == 0, stage == n_stages - 1
        per = n_layer // n_stages
        self.blocks = torch.nn.ModuleList(gpt.blocks[stage * per:(stage + 1) * per])
        if self.first:
            self.wte, self.wpe = gpt.wte, gpt.wpe
        if self.last:
            self.ln_f, self.lm_head = gpt.ln_f, gpt.lm_head

    def forward(self, x):
        """token ids (B, T) on the first stage, activations (B, T, E) after; logits on the last."""
        if self.first:
            x = lookup_tokens(self.wte, x) + self.wpe(torch.arange(x.shape[1], device=x.device))
        for block in self.blocks:
            x = block(x, is_causal=True)
        return self.lm_head(self.ln_f(x)) if self.last else x


def lm_loss(logits, targets):
    """Mean next-token cross-entropy of one micro-batch."""
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))


def bubble_fraction(n_stages, n_microbatches):
    """Idle share of each stage under GPipe: (S - 1) / (M + S - 1)."""
    s, m = check_positive_int(n_stages, "n_stages"), check_positive_int(n_microbatches, "n_microbatches")
    return (s - 1) / (m + s - 1)
