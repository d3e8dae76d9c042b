"""The book's models as PyTorch modules written from the same formulas as bigmodels.scratch."""

from .activations import GELU, ReLU, Sigmoid, Tanh
from .layers import Embedding, LayerNorm, Linear
from .losses import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from .mlp import MLP
from .module import Module
from .rnn import LSTM, RNN
from .attention import LearnedPositionalEncoding, MultiheadAttention, PositionalEncoding, scaled_dot_product_attention
from .gpt import GPT, GPTConfig
from .transformer import (Transformer, TransformerDecoder, TransformerDecoderLayer, TransformerEncoder,
                          TransformerEncoderLayer)
from .seq2seq import Seq2SeqTransformer
from .sentiment import SentimentLSTM
from .speech import SpeechLSTM
from .cnn import SmallCNN
