# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 4.1 A dense classifier (§4.1 深度神经网络的Python实现)
#
# The article's first code example is a small Keras model: two hidden
# {term}`dense <Fully connected layer>` layers of 64 {term}`ReLU` units, a 10-way
# {term}`softmax <Softmax>`, {term}`Adam`, sparse categorical cross-entropy, ten
# {term}`epochs <Epoch>`. It never runs: TensorFlow is imported, but `x_train` and `y_train` are not
# defined anywhere (errata {ref}`E8 <errata-keras-dense>`). This chapter makes the example real. It
# gives the model data (MNIST digits), rewrites it in PyTorch with the formula-written layers of
# `bigmodels.nn`, trains it with the same settings Keras would use, checks it step by step against
# the NumPy version of chapter 3.1, and compares its accuracy with two scikit-learn baselines.
#
# **You will learn to**
# - translate a Keras `Sequential` of `Dense` layers into PyTorch, including the parts Keras leaves
#   implicit (initialisation, Adam's epsilon, {term}`batch size <Batch size>`);
# - see why `softmax` + `sparse_categorical_crossentropy` equals logits + `CrossEntropyLoss`;
# - train and evaluate with the shared trainer, and read a confusion matrix and the model's most
#   confident mistakes;
# - check that a from-scratch NumPy model follows the PyTorch one exactly in float64, and by how
#   much it drifts in float32;
# - put the result in context with logistic regression and scikit-learn's `MLPClassifier`, and
#   compare two training recipes over many seeds rather than one run each.
#
# Chapters 4.1 and 4.2 follow §4 of the article, *具体代码实例和详细解释说明* (concrete code examples
# with detailed explanations), one listing each.
#
# **Time to run:** under a minute on a 2-core laptop CPU.

# %%
# Needs the book's environment (Python 3.11-3.13, the bigmodels package, pinned
# versions, data): `make lab` in the book's repository sets it up; setup() names
# anything that differs.
from bigmodels.notebook import setup

device = setup()

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.metrics import confusion_matrix

from bigmodels import dense_classifier, nn, scratch, training
from bigmodels.data import load_mnist5k
from bigmodels.notebook import show_source

# %% [markdown]
# ## The article's model
#
# Quoted as printed in the article (TensorFlow is not a dependency of this book, so this cell is
# text, not code):
#
# ```python
# import tensorflow as tf
#
# model = tf.keras.Sequential([
#     tf.keras.layers.Dense(64, activation='relu', input_shape=(100,)),
#     tf.keras.layers.Dense(64, activation='relu'),
#     tf.keras.layers.Dense(10, activation='softmax')
# ])
# model.compile(optimizer='adam',
#               loss='sparse_categorical_crossentropy',
#               metrics=['accuracy'])
# model.fit(x_train, y_train, epochs=10)
# ```
#
# `input_shape=(100,)` promises 100 input features and `Dense(10)` ten classes, but no data set
# with that shape is named. We use MNIST-5k instead: 5,000 real handwritten digits, ten classes (so
# the {term}`output layer <Output layer>` stays as written), each image 28 x 28 = 784 grey values
# scaled to $[0, 1]$ and flattened into a row. The only change to the architecture is therefore the
# input width, 784 instead of 100. The split is fixed (3,500 training, 500 validation, 1,000 test
# images, balanced by class).

# %%
data = load_mnist5k()
print(data)
print("X_train", data.X_train.shape, data.X_train.dtype,
      "y_train", data.y_train.shape, data.y_train.dtype)

