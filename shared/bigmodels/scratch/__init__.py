"""Every model of the book in plain NumPy, with explicit backward passes. No torch in here."""

from .layers import GELU, Dropout, Embedding, LayerNorm, Linear, ReLU, Sigmoid, Tanh
from .losses import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from .mlp import MLP
from .module import Module
from .optim import SGD, Adam, AdamW, clip_grad_norm_
from .rnn import LSTM, RNN
from .sequential import Sequential
from .attention import (LearnedPositionalEncoding, MultiheadAttention, PositionalEncoding,
                        ScaledDotProductAttention, scaled_dot_product_attention)
from .gpt import GPT, GPTConfig
from .transformer import (Transformer, TransformerDecoder, TransformerDecoderLayer, TransformerEncoder,
                          TransformerEncoderLayer)
from .sentiment import SentimentLSTM
from .bag_of_vectors import BagOfVectors
from .speech import SpeechLSTM
