"""bigmodels.scratch.RNN == bigmodels.nn.RNN == torch.nn.RNN: outputs, final states, every gradient.

`compare_three` is shared with test_lstm.py.
"""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from bigmodels import nn as bnn
from bigmodels import scratch
from bigmodels.scratch.gradcheck import numerical_gradient
from bigmodels.testing import assert_close

CLASSES = {"RNN": (scratch.RNN, bnn.RNN, torch.nn.RNN), "LSTM": (scratch.LSTM, bnn.LSTM, torch.nn.LSTM)}


def torch_reference(builtin, x, states, lengths):
    """The built-in's (output, final states); padded batches go through pack_padded_sequence."""
    hx = tuple(states) if len(states) == 2 else states[0]
    if lengths is None:
        y, final = builtin(x, hx)
    else:
        packed = torch.nn.utils.rnn.pack_padded_sequence(
            x, torch.as_tensor(lengths), batch_first=builtin.batch_first, enforce_sorted=False)
        y, final = builtin(packed, hx)
        y, _ = torch.nn.utils.rnn.pad_packed_sequence(
            y, batch_first=builtin.batch_first, total_length=x.shape[1 if builtin.batch_first else 0])
    return y, (final if isinstance(final, tuple) else (final,))


def compare_three(kind, steps, batch, features, hidden, layers, batch_first=False, use_lengths=False,
                  unbatched=False, seed=0, **options):
    """Float64: scratch, nn and the built-in agree to rel. 1e-10 on outputs, states and all gradients."""
    scratch_cls, nn_cls, torch_cls = CLASSES[kind]
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    builtin = torch_cls(features, hidden, layers, batch_first=batch_first, **options).double()
    model, twin = scratch_cls.from_torch(builtin), nn_cls.from_torch(builtin)
    n_states = 2 if kind == "LSTM" else 1
    if unbatched:
        x_shape, state_shape = (steps, features), (layers, hidden)
    else:
        x_shape = (batch, steps, features) if batch_first else (steps, batch, features)
        state_shape = (layers, batch, hidden)
    x = rng.standard_normal(x_shape)
    states = [rng.standard_normal(state_shape) for _ in range(n_states)]
    lengths = rng.integers(1, steps + 1, size=batch) if use_lengths else None

    # scratch: explicit backward
    y, final = model(x, tuple(states) if n_states == 2 else states[0], lengths=lengths)
    final = final if n_states == 2 else (final,)
    grad_y = rng.standard_normal(y.shape)
    grad_final = [rng.standard_normal(state_shape) for _ in range(n_states)]
    grad_x = model.backward(grad_y, *grad_final)
    grad_states = [model.grad_h0, model.grad_c0] if n_states == 2 else [model.grad_h0]

    for reference in (builtin, twin):
        x_t = torch.tensor(x, requires_grad=True)
        states_t = [torch.tensor(s, requires_grad=True) for s in states]
        if reference is builtin:
            y_t, final_t = torch_reference(builtin, x_t, states_t, lengths)
        else:
            y_t, final_t = twin(x_t, tuple(states_t) if n_states == 2 else states_t[0], lengths=lengths)
            final_t = final_t if n_states == 2 else (final_t,)
        loss = (y_t * torch.tensor(grad_y)).sum()
        loss = loss + sum((f * torch.tensor(g)).sum() for f, g in zip(final_t, grad_final))
        loss.backward()
        who = type(reference).__module__
        assert_close(y, y_t, name=f"{who} output")
        for a, b in zip(final, final_t):
            assert_close(a, b, name=f"{who} final state")
        assert_close(grad_x, x_t.grad, name=f"{who} d input")
        for a, s in zip(grad_states, states_t):
            assert_close(a, s.grad, name=f"{who} d initial state")
        for name, p in reference.named_parameters():
            assert_close(model.grads[name], p.grad, name=f"{who} d {name}")


shapes = dict(steps=st.integers(1, 5), batch=st.integers(1, 4), features=st.integers(1, 4),
              hidden=st.integers(1, 4), layers=st.integers(1, 3), batch_first=st.booleans(),
              use_lengths=st.booleans())


@settings(max_examples=12, deadline=None)
@given(**shapes)
def test_rnn_matches_nn_and_torch_on_random_shapes(steps, batch, features, hidden, layers, batch_first,
                                                    use_lengths):
    compare_three("RNN", steps, batch, features, hidden, layers, batch_first, use_lengths)


@pytest.mark.parametrize("steps, batch, hidden, layers", [(1, 3, 4, 1), (6, 1, 4, 1), (6, 3, 1, 1),
                                                          (6, 3, 4, 2), (6, 3, 4, 3)])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("use_lengths", [False, True])
def test_rnn_edge_shapes(steps, batch, hidden, layers, batch_first, use_lengths):
    compare_three("RNN", steps, batch, 3, hidden, layers, batch_first, use_lengths)


