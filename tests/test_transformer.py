"""Transformer layers, stacks and the encoder-decoder: scratch == nn == torch built-ins (float64).

The built-ins run in train mode with dropout 0: in eval mode nn.TransformerEncoderLayer/Encoder
may take torch's fused "fast path" (and nested tensors that zero padded positions), which is a
different computation from the formula.
"""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from bigmodels.nn import transformer as nn_tf
from bigmodels.scratch import transformer as sc_tf
from bigmodels.scratch.gradcheck import check_module
from bigmodels.testing import assert_close, to_numpy

TOL = 1e-10
D, FF = 8, 12


def t64(a, grad=False):
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


def layer_kwargs(heads, batch_first, norm_first, activation, bias=True):
    return dict(d_model=D, nhead=heads, dim_feedforward=FF, dropout=0.0, activation=activation,
                batch_first=batch_first, norm_first=norm_first, bias=bias)


def close(actual, expected, name):
    """assert_close, except that a gradient that is zero up to rounding (e.g. a query's gradient when
    the memory has one key, so attention ignores the query) is compared absolutely."""
    if np.max(np.abs(to_numpy(expected)), initial=0) < 1e-13:
        assert np.max(np.abs(to_numpy(actual)), initial=0) < 1e-13, name
    else:
        assert_close(actual, expected, TOL, name)


def compare_params(scratch, mine, builtin, what):
    for (name, p), (_, pm) in zip(builtin.named_parameters(), mine.named_parameters()):
        close(scratch.grads[name], p.grad, f"{what} scratch grad {name}")
        close(pm.grad, p.grad, f"{what} nn grad {name}")


def masks_for(rng, n, length, kind):
    if kind == "causal":
        return torch.nn.Transformer.generate_square_subsequent_mask(length, dtype=torch.float64), None
    if kind == "pad":
        pad = torch.from_numpy(rng.random((n, length)) < 0.3)
        pad[:, 0] = False
        return None, pad.double().masked_fill(pad, float("-inf")).masked_fill(~pad, 0.0)
    return None, None


def numpy_or_none(t):
    return None if t is None else t.numpy()


@settings(max_examples=12, deadline=None)
@given(n=st.integers(1, 3), length=st.integers(1, 5), heads=st.sampled_from([1, 2]), batch_first=st.booleans(),
       norm_first=st.booleans(), activation=st.sampled_from(["relu", "gelu"]),
       mask=st.sampled_from(["none", "causal", "pad"]), seed=st.integers(0, 10**6))
def test_encoder_layer_matches_torch(n, length, heads, batch_first, norm_first, activation, mask, seed):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    builtin = torch.nn.TransformerEncoderLayer(**layer_kwargs(heads, batch_first, norm_first, activation)).double()
    scratch = sc_tf.TransformerEncoderLayer.from_torch(builtin)
    mine = nn_tf.TransformerEncoderLayer.from_torch(builtin)
    x = rng.standard_normal((n, length, D) if batch_first else (length, n, D))
    attn, pad = masks_for(rng, n, length, mask)

    tx = t64(x, True)
    y = builtin(tx, src_mask=attn, src_key_padding_mask=pad)
    grad = rng.standard_normal(y.shape)
    y.backward(t64(grad))
    assert_close(scratch(x, numpy_or_none(attn), numpy_or_none(pad)), y, TOL, "scratch encoder layer")
    assert_close(scratch.backward(grad), tx.grad, TOL, "scratch grad src")
    mx = t64(x, True)
    ym = mine(mx, attn, pad)
    ym.backward(t64(grad))
    assert_close(ym, y, TOL, "nn encoder layer")
    assert_close(mx.grad, tx.grad, TOL, "nn grad src")
    compare_params(scratch, mine, builtin, "encoder layer")


@settings(max_examples=10, deadline=None)
@given(n=st.integers(1, 2), length=st.integers(1, 4), source=st.integers(1, 4), heads=st.sampled_from([1, 2]),
       batch_first=st.booleans(), norm_first=st.booleans(), activation=st.sampled_from(["relu", "gelu"]),
       bias=st.booleans(), seed=st.integers(0, 10**6))
