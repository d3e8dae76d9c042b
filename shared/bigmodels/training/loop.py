"""The classifier (and regressor) trainer every chapter shares: seeded minibatches, fit, evaluate, predict.

One loop, two kinds of model:

- `fit(model, loss_fn, optimizer, X, y, epochs, batch_size, ...)` for any torch model that maps a
  batch X to outputs (logits, a regression value...) and a loss_fn(outputs, y_batch) -> scalar.
- `fit_scratch(...)`, same arguments, for a bigmodels.scratch model with an explicit backward and a
  bigmodels.scratch optimizer.

Both draw the same minibatches from the same seed (`minibatches`), so their curves are comparable
step for step. X and y are NumPy arrays (or tensors) holding the whole data set; float arrays are
cast to the model's dtype, integer arrays (class labels, token ids) become int64 tensors. Both return
a history dict of per-epoch lists: "loss" (mean training loss over the epoch's examples), "accuracy"
(training accuracy of the batches as they were seen, Keras's convention), and "val_loss" /
"val_accuracy" when validation data is given. Accuracy is reported when `accuracy=True` (default):
argmax of the last axis for multi-class logits, logit > 0 for one output per example.

Budget: `epochs` passes over the data, or `steps` optimizer steps (the minibatches of one shuffle after
another, the last pass cut short). `eval_every=k` calls `on_eval(step)` after every k-th step (a
validation check, early stopping's bookkeeping, ...).

Several inputs or targets: X may be a tuple of arrays (the model is called as model(*X_batch), e.g.
token ids and lengths), y a tuple of arrays (loss_fn receives the tuple, e.g. labels and a teacher's
logits for distillation; accuracy uses its first array).

Progress: `verbose` prints one rounded line every `log_every` epochs (stable under nbval);
`progress=True` shows a tqdm.auto bar instead.

    history = fit(model, torch.nn.CrossEntropyLoss(), torch.optim.Adam(model.parameters(), 1e-3),
                  X_train, y_train, epochs=10, batch_size=32, X_val=X_val, y_val=y_val)
"""

import inspect
import math

import numpy as np
import torch

from ..validate import check_finite, check_number, check_positive_int, describe, loss_naming_targets


# -- batching ---------------------------------------------------------------------------------
def minibatches(n, batch_size, rng=None):
    """Index arrays covering range(n) in batches of batch_size (the last one may be smaller).

    rng (a np.random.Generator) shuffles the order; None keeps it.
    """
    check_positive_int(n, "n", minimum=0)
    check_positive_int(batch_size, "batch_size")
    if rng is not None and not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng: expected None or a np.random.Generator, got {describe(rng)}")
    order = rng.permutation(n) if rng is not None else np.arange(n)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]


def _batches(n, batch_size):
    """minibatches in order; for n = 0 one empty batch, so that predictions of no rows have the right shape."""
    return list(minibatches(n, batch_size)) or [np.arange(0)]


def _rows(a, idx):
    """a[idx], or the tuple of each array's rows."""
    return tuple(x[idx] for x in a) if isinstance(a, tuple) else a[idx]


def _first(a):
    return a[0] if isinstance(a, tuple) else a


def _check_data(X, y, name="X", y_name="y"):
    """Each array of X (or of the tuple X) against each array of y: arrays with the same, non-zero number of
    rows, finite where they are floats."""
    xs = [(f"{name}[{i}]", x) for i, x in enumerate(X)] if isinstance(X, tuple) else [(name, X)]
    ys = [(f"{y_name}[{j}]", t) for j, t in enumerate(y)] if isinstance(y, tuple) else [(y_name, y)]
    if not xs or not ys:
        raise ValueError(f"{name}, {y_name}: expected arrays or non-empty tuples of arrays, got {X!r:.40} and "
                         f"{y!r:.40}")
    for x_name, x in xs:
        for t_name, t in ys:
            _check_pair(x, t, x_name, t_name)


def _check_pair(X, y, name, y_name):
    if not hasattr(X, "shape") or not hasattr(y, "shape"):
        raise TypeError(f"{name}, {y_name}: expected arrays, got {describe(X)} and {describe(y)}")
    if len(X.shape) == 0 or len(y.shape) == 0:
        raise ValueError(f"{name}, {y_name}: expected arrays with rows, got shapes {tuple(X.shape)} and "
                         f"{tuple(y.shape)}")
    if len(X) != len(y):
        raise ValueError(f"{name} and {y_name}: expected the same number of rows, got {len(X)} and {len(y)}")
    if len(X) == 0:
        raise ValueError(f"{name}: expected at least one example, got 0")
    for what, a in ((name, X), (y_name, y)):
        dtype = getattr(a, "dtype", None)
        if getattr(dtype, "is_floating_point", False) or getattr(dtype, "kind", "") == "f":
            check_finite(a, what)  # NaN in the data would silently turn into NaN weights