# %% [markdown]
# ## From Keras to PyTorch, line by line
#
# | Keras | PyTorch (`bigmodels.nn`) |
# |---|---|
# | `Dense(64, activation='relu', input_shape=(784,))` | `Linear(784, 64)`, `ReLU()` |
# | `Dense(64, activation='relu')` | `Linear(64, 64)`, `ReLU()` |
# | `Dense(10, activation='softmax')` | `Linear(64, 10)` (logits; softmax moves into the loss) |
# | `loss='sparse_categorical_crossentropy'` | `CrossEntropyLoss()` on logits and integer labels |
# | `optimizer='adam'` | `Adam(lr=1e-3, betas=(0.9, 0.999), eps=1e-7)` |
# | `fit(..., epochs=10)` | `training.fit(..., epochs=10, batch_size=32)` |
# | Dense's default initialiser | Glorot-uniform weights {cite}`glorot2010understanding`, zero biases |
#
# Three defaults hide in the Keras call. Its batch size is 32. Its Adam {cite}`kingma2015adam` uses
# $\epsilon = 10^{-7}$ where PyTorch's uses $10^{-8}$. Its `Dense` layers start from Glorot-uniform
# weights and zero biases, while `torch.nn.Linear` draws both from $U(-1/\sqrt{n_{in}}, 1/\sqrt{n_{in}})$.
# We copy all three to stay faithful.
#
# The loss needs one more remark. "Sparse" means the labels are integers rather than one-hot vectors;
# the loss is $-\log \operatorname{softmax}(z)_y$. PyTorch's `CrossEntropyLoss` takes the logits $z$
# and applies the log-softmax itself, in the stable form $z_y - m - \log\sum_j e^{z_j - m}$. Both compute
# the same number, but the fused version never forms a probability that could round to 0 and send
# the loss to $\infty$:

# %%
z = torch.tensor([[2.0, -1.0, 0.5], [30.0, -80.0, 0.0]])
y = torch.tensor([0, 1])
# softmax layer, then the loss
keras_style = -torch.log(torch.softmax(z, dim=1)[torch.arange(2), y])
fused = torch.nn.functional.cross_entropy(z, y, reduction="none")
# 6 digits: exp/log kernels differ in the last bits between CPUs
print("softmax then log:", [round(v, 6) for v in keras_style.tolist()])
print("fused from logits:", [round(v, 6) for v in fused.tolist()])

# %%
assert abs(keras_style[0] - fused[0]) < 1e-6
# probability exp(-110) underflows in float32
assert torch.isinf(keras_style[1]) and torch.isfinite(fused[1])

# %% [markdown]
# (Keras itself recognises a softmax layer followed by this loss and uses the logits internally,
# so the article's model is safe; written out by hand, the two-step version is not.)
#
# The model, then, built from `bigmodels.nn.Linear` and the formula-written `ReLU`, with Keras's
# initialisation. The translation lives in `bigmodels.dense_classifier`, so that the benchmark at the end of
# the chapter trains exactly this model:

# %%
show_source(dense_classifier.keras_init_)
show_source(dense_classifier.dense_classifier)
show_source(dense_classifier.keras_adam)

# %%
model = dense_classifier.dense_classifier(seed=0)
print(model)
print("parameters:", sum(p.numel() for p in model.parameters()))

# %% [markdown]
# ## Training
#
# `train_dense_classifier` draws the model from a seed and hands it to the shared trainer
# `bigmodels.training.fit`, which does what `model.fit` does in Keras: shuffle the training set each
# epoch, walk through it in minibatches of 32, and after each epoch report the mean training loss and
# accuracy (plus validation loss and accuracy, which the article's call does not ask for but which
# show overfitting as it happens). The same seed also fixes the order of the minibatches.

# %%
show_source(dense_classifier.train_dense_classifier)

# %% tags=["nbval-ignore-output"]
# trained figures: their last digits vary by CPU; the asserts below check the claims
model, history = dense_classifier.train_dense_classifier(data, seed=0, verbose=True,
                                                 log_every=2)

# %% tags=["nbval-ignore-output"]
# trained figures: their last digits vary by CPU; the asserts below check the claims
test = training.evaluate(model, nn.CrossEntropyLoss(), data.X_test, data.y_test)
print(f"PyTorch model: test accuracy {test['accuracy']:.4f}, "
      f"test loss {test['loss']:.4f}")

