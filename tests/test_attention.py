"""Attention: scratch == nn == torch built-ins (float64, rel <= 1e-10), finite differences, masks, errors.

torch's built-ins are called in train mode with dropout 0: in eval mode nn.MultiheadAttention may take
its fused "fast path", a different kernel whose rounding differs from the reference formula.
"""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from bigmodels.nn import attention as nn_attention
from bigmodels.scratch import attention as sc_attention
from bigmodels.scratch.gradcheck import check_module
from bigmodels.testing import assert_close, to_numpy

TOL = 1e-10


def close(actual, expected, name):
    """assert_close, except that a gradient that is zero up to rounding (the query's gradient when a
    query sees a single key, so the softmax is constant) is compared absolutely."""
    if np.max(np.abs(to_numpy(expected)), initial=0) < 1e-13:
        assert np.max(np.abs(to_numpy(actual)), initial=0) < 1e-13, name
    else:
        assert_close(actual, expected, TOL, name)


def t64(a, grad=False):
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


def param_grads_close(scratch, torch_module, name):
    for pname, p in torch_module.named_parameters():
        close(scratch.grads[pname], p.grad, f"{name} grad {pname}")


# -- scaled dot-product attention --------------------------------------------------------------
@settings(max_examples=12, deadline=None)
@given(n=st.integers(1, 3), length=st.integers(1, 5), source=st.integers(1, 5), e=st.integers(1, 6),
       mask_kind=st.sampled_from(["none", "bool", "float", "causal"]), seed=st.integers(0, 10**6))
def test_sdpa_matches_torch_functional(n, length, source, e, mask_kind, seed):
    rng = np.random.default_rng(seed)
    q, k, v = (rng.standard_normal(s) for s in ((n, 2, length, e), (n, 2, source, e), (n, 2, source, 3)))
    mask, causal = None, mask_kind == "causal"
    if mask_kind == "bool":
        mask = rng.random((length, source)) < 0.7
        mask[:, 0] = True  # every query keeps a key: torch is NaN otherwise
    elif mask_kind == "float":
        mask = rng.standard_normal((n, 1, length, source))
    tq, tk, tv = t64(q, True), t64(k, True), t64(v, True)
    tmask = torch.from_numpy(mask) if mask is not None else None
    expected = torch.nn.functional.scaled_dot_product_attention(tq, tk, tv, attn_mask=tmask, is_causal=causal)
    grad = rng.standard_normal(expected.shape)
    expected.backward(t64(grad))

    layer = sc_attention.ScaledDotProductAttention()
    out = layer(q, k, v, mask, causal)
    grads = layer.backward(grad)
    assert_close(out, expected, TOL, "scratch sdpa")
    for g, t, name in zip(grads, (tq, tk, tv), "qkv"):
        close(g, t.grad, f"scratch sdpa grad {name}")

    nq, nk, nv = t64(q, True), t64(k, True), t64(v, True)
    out_nn = nn_attention.scaled_dot_product_attention(nq, nk, nv, tmask, is_causal=causal)
    out_nn.backward(t64(grad))
    assert_close(out_nn, expected, TOL, "nn sdpa")
    for a, b, name in zip((nq, nk, nv), (tq, tk, tv), "qkv"):
        close(a.grad, b.grad, f"nn sdpa grad {name}")


def test_sdpa_finite_differences():
    rng = np.random.default_rng(0)
    q, k, v = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 5, 4)), rng.standard_normal((2, 5, 3))
    mask = rng.random((3, 5)) < 0.8
    layer = sc_attention.ScaledDotProductAttention()

    class Wrapped(sc_attention.Module):
        def forward(self, q, k, v):
            return layer(q, k, v, mask)

        def backward(self, g):
            return layer.backward(g)

    errors = check_module(Wrapped(), (q, k, v))
    assert max(errors.values()) < 1e-7, errors


