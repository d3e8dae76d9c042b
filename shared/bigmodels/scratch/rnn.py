"""Recurrent layers in NumPy: an Elman RNN and an LSTM with full backpropagation through time.

Both mirror torch.nn.RNN / torch.nn.LSTM: same constructor, parameter names and layout
(weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}; the LSTM stacks the gates i, f, g, o
in rows), same return values. Extras:

- `lengths=` (keyword-only, one int per sequence) handles padded batches like torch's pack_padded_sequence:
  outputs past a sequence's length are zero and its final state is the state at its last real step.
- `backward(grad_output, grad_h_n=None[, grad_c_n=None])` returns dL/d(input); afterwards
  `grad_h0` (and `grad_c0` for the LSTM) hold dL/d(initial states), shaped like h_0 / c_0.

Speed: the input projections of all time steps are one GEMM, the loop over time only does the
recurrent product h_{t-1} W_hh^T and the gate arithmetic in preallocated buffers, and the weight
gradients are again single GEMMs after the backward loop.
"""

import numpy as np

from ..validate import (check_dtype, check_float_array, check_lengths, check_positive_int, check_state,
                        check_unsupported, describe)
from .module import Module, default_rng, init_uniform


class RecurrentBase(Module):
    """Shared by RNN and LSTM: parameters, input checks, layer stacking, lengths, batch_first."""

    gates = 1  # rows of W_ih per hidden unit: 1 for the RNN, 4 (i, f, g, o) for the LSTM

    def __init__(self, input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, proj_size,
                 dtype, rng):
        super().__init__()
        check_unsupported(dropout, bidirectional, proj_size)
        self.dropout, self.bidirectional, self.proj_size = dropout, bidirectional, proj_size  # torch's defaults
        self.input_size = check_positive_int(input_size, "input_size")
        self.hidden_size = check_positive_int(hidden_size, "hidden_size")
        self.num_layers = check_positive_int(num_layers, "num_layers")
        self.bias, self.batch_first = bool(bias), bool(batch_first)
        self.dtype = check_dtype(dtype)
        rng = default_rng(rng)
        bound = 1 / np.sqrt(hidden_size)
        rows = self.gates * hidden_size
        for k in range(num_layers):
            fan_in = input_size if k == 0 else hidden_size
            self.add_param(f"weight_ih_l{k}", init_uniform(rng, (rows, fan_in), bound, dtype))
            self.add_param(f"weight_hh_l{k}", init_uniform(rng, (rows, hidden_size), bound, dtype))
            if bias:
                self.add_param(f"bias_ih_l{k}", init_uniform(rng, (rows,), bound, dtype))
                self.add_param(f"bias_hh_l{k}", init_uniform(rng, (rows,), bound, dtype))

    def _layer_weights(self, k):
        p = self._params
        b = p[f"bias_ih_l{k}"] + p[f"bias_hh_l{k}"] if self.bias else None
        return p[f"weight_ih_l{k}"], p[f"weight_hh_l{k}"], b

    def _prepare(self, x, states, lengths):
        """Time-major (T, B, F) input, per-layer initial states and the (T, B, 1) mask (or None)."""
        name = type(self).__name__
        check_float_array(x, f"{name} input", ndim=(2, 3), dtype=self.dtype)
        if x.shape[-1] != self.input_size:
            raise ValueError(f"{name} input: expected {self.input_size} features (input_size) in the last "
                             f"dimension, got shape {x.shape}")
        self.batched = x.ndim == 3
        if not self.batched:
            if lengths is not None:
                raise ValueError(f"lengths: only for batched (3-D) input, got an unbatched input of shape {x.shape}")
            x = x[:, None]
        elif self.batch_first:
            x = x.transpose(1, 0, 2)
        x = np.ascontiguousarray(x)
        T, B, _ = x.shape
        if T == 0:
            raise ValueError(f"{name} input: expected at least one time step, got shape {x.shape}")
        L, H = self.num_layers, self.hidden_size
        shape = (L, B, H) if self.batched else (L, H)
        initial = []
        for state_name, h in states:
            if h is None:
                h = np.zeros((L, B, H), dtype=self.dtype)
            else:
                check_float_array(h, state_name, dtype=self.dtype)
                check_state(h, state_name, shape)
                h = h if self.batched else h[:, None]
            initial.append(h)
        mask = None
        if lengths is not None:
            lengths = check_lengths(lengths, B, T)
            mask = (np.arange(T)[:, None] < lengths[None, :]).astype(self.dtype)[:, :, None]
        self.mask = mask
        return x, initial, mask

    def _output(self, y):
        if not self.batched:
            return y[:, 0]
        return y.transpose(1, 0, 2) if self.batch_first else y

    def _grad_output(self, grad_output, T, B):
        """grad_output back to the time-major (T, B, H) layout."""
        g = np.asarray(grad_output, dtype=self.dtype)
        if not self.batched:
            g = g[:, None]
        elif self.batch_first:
            g = g.transpose(1, 0, 2)
        if g.shape != (T, B, self.hidden_size):
            raise ValueError(f"grad_output: expected the output's shape, got {np.shape(grad_output)}")
        return g

    def _grad_state(self, g, B):
        L, H = self.num_layers, self.hidden_size
        if g is None:
            return np.zeros((L, B, H), dtype=self.dtype)
        g = np.asarray(g, dtype=self.dtype)
        return g if self.batched else g[:, None]

    def _state_out(self, h):
        return h if self.batched else h[:, 0]

    def _accumulate(self, k, x, hs, dz):
        """Weight gradients of all time steps at once: dW_ih = dz^T x, dW_hh = dz^T h_{t-1}."""
        rows = dz.shape[-1]
        dz2 = dz.reshape(-1, rows)
        self._grads[f"weight_ih_l{k}"] += dz2.T @ x.reshape(dz2.shape[0], -1)
        self._grads[f"weight_hh_l{k}"] += dz2.T @ hs[:-1].reshape(dz2.shape[0], -1)
        if self.bias:
            db = dz2.sum(axis=0)
            self._grads[f"bias_ih_l{k}"] += db
            self._grads[f"bias_hh_l{k}"] += db