# %%
# overfitting: training accuracy near 100%, validation lower (0.991 and 0.940 here,
# unchanged under the other thread counts and kernels tried). Test accuracy within the
# range of 20 seeds (0.927 to 0.947, benchmarks/bench_mnist_baselines.py), widened by 3
# test images
assert history["accuracy"][-1] > 0.98
assert history["val_accuracy"][-1] < history["accuracy"][-1] - 0.02
assert 0.924 <= test["accuracy"] <= 0.950

# %% [markdown]
# ## The same model from scratch, step for step
#
# Chapter 3.1 built this network in NumPy with an explicit backward pass and a NumPy Adam. If both
# implementations are right, they must follow the same trajectory when they start from the same
# weights and see the same minibatches. `Sequential.from_torch` copies the weights, and
# `fit_scratch` draws its batches from the same seed as `fit`. We first run the comparison in float64,
# where rounding is too small to matter, then in float32.

# %% mystnb={"figure": {"caption": "Training curves of the PyTorch model and its NumPy twin from the same initial weights, in float32 and float64."}} tags=["nbval-ignore-output"]
# rounding-level gaps: they depend on the CPU's kernels (float32 weight gap 1.6e-05 to
# 2.3e-02 across thread counts, kernels and package versions); asserted below
def train_pair(dtype):
    """The PyTorch model and its scratch twin, trained from the same initial weights."""
    torch_model = dense_classifier.dense_classifier(seed=0, dtype=dtype)
    np_dtype = np.float64 if dtype == torch.float64 else np.float32
    twin = scratch.Sequential.from_torch(torch_model, dtype=np_dtype)
    kwargs = dict(epochs=dense_classifier.EPOCHS,
                  batch_size=dense_classifier.BATCH_SIZE,
                  X_val=data.X_val, y_val=data.y_val, verbose=False)
    h_torch = training.fit(torch_model, nn.CrossEntropyLoss(),
                           dense_classifier.keras_adam(torch_model),
                           data.X_train, data.y_train, **kwargs)
    h_scratch = training.fit_scratch(twin, scratch.CrossEntropyLoss(),
                                     scratch.Adam(twin, lr=1e-3, eps=1e-7),
                                     data.X_train, data.y_train, **kwargs)
    return torch_model, twin, h_torch, h_scratch


# float64: a fresh pair; float32: the model trained above and a scratch twin of its
# initial weights
twin32 = scratch.Sequential.from_torch(dense_classifier.dense_classifier(seed=0),
                                       dtype=np.float32)
history32 = training.fit_scratch(twin32, scratch.CrossEntropyLoss(),
                                 scratch.Adam(twin32, lr=1e-3, eps=1e-7),
                                 data.X_train, data.y_train,
                                 epochs=dense_classifier.EPOCHS,
                                 batch_size=dense_classifier.BATCH_SIZE,
                                 X_val=data.X_val, y_val=data.y_val, verbose=False)
pairs = {"float64": train_pair(torch.float64),
         "float32": (model, twin32, history, history32)}