@pytest.mark.parametrize("options", [dict(nonlinearity="relu"), dict(bias=False)])
def test_rnn_relu_and_no_bias(options):
    compare_three("RNN", 5, 3, 3, 4, 2, use_lengths=True, **options)


def test_rnn_unbatched_input():
    compare_three("RNN", 5, 1, 3, 4, 2, unbatched=True)


def test_rnn_finite_differences():
    rng = np.random.default_rng(1)
    model = scratch.RNN(3, 4, num_layers=2, rng=rng)
    x, h0 = rng.standard_normal((4, 2, 3)), rng.standard_normal((2, 2, 4))
    lengths = np.array([4, 2])
    grad_y, grad_h = rng.standard_normal((4, 2, 4)), rng.standard_normal((2, 2, 4))

    def loss():
        y, h_n = model(x, h0, lengths=lengths)
        return float(np.sum(grad_y * y) + np.sum(grad_h * h_n))

    loss()
    model.zero_grad()
    grad_x = model.backward(grad_y, grad_h)
    assert_close(grad_x, numerical_gradient(loss, x), tol=1e-7, name="d input")
    assert_close(model.grad_h0, numerical_gradient(loss, h0), tol=1e-7, name="d h0")
    analytic = {name: g.copy() for name, g in model.grads.items()}
    for name, p in model.params.items():
        assert_close(analytic[name], numerical_gradient(loss, p), tol=1e-7, name=f"d {name}")


def test_padded_steps_give_zero_output_and_the_state_of_the_last_real_step():
    rng = np.random.default_rng(2)
    model = scratch.RNN(2, 3, batch_first=True, rng=rng)
    x = rng.standard_normal((2, 5, 2))
    y, h_n = model(x, lengths=np.array([5, 3]))
    assert np.all(y[1, 3:] == 0)
    y_short, h_short = model(x[1:, :3])
    assert_close(h_n[:, 1], h_short[:, 0], tol=1e-15)
    assert_close(y[1, :3], y_short[0], tol=1e-15)


def test_round_trip_to_torch_and_float32():
    model = scratch.RNN(3, 4, num_layers=2, batch_first=True, dtype=np.float32, rng=np.random.default_rng(0))
    builtin = model.to_torch()
    assert builtin.batch_first and builtin.num_layers == 2 and builtin.weight_hh_l1.dtype == torch.float32
    x = np.random.default_rng(1).standard_normal((2, 5, 3)).astype(np.float32)
    y, h_n = model(x)
    assert y.dtype == np.float32 and h_n.dtype == np.float32
    assert_close(y, builtin(torch.from_numpy(x))[0], tol=1e-5)
    assert model.backward(np.ones_like(y)).dtype == np.float32
    assert_close(bnn.RNN.from_torch(builtin)(torch.from_numpy(x))[0], y, tol=1e-5)


@pytest.mark.parametrize("cls", [scratch.RNN, bnn.RNN, scratch.LSTM, bnn.LSTM])
def test_clear_errors(cls):
    is_scratch = cls.__module__.startswith("bigmodels.scratch")

    def array(*shape):
        a = np.zeros(shape)
        return a if is_scratch else torch.from_numpy(a)

    model = cls(3, 4, num_layers=2)
    state = (lambda h: (h, h)) if "LSTM" in cls.__name__ else (lambda h: h)
    with pytest.raises(ValueError, match="2-D or 3-D"):
        model(array(5, 2, 3, 1))
    with pytest.raises(ValueError, match="3 features"):
        model(array(5, 2, 4))
    with pytest.raises(ValueError, match=r"\(2, 2, 4\)"):
        model(array(5, 2, 3), state(array(2, 2, 5)))
    with pytest.raises(ValueError, match=r"\(2, 2, 4\)"):
        model(array(5, 2, 3), state(array(1, 2, 4)))
    with pytest.raises(ValueError, match=r"values in \[1, 5\]"):
        model(array(5, 2, 3), lengths=np.array([6, 2]))
    with pytest.raises(ValueError, match="one length per sequence"):
        model(array(5, 2, 3), lengths=np.array([5, 2, 1]))
    with pytest.raises(ValueError, match="dropout"):
        cls(3, 4, num_layers=2, dropout=0.5)
    with pytest.raises(ValueError, match="bidirectional"):
        cls(3, 4, bidirectional=True)
    if is_scratch:
        with pytest.raises(TypeError, match="float64"):
            model(np.zeros((5, 2, 3), dtype=np.float32))


def test_rnn_rejects_unknown_nonlinearity_and_unsupported_builtins():
    with pytest.raises(ValueError, match="'tanh' or 'relu'"):
        scratch.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="bidirectional"):
        scratch.RNN.from_torch(torch.nn.RNN(3, 4, bidirectional=True))
