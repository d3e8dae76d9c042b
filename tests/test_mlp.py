"""Sequential and MLP: scratch == bigmodels.nn == torch built-in, and the shared trainer."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from bigmodels import nn, scratch, training
from bigmodels.scratch.gradcheck import check_module
from bigmodels.testing import assert_close

SETTINGS = settings(max_examples=20, deadline=None)


def torch_grads(model, x, upstream):
    x = torch.tensor(x, requires_grad=True)
    y = model(x)
    params = dict(model.named_parameters())
    grads = torch.autograd.grad(y, [x, *params.values()], torch.tensor(upstream))
    return y.detach().numpy(), grads[0].numpy(), {n: g.numpy() for n, g in zip(params, grads[1:])}


@SETTINGS
@given(sizes=st.lists(st.integers(1, 6), min_size=2, max_size=5), batch=st.integers(1, 5),
       activation=st.sampled_from(["relu", "sigmoid", "tanh", "gelu"]), seed=st.integers(0, 99))
def test_mlp_three_ways(sizes, batch, activation, seed):
    torch.manual_seed(seed)
    formula = nn.MLP(sizes, activation).double()
    builtin = nn.MLP(sizes, activation, builtin=True).double()
    builtin.load_state_dict(formula.state_dict())
    model = scratch.Sequential.from_torch(formula)
    rng = np.random.default_rng(seed)
    x, upstream = rng.standard_normal((batch, sizes[0])), rng.standard_normal((batch, sizes[-1]))
    out, dx, dparams = torch_grads(builtin, x, upstream)
    out_nn, dx_nn, dparams_nn = torch_grads(formula, x, upstream)
    assert_close(model(x), out, name="scratch output")
    assert_close(out_nn, out, name="nn output")
    assert_close(model.backward(upstream), dx, name="scratch dx")
    assert_close(dx_nn, dx, name="nn dx")
    assert list(model.grads) == list(dparams) == list(dparams_nn)
    for name in dparams:
        assert_close(model.grads[name], dparams[name], name=f"scratch d{name}")
        assert_close(dparams_nn[name], dparams[name], name=f"nn d{name}")


def test_sequential_names_round_trip_and_finite_differences():
    rng = np.random.default_rng(0)
    model = scratch.MLP([4, 5, 3, 2], activation="tanh", rng=rng)
    assert list(model.params) == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
    assert [type(m).__name__ for m in model] == ["Linear", "Tanh", "Linear", "Tanh", "Linear"]
    builtin = model.to_torch()
    assert isinstance(builtin, torch.nn.Sequential) and builtin[0].weight.dtype == torch.float64
    x = rng.standard_normal((3, 4))
    assert_close(model(x), builtin(torch.tensor(x)), name="to_torch output")
    back = scratch.Sequential.from_torch(builtin)
    for name, p in model.params.items():
        np.testing.assert_array_equal(back.params[name], p)
    errors = check_module(model, (x,))
    assert max(errors.values()) < 1e-7, errors


def test_sequential_with_layernorm_and_dropout_converts():
    torch.manual_seed(0)
    builtin = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.LayerNorm(4), torch.nn.GELU(),
                                  torch.nn.Dropout(0.1), torch.nn.Linear(4, 2)).double().eval()
    model = scratch.Sequential.from_torch(builtin)
    assert not model.training and model[3].p == 0.1
    x = np.random.default_rng(0).standard_normal((5, 3))
    assert_close(model(x), builtin(torch.tensor(x)), name="output")
    again = model.to_torch()
    assert [type(m).__name__ for m in again] == [type(m).__name__ for m in builtin]


def test_input_grad_false_skips_the_first_product():
    model = scratch.MLP([3, 4, 2], rng=np.random.default_rng(0))
    x = np.ones((2, 3))
    model(x)
    assert model.backward(np.ones((2, 2)), input_grad=False) is None
    grads = {n: g.copy() for n, g in model.grads.items()}
    model.zero_grad()
    model(x)
    model.backward(np.ones((2, 2)))
    for name, g in grads.items():
        np.testing.assert_array_equal(model.grads[name], g)


def test_float32_mlp_matches_torch():
    model = scratch.MLP([6, 8, 3], dtype=np.float32, rng=np.random.default_rng(0))
    builtin = model.to_torch()
    assert builtin[0].weight.dtype == torch.float32
    x = np.random.default_rng(1).standard_normal((4, 6)).astype(np.float32)
    y = model(x)
    assert y.dtype == np.float32
    assert model.backward(np.ones_like(y)).dtype == np.float32
    assert all(g.dtype == np.float32 for g in model.grads.values())
    assert_close(y, builtin(torch.tensor(x)), tol=1e-6, name="float32 output")


def test_bad_input():
    with pytest.raises(ValueError, match=r"sizes: expected at least \(in_features, out_features\)"):
        scratch.MLP([3])
    with pytest.raises(ValueError, match=r"sizes: expected at least \(in_features, out_features\)"):
        nn.MLP([5])
    with pytest.raises(TypeError, match="MLP layer size: expected an int, got float"):
        nn.MLP([4, 2.5])
    with pytest.raises(ValueError, match="MLP layer size: expected an int >= 1, got 0"):
        nn.MLP([4, 0, 2])
    with pytest.raises(ValueError, match="activation: expected one of"):
        scratch.MLP([3, 2], activation="swish")
    with pytest.raises(ValueError, match="activation: expected one of"):
        nn.MLP([3, 2], activation="swish")
    with pytest.raises(TypeError, match="expected scratch Module layers, got int"):
        scratch.Sequential(scratch.ReLU(), 3)
    with pytest.raises(TypeError, match="expected layers of one dtype"):
        scratch.Sequential(scratch.Linear(2, 2), scratch.Linear(2, 2, dtype=np.float32))
    with pytest.raises(TypeError, match="expected children among"):
        scratch.Sequential.from_torch(torch.nn.Sequential(torch.nn.Conv1d(1, 1, 1)))
    with pytest.raises(ValueError, match="expected approximate='none'"):
        scratch.Sequential.from_torch(torch.nn.Sequential(torch.nn.GELU(approximate="tanh")))
    model = scratch.MLP([3, 2])
    with pytest.raises(ValueError, match=r"expected shape \(\.\.\., 3\), got \(4, 5\)"):
        model(np.zeros((4, 5)))
    with pytest.raises(TypeError, match="expected dtype float64, got float32"):
        model(np.zeros((4, 3), dtype=np.float32))


# -- the shared trainer -----------------------------------------------------------------------
def toy_data(n=60, d=5, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 1)
    return X, y.clip(0, classes - 1)


def test_fit_and_fit_scratch_give_the_same_history():
    X, y = toy_data()
    torch.manual_seed(0)
    model = nn.MLP([5, 8, 3]).double()
    twin = scratch.Sequential.from_torch(model)
    kwargs = dict(epochs=3, batch_size=16, X_val=X[:20], y_val=y[:20], seed=3, verbose=False)
    h = training.fit(model, nn.CrossEntropyLoss(), torch.optim.Adam(model.parameters(), 1e-2), X, y, **kwargs)
    h2 = training.fit_scratch(twin, scratch.CrossEntropyLoss(), scratch.Adam(twin, 1e-2), X, y, **kwargs)
    assert list(h) == ["loss", "accuracy", "val_loss", "val_accuracy"] and len(h["loss"]) == 3
    for key in h:
        assert_close(np.array(h2[key]), np.array(h[key]), tol=1e-10, name=key)
    assert h["loss"][-1] < h["loss"][0]
    for name, p in model.named_parameters():
        assert_close(twin.params[name], p, name=name)
    ev = training.evaluate(model, nn.CrossEntropyLoss(), X, y)
    ev2 = training.evaluate_scratch(twin, scratch.CrossEntropyLoss(), X, y)
    assert abs(ev["loss"] - ev2["loss"]) < 1e-10 and ev["accuracy"] == ev2["accuracy"]


def test_fit_prints_rounded_lines_and_handles_regression(capsys):
    X, y = toy_data()
    torch.manual_seed(0)
    model = torch.nn.Linear(5, 1).double()
    target = X[:, :1] * 2.0
    h = training.fit(model, torch.nn.MSELoss(), torch.optim.SGD(model.parameters(), 0.1), X, target,
                     epochs=4, batch_size=10, accuracy=False, log_every=2)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in lines] == ["2/4", "4/4"] and list(h) == ["loss"]
    assert h["loss"][-1] < 0.1 * h["loss"][0]


def test_minibatches_and_accuracy():
    batches = list(training.minibatches(10, 4, np.random.default_rng(0)))
    assert [len(b) for b in batches] == [4, 4, 2]
    assert sorted(np.concatenate(batches).tolist()) == list(range(10))
    assert training.accuracy(np.array([[0.1, 0.9], [2.0, 1.0]]), np.array([1, 1])) == 0.5
    assert training.accuracy(np.array([[0.3], [-1.0]]), np.array([1.0, 0.0])) == 1.0


def test_fit_bad_input():
    X, y = toy_data()
    model = nn.MLP([5, 3]).double()
    opt = torch.optim.SGD(model.parameters(), 0.1)
    with pytest.raises(ValueError, match="expected the same number of rows, got 60 and 59"):
        training.fit(model, nn.CrossEntropyLoss(), opt, X, y[:-1], epochs=1)
    with pytest.raises(ValueError, match="X_val and y_val: expected both or neither"):
        training.fit(model, nn.CrossEntropyLoss(), opt, X, y, epochs=1, X_val=X)
    with pytest.raises(ValueError, match="epochs: expected an int >= 1, got 0"):
        training.fit(model, nn.CrossEntropyLoss(), opt, X, y, epochs=0)
