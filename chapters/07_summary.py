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
# The article closes by restating its claims: {term}`big models <Big model>` have many
# {term}`parameters <Parameter>`, serve many applications, need a lot of compute and data, can be
# made smaller by {term}`pruning <Pruning>`, {term}`quantization <Quantization>` and
# {term}`distillation <Knowledge distillation>`,
# and face challenges of cost, privacy and {term}`interpretability <Interpretability>`. This book
# turned most of those sentences into code. This last chapter collects what that code measured, so
# each claim sits next to the number that supports (or qualifies) it and the place that produced it,
# and lists the claims the book only restates or cannot test on a laptop.
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
# Needs the book's environment (Python 3.11-3.13, the bigmodels package, pinned
# versions, data): `make lab` in the book's repository sets it up; setup() names
# anything that differs.
from bigmodels.notebook import setup

device = setup()

import pathlib
from collections import defaultdict

from IPython.display import Markdown, display

from bigmodels.notebook import show_source
from bigmodels.results import collect

HERE = pathlib.Path.cwd()
ROOT = HERE.parent if HERE.name == "chapters" else HERE

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
# | Classical {term}`machine learning <Machine learning>` falls short on complex problems (§1) | classical models against a small {term}`neural network <Neural network>`, with learning curves, on real images | [](01_background.ipynb) |
# | Big models are models with very many parameters, tied to {term}`deep learning <Deep learning>` (§2.2) | parameter counts as width and depth grow; train and test fit against capacity; depth at a fixed parameter count, on digits and on a sawtooth | [](02_core_concepts.ipynb) |
# | Data and algorithms depend on each other (§2.3) | test accuracy against training-set size for several model sizes | [](02_core_concepts.ipynb) |
# | A deep network is {term}`forward propagation <Forward propagation>`, a loss and {term}`backpropagation <Backpropagation>` (§3.1) | NumPy forward and backward passes checked against finite differences and autograd; {term}`vanishing gradients <Vanishing gradient>` measured | [](03_1_deep_neural_networks.ipynb) |
# | {term}`RNNs <Recurrent neural network>` model sequences (§3.2.1) | the recurrence, {term}`backpropagation through time <Backpropagation through time>`, exploding and vanishing {term}`gradients <Gradient>`, a character language model | [](03_2_rnn.ipynb) |
# | {term}`LSTMs <Long short-term memory>` handle long-range dependencies (§3.2.2) | the gate equations corrected; a memory task where the LSTM succeeds and the RNN fails | [](03_3_lstm.ipynb) |
# | The {term}`Transformer` rests on {term}`self-attention <Self-attention>` (§3.2.3) | {term}`attention <Attention>`, {term}`multi-head attention <Multi-head attention>`, {term}`encoder <Encoder>`, {term}`decoder <Decoder>`, post-norm vs pre-norm, a small GPT | [](03_4_transformer.ipynb) |
# | The Keras dense classifier (§4.1) | the same model in PyTorch and in NumPy on MNIST, against scikit-learn | [](04_1_dnn_in_practice.ipynb) |
# | The Keras Embedding+LSTM text classifier (§4.2) | the same model on English and Chinese reviews, against TF-IDF baselines | [](04_2_nlp_in_practice.ipynb) |
# | Trends: more data, more compute, better interpretability; challenges: cost, privacy, interpretability, optimization (§5) | scaling-law fits, FLOP and memory estimators, DP-SGD with an accountant, {term}`attributions <Attribution>`, schedules | [](05_trends_and_challenges.ipynb) |
# | Big models are trained on clusters (§6.4) | data parallelism with torch.distributed, fault handling, checkpoint and resume, activation checkpointing | [](06_4_training_at_scale.ipynb) |
# | Pruning, quantization and distillation make models smaller (§6.5) | each measured for size, accuracy and latency | [](06_5_making_models_smaller.ipynb) |
#
# ## Claim by claim: measured, restated, or out of reach
#
# The table above goes chapter by chapter. This one takes the article's claims one at a time (its
# section and its words, abridged) and says which the book measured, which it only restates or
# illustrates, and which an offline laptop run cannot test, and why. **Measured**: a cell computes
# it and asserts what the text says. **Partly**: a narrower or related form is measured.
# **Restated**: explained or illustrated, not measured. **Not testable here**: out of reach of this
# book's set-up, or not an empirical claim at all.
#
# | § | the article's claim | status | where, or why not |
# |---|---|---|---|
# | 1 | {term}`AI <Artificial intelligence>` makes computers simulate human intelligence | restated | a definition (see the [glossary](../book/glossary.md)) |
# | 1, 2.1 | ML learns from data for prediction, classification and decision | measured (classification) | [chapter 2](02_core_concepts.ipynb) §2.1: a learned model against a hand-written rule |
# | 1 | more compute and more data made ML widely applied | not testable here | a claim about the history of the field, which no run on one machine decides |
# | 1, 6.2 | as data grew, classical ML fell short on complex problems | partly | [chapter 1](01_background.ipynb): false on centred digits, true on shifted ones, where the gap comes from features rather than from data size |
# | 1 | that shortfall gave birth to big models | restated | a historical causal claim ([chapter 1](01_background.ipynb), §1.4) |
# | 1, 2.2, 6.1 | big models include {term}`DNNs <Deep neural network>`, {term}`NLP <Natural language processing>` models and image models | not testable | a category error rather than a claim about the world (errata {ref}`E12 <errata-categories>`) |
# | 2.2 | a big model is one with many parameters | measured | counted in [chapter 2](02_core_concepts.ipynb) §2.2 and [chapter 6.1](06_1_what_and_why.ipynb); published counts in [chapter 1](01_background.ipynb) §1.5 |
# | 2.2 | deep learning uses many layers to learn complex features | partly | learned, shift-tolerant features win in [chapter 1](01_background.ipynb) §1.4; at a fixed parameter count, extra layers do not help on MNIST-5k, and on a sawtooth that a deep net represents exponentially more cheaply, trained deep nets fit worse than a shallow one ([chapter 2](02_core_concepts.ipynb) §2.2) |
# | 2.2 | so big models are closely tied to deep learning | restated | [chapter 2](02_core_concepts.ipynb) |
# | 2.3 | data is the basis, algorithms process it | measured | [chapter 2](02_core_concepts.ipynb) §2.3: accuracy over data size and model size |
# | 2.3 | huge data needs efficient algorithms | not testable here | every data set of the book fits in memory and trains in seconds; the claim is about data that does not |
# | 2.3 | choosing and optimising the algorithm is crucial | partly | initialisation and activation ([3.1](03_1_deep_neural_networks.ipynb)), post- against pre-norm gradients ([3.4](03_4_transformer.ipynb)), warm-up, accumulation and bfloat16 ([5](05_trends_and_challenges.ipynb)); not on a big model |
# | 3 | the formulas of DNNs, RNNs, LSTMs and the Transformer | measured | each implemented three ways and tested to 1e-10 ([3.1](03_1_deep_neural_networks.ipynb) to [3.4](03_4_transformer.ipynb)); the wrong ones corrected in the [errata](../book/errata.md) |
# | 4 | the two Keras listings | measured | run on real data in [4.1](04_1_dnn_in_practice.ipynb) and [4.2](04_2_nlp_in_practice.ipynb) |
# | 5.1 | bigger datasets | measured | the data sweep ($\alpha_D$) in [chapter 5](05_trends_and_challenges.ipynb); [chapter 2](02_core_concepts.ipynb) §2.3 |
# | 5.1 | more complex algorithms | partly | read as bigger models: loss against parameter count in [chapter 5](05_trends_and_challenges.ipynb); the complexity of an algorithm has no agreed measure |
# | 5.1 | more compute, to train and to deploy | partly | training: FLOPs, $6ND$ and throughput in [chapter 5](05_trends_and_challenges.ipynb); deployment: latencies printed but not asserted in [6.5](06_5_making_models_smaller.ipynb) |
# | 5.1 | better interpretability will be needed | restated | attribution methods shown in [chapter 5](05_trends_and_challenges.ipynb) §5.2.3; a need is a judgement, not a measurement |
# | 5.2 | compute resources are costly | measured | in FLOPs, bytes and device-days for GPT-3 ([chapter 5](05_trends_and_challenges.ipynb) §5.2.1), not in money |
# | 5.2 | big data brings {term}`privacy <Data privacy>` problems | partly | a small overfit MLP leaks membership, and DP-SGD's accuracy cost is measured ([chapter 5](05_trends_and_challenges.ipynb) §5.2.2); with the recipe held fixed (same batches, steps and clipping, $\sigma = 0$ against $\sigma = 2$, three seeds) the noise at $\varepsilon \approx 11$ changes nothing the attack measures, clipping does; how leakage depends on the amount of data is not measured |
# | 5.2 | complex structure makes models hard to interpret | restated | [chapter 5](05_trends_and_challenges.ipynb) §5.2.3 shows attributions, not a link between structure and opacity |
# | 5.2 | algorithm optimisation problems | partly | post-norm's gradient imbalance at initialisation ([3.4](03_4_transformer.ipynb)), vanishing gradients ([3.1](03_1_deep_neural_networks.ipynb), [3.2](03_2_rnn.ipynb)); no run that fails without warm-up |
# | 6.1 | big models need much compute and data to train and deploy | partly | parameter counts ([6.1](06_1_what_and_why.ipynb)), training FLOPs and memory ([5](05_trends_and_challenges.ipynb)) |
# | 6.2 | big models are needed because classical ML falls short | partly: where labels are few | word vectors pretrained on unlabelled text gain about 10 (English) and 7 (Chinese) points over random vectors with 100 labels and beat TF-IDF there; with 1,000 labels 3.5 and 2 points, with all labels none, and TF-IDF stays ahead; the §4.2 LSTM pretrained as a language model gains only 1-4 points (5 seeds each; [6.1](06_1_what_and_why.ipynb) §6.2); see also §1 above |
# | 6.3, 7 | applications in image processing and NLP | measured | [chapter 1](01_background.ipynb), [4.1](04_1_dnn_in_practice.ipynb), [4.2](04_2_nlp_in_practice.ipynb) and others |
# | 6.3, 7 | applications in speech recognition and machine translation | measured, small | German-English translation with the encoder-decoder Transformer, scored with chrF/BLEU: on 12,000 dictionary sentence pairs it loses to a word-by-word dictionary lookup (chrF 13.5 vs 25.1); spoken-word recognition from two synthesizers: 0.90 on unheard voices of the training engine, 0.32 on the other engine ([6.3](06_3_applications.ipynb)); no recorded speech installs offline |
# | 6.4, 7 | training on high-performance computing clusters | partly: on one machine | data parallelism on one and on two `torchrun` nodes (bit-identical results), FSDP2 sharding with 1/N of the training state per process, tensor and pipeline parallelism equal to the unsplit model, and the bytes each sends ([6.4](06_4_training_at_scale.ipynb)); no real cluster here |
# | 6.4, 7 | training on cloud resources | not testable here | the book runs offline by design |
# | 6.5, 7 | pruning, quantization and distillation | measured | [6.5](06_5_making_models_smaller.ipynb) |

