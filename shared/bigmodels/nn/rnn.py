"""RNN and LSTM written from the formulas in PyTorch: a Python loop over time, autograd for BPTT.

Same constructor, parameter names (weight_ih_l{k}, ..., LSTM gate rows i, f, g, o), return values
and `lengths` argument as bigmodels.scratch.rnn (whose docstrings give the formulas). These are not
wrappers of torch.nn.RNN / LSTM. What keeps them fast, in the order it matters:

1. hoisting: x_t W_ih^T + b does not depend on h_{t-1}, so it is one matrix product over all T * B
   rows before the loop (`_input_projection`); the loop keeps only the recurrent product;
2. fused gates: the four LSTM gates come from one (B, H) x (H, 4H) product (`torch.addmm`) and one
   sigmoid call (tanh(z) = 2 sigma(2 z) - 1, so the g rows are scaled by 2 once per forward);
3. few operations per step: each one also costs autograd a node and a backward call, so the loop
   body is the handful of lines of the formulas, and outputs are stacked once at the end;
4. `z.unbind(0)` rather than z[t]: indexing gives autograd one node per step whose backward writes
   a full (T, B, gates*H) zero tensor; unbind's one node stacks the T gradients once.
"""

import math

import torch

from ..validate import check_lengths, check_positive_int, check_state, check_tensor, check_unsupported
from .module import Module


class RecurrentBase(Module):
    gates = 1

    def __init__(self, input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, proj_size):
        super().__init__()
        check_unsupported(dropout, bidirectional, proj_size)
        self.dropout, self.bidirectional, self.proj_size = dropout, bidirectional, proj_size  # torch's defaults
        input_size = check_positive_int(input_size, "input_size")
        hidden_size = check_positive_int(hidden_size, "hidden_size")
        num_layers = check_positive_int(num_layers, "num_layers")
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first = bias, batch_first
        bound = 1 / math.sqrt(hidden_size)
        rows = self.gates * hidden_size

        def uniform(*shape):
            return torch.nn.Parameter(torch.empty(*shape).uniform_(-bound, bound))

        for k in range(num_layers):
            fan_in = input_size if k == 0 else hidden_size
            setattr(self, f"weight_ih_l{k}", uniform(rows, fan_in))
            setattr(self, f"weight_hh_l{k}", uniform(rows, hidden_size))
            if bias:
                setattr(self, f"bias_ih_l{k}", uniform(rows))
                setattr(self, f"bias_hh_l{k}", uniform(rows))

    def _input_projection(self, k, x, scale=None):
        """x_t W_ih^T + b_ih + b_hh for every step of layer k at once: one (T*B, F) x (F, gates*H) product.

        Returns it and W_hh^T; with `scale` (one factor per gate row) both are scaled row-wise.
        """
        W_ih, W_hh = getattr(self, f"weight_ih_l{k}"), getattr(self, f"weight_hh_l{k}")
        b = getattr(self, f"bias_ih_l{k}") + getattr(self, f"bias_hh_l{k}") if self.bias else None
        if scale is not None:
            W_ih, W_hh, b = W_ih * scale[:, None], W_hh * scale[:, None], None if b is None else b * scale
        z = torch.nn.functional.linear(x, W_ih, b)  # (T, B, gates*H)
        return z, W_hh.T

    def _prepare(self, x, states, lengths):
        """Time-major (T, B, F) input, per-layer initial states, and the (T, B, 1) mask (or None)."""
        name = type(self).__name__
        check_tensor(x, f"{name} input")
        if x.dim() not in (2, 3):
            raise ValueError(f"{name} input: expected a 2-D or 3-D tensor, got shape {tuple(x.shape)}")
        if x.shape[-1] != self.input_size:
            raise ValueError(f"{name} input: expected {self.input_size} features (input_size) in the last "
                             f"dimension, got shape {tuple(x.shape)}")
        self.batched = x.dim() == 3
        if not self.batched:
            if lengths is not None:
                raise ValueError(f"lengths: only for batched (3-D) input, got an unbatched input of shape "
                                 f"{tuple(x.shape)}")
            x = x.unsqueeze(1)
        elif self.batch_first:
            x = x.transpose(0, 1)
        T, B, _ = x.shape
        if T == 0:
            raise ValueError(f"{name} input: expected at least one time step, got shape {tuple(x.shape)}")
        L, H = self.num_layers, self.hidden_size
        shape = (L, B, H) if self.batched else (L, H)
        initial = []
        for state_name, h in states:
            if h is None:
                h = x.new_zeros(L, B, H)
            else:
                check_state(h, state_name, shape)
                h = h if self.batched else h.unsqueeze(1)
            initial.append(h)
        mask = None
        if lengths is not None:
            lengths = check_lengths(torch.as_tensor(lengths).cpu().numpy(), B, T)
            steps = torch.arange(T).unsqueeze(1)
            mask = (steps < torch.as_tensor(lengths).unsqueeze(0)).unsqueeze(-1).to(x.device)
        return x, initial, mask

    def _output(self, y):
        if not self.batched:
            return y.squeeze(1)
        return y.transpose(0, 1) if self.batch_first else y

    def _state_out(self, h):
        return h if self.batched else h.squeeze(1)


