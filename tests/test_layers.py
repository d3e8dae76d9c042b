"""The primitives three ways: scratch (NumPy, explicit backward) == bigmodels.nn == torch built-in.

Forward outputs and every gradient agree to rel 1e-10 in float64 over random shapes (batch 1 and
width 1 included); finite differences referee every scratch backward; bad input raises errors that
say what was expected; float32 works too.
"""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from bigmodels import nn, scratch
from bigmodels.scratch import functional as F
from bigmodels.scratch.gradcheck import check_module, numerical_gradient
from bigmodels.testing import assert_close

SETTINGS = settings(max_examples=20, deadline=None)
dims = st.integers(1, 6)
lead_shapes = st.lists(st.integers(1, 4), min_size=0, max_size=2).map(tuple)
ACTIVATIONS = ["ReLU", "Sigmoid", "Tanh", "GELU"]


def torch_grads(module, x, upstream):
    """Output, dL/dx and dL/dparams of L = sum(upstream * module(x)) by autograd."""
    x = torch.tensor(x, requires_grad=True)
    y = module(x)
    params = dict(module.named_parameters())
    grads = torch.autograd.grad(y, [x, *params.values()], torch.tensor(upstream))
    return y.detach().numpy(), grads[0].numpy(), {n: g.numpy() for n, g in zip(params, grads[1:])}


def assert_three_agree(builtin, x, seed=0, atol=None):
    """scratch.from_torch(builtin) and nn.from_torch(builtin) match builtin, outputs and grads.

    atol: compare with this absolute tolerance instead (for results that are zero up to rounding).
    """
    rng = np.random.default_rng([seed, 1])  # a stream independent of the one that drew x
    out, dx, dparams = torch_grads(builtin, x, upstream := rng.standard_normal(builtin(torch.tensor(x)).shape))
    kind = type(builtin).__name__
    formula = getattr(nn, kind).from_torch(builtin)
    out_nn, dx_nn, dparams_nn = torch_grads(formula, x, upstream)
    model = getattr(scratch, kind).from_torch(builtin)
    out_scratch = model(x)
    dx_scratch = model.backward(upstream)
    def check(actual, expected, name):
        if atol is None:
            assert_close(actual, expected, name=f"{kind} {name}")
        else:
            assert np.max(np.abs(actual - np.asarray(expected)), initial=0) <= atol, f"{kind} {name}"

    check(out_nn, out, "nn output")
    check(out_scratch, out, "scratch output")
    check(dx_nn, dx, "nn dx")
    check(dx_scratch, dx, "scratch dx")
    assert set(model.grads) == set(dparams) == set(dparams_nn)
    for name in dparams:
        check(dparams_nn[name], dparams[name], f"nn d{name}")
        check(model.grads[name], dparams[name], f"scratch d{name}")


# -- Linear -----------------------------------------------------------------------------------
@SETTINGS
@given(lead=lead_shapes, n_in=dims, n_out=dims, bias=st.booleans(), seed=st.integers(0, 99))
def test_linear_three_ways(lead, n_in, n_out, bias, seed):
    torch.manual_seed(seed)
    builtin = torch.nn.Linear(n_in, n_out, bias=bias).double()
    x = np.random.default_rng(seed).standard_normal((*lead, n_in))
    assert_three_agree(builtin, x, seed)


def test_linear_round_trip_and_finite_differences():
    rng = np.random.default_rng(0)
    layer = scratch.Linear(4, 3, rng=rng)
    back = scratch.Linear.from_torch(layer.to_torch())
    for name, p in layer.params.items():
        np.testing.assert_array_equal(back.params[name], p)
    errors = check_module(layer, (rng.standard_normal((5, 4)),))
    assert max(errors.values()) < 1e-7, errors


def test_linear_skips_input_grad_on_request():
    layer = scratch.Linear(3, 2, rng=np.random.default_rng(0))
    layer(np.ones((4, 3)))
    assert layer.backward(np.ones((4, 2)), input_grad=False) is None
    np.testing.assert_allclose(layer.grads["bias"], [4.0, 4.0])


