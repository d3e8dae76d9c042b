"""The Keras dense classifier of the article's §4.1, in PyTorch, and the baselines it is compared with.

    Dense(64, ReLU) -> Dense(64, ReLU) -> Dense(10, softmax); Adam; sparse categorical cross-entropy; 10 epochs

becomes bigmodels.nn.MLP([784, 64, 64, 10]) returning logits, CrossEntropyLoss (the softmax moves
into the loss), and Keras's hidden defaults made explicit: batch 32, Adam(lr=1e-3, eps=1e-7),
Glorot-uniform weights and zero biases. One seed fixes both the initial weights (torch.manual_seed)
and the order of the minibatches (training.fit's seed), so a run is reproducible.

The baselines are scikit-learn's multinomial LogisticRegression and MLPClassifier with the same
hidden sizes, each trained until its own stopping rule fires.
"""

import warnings

import numpy as np
import torch

from . import nn, training
from .validate import check_positive_int, check_sizes, describe

SIZES = (784, 64, 64, 10)
EPOCHS = 10
BATCH_SIZE = 32


def keras_init_(model):
    """Glorot-uniform weights U(-a, a), a = sqrt(6 / (fan_in + fan_out)), and zero biases (Keras's Dense)."""
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model: expected a torch.nn.Module (a bigmodels.nn.MLP), got {describe(model)}")
    for layer in model:
        if isinstance(layer, nn.Linear):
            torch.nn.init.xavier_uniform_(layer.weight)
            torch.nn.init.zeros_(layer.bias)
    return model


def dense_classifier(sizes=SIZES, seed=0, dtype=torch.float32):
    """The article's model with Keras's initialisation, drawn from torch.manual_seed(seed)."""
    check_sizes(sizes)
    check_positive_int(seed, "seed", minimum=0)
    torch.manual_seed(seed)
    return keras_init_(nn.MLP(list(sizes), activation="relu")).to(dtype)


def keras_adam(model):
    """Keras's Adam defaults: lr 1e-3, betas (0.9, 0.999), epsilon 1e-7 (PyTorch's default is 1e-8)."""
    return torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)


def train_dense_classifier(data, seed=0, epochs=EPOCHS, verbose=False, log_every=1):
    """Train the article's model on data.X_train (validation curves on data.X_val); (model, history)."""
    model = dense_classifier(seed=seed)
    history = training.fit(model, nn.CrossEntropyLoss(), keras_adam(model), data.X_train, data.y_train,
                           epochs=epochs, batch_size=BATCH_SIZE, X_val=data.X_val, y_val=data.y_val,
                           seed=seed, verbose=verbose, log_every=log_every)
    return model, history


def _fit_converged(estimator, data):
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # never report a fit that did not converge
        return estimator.fit(data.X_train, data.y_train)


def logistic_regression(data, seed=0):
    """Multinomial logistic regression (one linear layer + softmax) fitted on data.X_train."""
    from sklearn.linear_model import LogisticRegression

    return _fit_converged(LogisticRegression(max_iter=2000, random_state=seed), data)


def mlp_classifier(data, seed=0):
    """scikit-learn's MLPClassifier with the article's hidden sizes (64, 64), ReLU and Adam.

    It trains until the training loss improves by less than 1e-4 for 10 epochs in a row.
    """
    from sklearn.neural_network import MLPClassifier

    return _fit_converged(MLPClassifier(hidden_layer_sizes=SIZES[1:-1], random_state=seed, max_iter=300), data)


def seed_comparison(data, seeds):
    """Test accuracy of the PyTorch model and of MLPClassifier(64, 64) for each seed.

    Returns {"seed": [...], "pytorch": [...], "mlpclassifier": [...]} with one entry per seed; the
    same seed sets the PyTorch model's initial weights and batch order and MLPClassifier's random_state.
    """
    if isinstance(seeds, (str, bytes)) or not hasattr(seeds, "__len__") or not len(seeds):
        raise ValueError(f"seeds: expected at least one seed (a sequence of ints), got {describe(seeds)}")
    seeds = [check_positive_int(s, f"seeds[{i}]", minimum=0) for i, s in enumerate(seeds)]
    if not all(hasattr(data, name) for name in ("X_train", "y_train", "X_test", "y_test")):
        raise TypeError(f"data: expected a bigmodels.data.Split, got {describe(data)}")
    table = {"seed": seeds, "pytorch": [], "mlpclassifier": []}
    for seed in seeds:
        model, _ = train_dense_classifier(data, seed=seed)
        table["pytorch"].append(training.evaluate(model, nn.CrossEntropyLoss(), data.X_test, data.y_test)["accuracy"])
        table["mlpclassifier"].append(mlp_classifier(data, seed).score(data.X_test, data.y_test))
    return table


def paired_difference(a, b):
    """Mean of a - b over paired runs and its standard error, std(a - b, ddof=1) / sqrt(n)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.ndim != 1 or a.shape != b.shape or len(a) < 2:
        raise ValueError("a and b: expected two 1-D sequences of the same length, at least 2 runs, "
                         f"got shapes {a.shape} and {b.shape}")
    diff = a - b
    return float(diff.mean()), float(diff.std(ddof=1) / np.sqrt(len(diff)))
