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
# # 7 Summary: what the book measured (§7 总结)
#
# The article closes by restating its claims: big models have many parameters, serve many
# applications, need a lot of compute and data, can be made smaller by pruning, quantization and
# distillation, and face challenges of cost, privacy and interpretability. This book turned each
# of those sentences into code. This last chapter collects what that code measured, so each claim
# sits next to the number that supports (or qualifies) it and the place that produced it.
#
# **You will learn to**
# - find, for each claim of the article, the chapter cell or benchmark that measured it;
# - read the book's headline figures in one table, with their sources;
# - know which results are exact identities (tested to 1e-10) and which are measurements with a
#   spread.
#
# **Time to run:** a second or two: it only reads the stored outputs of the other chapters and the
# files in `benchmarks/results/`.

# %%
from bigmodels.notebook import setup

device = setup()

import pathlib
from collections import defaultdict

from IPython.display import Markdown, display

from bigmodels.display import show_source
from bigmodels.results import collect

ROOT = pathlib.Path.cwd().parent if pathlib.Path.cwd().name == "chapters" else pathlib.Path.cwd()

# %% [markdown]
# ## How the figures are collected
#
# Every chapter reports its headline figures through one function, `report`, which prints them in
# a fixed format. Because the chapters are executed under `nbval`, a stored figure that no longer
# matches what the code computes fails the test suite; this chapter, and the results table of the
# README, read those stored lines back.

# %%
show_source(collect)

# %%
results = collect(ROOT)
by_source = defaultdict(list)
for source, name, value in results:
    by_source[source].append((name, value))
print(f"{len(results)} reported figures from {len(by_source)} sources")
assert len(by_source) >= 5, "every chapter should report its headline figures"

# %% [markdown]
# ## Every figure, with where it was measured
#
# Each row names the notebook or benchmark output that produced it (the chapter map in the next
# section links every chapter); open the notebook and search for `[result]` to find the cell.

# %%
rows = ["| figure | value | measured in |", "|---|---|---|"]
rows += [f"| {name} | {value} | `{source}` |" for source, name, value in results]
display(Markdown("\n".join(rows)))

# %% [markdown]
# ## The article's claims, chapter by chapter
#
# | the article says (§) | what the book did | where |
# |---|---|---|
# | Classical machine learning falls short on complex problems (§1) | classical models against a small neural network, with learning curves, on real images | [](01_background.ipynb) |
# | Big models are models with very many parameters, tied to deep learning (§2.2) | parameter counts as width and depth grow; train and test fit against capacity | [](02_core_concepts.ipynb) |
# | Data and algorithms depend on each other (§2.3) | test accuracy against training-set size for several model sizes | [](02_core_concepts.ipynb) |
# | A deep network is forward propagation, a loss and backpropagation (§3.1) | NumPy forward and backward passes checked against finite differences and autograd; vanishing gradients measured | [](03_1_deep_neural_networks.ipynb) |
# | RNNs model sequences (§3.2.1) | the recurrence, backpropagation through time, exploding and vanishing gradients, a character language model | [](03_2_rnn.ipynb) |
# | LSTMs handle long-range dependencies (§3.2.2) | the gate equations corrected; a memory task where the LSTM succeeds and the RNN fails | [](03_3_lstm.ipynb) |
# | The Transformer rests on self-attention (§3.2.3) | attention, multi-head attention, encoder, decoder, post-norm vs pre-norm, a small GPT | [](03_4_transformer.ipynb) |
# | The Keras dense classifier (§4.1) | the same model in PyTorch and in NumPy on MNIST, against scikit-learn | [](04_1_dnn_in_practice.ipynb) |
# | The Keras Embedding+LSTM text classifier (§4.2) | the same model on English and Chinese reviews, against TF-IDF baselines | [](04_2_nlp_in_practice.ipynb) |
# | Trends: more data, more compute, better interpretability; challenges: cost, privacy, interpretability, optimization (§5) | scaling-law fits, FLOP and memory estimators, DP-SGD with an accountant, attributions, schedules | [](05_trends_and_challenges.ipynb) |
# | Big models are trained on clusters (§6.4) | data parallelism with torch.distributed, fault handling, checkpoint and resume, activation checkpointing | [](06_1_training_big_models.ipynb) |
# | Pruning, quantization and distillation make models smaller (§6.5) | each measured for size, accuracy and latency | [](06_2_making_models_smaller.ipynb) |

# %% [markdown]
# ## Summary
#
# - Every model of the article exists three ways (NumPy from scratch, PyTorch from the same
#   formulas, the PyTorch built-in), and the test suite holds all three to a relative error of
#   1e-10 in float64 for outputs and every gradient, plus finite-difference checks.
# - Several formulas of the article needed correcting (gate names, the multi-head projections,
#   the encoder stack); the [errata](../book/errata.md) lists each with its fix.
# - The figures above are measurements on a small scale: they show the mechanisms the article
#   names, not the magnitudes of production systems. Where small scale changes the picture (for
#   example the scaling exponent, or what pretraining buys), the chapter says so.
#
# ## Exercises
#
# 1. Pick one figure from the table, change one setting in its chapter (a seed, a size, a learning
#    rate), re-run the chapter and see which figures move and by how much.
# 2. Count how many of the figures are exact identities (agreement to 1e-10) and how many are
#    measurements with a spread.
# 3. Add a `report(...)` line for a figure you care about to any chapter, re-execute it, and
#    regenerate this table.

# %% [markdown]
# **Solution to exercise 2**

# %% tags=["hide-input"]
exact = [n for s, n, v in results if "difference" in n.lower() or "error" in n.lower()]
print(f"{len(exact)} of {len(results)} reported figures are agreement checks: {exact}")
print("the 1e-10 agreement of every scratch, nn and built-in model is asserted by the tests, not reported here")
