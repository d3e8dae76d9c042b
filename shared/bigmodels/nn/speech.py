"""The spoken-word classifier of chapter 6.3: the book's LSTM over log-mel frames, averaged over time.

    logits = W (1/T sum_t h_t) + b,   h_t = LSTM(frames)_t

The experiment around it (data, training, scores) is bigmodels.speech.
"""

import torch

from ..validate import describe
from .layers import Linear
from .rnn import LSTM


class SpeechLSTM(torch.nn.Module):
    """forward(frames (B, T, n_mels)) -> logits (B, n_classes):  W (1/T sum_t h_t) + b, h_t from an LSTM."""

    def __init__(self, n_mels, hidden_size, n_classes):
        super().__init__()
        self.lstm = LSTM(n_mels, hidden_size, batch_first=True)
        self.out = Linear(hidden_size, n_classes)

    def forward(self, x):
        if x.dim() != 3:
            raise ValueError(f"x: expected (batch, frames, n_mels) log-mel frames, got {describe(x)}")
        h, _ = self.lstm(x)
        return self.out(h.mean(dim=1))
