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
# # 2 Core concepts: rules, capacity and data (§2 核心概念与联系)
#
# The article relates three pairs of ideas: artificial intelligence and machine learning (a program
# that learns its behaviour from data rather than having it written by hand), big models and deep
# learning (many parameters arranged in many layers), and data and algorithms (what a model can
# learn depends on both). Each section below turns one of these relations into a measurement, with
# one gap: §2.2 ties big models to *depth*, and this chapter varies width only, so the benefit of
# depth is not measured here (chapter 7 lists the claims the book leaves untested).
#
# **Learning goals**
# - compare a hand-written rule with a model learned from the same data;
# - count the parameters of a multilayer perceptron and relate them to width and depth;
# - see training and test accuracy part as capacity grows;
# - read test accuracy against training-set size for several model sizes.
#
# **Time to run:** about a minute on two CPU cores.

# %%
from bigmodels.notebook import setup; device = setup()

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression

from bigmodels.classical import accuracy, fit_classifier, mlp_parameter_count, stratified_subset
from bigmodels.data import load_digits, load_mnist5k, load_rotten_tomatoes, tokenize_words
from bigmodels.nn import MLP

# %% [markdown]
# ## 2.1 Hand-written rules against learning from data (§2.1 人工智能与机器学习的关系)
#
# Machine learning is the part of AI in which behaviour comes from examples. The oldest alternative
# is to write the behaviour down. Take sentiment: is a one-sentence film review positive or
# negative? A rule anyone could write counts words from two short lists and answers "positive" when
# the positive words win (and on a tie, since the data are almost balanced).

# %%
reviews = load_rotten_tomatoes()
print(reviews)

POSITIVE = {"good", "great", "best", "fun", "funny", "enjoy", "enjoyable", "beautiful", "moving",
            "love", "wonderful", "excellent", "charming", "entertaining", "brilliant", "fine"}
NEGATIVE = {"bad", "worst", "boring", "dull", "mess", "stupid", "awful", "poor", "fails", "flat",
            "tedious", "predictable", "unfunny", "lame", "waste", "bland"}


def rule(text):
    """1 (positive) when at least as many words come from POSITIVE as from NEGATIVE, else 0."""
    words = tokenize_words(text.lower())
    return int(sum(w in POSITIVE for w in words) >= sum(w in NEGATIVE for w in words))


rule_accuracy = float(np.mean([rule(t) == y for t, y in zip(reviews.X_test, reviews.y_test)]))
no_hit = float(np.mean([not (set(tokenize_words(t.lower())) & (POSITIVE | NEGATIVE))
                        for t in reviews.X_test]))
print(f"hand-written rule: test accuracy {rule_accuracy:.3f}; reviews with no listed word: {no_hit:.3f}")

# %% [markdown]
# The learned alternative uses the same kind of evidence, word counts, but lets the data choose
# a weight for every word of the training vocabulary: logistic regression on a bag of words.

# %% tags=["nbval-ignore-output"]
# an L-BFGS fit: its accuracy and word weights round differently by CPU; the assert below checks the claim
vectorizer = CountVectorizer(min_df=2)
counts_train = vectorizer.fit_transform(reviews.X_train)
learned = LogisticRegression(max_iter=1000, C=0.5).fit(counts_train, reviews.y_train)
learned_accuracy = accuracy(learned, vectorizer.transform(reviews.X_test), reviews.y_test)
print(f"learned bag of words ({len(vectorizer.vocabulary_):,d} words): test accuracy {learned_accuracy:.3f}")
weights = learned.coef_[0]
words = vectorizer.get_feature_names_out()
print("most positive:", ", ".join(words[np.argsort(weights)[-8:][::-1]]))
print("most negative:", ", ".join(words[np.argsort(weights)[:8]]))

# %%
assert learned_accuracy - rule_accuracy > 0.1  # margin 0.14, far above any rounding change of the fit
assert no_hit > 0.5

# %% [markdown]
# Most reviews contain none of the 32 words we thought of, and for those the rule can only guess;
# the learned model weighs thousands of words and wins by the margin printed above. The words it
# finds most telling are not all ones a person would list first.
#
# ## 2.2 Capacity: width, depth and parameter count (§2.2 大模型与深度学习的关系)
#
# "Big" in big model means many parameters. For a multilayer perceptron with layer sizes
# $n_0, n_1, \dots, n_L$ the count is
#
# $$P = \sum_{l=1}^{L} (n_{l-1} n_l + n_l),$$
#
# a weight matrix and a bias vector per layer. With one hidden layer of width $w$ (sizes
# $[64, w, 10]$ below) that is $P = 64w + w + 10w + 10 = 75w + 10$: *linear* in the width, so
# four times the width gives about four times the parameters, as the printout shows. Growth with
# the square of the width needs at least two hidden layers, whose $n_{l-1} n_l$ term connects two
# widened layers. Adding hidden
# layers of a fixed width grows $P$ linearly in the depth (the last three lines).