batches = -(-len(data.y_train) // dense_classifier.BATCH_SIZE)
print("Adam steps per run:", dense_classifier.EPOCHS * batches)

fig, axes = plt.subplots(1, 2, figsize=(7.5, 3.4), sharey=True)
for ax, (name, (_, _, h_torch, h_scratch)) in zip(axes, pairs.items()):
    epochs = np.arange(1, dense_classifier.EPOCHS + 1)
    ax.plot(epochs, h_torch["loss"], "o-", label="PyTorch, train")
    ax.plot(epochs, h_scratch["loss"], "x--", label="scratch, train")
    ax.plot(epochs, h_torch["val_loss"], "o-", label="PyTorch, validation")
    ax.plot(epochs, h_scratch["val_loss"], "x--", label="scratch, validation")
    ax.set(title=name, xlabel="epoch", ylabel="cross-entropy")
axes[1].legend()
plt.show()

gaps = {}
for name, (torch_model, twin, h_torch, h_scratch) in pairs.items():
    loss_gap = max(abs(a - b) for key in ("loss", "val_loss")
                   for a, b in zip(h_torch[key], h_scratch[key]))
    weight_gap = max(float(np.max(np.abs(twin.params[n] - p.detach().numpy())))
                     for n, p in torch_model.named_parameters())
    torch_pred = training.predictions(training.predict(torch_model, data.X_test))
    twin_pred = training.predictions(training.predict_scratch(twin, data.X_test))
    disagree = int(np.sum(torch_pred != twin_pred))
    gaps[name] = (loss_gap, weight_gap, disagree)
    print(f"{name}: largest loss gap {loss_gap:.1e}, "
          f"largest weight gap {weight_gap:.1e}, "
          f"test predictions that differ {disagree} of {len(data.y_test)}")

# %%
# float64: the same trajectory (loss gaps seen: at most 2.2e-16); float32: a small
# drift (weight gaps seen: 1.6e-05 to 2.3e-02, loss gaps 3.0e-08 to 1.7e-04, over thread
# counts and kernels) that changes at most a handful of test predictions (0 seen)
assert gaps["float64"][0] < 1e-9 and gaps["float64"][2] == 0
assert 1e-9 < gaps["float32"][1] < 1e-1 and gaps["float32"][0] < 1e-2
assert gaps["float32"][2] <= 5

# %% [markdown]
# In float64 the two curves are the same curve: after all those Adam steps, losses and weights agree to
# about the last digits that float64 can resolve on numbers of this size, and every test prediction is
# identical. In float32 the two implementations round differently: BLAS sums the products of a matrix
# multiplication in a different order than PyTorch's kernels, and the softmax, Adam and bias
# updates are ordered differently too. Each step adds a discrepancy of about float32's resolution,
# $2^{-24} \approx 6 \times 10^{-8}$ relative, and training carries such discrepancies forward, so the
# weights drift apart (printed above) while the curves stay indistinguishable on the plot. Both are
# equally valid float32 answers; neither is "the" exact one.
#
# ## Where the model goes wrong
#
# Test accuracy says how often the model errs; a confusion matrix says *how*. Row $i$, column $j$
# counts test images of digit $i$ classified as $j$; the diagonal holds the correct answers.

# %% mystnb={"figure": {"caption": "Confusion matrix of the trained model on the MNIST-5k test images: rows are true digits, columns predicted ones."}} tags=["nbval-ignore-output"]
# the trained model's errors: which images it gets wrong can vary by CPU; the assert
# below checks the counts
logits = training.predict(model, data.X_test)
pred = training.predictions(logits)
cm = confusion_matrix(data.y_test, pred)
fig, ax = plt.subplots(figsize=(5.2, 4.6))
ax.imshow(cm, cmap="Blues")
for i in range(10):
    for j in range(10):
        if cm[i, j]:
            ax.text(j, i, cm[i, j], ha="center", va="center", fontsize=8,
                    color="white" if cm[i, j] > cm.max() / 2 else "black")
ax.set(xticks=range(10), yticks=range(10), xlabel="predicted digit",
       ylabel="true digit", title="confusion matrix, test set")
ax.grid(False)
plt.show()
off = cm - np.diag(np.diag(cm))
i, j = np.unravel_index(np.argmax(off), off.shape)
print(f"most frequent confusion: true {i} predicted as {j} ({off[i, j]} times); "
      f"errors {off.sum()} of {cm.sum()}")

# %%
assert cm.sum() == len(data.y_test)
assert off.sum() == round((1 - test["accuracy"]) * len(data.y_test))

# %% [markdown]
# The most instructive errors are the confident ones: images where the model put almost all of its
# probability on a wrong digit. Some are genuinely ambiguous handwriting; some show what the model
# has not learned.

# %% mystnb={"figure": {"caption": "The eight test images the model gets wrong with the highest confidence, with the true and predicted digits."}} tags=["nbval-ignore-output"]
# the trained model's mistakes and confidences vary by CPU in their last digits;
# asserted below
probs = torch.softmax(torch.tensor(logits, dtype=torch.float64), dim=1).numpy()
wrong = np.flatnonzero(pred != data.y_test)
worst = wrong[np.argsort(-probs[wrong, pred[wrong]])[:8]]
fig, axes = plt.subplots(1, 8, figsize=(7.5, 1.7))
for ax, k in zip(axes, worst):
    ax.imshow(data.X_test[k].reshape(28, 28), cmap="gray_r")
    ax.set_title(f"true {data.y_test[k]}, said {pred[k]}\np = {probs[k, pred[k]]:.2f}",
                 fontsize=9)
    ax.axis("off")
plt.show()
print("confidence of the 8 most confident mistakes:",
      np.round(probs[worst, pred[worst]], 3).tolist())

# %%
# almost all probability on a wrong digit (1.0 seen on every configuration)
assert probs[worst[0], pred[worst[0]]] > 0.9

# %% [markdown]
# ## Baselines from scikit-learn
#
# How good is that for this data? Two reference points on the same split: multinomial logistic
# regression (a single linear layer with softmax, no hidden layer) and scikit-learn's `MLPClassifier`
# with the same hidden layers (64, 64), ReLU and Adam, trained until its own stopping rule fires
# (by default: the training loss improves by less than $10^{-4}$ for 10 epochs in a row).

# %% tags=["nbval-ignore-output"]
# fitted figures: their last digits vary by CPU (logistic regression: 0.906 or 0.907
# seen); asserted below
# both raise if their fit did not converge
logreg = dense_classifier.logistic_regression(data, seed=0)
mlp = dense_classifier.mlp_classifier(data, seed=0)
scores = {
    "logistic regression": logreg.score(data.X_test, data.y_test),
    "MLPClassifier (64, 64)": mlp.score(data.X_test, data.y_test),
    "PyTorch (64, 64), 10 epochs": test["accuracy"],
}
for name, acc in scores.items():
    print(f"{name:28s} test accuracy {acc:.4f}")
print("MLPClassifier epochs until it stopped:", mlp.n_iter_)

# %% tags=["nbval-ignore-output"]
# a difference of two trained accuracies: it can move by a test image or two between
# CPUs; asserted below
margin = scores["PyTorch (64, 64), 10 epochs"] - scores["MLPClassifier (64, 64)"]
print(f"PyTorch minus MLPClassifier, seed 0: {100 * margin:+.1f} points "
      f"({round(margin * len(data.y_test)):+d} test images)")

# %%
assert scores["PyTorch (64, 64), 10 epochs"] > scores["logistic regression"]
assert scores["MLPClassifier (64, 64)"] > scores["logistic regression"]
# "a little behind in this run" (-6 test images on every configuration tried)
assert margin < 0

# %% [markdown]
# The hidden layers earn their keep: both networks beat the linear model. Against scikit-learn's MLP
# the PyTorch model is a little behind in this run. But this is one run of each.
#
# ## One seed is one draw
#
# Change the seed and both networks start from other random weights, and see their minibatches in
# another order. On 1,000 test images that moves test accuracy by several tenths of a point, as much
# as the gap we just measured. To compare the two *recipes* rather than two runs,
# `benchmarks/bench_mnist_baselines.py` trains both with seeds 0 to 19 using the same functions as
# this chapter (about three minutes, too long to repeat here) and stores every test accuracy. Its
# seed 0 is the run above, which the first assert below checks. Since the two models of one seed
# face the same test images, we compare them pairwise: the mean of the 20 differences and its
# standard error $s_d / \sqrt{20}$, where $s_d$ is the standard deviation of the differences.

# %% mystnb={"figure": {"caption": "Test accuracy of the PyTorch model and of scikit-learn's MLPClassifier over many seeds, paired by seed, with the mean and two standard errors."}}
from bigmodels.results import benchmark_result

runs = benchmark_result("mnist_baselines.json")
pytorch_acc, mlp_acc = np.array(runs["pytorch"]), np.array(runs["mlpclassifier"])
diff, se = dense_classifier.paired_difference(pytorch_acc, mlp_acc)

fig, ax = plt.subplots(figsize=(6, 3.6))
jitter = np.random.default_rng(0).uniform(-0.06, 0.06, len(pytorch_acc))
for p, m, j in zip(pytorch_acc, mlp_acc, jitter):
    ax.plot([j, 1 + j], [p, m], color="grey", alpha=0.3, lw=0.8)
for i, (acc, color) in enumerate([(pytorch_acc, "C0"), (mlp_acc, "C1")]):
    ax.scatter(i + jitter, acc, color=color, alpha=0.7, s=18)
    two_se = 2 * acc.std(ddof=1) / np.sqrt(len(acc))
    ax.errorbar(i + 0.2, acc.mean(), yerr=two_se, fmt="o", color="black", capsize=4)
ax.axhline(scores["logistic regression"], color="grey", ls=":",
           label="logistic regression")
ax.set(xticks=[0, 1],
       xticklabels=["PyTorch (64, 64)\n10 epochs",
                    "MLPClassifier (64, 64)\nto convergence"],
       xlim=(-0.4, 1.5), ylabel="test accuracy",
       title=f"{len(pytorch_acc)} seeds each (black: mean ± 2 standard errors)")
ax.legend(loc="lower right")
plt.show()
print(f"seeds 0..{runs['seed'][-1]}: PyTorch mean {pytorch_acc.mean():.4f} "
      f"(std {pytorch_acc.std(ddof=1):.4f}), "
      f"MLPClassifier mean {mlp_acc.mean():.4f} (std {mlp_acc.std(ddof=1):.4f})")
print(f"PyTorch minus MLPClassifier: {100 * diff:+.2f} points, "
      f"standard error {100 * se:.2f} points ({abs(diff) / se:.1f} standard errors)")
print(f"range over seeds: PyTorch {pytorch_acc.min():.3f} to {pytorch_acc.max():.3f}, "
      f"MLPClassifier {mlp_acc.min():.3f} to {mlp_acc.max():.3f}")

# %%
# the benchmark's seed 0 is this chapter's run (same code and seed; on another CPU,
# float32 rounding may flip an image or two, hence the tolerance of 2 test images)
assert runs["seed"][0] == 0 and len(runs["seed"]) == 20
assert abs(runs["pytorch"][0] - scores["PyTorch (64, 64), 10 epochs"]) <= 0.002
assert abs(runs["mlpclassifier"][0] - scores["MLPClassifier (64, 64)"]) <= 0.002
# the target: PyTorch at least MLPClassifier minus 0.5 points, on average over seeds
assert diff >= -0.005
# prose: about a third of a point, more than noise
assert -0.005 <= diff <= -0.002 and abs(diff) > 2 * se

# %% [markdown]
# Averaged over seeds, scikit-learn's MLP is ahead by about a third of a point, more than two
# standard errors: a real difference, but a small one. It is inside the half point we set as the bar
# for a faithful translation, and smaller than the spread of either model from seed to seed (the
# standard deviations printed above). Seed 0 happens to show a larger gap than the average, which is
# why a single run is a poor basis for comparing two recipes. Part of the difference is training
# time: MLPClassifier runs until its training loss stops improving (the epoch count printed earlier,
# in batches of 200, with a small L2 penalty $\alpha = 10^{-4}$), while the article stops after ten
# epochs. With 3,500 training images all such models overfit (training accuracy near 100%,
# validation lower); the later chapters on regularisation and scale return to that.

# %%
# seed 0's gap is larger than the average gap: the benchmark's stored seed 0, which the
# live run above matches within 2 test images per model (the live gap could cross the
# average within that tolerance)
seed0_margin = runs["pytorch"][0] - runs["mlpclassifier"][0]
assert seed0_margin < diff

# %% [markdown]
# ## Headline figures
#
# The figures this chapter adds to the book's results table (README and chapter 7), each computed above.

# %%
from bigmodels.results import report

# tolerance 5 test images: more than 3x the largest deviation seen over thread counts,
# kernels and another CPU (1 image, logistic regression; the trained networks did not
# move)
for (name, value), expect in zip(scores.items(), (0.9070, 0.9400, 0.9340)):
    report(f"MNIST-5k test accuracy: {name}", value, "{:.4f}", expect=expect, tol=0.005)

# %% [markdown]
# ## Summary
#
# - The article's Keras model becomes `bigmodels.nn.MLP([784, 64, 64, 10])` plus
#   `CrossEntropyLoss` and Adam; the input width 784 comes from the MNIST images we feed it.
# - Keras's `softmax` + `sparse_categorical_crossentropy` is PyTorch's logits + `CrossEntropyLoss`;
#   the fused form stays finite where softmax-then-log underflows.
# - Faithful translation also copies Keras's hidden defaults: batch 32, Adam $\epsilon = 10^{-7}$,
#   Glorot-uniform weights with zero biases.
# - The NumPy model from chapter 3.1 follows the PyTorch one exactly in float64; in float32 the
#   two drift apart by rounding while reaching the same accuracy.
# - After 10 epochs the model is ahead of logistic regression and, averaged over 20 seeds, about a
#   third of a point behind scikit-learn's `MLPClassifier` trained to convergence; a single run
#   cannot tell recipes this close apart.
#
# ## Exercises
#
# 1. How many {term}`parameters <Parameter>` does the article's model have with its
#    `input_shape=(100,)`, and how many does ours have with 784 inputs? Which layer accounts for the
#    difference?
# 2. Keras's `model.fit` reports, per epoch, the running mean of the batch losses seen during the
#    epoch, not the loss of the final weights. Compare `history["loss"][-1]` with
#    `training.evaluate` on the training set. Why is the first larger?
# 3. From the confusion matrix, compute the test accuracy of each digit. Which digit is hardest?
# 4. Which test images does logistic regression get right that the PyTorch model gets wrong? Count them.
# 5. (Longer, no solution given.) Train with PyTorch's own defaults instead (Adam $\epsilon = 10^{-8}$,
#    `Linear`'s uniform initialisation) and with `nn.MLP(..., dropout=0.2)`, and compare test accuracy
#    and the gap between training and validation accuracy.

# %% [markdown]
# **Solution 1**

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-cell"]
def dense_params(sizes):
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


article, ours = dense_params([100, 64, 64, 10]), dense_params([784, 64, 64, 10])
print(f"article {article}, ours {ours}, "
      f"difference {ours - article} = (784 - 100) * 64 in the first layer")
assert ours - article == (784 - 100) * 64

# %% [markdown]
# **Solution 2**

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-cell", "nbval-ignore-output"]
# trained losses: their last digits vary by CPU; the assert checks the claim
final = training.evaluate(model, nn.CrossEntropyLoss(), data.X_train, data.y_train)
print(f"running mean during epoch 10: {history['loss'][-1]:.4f}; "
      f"loss of the final weights: {final['loss']:.4f}")
# The running mean averages over the whole epoch, so it includes the early batches,
# seen with weights that were worse than the final ones (and dropout, if any, is active
# during training).
assert history["loss"][-1] > final["loss"]

# %% [markdown]
# **Solution 3**

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-cell", "nbval-ignore-output"]
# per-digit accuracies of the trained model: an image more or less right changes them
# between CPUs
per_digit = np.diag(cm) / cm.sum(axis=1)
print({digit: round(float(acc), 3) for digit, acc in enumerate(per_digit)})
print("hardest digit:", int(np.argmin(per_digit)))

# %% [markdown]
# **Solution 4**

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-cell", "nbval-ignore-output"]
# a count over two fitted models' predictions: it can move by an image or two between
# CPUs
logreg_right = logreg.predict(data.X_test) == data.y_test
print("right for logistic regression, wrong for PyTorch:",
      int(np.sum(logreg_right & (pred != data.y_test))))