def test_linear_bad_input():
    layer = scratch.Linear(3, 2)
    with pytest.raises(ValueError, match=r"expected shape \(\.\.\., 3\), got \(4, 5\)"):
        layer(np.zeros((4, 5)))
    with pytest.raises(TypeError, match="expected dtype float32 or float64, got int64"):
        layer(np.zeros((4, 3), dtype=np.int64))
    with pytest.raises(TypeError, match="expected dtype float64, got float32"):
        layer(np.zeros((4, 3), dtype=np.float32))
    with pytest.raises(TypeError, match="expected a NumPy float array, got list"):
        layer([[0.0, 0.0, 0.0]])
    with pytest.raises(ValueError, match="expected an int >= 1, got 0"):
        scratch.Linear(0, 2)
    with pytest.raises(ValueError, match=r"expected shape \(\.\.\., 3\), got \(4, 5\)"):
        nn.Linear(3, 2)(torch.zeros(4, 5))


# -- Embedding --------------------------------------------------------------------------------
@SETTINGS
@given(lead=st.lists(st.integers(1, 4), min_size=1, max_size=2).map(tuple), vocab=dims, dim=dims,
       pad=st.booleans(), seed=st.integers(0, 99))
def test_embedding_three_ways(lead, vocab, dim, pad, seed):
    torch.manual_seed(seed)
    builtin = torch.nn.Embedding(vocab, dim, padding_idx=0 if pad else None).double()
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, vocab, size=lead)
    upstream = rng.standard_normal((*lead, dim))
    y = builtin(torch.tensor(ids))
    (dw,) = torch.autograd.grad(y, [builtin.weight], torch.tensor(upstream))
    formula = nn.Embedding.from_torch(builtin)
    y_nn = formula(torch.tensor(ids))
    (dw_nn,) = torch.autograd.grad(y_nn, [formula.weight], torch.tensor(upstream))
    model = scratch.Embedding.from_torch(builtin)
    assert_close(model(ids), y, name="embedding output")
    assert_close(y_nn, y, name="nn embedding output")
    assert model.backward(upstream) is None
    assert_close(model.grads["weight"], dw, name="embedding dW")
    assert_close(dw_nn, dw, name="nn embedding dW")


def test_embedding_finite_differences_and_padding():
    rng = np.random.default_rng(1)
    ids = np.array([[0, 1, 4], [4, 4, 2]])
    errors = check_module(scratch.Embedding(5, 3, rng=rng), (ids,))
    assert max(errors.values()) < 1e-7, errors
    emb = scratch.Embedding(5, 3, padding_idx=1, rng=rng)
    assert not emb.weight[1].any()
    emb(ids)
    emb.backward(np.ones((2, 3, 3)))
    assert not emb.grads["weight"][1].any() and emb.grads["weight"][4].tolist() == [3.0] * 3


def test_embedding_bad_input():
    emb = scratch.Embedding(5, 3)
    with pytest.raises(TypeError, match="expected an integer array of token ids"):
        emb(np.zeros(3))
    with pytest.raises(ValueError, match=r"token ids must lie in \[0, 5\), got min 0 and max 5"):
        emb(np.array([0, 5]))
    with pytest.raises(ValueError, match=r"must lie in \[0, 5\)"):
        nn.Embedding(5, 3)(torch.tensor([0, 5]))
    with pytest.raises(TypeError, match="expected an integer tensor"):
        nn.Embedding(5, 3)(torch.zeros(2))


# -- LayerNorm --------------------------------------------------------------------------------
@SETTINGS
@given(lead=lead_shapes, dim=dims, affine=st.booleans(), seed=st.integers(0, 99))
def test_layernorm_three_ways(lead, dim, affine, seed):
    torch.manual_seed(seed)
    builtin = torch.nn.LayerNorm(dim, elementwise_affine=affine).double()
    if affine:
        with torch.no_grad():  # non-trivial weight and bias
            builtin.weight.normal_()
            builtin.bias.normal_()
    x = np.random.default_rng(seed).standard_normal((*lead, dim)) * 3 + 1
    # widths 1 and 2: x_hat is 0 or (+-1, -+1) whatever x is, so dL/dx (and dweight at width 1)
    # is zero up to eps-sized terms and rounding; compare absolutely there. dL/dx is a difference of
    # terms of size 1/sigma, so rounding scales with 1/sigma: two nearly equal values (sigma near
    # sqrt(eps)) make it ~300x larger than for well-spread rows, whatever the implementation.
    inv_std = 1 / np.sqrt(x.var(axis=-1) + builtin.eps)
    atol = 1e-12 * max(1.0, float(inv_std.max())) if dim <= 2 else None
    assert_three_agree(builtin, x, seed, atol=atol)