# %%
digits = load_digits()
widths = [2, 4, 8, 16, 32, 64, 128, 256]
for width in widths[::2]:
    sizes = [64, width, 10]
    model = MLP(sizes)
    counted = sum(p.numel() for p in model.parameters())
    assert counted == mlp_parameter_count(sizes) == 64 * width + width + width * 10 + 10
    print(f"sizes {sizes}: {counted:,d} parameters")
for depth in (1, 2, 4):
    sizes = [64] + [64] * depth + [10]
    print(f"hidden layers of 64: {depth}, {mlp_parameter_count(sizes):,d} parameters")

# %% [markdown]
# How does capacity show in what a network learns? We train one-hidden-layer MLPs of growing width
# on the 8x8 digits (1,258 training images), all for the same 1,500 AdamW steps, and measure
# accuracy on the training images and on the held-out test images.

# %% tags=["nbval-ignore-output"]
# trained accuracies: their last digits vary by CPU; the asserts after the figure check the claims
STEPS, LR = 1500, 3e-3


def train_mlp(sizes, X, y, steps=STEPS, batch_size=64):
    """An MLP trained for about `steps` mini-batch updates (whole epochs, at least one)."""
    torch.manual_seed(0)
    epochs = max(1, -(-steps * batch_size // len(X)))
    return fit_classifier(MLP(sizes), X, y, epochs=epochs, lr=LR, batch_size=batch_size)


train_acc, test_acc, params = [], [], []
for width in widths:
    model = train_mlp([64, width, 10], digits.X_train, digits.y_train)
    params.append(mlp_parameter_count([64, width, 10]))
    train_acc.append(accuracy(model, digits.X_train, digits.y_train))
    test_acc.append(accuracy(model, digits.X_test, digits.y_test))
    print(f"width {width:4d} ({params[-1]:6,d} parameters): train {train_acc[-1]:.3f}  test {test_acc[-1]:.3f}")

# %%
fig, ax = plt.subplots()
ax.plot(params, train_acc, marker="o", label="training images")
ax.plot(params, test_acc, marker="o", label="test images")
ax.set(xscale="log", xlabel="parameters (one hidden layer, width 2 to 256)", ylabel="accuracy",
       title="Capacity on the 8x8 digits")
ax.legend()
plt.show()

# %% tags=["nbval-ignore-output"]
# trained accuracies (last digits vary by CPU): across kernels and thread counts they moved by at most 0.002, and
# one test image is 0.004; the closest margin below, 0.017 on the widest network, is 4 images
gaps = np.subtract(train_acc, test_acc)
assert train_acc[-1] == 1.0 and train_acc[0] < 0.95
assert test_acc[-1] - test_acc[0] > 0.1
assert gaps[-1] > 0 and max(train_acc) - max(test_acc) > 0
assert test_acc[-1] >= max(test_acc) - 0.02
print(f"train-test gap: narrowest width {gaps[0]:.3f}, widest {gaps[-1]:.3f}")

# %% [markdown]
# Tiny networks cannot even fit their training images; as the width grows they fit all of them, and
# test accuracy rises too, settling below training accuracy: the generalisation gap. Test accuracy
# does not fall when the width grows far beyond what fitting the training set needs (the widest
# network is within a point or two of the best): the classic picture of "too many parameters overfit"
# does not show here, a point the scaling chapters return to.
#
# ## 2.3 Data and algorithm (§2.3 数据与算法的关系)
#
# A model is an algorithm plus the data it learned from. To see both at once, we train three MLP
# widths on growing subsets of MNIST-5k and measure test accuracy each time.

# %% tags=["nbval-ignore-output"]
# trained accuracies: their last digits vary by CPU; the asserts after the figure check the claims
mnist = load_mnist5k()
data_sizes = [100, 300, 1000, 3500]
model_widths = [8, 32, 128]
grid = {}
for width in model_widths:
    for n in data_sizes:
        rows = stratified_subset(mnist.y_train, n)
        model = train_mlp([784, width, 10], mnist.X_train[rows], mnist.y_train[rows], steps=600)
        grid[width, n] = accuracy(model, mnist.X_test, mnist.y_test)
    print(f"width {width:3d}:", "  ".join(f"n={n}: {grid[width, n]:.3f}" for n in data_sizes))

# %%
fig, ax = plt.subplots()
for width in model_widths:
    ax.plot(data_sizes, [grid[width, n] for n in data_sizes], marker="o",
            label=f"width {width} ({mlp_parameter_count([784, width, 10]):,d} parameters)")
ax.set(xscale="log", xlabel="training images", ylabel="test accuracy", title="MNIST-5k")
ax.legend()
plt.show()

# %% tags=["nbval-ignore-output"]
# trained accuracies (last digits vary by CPU; none moved across kernels and thread counts, one test image is
# 0.001); the closest margin below is 0.012, the spreads' difference
for width in model_widths:
    assert np.all(np.diff([grid[width, n] for n in data_sizes]) > 0)
small_data_spread = grid[128, 100] - grid[8, 100]
large_data_spread = grid[128, 3500] - grid[8, 3500]
print(f"width 128 minus width 8: {small_data_spread:.3f} at 100 images, {large_data_spread:.3f} at 3500")
assert grid[128, 3500] == max(grid.values())
assert large_data_spread > small_data_spread > 0

# %% [markdown]
# Every model improves with more data, and the largest model with the most data is best. The two
# ingredients work together: the advantage of the widest network over the narrowest is larger with
# 3,500 training images than with 100 (the two differences printed above), so a bigger model pays
# off more when there is more data to learn from.

# %% [markdown]
# ## Headline figures
#
# The figures this chapter adds to the book's results table (README and chapter 7), each computed above.

# %%
from bigmodels.results import report

report("Hand-written word rule (Rotten Tomatoes test accuracy)", rule_accuracy, "{:.3f}")
# fitted and trained figures: unchanged across kernels and thread counts here, but another CPU moved a trained
# MNIST accuracy of this chapter by 2 images (issue 13); asserted within 5 reviews, and 8 images for the
# difference of two trained accuracies
report("Learned bag of words (Rotten Tomatoes test accuracy)", learned_accuracy, "{:.3f}", expect=0.785, tol=0.005)
report("MNIST-5k, width 128 minus width 8 at 3,500 images (test accuracy)", large_data_spread, "{:+.3f}",
       expect=0.042, tol=0.008)

# %% [markdown]
# ## Summary
#
# - A learned bag-of-words model beats a hand-written word-list rule by a wide margin, mostly
#   because the rule has nothing to say about most reviews.
# - An MLP's parameter count is $\sum_l (n_{l-1} n_l + n_l)$; training accuracy reaches 100% once
#   the network is wide enough, and test accuracy follows below it.
# - Test accuracy rises with training-set size for every width; the best result needs both a
#   larger model and more data.
#
# ## Exercises
#
# 1. Add ten more words to each list of the rule. How much does its test accuracy change?
# 2. Count the parameters of an MLP with sizes $[784, 512, 512, 10]$ by the formula and check it
#    against the module.
# 3. Retrain the widest digits network with only 150 training images. What happens to the gap
#    between training and test accuracy?

# %% [markdown]
# **Solution**

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-cell"]
POSITIVE |= {"terrific", "delightful", "touching", "smart", "engaging", "powerful", "solid",
             "clever", "warm", "rich"}
NEGATIVE |= {"worse", "silly", "tiresome", "pointless", "unpleasant", "mediocre", "clumsy",
             "annoying", "lifeless", "forgettable"}
longer = float(np.mean([rule(t) == y for t, y in zip(reviews.X_test, reviews.y_test)]))
assert longer < learned_accuracy - 0.1
print(f"rule with 52 words: {longer:.3f} (was {rule_accuracy:.3f}), still far below the learned model")

# %% [markdown]
# **Solution**

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-cell"]
sizes = [784, 512, 512, 10]
print(mlp_parameter_count(sizes), sum(p.numel() for p in MLP(sizes).parameters()))

# %% [markdown]
# **Solution**

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-cell", "nbval-ignore-output"]
# trained accuracies: their last digits vary by CPU; the assert (margin 0.014, 4 test images) checks the answer
rows = stratified_subset(digits.y_train, 150)
small = train_mlp([64, 256, 10], digits.X_train[rows], digits.y_train[rows])
small_train = accuracy(small, digits.X_train[rows], digits.y_train[rows])
small_test = accuracy(small, digits.X_test, digits.y_test)
print(f"150 images: train {small_train:.3f}, test {small_test:.3f} (all {len(digits.X_train):,d}: "
      f"train {train_acc[-1]:.3f}, test {test_acc[-1]:.3f})")
assert small_train - small_test > gaps[-1] + 0.02  # the gap widens with less data
