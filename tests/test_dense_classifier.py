import math
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from bigmodels import dense_classifier, nn, training
from bigmodels.results import benchmark_result


def toy_digits(n=300, seed=0):
    """Ten well-separated classes in 784 dimensions, split like MNIST-5k (train / val / test)."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, 1, (10, 784)).astype(np.float32)
    y = np.arange(n) % 10
    X = (centres[y] + 0.3 * rng.standard_normal((n, 784))).astype(np.float32)
    cut1, cut2 = int(0.6 * n), int(0.8 * n)
    return SimpleNamespace(X_train=X[:cut1], y_train=y[:cut1], X_val=X[cut1:cut2], y_val=y[cut1:cut2],
                           X_test=X[cut2:], y_test=y[cut2:])


def test_dense_classifier_has_kerass_shapes_and_initialisation():
    model = dense_classifier.dense_classifier(seed=0)
    linears = [m for m in model if isinstance(m, nn.Linear)]
    assert [tuple(m.weight.shape) for m in linears] == [(64, 784), (64, 64), (10, 64)]
    for m in linears:
        fan_out, fan_in = m.weight.shape
        bound = math.sqrt(6 / (fan_in + fan_out))  # Glorot uniform
        assert torch.all(m.bias == 0)
        assert m.weight.abs().max() <= bound
        assert m.weight.abs().max() > 0.95 * bound
        assert m.weight.var().item() == pytest.approx(bound**2 / 3, rel=0.15)


def test_seed_fixes_the_initial_weights():
    a, b, c = (dense_classifier.dense_classifier(seed=s) for s in (3, 3, 4))
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not torch.equal(a[0].weight, c[0].weight)
    assert dense_classifier.dense_classifier(dtype=torch.float64)[0].weight.dtype == torch.float64


def test_keras_adam_uses_kerass_epsilon():
    group = dense_classifier.keras_adam(dense_classifier.dense_classifier()).param_groups[0]
    assert group["eps"] == 1e-7 and group["lr"] == 1e-3 and group["betas"] == (0.9, 0.999)


def test_training_is_reproducible_and_learns():
    data = toy_digits()
    model_a, history_a = dense_classifier.train_dense_classifier(data, seed=1, epochs=3)
    model_b, history_b = dense_classifier.train_dense_classifier(data, seed=1, epochs=3)
    assert history_a == history_b
    assert training.evaluate(model_a, nn.CrossEntropyLoss(), data.X_test, data.y_test)["accuracy"] > 0.9


def test_seed_comparison_returns_one_pair_per_seed():
    data = toy_digits()
    table = dense_classifier.seed_comparison(data, [0, 1])
    assert table["seed"] == [0, 1] and len(table["pytorch"]) == len(table["mlpclassifier"]) == 2
    assert all(0.9 < acc <= 1 for acc in table["pytorch"] + table["mlpclassifier"])
    with pytest.raises(ValueError, match="at least one seed"):
        dense_classifier.seed_comparison(data, [])


def test_paired_difference_is_the_mean_difference_and_its_standard_error():
    a, b = [0.93, 0.94, 0.95], [0.94, 0.94, 0.97]
    mean, se = dense_classifier.paired_difference(a, b)
    d = np.array([-0.01, 0.0, -0.02])
    assert mean == pytest.approx(d.mean(), abs=1e-15)
    assert se == pytest.approx(d.std(ddof=1) / math.sqrt(3), abs=1e-15)
    with pytest.raises(ValueError, match="at least 2 runs, got shapes \\(1,\\) and \\(1,\\)"):
        dense_classifier.paired_difference([0.9], [0.9])
    with pytest.raises(ValueError, match=r"got shapes \(2,\) and \(3,\)"):
        dense_classifier.paired_difference([0.9, 0.8], [0.9, 0.8, 0.7])


def test_benchmark_result_reads_json_and_names_the_script_when_missing(tmp_path, monkeypatch):
    assert len(benchmark_result("mnist_baselines.json")["seed"]) == 20
    from bigmodels.data import sources

    (tmp_path / "benchmarks" / "results").mkdir(parents=True)
    (tmp_path / "benchmarks" / "bench_toy.py").write_text('OUT = "toy.txt"\n')
    monkeypatch.setattr(sources, "REPO_ROOT", tmp_path)
    with pytest.raises(FileNotFoundError, match=r"run \.venv/bin/python benchmarks/bench_toy\.py"):
        benchmark_result("toy.txt")
    with pytest.raises(FileNotFoundError, match="no script in benchmarks/ mentions it"):
        benchmark_result("other.json")
    (tmp_path / "benchmarks" / "results" / "toy.txt").write_text("hello\n")
    assert benchmark_result("toy.txt") == "hello\n"