def _check_inputs(X):
    """X to predict on: an array or tensor with one example per row (rows of features, of token ids...)."""
    if isinstance(X, tuple):
        for x in X:
            if not hasattr(x, "shape") or len(x.shape) == 0 or len(x) != len(X[0]):
                raise ValueError(f"X: expected a tuple of arrays with the same number of rows, got "
                                 f"{[describe(x) for x in X]}")
        return
    if not hasattr(X, "shape"):
        raise TypeError(f"X: expected an array or a tensor, got {describe(X)}")
    if len(X.shape) < 2:
        raise ValueError(f"X: expected one example per row (at least 2-D), got shape {tuple(X.shape)}")


def _check_clip(clip_grad_norm):
    if clip_grad_norm is not None:
        check_number(clip_grad_norm, "clip_grad_norm", low=0, low_open=True)


# -- metrics ----------------------------------------------------------------------------------
def predictions(outputs):
    """Predicted labels: argmax over the last axis, or output > 0 when there is one output per example."""
    return _predictions(_check_outputs(outputs))


def _check_outputs(outputs):
    """A model's outputs for a batch: a finite float array (or tensor) of shape (n,) or (n, outputs)."""
    array = np.asarray(outputs) if hasattr(outputs, "shape") else None
    if array is None or array.dtype.kind != "f":
        raise TypeError(f"outputs: expected a float array or tensor of model outputs, got {describe(outputs)}")
    if array.ndim not in (1, 2):
        raise ValueError(f"outputs: expected shape (n,) or (n, outputs), got {array.shape}")
    return check_finite(array, "outputs")


def _predictions(outputs):
    outputs = np.asarray(outputs)
    if outputs.ndim >= 2 and outputs.shape[-1] > 1:
        return outputs.argmax(axis=-1)
    return (outputs.reshape(len(outputs), -1)[:, 0] > 0).astype(np.int64)


def accuracy(outputs, y):
    """Fraction of examples whose predicted label (see `predictions`) equals y."""
    outputs = _check_outputs(outputs)
    if not hasattr(y, "shape") or len(outputs) != len(y):
        raise ValueError(f"outputs and y: expected the same number of rows, got {describe(outputs)} and {describe(y)}")
    labels = np.asarray(y)
    classes = outputs.shape[-1] if outputs.ndim == 2 and outputs.shape[-1] > 1 else 2
    if labels.dtype.kind not in "iuf" or (labels.dtype.kind == "f" and not np.array_equal(labels, np.round(labels))):
        raise TypeError(f"y: expected integer class labels, got {describe(y)}")
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(f"y: labels must lie in [0, {classes}), got min {labels.min()} and max {labels.max()}")
    return _accuracy(outputs, y)


def _accuracy(outputs, y):
    if len(outputs) != len(y):
        raise ValueError(f"outputs and y: expected the same number of rows, got {len(outputs)} and {len(y)}")
    y = np.asarray(y).reshape(len(y), -1)[:, 0] if np.ndim(y) > 1 else np.asarray(y)
    return float(np.mean(_predictions(outputs) == y))


# -- torch models -----------------------------------------------------------------------------
def _model_dtype(model):
    return next((p.dtype for p in model.parameters() if p.is_floating_point()), torch.get_default_dtype())


def _model_device(model):
    return next((p.device for p in model.parameters()), torch.device("cpu"))


def as_tensor(a, dtype, device):
    """A tensor for a batch (or a tuple of them): floats in the model's dtype, integers as int64."""
    if isinstance(a, tuple):
        return tuple(as_tensor(x, dtype, device) for x in a)
    t = torch.as_tensor(a)
    t = t.to(dtype) if t.is_floating_point() else t.long()
    return t.to(device)


def _call(model, inputs):
    return model(*inputs) if isinstance(inputs, tuple) else model(inputs)


def predict(model, X, batch_size=1024):
    """The model's outputs for all of X (an array, or a tuple of the model's inputs) as a NumPy array, in
    eval mode and without gradients."""
    _check_inputs(X)
    dtype, device = _model_dtype(model), _model_device(model)
    was_training = model.training
    model.eval()
    with torch.no_grad():
        out = [_call(model, as_tensor(_rows(X, idx), dtype, device)).cpu().numpy()
               for idx in _batches(len(_first(X)), batch_size)]
    model.train(was_training)
    return np.concatenate(out)


