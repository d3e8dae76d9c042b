"""Tensor parallelism, Megatron-style (Shoeybi et al. 2019): each layer's matrices split over N processes.

A GPT block is x + Attention(LN1(x)) followed by x + MLP(LN2(x)). Each of the two sublayers is a
column-parallel matrix product followed by a row-parallel one:

    MLP:        Y = GELU(X A) B       A split by columns [A_1 .. A_N], B by rows [B_1; ..; B_N]
                Y = sum_r GELU(X A_r) B_r            (GELU acts elementwise, so each rank needs only A_r)
    Attention:  the heads are independent; rank r holds the Q, K, V columns of heads r*h/N .. (r+1)*h/N - 1
                and the matching rows of W^O, and the output is the sum of the ranks' partial products.

So every rank computes its part from the full input and one all-reduce sums the parts. Megatron names
the two communication points f and g: f is the identity forward and an all-reduce of the input's
gradient backward, g an all-reduce forward and the identity backward. Per block and step: 2 all-reduces
of a (batch, length, d_model) activation forward, 2 backward. Biases of the row-parallel products and the
LayerNorms are replicated (added once, after the sum).
"""

import copy

import torch
import torch.distributed as dist
import torch.nn.functional as F

from ..validate import check_positive_int, describe
from ..nn.attention import attention


class _CopyToParallel(torch.autograd.Function):
    """Megatron's f: identity forward, all-reduce (sum) of the gradient backward."""

    @staticmethod
    def forward(ctx, x, group):
        ctx.group = group
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        grad = grad.contiguous().clone()
        dist.all_reduce(grad, group=ctx.group)
        return grad, None


class _ReduceFromParallel(torch.autograd.Function):
    """Megatron's g: all-reduce (sum) forward, identity backward."""

    @staticmethod
    def forward(ctx, x, group):
        x = x.contiguous().clone()
        dist.all_reduce(x, group=group)
        return x

    @staticmethod
    def backward(ctx, grad):
        return grad, None


def copy_to_parallel(x, group=None):
    return _CopyToParallel.apply(x, group)


def reduce_from_parallel(x, group=None):
    return _ReduceFromParallel.apply(x, group)


class ParallelBlock(torch.nn.Module):
    """Rank `rank`'s share of a pre-norm GPT block (bigmodels.nn.transformer.TransformerEncoderLayer).

    Holds 1/N of the attention heads' Q, K, V and W^O weights and 1/N of the MLP's hidden units.
    """

    def __init__(self, block, rank, world_size, group=None):
        super().__init__()
        cfg = getattr(block, "config", None)
        if not (isinstance(cfg, dict) and cfg.get("norm_first") and cfg.get("bias")) or cfg.get("dropout"):
            raise ValueError(f"block: expected a pre-norm TransformerEncoderLayer with biases and dropout 0, "
                             f"got {describe(block)} with config {cfg}")
        world_size = check_positive_int(world_size, "world_size")
        e, heads, hidden = cfg["d_model"], cfg["nhead"], cfg["dim_feedforward"]
        if heads % world_size or hidden % world_size:
            raise ValueError(f"world_size: expected a divisor of nhead={heads} and dim_feedforward={hidden}, "
                             f"got {world_size}")
        if not 0 <= rank < world_size:
            raise ValueError(f"rank: expected 0 <= rank < world_size={world_size}, got {rank}")
        self.group, self.heads, self.head_dim = group, heads // world_size, e // heads
        self.activation = block.activation
        width = self.heads * self.head_dim
        cols = slice(rank * width, (rank + 1) * width)        # this rank's heads inside each of Q, K, V
        units = slice(rank * hidden // world_size, (rank + 1) * hidden // world_size)
        self.cols, self.units = cols, units
        attn = block.self_attn
        w_q, w_k, w_v = attn.in_proj_weight.detach().chunk(3)
        b_q, b_k, b_v = attn.in_proj_bias.detach().chunk(3)

        def param(t):
            return torch.nn.Parameter(t.clone())

        self.qkv_weight = param(torch.cat([w_q[cols], w_k[cols], w_v[cols]]))   # column-parallel
        self.qkv_bias = param(torch.cat([b_q[cols], b_k[cols], b_v[cols]]))
        self.out_weight = param(attn.out_proj.weight.detach()[:, cols])          # row-parallel
        self.out_bias = param(attn.out_proj.bias.detach())                      # replicated
        self.fc1_weight = param(block.linear1.weight.detach()[units])            # column-parallel
        self.fc1_bias = param(block.linear1.bias.detach()[units])
        self.fc2_weight = param(block.linear2.weight.detach()[:, units])         # row-parallel
        self.fc2_bias = param(block.linear2.bias.detach())                      # replicated
        self.norm1, self.norm2 = copy.deepcopy(block.norm1), copy.deepcopy(block.norm2)

    def forward(self, x, is_causal=True):
        if not is_causal:
            raise ValueError("ParallelBlock: expected is_causal=True (a GPT block), got False")
        x = x + self.attention(self.norm1(x))
        return x + self.mlp(self.norm2(x))

    def attention(self, x):
        n, length, _ = x.shape
        q, k, v = F.linear(copy_to_parallel(x, self.group), self.qkv_weight, self.qkv_bias).chunk(3, dim=-1)
        q, k, v = (t.view(n, length, self.heads, self.head_dim).transpose(1, 2) for t in (q, k, v))
        out, _ = attention(q, k, v, is_causal=True)
        out = out.transpose(1, 2).reshape(n, length, self.heads * self.head_dim)
        return reduce_from_parallel(F.linear(out, self.out_weight), self.group) + self.out_bias

    def mlp(self, x):
        h = self.activation(F.linear(copy_to_parallel(x, self.group), self.fc1_weight, self.fc1_bias))
        return reduce_from_parallel(F.linear(h, self.fc2_weight), self.group) + self.fc2_bias


def parallelize_gpt(gpt, rank, world_size, group=None):
    """A copy of a bigmodels.nn.gpt.GPT whose blocks hold rank's share; embeddings and head stay replicated.

    Every rank must see the same input; all ranks then return the same logits, equal to the unsplit model's
    up to float32 rounding of the sums.
    """
    model = copy.deepcopy(gpt)
    model.blocks = torch.nn.ModuleList(ParallelBlock(b, rank, world_size, group) for b in gpt.blocks)
    return model


def block_gradients(tp_block, block):
    """Pairs (this rank's gradient, the matching slice of the unsplit block's gradient), after backward."""
    cols, units, attn = tp_block.cols, tp_block.units, block.self_attn
    return [
        (tp_block.qkv_weight.grad, torch.cat([g[cols] for g in attn.in_proj_weight.grad.chunk(3)])),
        (tp_block.qkv_bias.grad, torch.cat([g[cols] for g in attn.in_proj_bias.grad.chunk(3)])),
        (tp_block.out_weight.grad, attn.out_proj.weight.grad[:, cols]),
        (tp_block.out_bias.grad, attn.out_proj.bias.grad),
        (tp_block.fc1_weight.grad, block.linear1.weight.grad[units]),
        (tp_block.fc1_bias.grad, block.linear1.bias.grad[units]),
        (tp_block.fc2_weight.grad, block.linear2.weight.grad[:, units]),
        (tp_block.fc2_bias.grad, block.linear2.bias.grad),
    ] + [(tp_block.get_parameter(n).grad, block.get_parameter(n).grad)
         for n in ("norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias")]