# %% [markdown]
# ## Summary
#
# - Every model of the article exists three ways (NumPy from scratch, PyTorch from the same
#   formulas, the PyTorch built-in), and the test suite holds all three to a relative error of
#   1e-10 in float64 for outputs and every gradient, plus finite-difference checks.
# - Several formulas of the article needed correcting (gate names, the multi-head projections,
#   the encoder stack); the [errata](../book/errata.md) lists each with its fix, and
#   {ref}`its last section <errata-references>` corrects the article's reference list.
# - The figures above are measurements on a small scale: they show the mechanisms the article
#   names, not the magnitudes of production systems. Where small scale changes the picture (for
#   example the scaling exponent, or what pretraining buys), the chapter says so.
#
# ## Exercises
#
# 1. Count how many of the figures are exact identities (agreement to 1e-10) and how many are
#    measurements with a spread.
# 2. Pick one figure from the table, change one setting in its chapter (a seed, a size, a learning
#    rate), re-run the chapter and see which figures move and by how much.
# 3. Add a `report(...)` line for a figure you care about to any chapter, re-execute it, and
#    regenerate this table.

# %% [markdown]
# **Solution 1**

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-cell"]
exact = [n for s, n, v in results if "difference" in n.lower() or "error" in n.lower()]
print(f"{len(exact)} of {len(results)} reported figures are agreement checks: {exact}")
print("the 1e-10 agreement of every scratch, nn and built-in model is asserted by the "
      "tests, not reported here")