def evaluate(model, loss_fn, X, y, batch_size=1024, accuracy=True):
    """{"loss": mean loss over X, "accuracy": ...} of a torch model, in eval mode, no gradients."""
    _check_data(X, y)
    outputs = predict(model, X, batch_size)
    dtype = _model_dtype(model)
    with torch.no_grad():
        loss = float(loss_naming_targets(loss_fn, torch.as_tensor(outputs), as_tensor(y, dtype, "cpu")))
    return _metrics(loss, outputs, _first(y), accuracy)


def score(model, X, y):
    """Accuracy of a trained classifier on (X, y): a torch model's predicted labels (`predictions` of its
    outputs), or a scikit-learn estimator's `predict(X)`."""
    if not hasattr(y, "shape") or len(y.shape) != 1:
        raise ValueError(f"y: expected a 1-D array of labels, one per row of X, got {describe(y)}")
    if isinstance(model, torch.nn.Module):
        return accuracy(predict(model, X), y)
    if not hasattr(model, "predict"):
        raise TypeError(f"model: expected a torch.nn.Module or a fitted scikit-learn estimator, got {describe(model)}")
    if not hasattr(X, "shape") or not hasattr(y, "shape") or X.shape[0] != len(y) or len(y) == 0:
        raise ValueError(f"X, y: expected the same, non-zero number of rows, got {describe(X)} and {describe(y)}")
    return float(np.mean(model.predict(X) == np.asarray(y)))


def _metrics(loss, outputs, y, with_accuracy):
    result = {"loss": loss}
    if with_accuracy:
        result["accuracy"] = accuracy(outputs, y)
    return result


def fit(model, loss_fn, optimizer, X, y, epochs=None, batch_size=32, X_val=None, y_val=None, seed=0,
        accuracy=True, clip_grad_norm=None, scheduler=None, verbose=True, log_every=1, progress=False, *,
        steps=None, eval_every=None, on_eval=None):
    """Train a torch model with minibatch steps; returns the history dict (see the module doc).

    clip_grad_norm: clip the gradient norm to this value before each step; scheduler: an
    lr scheduler stepped once per batch.
    """
    _check_clip(clip_grad_norm)
    dtype, device = _model_dtype(model), _model_device(model)

    def step(xb, yb):
        model.train()
        out = _call(model, as_tensor(xb, dtype, device))
        loss = loss_naming_targets(loss_fn, out, as_tensor(yb, dtype, device))
        optimizer.zero_grad()
        loss.backward()
        if clip_grad_norm is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip_grad_norm)
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        return loss.item(), out.detach().cpu().numpy()

    def validate():
        return evaluate(model, loss_fn, X_val, y_val, accuracy=accuracy)

    return _loop(step, validate, X, y, epochs, steps, batch_size, X_val, y_val, seed, accuracy, verbose,
                 log_every, progress, eval_every, on_eval)


# -- scratch models ---------------------------------------------------------------------------
def predict_scratch(model, X, batch_size=1024):
    """A scratch model's outputs for all of X, in eval mode (float inputs cast to its dtype)."""
    _check_inputs(X)
    was_training = model.training
    model.eval()
    out = [_call(model, _scratch_input(_rows(X, idx), model)) for idx in _batches(len(_first(X)), batch_size)]
    model.train(was_training)
    return np.concatenate(out)


def _scratch_input(a, model):
    if isinstance(a, tuple):
        return tuple(_scratch_input(x, model) for x in a)
    a = np.asarray(a)
    return a.astype(model.dtype, copy=False) if np.issubdtype(a.dtype, np.floating) else a


def evaluate_scratch(model, loss_fn, X, y, batch_size=1024, accuracy=True):
    """{"loss", "accuracy"} of a scratch model over X (loss_fn a bigmodels.scratch loss)."""
    _check_data(X, y)
    outputs = predict_scratch(model, X, batch_size)
    loss = float(loss_naming_targets(loss_fn, outputs, _scratch_input(y, model)))
    return _metrics(loss, outputs, _first(y), accuracy)


