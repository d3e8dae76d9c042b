"""Configurations the scratch and nn twins share: GPTConfig and the TransformerEncoderLayer of one GPT block.

Both GPTs take the same GPTConfig, so a config written once builds either twin (bigmodels.nn.GPTConfig and
bigmodels.scratch.GPTConfig are this class).
"""

from dataclasses import dataclass


@dataclass
class GPTConfig:
    block_size: int = 256
    vocab_size: int = 65
    n_layer: int = 6
    n_head: int = 6
    n_embd: int = 384
    dropout: float = 0.0
    bias: bool = True
    tie_weights: bool = True
    norm_first: bool = True  # False: post-norm blocks, LayerNorm(x + f(x)), for comparison only


def gpt_block_config(config):
    """The TransformerEncoderLayer arguments of one GPT block: pre-norm, GELU, 4 n_embd hidden units."""
    return dict(d_model=config.n_embd, nhead=config.n_head, dim_feedforward=4 * config.n_embd,
                dropout=config.dropout, activation="gelu", batch_first=True, norm_first=config.norm_first,
                bias=config.bias)
