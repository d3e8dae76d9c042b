"""The two trainers (bigmodels.training): fit with an epoch or a step budget, several inputs or targets and an
evaluation hook; train_lm and estimate_loss; score and learning_curve. Plus the small models and data helpers
chapter 1 trains them on."""

import numpy as np
import pytest
import torch

from bigmodels.data import shift_images, stratified_subset
from bigmodels.data.lm import get_batch
from bigmodels.nn import MLP, SmallCNN
from bigmodels.nn.gpt import GPT, GPTConfig
from bigmodels.scale.params import mlp_parameter_count
from bigmodels.training import estimate_loss, fit, learning_curve, score, train_lm


def separable(n=200, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2)).astype(np.float32)
    return X, (X[:, 0] + X[:, 1] > 0).astype(np.int64)


@pytest.mark.parametrize("sizes", [[64, 10], [64, 32, 10], [784, 128, 64, 10]])
def test_parameter_count_formula_matches_module(sizes):
    assert mlp_parameter_count(sizes) == sum(p.numel() for p in MLP(sizes).parameters())


def test_fit_learns_a_separable_problem():
    X, y = separable()
    torch.manual_seed(0)
    model = MLP([2, 2])
    fit(model, torch.nn.CrossEntropyLoss(), torch.optim.Adam(model.parameters(), 0.05), X, y, epochs=30,
        verbose=False)
    assert score(model, X, y) > 0.95


def test_a_step_budget_takes_exactly_that_many_steps_across_epochs():
    X, y = separable(100)
    model = MLP([2, 2])
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    seen = []
    history = fit(model, torch.nn.CrossEntropyLoss(), optimizer, X, y, steps=9, batch_size=32, verbose=False,
                  eval_every=2, on_eval=seen.append)
    assert seen == [2, 4, 6, 8]
    assert len(history["loss"]) == 3  # 4 batches per epoch: 4 + 4 + 1 steps
    with pytest.raises(ValueError, match="exactly one"):
        fit(model, torch.nn.CrossEntropyLoss(), optimizer, X, y, epochs=1, steps=3)
    with pytest.raises(ValueError, match="exactly one"):
        fit(model, torch.nn.CrossEntropyLoss(), optimizer, X, y)


def test_the_same_seed_gives_the_same_batches_with_an_epoch_or_a_step_budget():
    X, y = separable(64)
    runs = []
    for budget in (dict(epochs=2), dict(steps=4)):
        torch.manual_seed(0)
        model = MLP([2, 2])
        runs.append(fit(model, torch.nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.1), X, y,
                        batch_size=32, verbose=False, **budget)["loss"])
    assert runs[0] == runs[1]


def test_tuple_targets_reach_the_loss_and_accuracy_uses_the_first():
    X, y = separable(64)
    soft = np.zeros((64, 2), np.float32)
    received = []

    def loss_fn(logits, targets):
        received.append(tuple(t.shape for t in targets))
        return torch.nn.functional.cross_entropy(logits, targets[0])

    model = MLP([2, 2])
    history = fit(model, loss_fn, torch.optim.SGD(model.parameters(), lr=0.1), X, (y, soft), epochs=1,
                  batch_size=32, verbose=False)
    assert received[0] == (torch.Size([32]), torch.Size([32, 2]))
    assert 0 <= history["accuracy"][0] <= 1
    with pytest.raises(ValueError, match="same number of rows"):
        fit(model, loss_fn, torch.optim.SGD(model.parameters(), lr=0.1), X, (y, soft[:10]), epochs=1)


def test_tuple_inputs_call_the_model_with_each():
    class Two(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = torch.nn.Linear(2, 2), torch.nn.Linear(3, 2)

        def forward(self, x, z):
            return self.a(x) + self.b(z)

    X, y = separable(40)
    Z = np.ones((40, 3), np.float32)
    model = Two()
    fit(model, torch.nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.1), (X, Z), y, epochs=2,
        batch_size=8, verbose=False)
    assert 0 <= score(model, (X, Z), y) <= 1


def test_score_works_for_a_scikit_learn_estimator_and_names_bad_input():
    class Majority:
        def predict(self, X):
            return np.zeros(X.shape[0], np.int64)

    y = np.array([0, 0, 1, 1])
    assert score(Majority(), np.zeros((4, 1)), y) == 0.5
    with pytest.raises(ValueError, match="same, non-zero number of rows"):
        score(Majority(), np.zeros((3, 1)), y)
    with pytest.raises(TypeError, match="torch.nn.Module or a fitted"):
        score(object(), np.zeros((4, 1)), y)