def test_decoder_layer_matches_torch(n, length, source, heads, batch_first, norm_first, activation, bias, seed):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    kwargs = layer_kwargs(heads, batch_first, norm_first, activation, bias)
    builtin = torch.nn.TransformerDecoderLayer(**kwargs).double()
    scratch = sc_tf.TransformerDecoderLayer.from_torch(builtin)
    mine = nn_tf.TransformerDecoderLayer.from_torch(builtin)
    shape = (lambda l: (n, l, D)) if batch_first else (lambda l: (l, n, D))
    tgt, mem = rng.standard_normal(shape(length)), rng.standard_normal(shape(source))
    causal = torch.nn.Transformer.generate_square_subsequent_mask(length, dtype=torch.float64)
    mem_pad = torch.from_numpy(rng.random((n, source)) < 0.3)
    mem_pad[:, 0] = False

    tt, tm = t64(tgt, True), t64(mem, True)
    y = builtin(tt, tm, tgt_mask=causal, memory_key_padding_mask=mem_pad)
    grad = rng.standard_normal(y.shape)
    y.backward(t64(grad))
    out = scratch(tgt, mem, causal.numpy(), memory_key_padding_mask=mem_pad.numpy())
    g_tgt, g_mem = scratch.backward(grad)
    assert_close(out, y, TOL, "scratch decoder layer")
    assert_close(g_tgt, tt.grad, TOL, "scratch grad tgt")
    assert_close(g_mem, tm.grad, TOL, "scratch grad memory")
    mt, mm = t64(tgt, True), t64(mem, True)
    ym = mine(mt, mm, causal, memory_key_padding_mask=mem_pad)
    ym.backward(t64(grad))
    assert_close(ym, y, TOL, "nn decoder layer")
    assert_close(mt.grad, tt.grad, TOL, "nn grad tgt")
    assert_close(mm.grad, tm.grad, TOL, "nn grad memory")
    compare_params(scratch, mine, builtin, "decoder layer")


# torch.nn.Transformer builds its encoder with the nested-tensor fast path on and warns that a
# pre-norm layer cannot use it; the fast path only runs in inference mode, which these tests never use.
@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True:UserWarning")
@pytest.mark.parametrize("batch_first,norm_first,activation", [(False, False, "relu"), (True, True, "gelu")])
def test_full_transformer_matches_torch(batch_first, norm_first, activation):
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    builtin = torch.nn.Transformer(D, 2, 2, 2, FF, dropout=0.0, activation=activation, batch_first=batch_first,
                                   norm_first=norm_first).double()
    scratch = sc_tf.Transformer.from_torch(builtin)
    mine = nn_tf.Transformer.from_torch(builtin)
    shape = (lambda l: (2, l, D)) if batch_first else (lambda l: (l, 2, D))
    src, tgt = rng.standard_normal(shape(5)), rng.standard_normal(shape(4))
    tgt_mask = torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=torch.float64)
    src_pad = torch.tensor([[False] * 5, [False, False, False, True, True]])

    ts, tt = t64(src, True), t64(tgt, True)
    y = builtin(ts, tt, tgt_mask=tgt_mask, src_key_padding_mask=src_pad, memory_key_padding_mask=src_pad)
    grad = rng.standard_normal(y.shape)
    y.backward(t64(grad))
    kw = dict(tgt_mask=tgt_mask.numpy(), src_key_padding_mask=src_pad.numpy(), memory_key_padding_mask=src_pad.numpy())
    assert_close(scratch(src, tgt, **kw), y, TOL, "scratch transformer")
    g_src, g_tgt = scratch.backward(grad)
    assert_close(g_src, ts.grad, TOL, "scratch grad src")
    assert_close(g_tgt, tt.grad, TOL, "scratch grad tgt")
    ms, mt = t64(src, True), t64(tgt, True)
    ym = mine(ms, mt, tgt_mask=tgt_mask, src_key_padding_mask=src_pad, memory_key_padding_mask=src_pad)
    ym.backward(t64(grad))
    assert_close(ym, y, TOL, "nn transformer")
    assert_close(ms.grad, ts.grad, TOL, "nn grad src")
    compare_params(scratch, mine, builtin, "transformer")
    for model in (scratch, mine):  # and back to the built-in
        back = model.to_torch()
        assert_close(back(t64(src), t64(tgt), tgt_mask=tgt_mask), builtin(t64(src), t64(tgt), tgt_mask=tgt_mask),
                     TOL, f"{type(model).__module__} to_torch")