def test_layernorm_finite_differences():
    rng = np.random.default_rng(2)
    norm = scratch.LayerNorm(4)
    norm.weight[...] = rng.standard_normal(4)
    norm.bias[...] = rng.standard_normal(4)
    errors = check_module(norm, (rng.standard_normal((3, 4)),))
    assert max(errors.values()) < 1e-6, errors


def test_layernorm_bad_input():
    with pytest.raises(ValueError, match=r"expected shape \(\.\.\., 4\), got \(2, 3\)"):
        scratch.LayerNorm(4)(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"expected shape \(\.\.\., 4\), got \(2, 3\)"):
        nn.LayerNorm(4)(torch.zeros(2, 3))


# -- Dropout ----------------------------------------------------------------------------------
def test_dropout_train_scales_survivors_and_eval_is_identity():
    p = 0.3
    drop = scratch.Dropout(p, rng=np.random.default_rng(0))
    x = np.random.default_rng(1).uniform(1, 2, size=(200, 50))
    y = drop(x)
    kept = y != 0
    np.testing.assert_allclose(y[kept], x[kept] / (1 - p))
    assert abs(1 - kept.mean() - p) < 0.02
    grad = drop.backward(np.ones_like(x))
    np.testing.assert_array_equal(grad, kept / (1 - p))
    assert drop.eval()(x) is x
    assert drop.backward(x) is x
    assert scratch.Dropout(0.0).train()(x) is x
    # torch's Dropout follows the same rule (its mask cannot be matched, its values can)
    yt = torch.nn.Dropout(p)(torch.tensor(x)).numpy()
    np.testing.assert_allclose(yt[yt != 0], x[yt != 0] / (1 - p))


def test_dropout_round_trip_and_bad_p():
    drop = scratch.Dropout.from_torch(torch.nn.Dropout(0.25))
    assert drop.p == 0.25 and drop.to_torch().p == 0.25
    with pytest.raises(ValueError, match=r"expected a value in \[0, 1\), got 1.5"):
        scratch.Dropout(1.5)


# -- activations ------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ACTIVATIONS)
@SETTINGS
@given(lead=lead_shapes, dim=dims, seed=st.integers(0, 99))
def test_activation_three_ways(kind, lead, dim, seed):
    x = np.random.default_rng(seed).standard_normal((*lead, dim)) * 3
    assert_three_agree(getattr(torch.nn, kind)(), x, seed)


@pytest.mark.parametrize("kind", ACTIVATIONS)
def test_activation_at_zero_and_extremes(kind):
    x = np.array([0.0, -1e4, 1e4, 1e-9, -1e-9, -3.0, 700.0, -800.0])
    assert_three_agree(getattr(torch.nn, kind)(), x)


@pytest.mark.parametrize("kind", ACTIVATIONS)
def test_activation_finite_differences_and_float32(kind):
    rng = np.random.default_rng(3)
    layer = getattr(scratch, kind)()
    x = rng.standard_normal((3, 4)) + 0.05  # keep away from ReLU's kink at 0
    errors = check_module(layer, (x,))
    assert max(errors.values()) < 1e-7, errors
    x32 = x.astype(np.float32)
    y32 = layer(x32)
    assert y32.dtype == np.float32 and layer.backward(np.ones_like(x32)).dtype == np.float32
    assert_close(y32, getattr(torch.nn, kind)()(torch.tensor(x32)), tol=1e-6, name=f"{kind} float32")


def test_activation_bad_input():
    with pytest.raises(TypeError, match="ReLU input: expected dtype float32 or float64, got int64"):
        scratch.ReLU()(np.arange(3))
    with pytest.raises(ValueError, match="activation: expected one of"):
        F.get_activation("swish")


# -- losses -----------------------------------------------------------------------------------
LOSSES = ["MSELoss", "CrossEntropyLoss", "BCEWithLogitsLoss"]


def loss_data(kind, n, c, rng, scale=2.0):
    if kind == "CrossEntropyLoss":
        return rng.standard_normal((n, c)) * scale, rng.integers(0, c, size=n)
    if kind == "BCEWithLogitsLoss":
        return rng.standard_normal((n, c)) * scale, rng.uniform(0, 1, size=(n, c))
    return rng.standard_normal((n, c)) * scale, rng.standard_normal((n, c))