# -- multi-head attention ----------------------------------------------------------------------
@settings(max_examples=14, deadline=None)
@given(n=st.integers(1, 3), length=st.integers(1, 4), source=st.integers(1, 4), heads=st.sampled_from([1, 2, 4]),
       batch_first=st.booleans(), bias=st.booleans(), masks=st.sampled_from(["none", "pad", "attn", "both", "float"]),
       average=st.booleans(), seed=st.integers(0, 10**6))
def test_multihead_attention_matches_torch(n, length, source, heads, batch_first, bias, masks, average, seed):
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    e = 8  # divisible by 1, 2 and 4 heads
    builtin = torch.nn.MultiheadAttention(e, heads, bias=bias, batch_first=batch_first).double()
    scratch = sc_attention.MultiheadAttention.from_torch(builtin)
    mine = nn_attention.MultiheadAttention.from_torch(builtin)

    def shape(length):
        return (n, length, e) if batch_first else (length, n, e)

    q, k, v = rng.standard_normal(shape(length)), rng.standard_normal(shape(source)), rng.standard_normal(shape(source))
    pad = rng.random((n, source)) < 0.4 if masks in ("pad", "both") else None
    attn = rng.random((length, source)) < 0.4 if masks in ("attn", "both") else None
    if masks == "float":
        attn = rng.standard_normal((n * heads, length, source))
    for m in (pad, attn):
        if m is not None and m.dtype == bool:
            m[..., 0] = False  # keep one key per query: torch returns NaN for fully masked rows
    kw = dict(need_weights=True, average_attn_weights=average)
    tpad = torch.from_numpy(pad) if pad is not None else None
    tattn = torch.from_numpy(attn) if attn is not None else None
    if tpad is not None and tattn is not None:
        tpad, tattn = (torch.zeros(m.shape, dtype=torch.float64).masked_fill(m, float("-inf")) for m in (tpad, tattn))

    tq, tk, tv = t64(q, True), t64(k, True), t64(v, True)
    out, weights = builtin(tq, tk, tv, key_padding_mask=tpad, attn_mask=tattn, **kw)
    grad = rng.standard_normal(out.shape)
    out.backward(t64(grad))

    s_out, s_weights = scratch(q, k, v, key_padding_mask=pad, attn_mask=attn, **kw)
    s_grads = scratch.backward(grad)
    assert_close(s_out, out, TOL, "scratch output")
    assert_close(s_weights, weights, TOL, "scratch weights")
    for g, t, name in zip(s_grads, (tq, tk, tv), ("query", "key", "value")):
        close(g, t.grad, f"scratch grad {name}")
    param_grads_close(scratch, builtin, "scratch")

    nq, nk, nv = t64(q, True), t64(k, True), t64(v, True)
    n_out, n_weights = mine(nq, nk, nv, key_padding_mask=tpad, attn_mask=tattn, **kw)
    n_out.backward(t64(grad))
    assert_close(n_out, out, TOL, "nn output")
    assert_close(n_weights, weights, TOL, "nn weights")
    for a, b, name in zip((nq, nk, nv), (tq, tk, tv), ("query", "key", "value")):
        close(a.grad, b.grad, f"nn grad {name}")
    for (name, p), (_, pb) in zip(mine.named_parameters(), builtin.named_parameters()):
        close(p.grad, pb.grad, f"nn grad {name}")


def test_multihead_attention_unbatched_and_causal_and_round_trip():
    torch.manual_seed(0)
    builtin = torch.nn.MultiheadAttention(6, 3).double()
    scratch = sc_attention.MultiheadAttention.from_torch(builtin)
    x = np.random.default_rng(1).standard_normal((5, 6))
    mask = torch.nn.Transformer.generate_square_subsequent_mask(5, dtype=torch.float64)
    out, w = builtin(t64(x), t64(x), t64(x), attn_mask=mask, is_causal=True)
    s_out, s_w = scratch(x, x, x, is_causal=True)
    assert_close(s_out, out, TOL, "unbatched causal output")
    assert_close(s_w, w, TOL, "unbatched causal weights")
    assert np.all(np.triu(s_w, 1) == 0)
    back = scratch.to_torch()
    assert_close(back(t64(x), t64(x), t64(x), attn_mask=mask)[0], out, TOL, "to_torch")