def test_encoder_stack_with_final_norm_matches_torch():
    torch.manual_seed(1)
    layer = torch.nn.TransformerEncoderLayer(D, 2, FF, dropout=0.0)
    builtin = torch.nn.TransformerEncoder(layer, 3, torch.nn.LayerNorm(D), enable_nested_tensor=False).double()
    scratch = sc_tf.TransformerEncoder.from_torch(builtin)
    mine = nn_tf.TransformerEncoder.from_torch(builtin)
    assert list(scratch.params) == [n for n, _ in builtin.named_parameters()]
    x = np.random.default_rng(0).standard_normal((3, 2, D))
    tx = t64(x, True)
    y = builtin(tx)
    grad = np.random.default_rng(1).standard_normal(y.shape)
    y.backward(t64(grad))
    assert_close(scratch(x), y, TOL, "scratch encoder")
    assert_close(scratch.backward(grad), tx.grad, TOL, "scratch encoder grad")
    assert_close(mine(t64(x)), y, TOL, "nn encoder")
    assert_close(scratch.to_torch()(t64(x)), y, TOL, "scratch encoder to_torch")


def test_dropout_changes_outputs_only_in_training():
    torch.manual_seed(0)
    layer = sc_tf.TransformerEncoderLayer(D, 2, FF, dropout=0.5, rng=np.random.default_rng(0))
    x = np.random.default_rng(1).standard_normal((3, 2, D))
    assert not np.allclose(layer(x), layer(x))
    layer.eval()
    assert np.array_equal(layer(x), layer(x))


@pytest.mark.parametrize("norm_first", [False, True])
def test_layers_finite_differences(norm_first):
    rng = np.random.default_rng(0)
    enc = sc_tf.TransformerEncoderLayer(4, 2, 6, dropout=0.0, activation="gelu", norm_first=norm_first, rng=rng)
    errors = check_module(enc, (rng.standard_normal((3, 2, 4)),))
    assert max(errors.values()) < 1e-6, errors
    dec = sc_tf.TransformerDecoderLayer(4, 2, 6, dropout=0.0, norm_first=norm_first, batch_first=True, rng=rng)
    causal = sc_tf.Transformer.generate_square_subsequent_mask(2)

    class Wrapped(sc_tf.Module):
        def __init__(self):
            super().__init__()
            self.add_module("dec", dec)

        def forward(self, tgt, memory):
            return dec(tgt, memory, causal)

        def backward(self, g):
            return dec.backward(g)

    errors = check_module(Wrapped(), (rng.standard_normal((2, 2, 4)), rng.standard_normal((2, 3, 4))))
    assert max(errors.values()) < 1e-6, errors


def test_clear_errors():
    with pytest.raises(ValueError, match="divisible"):
        sc_tf.TransformerEncoderLayer(6, 4)
    with pytest.raises(ValueError, match="activation"):
        sc_tf.TransformerEncoderLayer(4, 2, activation="tanh")
    with pytest.raises(ValueError, match="activation"):
        nn_tf.TransformerEncoderLayer(4, 2, activation="swish")
    layer = sc_tf.TransformerEncoderLayer(4, 2, 8)
    with pytest.raises(ValueError, match="embed_dim"):
        layer(np.zeros((3, 2, 5)))
    with pytest.raises(ValueError, match="does not broadcast"):
        layer(np.zeros((3, 2, 4)), src_mask=np.zeros((4, 4)))