def test_learning_curve_calls_fit_per_size():
    class Majority:
        def fit(self, X, y):
            self.label = np.bincount(y).argmax()
            return self

        def predict(self, X):
            return np.full(len(X), self.label)

    X = np.zeros((10, 1), np.float32)
    y = np.array([0] * 6 + [1] * 4)
    curve = learning_curve(lambda a, b: Majority().fit(a, b), X, y, X, y, sizes=[2, 10])
    assert curve == [pytest.approx(0.6), pytest.approx(0.6)]


def tiny_gpt():
    torch.manual_seed(0)
    return GPT(GPTConfig(block_size=8, vocab_size=5, n_layer=1, n_head=2, n_embd=8))


def test_train_lm_lowers_the_loss_and_is_repeated_by_its_seed():
    ids = torch.tensor([0, 1, 2, 3, 4] * 40)
    runs = []
    for _ in range(2):
        model = tiny_gpt()
        evaluations = []
        losses = train_lm(model, ids, 60, 8, torch.optim.Adam(model.parameters(), 1e-2), np.random.default_rng(0),
                          eval_every=20, on_eval=evaluations.append, lr_schedule=lambda step: 1e-2, clip=1.0)
        runs.append(losses)
        assert evaluations == [20, 40, 60]
    np.testing.assert_array_equal(runs[0], runs[1])
    assert runs[0][-10:].mean() < runs[0][:10].mean() - 0.5
    assert estimate_loss(model, ids, 8, 4) < runs[0][0] - 0.5


def test_estimate_loss_over_the_whole_text_predicts_each_token_once():
    model = tiny_gpt()
    ids = torch.arange(5).repeat(9)[:41]  # 41 tokens: 5 windows of 8, each token predicted once
    whole = estimate_loss(model, ids, 8, batch_size=2)
    x, y = ids[:40].view(5, 8), ids[1:41].view(5, 8)
    model.eval()
    with torch.no_grad():
        assert whole == pytest.approx(model(x, y)[1].item(), rel=1e-6)
    sampled = estimate_loss(model, ids, 8, 4, batches=3, rng=np.random.default_rng(0))
    assert np.isfinite(sampled)
    with pytest.raises(TypeError, match="Generator"):
        estimate_loss(model, ids, 8, 4, batches=3)


def test_get_batch_windows_are_shifted_by_one_and_cover_every_start():
    ids = np.arange(12)
    x, y = get_batch(ids, 4, 2000, np.random.default_rng(0))
    assert x.shape == y.shape == (2000, 4)
    np.testing.assert_array_equal(y, x + 1)
    assert set(x[:, 0]) == set(range(12 - 4))  # starts 0 .. len - block_size - 1, all drawn
    tx, ty = get_batch(torch.from_numpy(ids), 4, 3, np.random.default_rng(1))
    nx, ny = get_batch(ids, 4, 3, np.random.default_rng(1))
    assert torch.equal(tx, torch.from_numpy(nx)) and torch.equal(ty, torch.from_numpy(ny))
    with pytest.raises(TypeError, match="Generator"):
        get_batch(ids, 4, 2, 0)
    with pytest.raises(ValueError, match="more than block_size"):
        get_batch(ids, 12, 2, np.random.default_rng(0))


def test_stratified_subset_balances_classes():
    y = np.repeat(np.arange(3), [50, 30, 20])
    rows = stratified_subset(y, 30, seed=1)
    assert len(set(rows)) == 30
    assert np.bincount(y[rows]).tolist() == [10, 10, 10]
    with pytest.raises(ValueError, match="at most"):
        stratified_subset(y, 101)


def test_shift_images_keeps_pixels():
    X = np.random.default_rng(0).random((5, 16), dtype=np.float32)
    shifted = shift_images(X, side=4, max_shift=2)
    assert shifted.shape == (5, 64)
    np.testing.assert_allclose(shifted.sum(axis=1), X.sum(axis=1), rtol=1e-6)
    with pytest.raises(ValueError, match="pixels per row"):
        shift_images(X, side=3, max_shift=1)


def test_small_cnn_shapes():
    model = SmallCNN(side=8)
    assert model(torch.zeros(3, 64)).shape == (3, 10)
    with pytest.raises(ValueError, match="multiple of 4"):
        SmallCNN(side=10)