def test_multihead_attention_finite_differences():
    rng = np.random.default_rng(0)
    layer = sc_attention.MultiheadAttention(4, 2, batch_first=True, rng=rng)
    pad = np.array([[False, False, True], [False, False, False]])

    class Wrapped(sc_attention.Module):
        def __init__(self):
            super().__init__()
            self.add_module("mha", layer)

        def forward(self, q, k, v):
            return layer(q, k, v, key_padding_mask=pad, need_weights=False)[0]

        def backward(self, g):
            return layer.backward(g)

    q, k, v = rng.standard_normal((2, 2, 4)), rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 3, 4))
    errors = check_module(Wrapped(), (q, k, v))
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("masks", ["causal", "attn_mask", "padding", "none"])
@pytest.mark.parametrize("dropout", [0.0, 0.5])
def test_fused_multihead_attention_equals_the_formula_path(masks, dropout):
    """fused=True (F.scaled_dot_product_attention) == the formulas, forward and gradients; with
    dropout in eval mode (no dropout applied), and it is active in train mode."""
    torch.manual_seed(0)
    formula = nn_attention.MultiheadAttention(6, 3, dropout=dropout, batch_first=True).double().eval()
    fused = nn_attention.MultiheadAttention(6, 3, dropout=dropout, batch_first=True, fused=True).double().eval()
    fused.load_state_dict(formula.state_dict())
    x = torch.randn(2, 5, 6, dtype=torch.float64)
    kw = {"causal": dict(is_causal=True), "attn_mask": dict(attn_mask=torch.randn(5, 5, dtype=torch.float64)),
          "padding": dict(key_padding_mask=torch.tensor([[False] * 5, [False, False, False, True, True]])),
          "none": {}}[masks]
    results = []
    for layer in (formula, fused):
        xx = x.clone().requires_grad_()
        out, weights = layer(xx, xx, xx, need_weights=False, **kw)
        out.pow(2).sum().backward()
        results.append((out, xx.grad, {n: p.grad for n, p in layer.named_parameters()}, weights))
    (out, dx, grads, _), (f_out, f_dx, f_grads, f_weights) = results
    assert f_weights is None
    assert_close(f_out, out, TOL, "fused output")
    assert_close(f_dx, dx, TOL, "fused input gradient")
    for name, grad in grads.items():
        assert_close(f_grads[name], grad, TOL, f"fused grad {name}")
    with_weights = fused(x, x, x, need_weights=True, **kw)  # weights asked for: the formula path
    assert_close(with_weights[0], out, TOL, "fused layer asked for weights")
    if dropout:
        fused.train()
        assert not torch.allclose(fused(x, x, x, need_weights=False, **kw)[0], out)


# -- numerical safety ---------------------------------------------------------------------------
def test_fully_masked_rows_give_zeros_not_nan():
    """Documented behaviour: a query with no visible key gets zero weights and a zero output."""
    rng = np.random.default_rng(0)
    q, k, v = rng.standard_normal((1, 2, 3)), rng.standard_normal((1, 4, 3)), rng.standard_normal((1, 4, 3))
    mask = np.ones((2, 4), dtype=bool)
    mask[1] = False  # the second query sees nothing (F.sdpa convention: True = may attend)
    layer = sc_attention.ScaledDotProductAttention()
    out = layer(q, k, v, mask)
    grads = layer.backward(np.ones_like(out))
    assert np.all(np.isfinite(out)) and np.all(out[0, 1] == 0) and np.all(layer.weights[0, 1] == 0)
    assert all(np.all(np.isfinite(g)) for g in grads)
    out_nn = nn_attention.scaled_dot_product_attention(t64(q), t64(k), t64(v), torch.from_numpy(mask))
    assert_close(out_nn, out, TOL, "nn fully masked")