def assert_losses_agree(kind, logits, target, tol=1e-10):
    z = torch.tensor(logits, requires_grad=True)
    t = torch.tensor(target)
    value = getattr(torch.nn, kind)()(z, t)
    (grad,) = torch.autograd.grad(value, z)
    z_nn = torch.tensor(logits, requires_grad=True)
    value_nn = getattr(nn, kind)()(z_nn, t)
    (grad_nn,) = torch.autograd.grad(value_nn, z_nn)
    loss = getattr(scratch, kind)()
    value_scratch = loss(logits, target)
    assert np.isfinite(value_scratch) and torch.isfinite(value_nn)
    assert_close(np.array(value_scratch), value, tol=tol, name=f"{kind} scratch value")
    assert_close(value_nn, value, tol=tol, name=f"{kind} nn value")
    assert_close(loss.backward(), grad, tol=tol, name=f"{kind} scratch grad")
    assert_close(grad_nn, grad, tol=tol, name=f"{kind} nn grad")


@pytest.mark.parametrize("kind", LOSSES)
@SETTINGS
@given(n=dims, c=dims, seed=st.integers(0, 99))
def test_loss_three_ways(kind, n, c, seed):
    assert_losses_agree(kind, *loss_data(kind, n, c, np.random.default_rng(seed)))


@pytest.mark.parametrize("kind", ["CrossEntropyLoss", "BCEWithLogitsLoss"])
def test_loss_is_stable_for_huge_logits(kind):
    logits, target = loss_data(kind, 4, 3, np.random.default_rng(4))
    logits = np.sign(logits) * 1e4
    assert_losses_agree(kind, logits, target)


@pytest.mark.parametrize("kind", LOSSES)
def test_loss_finite_differences(kind):
    logits, target = loss_data(kind, 3, 4, np.random.default_rng(5))
    loss = getattr(scratch, kind)()
    loss(logits, target)
    analytic = loss.backward()
    numeric = numerical_gradient(lambda: loss.forward(logits, target), logits)
    assert_close(analytic, numeric, tol=1e-7, name=f"{kind} finite differences")


@pytest.mark.parametrize("kind", LOSSES)
def test_loss_float32(kind):
    logits, target = loss_data(kind, 5, 3, np.random.default_rng(6))
    logits = logits.astype(np.float32)
    target = target.astype(np.float32) if kind != "CrossEntropyLoss" else target
    loss = getattr(scratch, kind)()
    value = loss(logits, target)
    assert loss.backward().dtype == np.float32
    assert abs(value - float(getattr(torch.nn, kind)()(torch.tensor(logits), torch.tensor(target)))) < 1e-5


def test_loss_bad_input():
    ce, nn_ce = scratch.CrossEntropyLoss(), nn.CrossEntropyLoss()
    logits = np.zeros((3, 4))
    with pytest.raises(TypeError, match="target: expected an integer NumPy array of class labels"):
        ce(logits, np.zeros(3))
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 4\), got min 0 and max 4"):
        ce(logits, np.array([0, 1, 4]))
    with pytest.raises(ValueError, match=r"target: expected shape \(3,\), got \(2,\)"):
        ce(logits, np.array([0, 1]))
    with pytest.raises(ValueError, match="logits: expected a 2-D array, got shape"):
        ce(np.zeros(4), np.array([0]))
    with pytest.raises(TypeError, match="target: expected an integer tensor of class labels"):
        nn_ce(torch.zeros(3, 4), torch.zeros(3))
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 4\), got min 0 and max 4"):
        nn_ce(torch.zeros(3, 4), torch.tensor([0, 1, 4]))
    with pytest.raises(ValueError, match="logits: expected a 2-D tensor"):
        nn_ce(torch.zeros(4), torch.tensor([0]))
    with pytest.raises(ValueError, match=r"must have the same shape, got \(3, 4\) and \(3,\)"):
        scratch.MSELoss()(logits, np.zeros(3))
    with pytest.raises(ValueError, match=r"must have the same shape, got \(3, 4\) and \(3,\)"):
        nn.MSELoss()(torch.zeros(3, 4), torch.zeros(3))
    with pytest.raises(TypeError, match="target: expected dtype float32 or float64, got int64"):
        scratch.BCEWithLogitsLoss()(logits, np.zeros((3, 4), dtype=np.int64))
    with pytest.raises(TypeError, match="target: expected a float tensor"):
        nn.BCEWithLogitsLoss()(torch.zeros(3, 4), torch.zeros(3, 4, dtype=torch.long))