def fit_scratch(model, loss_fn, optimizer, X, y, epochs=None, batch_size=32, X_val=None, y_val=None, seed=0,
                accuracy=True, clip_grad_norm=None, verbose=True, log_every=1, progress=False, *,
                steps=None, eval_every=None, on_eval=None):
    """`fit` for a scratch model: forward, loss, explicit backward, optimizer step; same batches."""
    from ..scratch.optim import clip_grad_norm_

    _check_clip(clip_grad_norm)
    # skip dL/dX (useless in training) when the model's backward offers it, as Sequential does
    backward_kwargs = {"input_grad": False} if "input_grad" in inspect.signature(model.backward).parameters else {}

    def step(xb, yb):
        model.train()
        out = _call(model, _scratch_input(xb, model))
        loss = loss_naming_targets(loss_fn, out, _scratch_input(yb, model))
        model.zero_grad()
        model.backward(loss_fn.backward(), **backward_kwargs)
        if clip_grad_norm is not None:
            clip_grad_norm_(model, clip_grad_norm)
        optimizer.step()
        return float(loss), out

    def validate():
        return evaluate_scratch(model, loss_fn, X_val, y_val, accuracy=accuracy)

    return _loop(step, validate, X, y, epochs, steps, batch_size, X_val, y_val, seed, accuracy, verbose,
                 log_every, progress, eval_every, on_eval)


# -- the shared loop --------------------------------------------------------------------------
def _check_budget(epochs, steps, eval_every, on_eval):
    if (epochs is None) == (steps is None):
        raise ValueError(f"epochs, steps: expected exactly one of them, got epochs={epochs!r}, steps={steps!r}")
    if epochs is not None:
        check_positive_int(epochs, "epochs")
    else:
        check_positive_int(steps, "steps")
    if (eval_every is None) != (on_eval is None):
        raise ValueError("eval_every and on_eval: expected both or neither")
    if eval_every is not None:
        check_positive_int(eval_every, "eval_every")
        if not callable(on_eval):
            raise TypeError(f"on_eval: expected a function of the step number, got {describe(on_eval)}")


def _loop(step, validate, X, y, epochs, steps, batch_size, X_val, y_val, seed, with_accuracy, verbose,
          log_every, progress, eval_every, on_eval):
    """Shuffle, step through the minibatches, repeat: `epochs` passes, or until `steps` steps are done."""
    _check_data(X, y)
    if (X_val is None) != (y_val is None):
        raise ValueError("X_val and y_val: expected both or neither")
    if X_val is not None:
        _check_data(X_val, y_val, "X_val", "y_val")
    _check_budget(epochs, steps, eval_every, on_eval)
    batch_size = check_positive_int(batch_size, "batch_size")
    check_positive_int(log_every, "log_every")
    n = len(_first(X))
    if steps is not None:
        epochs = -(-steps // -(-n // batch_size))  # passes needed, the last one cut short
    rng = np.random.default_rng(seed)
    history = {"loss": []}
    if with_accuracy:
        history["accuracy"] = []
    if X_val is not None:
        history.update({"val_loss": [], **({"val_accuracy": []} if with_accuracy else {})})
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=epochs, desc="epochs")
    done = 0
    for epoch in range(1, epochs + 1):
        total_loss, correct, seen = 0.0, 0.0, 0
        for idx in minibatches(n, batch_size, rng):
            if steps is not None and done == steps:
                break
            yb = _rows(y, idx)
            loss, outputs = step(_rows(X, idx), yb)
            if not math.isfinite(loss):
                raise FloatingPointError(f"epoch {epoch}: the training loss became {loss}")
            done += 1
            total_loss += loss * len(idx)
            seen += len(idx)
            if with_accuracy:  # labels were checked by the loss
                correct += _accuracy(outputs, np.asarray(_first(yb))) * len(idx)
            if eval_every is not None and done % eval_every == 0:
                on_eval(done)
        history["loss"].append(total_loss / seen)
        if with_accuracy:
            history["accuracy"].append(correct / seen)
        if X_val is not None:
            for key, value in validate().items():
                history["val_" + key].append(value)
        if bar is not None:
            bar.update(1)
            bar.set_postfix({k: f"{v[-1]:.4f}" for k, v in history.items()})
        elif verbose and (epoch % log_every == 0 or epoch == epochs):
            print(f"epoch {epoch:3d}/{epochs}  " + "  ".join(f"{k} {v[-1]:.4f}" for k, v in history.items()))
    if bar is not None:
        bar.close()
    return history


def learning_curve(train, X_train, y_train, X_test, y_test, sizes, seed=0):
    """Test accuracy (`score`) of train(X, y) -> fitted model, on class-balanced subsets of each size."""
    from ..data.datasets import stratified_subset

    curve = []
    for n in sizes:
        rows = stratified_subset(y_train, n, seed=seed)
        curve.append(score(train(X_train[rows], y_train[rows]), X_test, y_test))
    return curve
