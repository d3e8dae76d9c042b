"""Classical models versus small neural networks: the helpers chapters 1 and 2 measure with.

A multilayer perceptron here is bigmodels.nn.MLP(sizes): Linear layers with ReLU between them.
`MLP([d, k])` has no hidden layer: it is multinomial logistic regression, the classical linear
classifier, trained by the same loop as the deeper networks.
"""

import numpy as np
import torch

from .validate import (check_finite, check_float_array, check_labels, check_number, check_positive_int, check_sizes,
                     describe)
from .nn import Linear


def mlp_parameter_count(sizes):
    """Parameters of MLP(sizes): sum over layers of n_in * n_out weights + n_out biases."""
    check_sizes(sizes)
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


class SmallCNN(torch.nn.Module):
    """Two 5x5 convolutions with ReLU and 2x2 max pooling, then a Linear layer to the logits."""

    def __init__(self, side, num_classes=10, channels=(8, 16)):
        super().__init__()
        check_positive_int(side, "side")
        check_positive_int(num_classes, "num_classes")
        check_sizes(channels, "channels")
        if side % 4:
            raise ValueError(f"SmallCNN side: expected a multiple of 4, got {side}")
        self.side = side
        self.conv1 = torch.nn.Conv2d(1, channels[0], 5, padding=2)
        self.conv2 = torch.nn.Conv2d(channels[0], channels[1], 5, padding=2)
        self.head = Linear(channels[1] * (side // 4) ** 2, num_classes)

    def forward(self, x):
        x = x.view(-1, 1, self.side, self.side)
        x = torch.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = torch.max_pool2d(torch.relu(self.conv2(x)), 2)
        return self.head(x.flatten(1))


def fit_classifier(model, X, y, epochs=10, batch_size=64, lr=1e-3, weight_decay=0.0, seed=0):
    """Minimise the cross-entropy of model(X) against y with AdamW on shuffled mini-batches."""
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model: expected a torch.nn.Module, got {describe(model)}")
    check_finite(check_float_array(X, "X", ndim=2), "X")
    check_labels(y, "y", num_classes=np.iinfo(np.int64).max, shape=(len(X),))
    check_labels(y, "y", num_classes=int(y.max()) + 1 if len(y) else 1, shape=(len(X),))
    check_positive_int(epochs, "epochs")
    check_positive_int(batch_size, "batch_size")
    check_number(lr, "lr", low=0, finite=True)
    check_number(weight_decay, "weight_decay", low=0, finite=True)
    check_positive_int(seed, "seed", minimum=0)
    generator = torch.Generator().manual_seed(seed)
    X, y = torch.as_tensor(X), torch.as_tensor(y)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(X), generator=generator)
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            try:
                loss = torch.nn.functional.cross_entropy(model(X[batch]), y[batch])
            except IndexError as error:  # a label >= the number of logits
                raise ValueError(f"y: expected labels below the model's number of outputs ({error})") from None
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return model.eval()


@torch.no_grad()
def accuracy(model, X, y):
    """Share of rows whose highest logit (torch model) or prediction (sklearn model) is y."""
    if not hasattr(X, "shape") or len(X.shape) < 2 or X.shape[0] == 0:
        raise ValueError(f"X: expected a non-empty 2-D array of rows, got {describe(X)}")
    if isinstance(X, torch.Tensor) and X.is_floating_point() or isinstance(X, np.ndarray) and X.dtype.kind == "f":
        check_finite(X, "X")
    if not isinstance(y, np.ndarray) or y.dtype.kind not in "iu" or y.shape != (X.shape[0],):
        raise ValueError(f"y: expected an integer array of shape ({X.shape[0]},), got {describe(y)}")
    if isinstance(model, torch.nn.Module):
        check_float_array(X, "X")
        logits = model(torch.as_tensor(X))
        check_labels(y, "y", num_classes=logits.shape[1])
        predicted = logits.argmax(dim=1).numpy()
    else:
        predicted = model.predict(X)
    return float(np.mean(predicted == y))


def stratified_subset(y, n, seed=0):
    """Indices of n rows of y holding (as near as possible) the same number of each class."""
    if not isinstance(y, np.ndarray) or y.ndim != 1 or y.dtype.kind not in "iu":
        raise TypeError(f"y: expected a 1-D integer array of labels, got {describe(y)}")
    n = check_positive_int(n, "n")
    check_positive_int(seed, "seed", minimum=0)
    if n > len(y):
        raise ValueError(f"n: expected at most len(y) = {len(y)}, got {n}")
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    ranks = np.empty(len(y), dtype=np.int64)  # rank of each row among the rows of its class
    for label in np.unique(y):
        members = order[y[order] == label]
        ranks[members] = np.arange(len(members))
    by_rank = order[np.argsort(ranks[order], kind="stable")]
    return np.sort(by_rank[:n])


def learning_curve(fit, X_train, y_train, X_test, y_test, sizes, seed=0):
    """Test accuracy of fit(X, y) (returns a trained model) on stratified subsets of each size."""
    curve = []
    for n in sizes:
        rows = stratified_subset(y_train, n, seed=seed)
        curve.append(accuracy(fit(X_train[rows], y_train[rows]), X_test, y_test))
    return curve


def shift_images(X, side, max_shift, seed=0):
    """Paste each side x side image at a random offset into a (side + 2*max_shift)^2 blank canvas."""
    check_float_array(X, "X", ndim=2)
    check_positive_int(side, "side")
    check_positive_int(max_shift, "max_shift", minimum=0)
    check_positive_int(seed, "seed", minimum=0)
    if X.shape[1] != side * side:
        raise ValueError(f"X: expected {side * side} pixels per row, got shape {X.shape}")
    rng = np.random.default_rng(seed)
    canvas_side = side + 2 * max_shift
    canvas = np.zeros((len(X), canvas_side, canvas_side), dtype=X.dtype)
    rows, cols = rng.integers(0, 2 * max_shift + 1, size=(2, len(X)))
    for image, top, left, target in zip(X.reshape(-1, side, side), rows, cols, canvas):
        target[top:top + side, left:left + side] = image
    return canvas.reshape(len(X), -1)
