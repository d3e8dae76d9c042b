"""The spoken-word classifier of chapter 6.3 in NumPy, with its backward pass.

    logits = W (1/T sum_t h_t) + b,   h_t = LSTM(frames)_t

The twin of bigmodels.nn.SpeechLSTM (same arguments and parameter names).
"""

import numpy as np

from ..validate import check_dtype, check_float_array
from .layers import Linear
from .module import Module
from .rnn import LSTM


class SpeechLSTM(Module):
    """forward(frames (B, T, n_mels)) -> logits (B, n_classes); backward(grad_logits) -> dL/dframes."""

    def __init__(self, n_mels, hidden_size, n_classes, *, dtype=np.float64, rng=None):
        super().__init__()
        self.dtype = check_dtype(dtype)
        self.lstm = self.add_module("lstm", LSTM(n_mels, hidden_size, batch_first=True, dtype=dtype, rng=rng))
        self.out = self.add_module("out", Linear(hidden_size, n_classes, dtype=dtype, rng=rng))

    def forward(self, x):
        check_float_array(x, "x", ndim=3, dtype=self.dtype)
        h, _ = self.lstm(x)
        self.steps = h.shape[1]
        return self.out(h.mean(axis=1))

    def backward(self, grad_logits):
        """The mean passes 1/T of its gradient to every step's output."""
        g = self.out.backward(grad_logits)
        grad_h = np.repeat(g[:, None, :] / self.steps, self.steps, axis=1)
        return self.lstm.backward(grad_h)

    @classmethod
    def from_torch(cls, model, dtype=np.float64):
        """The NumPy twin of a bigmodels.nn.SpeechLSTM, holding a copy of its weights."""
        twin = cls(model.lstm.input_size, model.lstm.hidden_size, model.out.out_features, dtype=dtype)
        twin.load_params({name: p.detach().cpu().numpy() for name, p in model.named_parameters()})
        return twin
