"""The book's models as PyTorch modules written from the same formulas as bigmodels.scratch."""

from .layers import Embedding, LayerNorm, Linear
from .module import Module