class RNN(RecurrentBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu), per layer.

    forward(x, hx=None, *, lengths=None) -> (output, h_n); x is (T, B, input_size)
    ((B, T, input_size) with batch_first, or (T, input_size) unbatched), output holds the top
    layer's h_t for every t, h_n the last state of every layer, (num_layers, B, hidden_size).
    """

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, *, dtype=np.float64, rng=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"nonlinearity: expected 'tanh' or 'relu', got {nonlinearity!r}")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, 0, dtype, rng)

    def forward(self, x, hx=None, *, lengths=None):
        x, (h0,), mask = self._prepare(x, [("h0", hx)], lengths)
        self.cache = []
        h_n = []
        for k in range(self.num_layers):
            x, h_last = self._layer_forward(k, x, h0[k], mask)
            h_n.append(h_last)
        return self._output(x), self._state_out(np.stack(h_n))

    def _layer_forward(self, k, x, h0, mask):
        """One layer over all time steps; hs[t + 1] is the state after step t (hs[0] = h0)."""
        W_ih, W_hh, b = self._layer_weights(k)
        T, B, _ = x.shape
        pre = (x.reshape(T * B, -1) @ W_ih.T).reshape(T, B, -1)
        if b is not None:
            pre += b
        hs = np.empty((T + 1, B, self.hidden_size), dtype=self.dtype)
        hs[0] = h0
        W_hhT = W_hh.T
        new = hs[1:] if mask is None else np.empty_like(pre)
        rec = np.empty((B, self.hidden_size), dtype=self.dtype)
        for t in range(T):
            a = pre[t]  # becomes the pre-activation of step t, in place
            np.matmul(hs[t], W_hhT, out=rec)
            a += rec
            if self.nonlinearity == "tanh":
                np.tanh(a, out=new[t])
            else:
                np.maximum(a, 0, out=new[t])
            if mask is not None:
                hs[t + 1] = np.where(mask[t] > 0, new[t], hs[t])
        self.cache.append((x, hs, new))
        y = hs[1:] if mask is None else new * mask
        return y, hs[T]

    def backward(self, grad_output, grad_h_n=None):
        """BPTT through all layers; returns dL/dx and stores dL/dh_0 in `grad_h0`."""
        T, B = self.cache[0][0].shape[:2]
        dy = self._grad_output(grad_output, T, B)
        dh_n = self._grad_state(grad_h_n, B)
        dh0 = np.empty_like(dh_n)
        for k in reversed(range(self.num_layers)):
            dy, dh0[k] = self._layer_backward(k, dy, dh_n[k])
        self.grad_h0 = self._state_out(dh0)
        return self._output(dy)

    def _layer_backward(self, k, dy, dh):
        x, hs, new = self.cache[k]
        W_ih, W_hh, _ = self._layer_weights(k)
        mask = self.mask
        da = np.empty_like(dy)
        for t in reversed(range(dy.shape[0])):
            if mask is None:
                g = dy[t] + dh
            else:  # a padded step passes the state (and its gradient) through untouched
                g = mask[t] * (dy[t] + dh)
                keep = (1 - mask[t]) * dh
            if self.nonlinearity == "tanh":
                np.multiply(g, 1 - new[t] * new[t], out=da[t])
            else:
                np.multiply(g, new[t] > 0, out=da[t])
            dh = da[t] @ W_hh
            if mask is not None:
                dh += keep
        self._accumulate(k, x, hs, da)
        return da @ W_ih, dh


class LSTM(RecurrentBase):
    """LSTM, per layer and time step (gate rows stacked i, f, g, o in W_ih, W_hh, b_ih, b_hh):

        i = sigma(W_ii x_t + W_hi h_{t-1} + b_i)    input gate
        f = sigma(W_if x_t + W_hf h_{t-1} + b_f)    forget gate
        g = tanh (W_ig x_t + W_hg h_{t-1} + b_g)    candidate cell
        o = sigma(W_io x_t + W_ho h_{t-1} + b_o)    output gate
        c_t = f * c_{t-1} + i * g,   h_t = o * tanh(c_t)

    forward(x, (h0, c0)=None, *, lengths=None) -> (output, (h_n, c_n)).
    """

    gates = 4

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, *, dtype=np.float64, rng=None):
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, proj_size,
                         dtype, rng)

    def forward(self, x, hx=None, *, lengths=None):
        if hx is None:
            hx = (None, None)
        elif not isinstance(hx, (tuple, list)) or len(hx) != 2:
            raise TypeError(f"LSTM hx: expected a pair (h0, c0), got {describe(hx)}")
        x, (h0, c0), mask = self._prepare(x, [("h0", hx[0]), ("c0", hx[1])], lengths)
        self.cache = []
        h_n, c_n = [], []
        for k in range(self.num_layers):
            x, h_last, c_last = self._layer_forward(k, x, h0[k], c0[k], mask)
            h_n.append(h_last)
            c_n.append(c_last)
        return self._output(x), (self._state_out(np.stack(h_n)), self._state_out(np.stack(c_n)))

    def _layer_forward(self, k, x, h0, c0, mask):
        """One layer over all time steps; hs[t + 1], cs[t + 1] are the states after step t.

        Fused gates: sigma(z) = (1 + tanh(z / 2)) / 2, so with the i, f, o rows of the weights
        halved (exact in floating point) a single tanh call activates all four gates of a step.
        """
        W_ih, W_hh, b = self._layer_weights(k)
        T, B, _ = x.shape
        H = self.hidden_size
        scale = np.full((4 * H, 1), 0.5, dtype=self.dtype)
        scale[2 * H : 3 * H] = 1
        z = np.matmul(x.reshape(T * B, -1), (scale * W_ih).T).reshape(T, B, 4 * H)
        if b is not None:
            z += scale[:, 0] * b
        W_hhT = np.ascontiguousarray((scale * W_hh).T)
        hs = np.empty((T + 1, B, H), dtype=self.dtype)
        cs = np.empty_like(hs)
        tanh_c = np.empty((T, B, H), dtype=self.dtype)
        hs[0], cs[0] = h0, c0
        rec = np.empty((B, 4 * H), dtype=self.dtype)
        ig = np.empty((B, H), dtype=self.dtype)
        c_new = np.empty((B, H), dtype=self.dtype)
        for t in range(T):
            zt = z[t]  # becomes the activated gates i, f, g, o
            np.matmul(hs[t], W_hhT, out=rec)
            zt += rec
            np.tanh(zt, out=zt)
            for gate in (zt[:, : 2 * H], zt[:, 3 * H :]):  # tanh(z / 2) -> sigma(z)
                gate *= 0.5
                gate += 0.5
            i, f, g, o = zt[:, :H], zt[:, H : 2 * H], zt[:, 2 * H : 3 * H], zt[:, 3 * H :]
            c = cs[t + 1] if mask is None else c_new
            np.multiply(f, cs[t], out=c)
            np.multiply(i, g, out=ig)
            c += ig
            np.tanh(c, out=tanh_c[t])
            np.multiply(o, tanh_c[t], out=hs[t + 1])
            if mask is not None:  # padded steps keep the previous state
                m = mask[t] > 0
                np.copyto(hs[t + 1], hs[t], where=~m)
                cs[t + 1] = np.where(m, c_new, cs[t])
        self.cache.append((x, hs, cs, z, tanh_c))
        y = hs[1:] if mask is None else hs[1:] * mask
        return y, hs[T], cs[T]

    def backward(self, grad_output, grad_h_n=None, grad_c_n=None):
        """BPTT through all layers; returns dL/dx and stores dL/dh_0, dL/dc_0 in grad_h0, grad_c0."""
        T, B = self.cache[0][0].shape[:2]
        dy = self._grad_output(grad_output, T, B)
        dh_n, dc_n = self._grad_state(grad_h_n, B), self._grad_state(grad_c_n, B)
        dh0, dc0 = np.empty_like(dh_n), np.empty_like(dc_n)
        for k in reversed(range(self.num_layers)):
            dy, dh0[k], dc0[k] = self._layer_backward(k, dy, dh_n[k], dc_n[k])
        self.grad_h0, self.grad_c0 = self._state_out(dh0), self._state_out(dc0)
        return self._output(dy)

    def _layer_backward(self, k, dy, dh, dc):
        """Walk back in time. With dc_t = dh_t o (1 - tanh^2 c_t) + dc_{t+1} f_{t+1}, the gradients
        of the pre-activations are

            dz_i = dc_t g i (1 - i),  dz_f = dc_t c_{t-1} f (1 - f),  dz_g = dc_t i (1 - g^2),
            dz_o = dh_t tanh(c_t) o (1 - o).

        Every factor except dc_t and dh_t is known after the forward pass, so it is computed for
        all steps at once (array D); the loop then only multiplies D[t] in place by dc_t and dh_t.
        """
        x, hs, cs, z, tanh_c = self.cache[k]
        W_ih, W_hh, _ = self._layer_weights(k)
        T, B, _ = dy.shape
        H = self.hidden_size
        i, f, g, o = (z[..., n * H : (n + 1) * H] for n in range(4))
        D = z * (1 - z)
        D[..., 2 * H : 3 * H] = 1 - g * g
        D[..., :H] *= g
        D[..., H : 2 * H] *= cs[:-1]
        D[..., 2 * H : 3 * H] *= i
        D[..., 3 * H :] *= tanh_c
        dh_to_dc = o * (1 - tanh_c * tanh_c)
        D3 = D.reshape(T, B, 4, H)
        mask = self.mask
        gh = np.empty((B, H), dtype=self.dtype)
        for t in reversed(range(T)):
            np.add(dy[t], dh, out=gh)  # dL/dh_t: from the output and from step t + 1
            if mask is not None:  # padded steps pass h and c (and their gradients) through untouched
                m = mask[t]
                keep_h, keep_c = (1 - m) * dh, (1 - m) * dc
                gh *= m
                dc = dc * m
            dct = gh * dh_to_dc[t]
            dct += dc  # dL/dc_t
            D3[t, :, :3] *= dct[:, None, :]  # D[t] becomes dL/dz_t
            D3[t, :, 3] *= gh
            dc = dct * f[t]
            dh = D[t] @ W_hh
            if mask is not None:
                dh += keep_h
                dc += keep_c
        self._accumulate(k, x, hs, D)
        dx = (D.reshape(T * B, -1) @ W_ih).reshape(T, B, -1)
        return dx, dh, dc