def test_large_logits_do_not_overflow():
    q = np.full((1, 2, 4), 1e4)
    k = np.random.default_rng(0).standard_normal((1, 3, 4)) * 1e4
    out = sc_attention.scaled_dot_product_attention(q, k, np.eye(3)[None])
    assert np.all(np.isfinite(out)) and np.allclose(out.sum(-1), 1)


# -- positional encodings -------------------------------------------------------------------------
def test_sinusoidal_table_formula_and_nn_twin():
    table = sc_attention.sinusoidal_table(50, 6)
    pos, i = 7, 1
    assert np.isclose(table[pos, 2 * i], np.sin(pos / 10000 ** (2 * i / 6)))
    assert np.isclose(table[pos, 2 * i + 1], np.cos(pos / 10000 ** (2 * i / 6)))
    assert sc_attention.sinusoidal_table(4, 5).shape == (4, 5)
    # nn writes the same formula in torch: exp, sin and cos may round differently in the last bit, which the
    # angle pos * freq magnifies with pos; at the book's lengths (64) the float32 tables are identical
    for max_len, d_model, tol in ((64, 64, 1e-15), (256, 128, 5e-15), (5000, 512, 2e-12)):
        table = sc_attention.sinusoidal_table(max_len, d_model)
        torch_table = nn_attention.sinusoidal_table(max_len, d_model, torch.float64).numpy()
        assert np.abs(table - torch_table).max() <= tol
    for d_model in (16, 32, 64, 128, 256, 512):
        assert np.array_equal(sc_attention.sinusoidal_table(64, d_model, np.float32),
                              nn_attention.sinusoidal_table(64, d_model).numpy())
    x = np.random.default_rng(0).standard_normal((2, 5, 6))
    mine = nn_attention.PositionalEncoding(6, 50, batch_first=True)(t64(x))
    assert_close(sc_attention.PositionalEncoding(6, 50, batch_first=True)(x), mine, TOL, "positional encoding")


def test_learned_positional_encoding_gradient():
    rng = np.random.default_rng(0)
    layer = sc_attention.LearnedPositionalEncoding(4, 6, rng=rng)
    errors = check_module(layer, (rng.standard_normal((3, 2, 4)),))
    assert max(errors.values()) < 1e-7, errors


# -- errors -----------------------------------------------------------------------------------------
def test_clear_errors():
    with pytest.raises(ValueError, match="divisible"):
        sc_attention.MultiheadAttention(6, 4)
    with pytest.raises(ValueError, match="divisible"):
        nn_attention.MultiheadAttention(6, 4)
    layer = sc_attention.MultiheadAttention(4, 2)
    x = np.zeros((3, 2, 4))
    with pytest.raises(ValueError, match="does not broadcast"):
        layer(x, x, x, attn_mask=np.zeros((2, 3)))
    with pytest.raises(ValueError, match="key_padding_mask"):
        layer(x, x, x, key_padding_mask=np.zeros((3, 2), dtype=bool))
    with pytest.raises(ValueError, match="does not broadcast"):
        nn_attention.MultiheadAttention(4, 2)(*(torch.zeros(3, 2, 4),) * 3, attn_mask=torch.zeros(2, 3))
    with pytest.raises(ValueError, match="max_len"):
        sc_attention.PositionalEncoding(4, max_len=2)(x)
    with pytest.raises(ValueError, match="max_len"):
        nn_attention.LearnedPositionalEncoding(4, max_len=2)(torch.zeros(3, 2, 4))
    with pytest.raises(TypeError, match="bool or float"):
        layer(x, x, x, attn_mask=np.zeros((3, 3), dtype=np.int64))
