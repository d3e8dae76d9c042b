"""bigmodels.scratch.LSTM == bigmodels.nn.LSTM == torch.nn.LSTM: outputs, final states, every gradient."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from test_rnn import compare_three, shapes

from bigmodels import nn as bnn
from bigmodels import scratch
from bigmodels.scratch.gradcheck import numerical_gradient
from bigmodels.testing import assert_close


@settings(max_examples=12, deadline=None)
@given(**shapes)
def test_lstm_matches_nn_and_torch_on_random_shapes(steps, batch, features, hidden, layers, batch_first,
                                                     use_lengths):
    compare_three("LSTM", steps, batch, features, hidden, layers, batch_first, use_lengths)


@pytest.mark.parametrize("steps, batch, hidden, layers", [(1, 3, 4, 1), (6, 1, 4, 1), (6, 3, 1, 1),
                                                          (6, 3, 4, 2), (6, 3, 4, 3)])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("use_lengths", [False, True])
def test_lstm_edge_shapes(steps, batch, hidden, layers, batch_first, use_lengths):
    compare_three("LSTM", steps, batch, 3, hidden, layers, batch_first, use_lengths)


def test_lstm_without_bias_and_unbatched():
    compare_three("LSTM", 5, 3, 3, 4, 2, use_lengths=True, bias=False)
    compare_three("LSTM", 5, 1, 3, 4, 2, unbatched=True)


def test_lstm_finite_differences():
    rng = np.random.default_rng(1)
    model = scratch.LSTM(3, 4, num_layers=2, rng=rng)
    x = rng.standard_normal((4, 2, 3))
    h0, c0 = rng.standard_normal((2, 2, 2, 4))
    lengths = np.array([2, 4])
    grad_y = rng.standard_normal((4, 2, 4))
    grad_h, grad_c = rng.standard_normal((2, 2, 2, 4))

    def loss():
        y, (h_n, c_n) = model(x, (h0, c0), lengths=lengths)
        return float(np.sum(grad_y * y) + np.sum(grad_h * h_n) + np.sum(grad_c * c_n))

    loss()
    model.zero_grad()
    grad_x = model.backward(grad_y, grad_h, grad_c)
    assert_close(grad_x, numerical_gradient(loss, x), tol=1e-7, name="d input")
    assert_close(model.grad_h0, numerical_gradient(loss, h0), tol=1e-7, name="d h0")
    assert_close(model.grad_c0, numerical_gradient(loss, c0), tol=1e-7, name="d c0")
    analytic = {name: g.copy() for name, g in model.grads.items()}
    for name, p in model.params.items():
        assert_close(analytic[name], numerical_gradient(loss, p), tol=1e-7, name=f"d {name}")


def test_gradients_accumulate_until_zero_grad():
    rng = np.random.default_rng(3)
    model = scratch.LSTM(2, 3, rng=rng)
    x = rng.standard_normal((4, 2, 2))
    y, _ = model(x)
    model.backward(np.ones_like(y))
    once = model.grads["weight_hh_l0"].copy()
    model.backward(np.ones_like(y))
    assert_close(model.grads["weight_hh_l0"], 2 * once, tol=1e-14)
    model.zero_grad()
    assert not model.grads["weight_hh_l0"].any()


def test_gate_order_is_i_f_g_o_like_torch():
    """A forget gate forced shut (bias -inf on rows H:2H) erases the initial cell state."""
    model = scratch.LSTM(1, 2, rng=np.random.default_rng(0))
    model.params["bias_ih_l0"][2:4] = -1e3
    _, (_, c_n) = model(np.zeros((1, 1, 1)), (np.zeros((1, 1, 2)), np.full((1, 1, 2), 5.0)))
    builtin = model.to_torch()
    h0, c0 = torch.zeros(1, 1, 2, dtype=torch.float64), torch.full((1, 1, 2), 5.0, dtype=torch.float64)
    _, (_, c_ref) = builtin(torch.zeros(1, 1, 1, dtype=torch.float64), (h0, c0))
    assert np.abs(c_n).max() < 1.0
    assert_close(c_n, c_ref)


def test_lstm_specific_errors():
    model = scratch.LSTM(3, 4)
    with pytest.raises(TypeError, match=r"pair \(h0, c0\)"):
        model(np.zeros((5, 2, 3)), np.zeros((1, 2, 4)))
    with pytest.raises(ValueError, match="proj_size"):
        scratch.LSTM(3, 4, proj_size=2)
    with pytest.raises(ValueError, match="proj_size"):
        bnn.LSTM(3, 4, proj_size=2)
    with pytest.raises(ValueError, match="only for batched"):
        model(np.zeros((5, 3)), lengths=np.array([5]))


def test_nn_lstm_returns_its_gates():
    model = bnn.LSTM(3, 4, num_layers=2, batch_first=True)
    y, _, gates = model(torch.randn(2, 5, 3), return_gates=True)
    assert len(gates) == 2 and gates[0].shape == (4, 5, 2, 4)
    assert ((gates[1] >= -1) & (gates[1] <= 1)).all()


@pytest.mark.parametrize("use_lengths", [False, True])
def test_sentiment_classifier_numpy_twin_matches_pytorch(use_lengths):
    torch.manual_seed(0)
    model = bnn.SentimentLSTM(30, embedding_dim=5, hidden_size=6, dense_size=4).double()
    twin = scratch.SentimentLSTM.from_torch(model)
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 30, (3, 7))
    lengths = np.array([7, 2, 4]) if use_lengths else None
    grad = rng.standard_normal(3)
    logits = model(torch.from_numpy(ids), lengths)
    (logits * torch.from_numpy(grad)).sum().backward()
    assert_close(twin(ids, lengths), logits)
    twin.backward(grad)
    for name, p in model.named_parameters():
        assert_close(twin.grads[name], p.grad, name=name)