class RNN(RecurrentBase):
    """h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu); forward(x, hx=None, *, lengths=None)
    -> (output, h_n)."""

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"nonlinearity: expected 'tanh' or 'relu', got {nonlinearity!r}")
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, 0)
        self.nonlinearity = nonlinearity

    def forward(self, x, hx=None, *, lengths=None):
        x, (h0,), mask = self._prepare(x, [("h0", hx)], lengths)
        act = torch.tanh if self.nonlinearity == "tanh" else torch.relu
        h_n = []
        for k in range(self.num_layers):
            z, W_hhT = self._input_projection(k, x)
            h, outputs = h0[k], []
            for t, z_t in enumerate(z.unbind(0)):
                h_new = act(torch.addmm(z_t, h, W_hhT))  # z_t + h_{t-1} W_hh^T
                if mask is None:
                    h = h_new
                    outputs.append(h_new)
                else:  # padded steps keep the state and output zero
                    h = torch.where(mask[t], h_new, h)
                    outputs.append(h_new * mask[t])
            x = torch.stack(outputs)
            h_n.append(h)
        return self._output(x), self._state_out(torch.stack(h_n))


class LSTM(RecurrentBase):
    """Gates i, f, g, o from one projection; c_t = f c_{t-1} + i g, h_t = o tanh(c_t).

    forward(x, (h0, c0)=None, *, lengths=None) -> (output, (h_n, c_n)).
    """

    gates = 4

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0):
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, proj_size)

    @staticmethod
    def cell(z_x, h, c, W_hhT):
        """One step: z = z_x + h W_hh^T (the g rows doubled); returns (h_t, c_t, (i, f, g, o)).

        One sigmoid activates all four gates: sigma for i, f, o, and 2 sigma(2 z_g) - 1 = tanh(z_g).
        """
        i, f, g, o = torch.sigmoid(torch.addmm(z_x, h, W_hhT)).chunk(4, dim=-1)
        g = 2 * g - 1
        c = f * c + i * g
        h = o * torch.tanh(c)
        return h, c, (i, f, g, o)

    def forward(self, x, hx=None, *, lengths=None, return_gates=False):
        """With return_gates=True, also returns the list (per layer) of (i, f, g, o) stacked over time."""
        if hx is None:
            hx = (None, None)
        elif not isinstance(hx, (tuple, list)) or len(hx) != 2:
            raise TypeError(f"LSTM hx: expected a pair (h0, c0), got {type(hx).__name__}")
        x, (h0, c0), mask = self._prepare(x, [("h0", hx[0]), ("c0", hx[1])], lengths)
        H = self.hidden_size
        scale = torch.ones(4 * H, dtype=x.dtype, device=x.device)
        scale[2 * H : 3 * H] = 2  # g rows: tanh(z) = 2 sigma(2 z) - 1
        h_n, c_n, all_gates = [], [], []
        for k in range(self.num_layers):
            z, W_hhT = self._input_projection(k, x, scale)
            h, c, outputs, gates = h0[k], c0[k], [], []
            for t, z_t in enumerate(z.unbind(0)):
                h_new, c_new, gate_values = self.cell(z_t, h, c, W_hhT)
                if return_gates:
                    gates.append(torch.stack(gate_values))
                if mask is None:
                    h, c = h_new, c_new
                    outputs.append(h_new)
                else:  # padded steps keep the state and output zero
                    h, c = torch.where(mask[t], h_new, h), torch.where(mask[t], c_new, c)
                    outputs.append(h_new * mask[t])
            x = torch.stack(outputs)
            h_n.append(h)
            c_n.append(c)
            if return_gates:
                all_gates.append(torch.stack(gates, dim=1))  # (4, T, B, H)
        result = self._output(x), (self._state_out(torch.stack(h_n)), self._state_out(torch.stack(c_n)))
        return (*result, all_gates) if return_gates else result
