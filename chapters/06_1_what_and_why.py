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
# # 6.1–6.2 What big models are, and why (§6.1, §6.2)
#
# The article's FAQ (§6 附录常见问题与解答, "appendix: frequently asked questions") says that a big model is one with
# very many parameters (§6.1) and that it is needed because small models fall short on complex problems
# (§6.2). This chapter counts parameters and tests what pretraining on unlabelled text buys a classifier. The
# FAQ's other answers have chapters of their own: applications (§6.3) in chapter 6.3, training beyond one
# process (§6.4) in chapter 6.4, making models smaller (§6.5) in chapter 6.5.
#
# **You will learn to**
# - count the parameters of any model of the book and place it next to published models;
# - load a language model pretrained on unlabelled text (the §4.2 LSTM, English words and Chinese characters)
#   and see what it learned without a single label;
# - fine-tune it on 100 or 1,000 labelled reviews and measure, over seeds, what pretraining buys against the
#   same network trained from random weights;
# - compute word vectors from the same text by counting (PPMI and a truncated SVD) and measure what they buy.
#
# **Time to run:** about a minute on two CPU cores (the pretraining itself is a benchmark script, about half
# an hour).

# %%
# Needs the book's environment (Python 3.11-3.13, the bigmodels package, pinned
# versions, data): `make lab` in the book's repository sets it up; setup() names
# anything that differs.
from bigmodels.notebook import setup

device = setup(threads=1)  # small sequential LSTM steps: one thread, as the benchmark

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
import torch

from bigmodels import pretraining as pt
from bigmodels import word_vectors
from bigmodels.data import load_chinese_reviews, load_rotten_tomatoes
from bigmodels.data.unlabelled import unlabelled_chinese, unlabelled_english
from bigmodels.notebook import show_source
from bigmodels.data.published_models import LANDMARKS
from bigmodels.nn import MLP
from bigmodels.nn.gpt import GPT, GPTConfig
from bigmodels.results import benchmark_result
from bigmodels.scale import count_parameters
from bigmodels.scratch.gpt import GPT as ScratchGPT

# %% [markdown]
# ## 6.1 What counts as big (§6.1 什么是人工智能大模型？)
#
# "Big" means parameters: the entries of every weight matrix, bias and embedding. `count_parameters` counts
# them for torch modules and for the NumPy models of the book alike (a matrix shared by two layers, like GPT's
# tied input and output embedding, counts once).

# %%
show_source(count_parameters)

# %%
gpt_config = GPTConfig(block_size=32, vocab_size=64, n_layer=2, n_head=2, n_embd=32)
book_models = {
    "MLP 784-128-10 (ch. 6.5)": MLP([784, 128, 10]),
    "student MLP 784-12-10 (ch. 6.5)": MLP([784, 12, 10]),
    "tiny GPT 2x32 (torch)": GPT(gpt_config),
    "tiny GPT 2x32 (NumPy)": ScratchGPT(gpt_config),
    "LSTM language model (§6.2)": pt.load_pretrained("english")[0],
    "nanoGPT Shakespeare config": GPT(GPTConfig()),
}
book_counts = {name: count_parameters(m) for name, m in book_models.items()}
for name, n in book_counts.items():
    print(f"{name:32s} {n:>12,d}")
assert book_counts["tiny GPT 2x32 (torch)"] == book_counts["tiny GPT 2x32 (NumPy)"]

# %% [markdown]
# Published sizes, as the papers state them (the book's table `bigmodels.data.published_models`): BERT-large
# {cite}`devlin2019bert`, GPT-2 {cite}`radford2019language` and GPT-3 {cite}`brown2020language`.

# %% mystnb={"figure": {"caption": "Parameter counts of the book's models (blue) and of three published language models (red), on a log scale."}}
names = ("BERT-large", "GPT-2", "GPT-3")
published = {m.name: m.parameters for m in LANDMARKS if m.name in names}
fig, ax = plt.subplots(figsize=(7, 3.2))
everything = {**book_counts, **published}
colors = ["C0"] * len(book_counts) + ["C3"] * len(published)
ax.barh(list(everything), list(everything.values()), color=colors)
ax.set_xscale("log")
ax.set(xlabel="parameters (log scale)",
       title="The book's models (blue) and published models (red)")
plt.show()
lstm_lm = book_counts["LSTM language model (§6.2)"]
print(f"GPT-3 / the LSTM language model of §6.2: {published['GPT-3'] / lstm_lm:.1e}")

# %% [markdown]
# ## 6.2 Why big models: what pretraining buys (§6.2 为什么需要人工智能大模型？)
#
# The reason the article gives for big models is that, pretrained on raw data, they learn what small
# task-specific models cannot. The measurable core of that claim is transfer: a network that first learns to
# *predict text* should need fewer labels to learn a task. Here it is tested on the two sentiment tasks of
# §4.2 with the recipe that first showed it for text classification, on this very Rotten Tomatoes data:
# pretrain an LSTM as a language model on unlabelled text, then fine-tune it as a classifier
# ({cite:t}`dai2015semi`; {cite:t}`howard2018universal` made it the three-stage recipe ULMFiT).
#
# **Why this model.** It is the §4.2 network (an embedding of 64, an LSTM of 64 units, Dense(64, ReLU),
# Dense(1)): "pretrained or not" is then the only difference to §4.2, and the pretrained embedding and LSTM
# load into §4.2's `SentimentLSTM` unchanged. It is also cheap enough to read millions of tokens on one CPU
# core in under half an hour, the budget of this book's benchmarks; a GPT of the same cost would read less
# text.
#
# **The pretraining** (`benchmarks/bench_pretraining.py --pretrain`, seeds fixed, one thread; the committed
# checkpoints are float16 and their SHA-256 is checked on loading):
# - *English*, word tokens as in §4.2: the Rotten Tomatoes training snippets, the other snippet collections of
#   the VADER archive (Amazon product reviews, New York Times editorials, tweets; their ratings unused) and
#   the Shakespeare plays. *Chinese*, characters: the Chinese review training texts and a month of People's
#   Daily. No validation or test text is read (`bigmodels.data.unlabelled` drops them and checks).
# - The language model predicts the next token, $p(x_{t+1}\mid x_{\le t}) = \mathrm{softmax}(E h_t + b)$, with
#   the embedding matrix $E$ reused as output layer (weight tying, {cite:t}`press2017using`). It trains on
#   random windows of 32 tokens with a sampled softmax (1,024 sampled tokens per step instead of the whole
#   vocabulary, {cite:t}`jean2015using`), first on all the text, then on the task's own training texts
#   (ULMFiT's second stage).
# - Fine-tuning: the classifier starts from the pretrained embedding and LSTM (the dense layers random) and
#   sums a text up by the LSTM's state at its last word and the mean and maximum of its states over the words
#   (ULMFiT's "concat pooling"; with the last state alone, as in §4.2, the pretrained start did no better than
#   the random one in trials on the validation split). The baseline is the same network from random weights.
#   For each setting the recipe (train every weight with Adam, or keep embedding and LSTM fixed and train the
#   dense layers only) and the number of epochs were chosen on the validation split with a seed of their own,
#   never on the test split.

# %%
show_source(pt.LSTMLanguageModel)

# %% [markdown]
# The NumPy twin with its explicit backward pass (the tied matrix collects two gradients) is
# `bigmodels.scratch.lstm_lm.LSTMLanguageModel`; `tests/test_pretraining.py` checks that both agree with each
# other, with torch's built-in cross-entropy and with finite differences.

# %%
splits = {"english": load_rotten_tomatoes(), "chinese": load_chinese_reviews()}
sources = {"english": unlabelled_english(splits["english"]),
           "chinese": unlabelled_chinese(splits["chinese"])}
checkpoints = {language: pt.load_pretrained(language) for language in splits}
for language, (lm, vocab, meta) in checkpoints.items():
    tokens_read = sum(meta["steps"]) * meta["batch_size"] * meta["seq_len"]
    print(f"{language}: {meta['tokens']:,} tokens of unlabelled text, vocabulary "
          f"{len(vocab):,}, {count_parameters(lm):,} parameters")
    for name, lines in sources[language].items():
        print(f"  {name:<36}{len(lines):>9,} lines")
    general, task = meta["steps"]
    print(f"  {general:,} + {task:,} steps of {meta['batch_size']} windows x "
          f"{meta['seq_len']} tokens = {tokens_read:,} tokens read")

# %% [markdown]
# ### What it learned without labels
#
# The language model never saw a rating. Two checks of what it knows anyway. First, its loss on the *test*
# texts (never read in pretraining) against the uniform guess $\ln V$:

# %% tags=["nbval-ignore-output"]
# losses from float kernels: their last digits vary by CPU; the assert checks the claim
held_out_loss = {}
for language, (lm, vocab, meta) in checkpoints.items():
    stream = pt.token_stream(splits[language].X_test, vocab)
    loss = held_out_loss[language] = pt.lm_loss(lm, stream, max_windows=1024)
    print(f"{language}: {loss:.2f} nats per token on the test texts (uniform guess "
          f"{math.log(len(vocab)):.2f}); perplexity {math.exp(loss):.0f}, "
          f"not {len(vocab):,}")
# Measured 5.40 (English) and 4.66 (Chinese) nats against ln V = 9.21 and 8.52; kernel
# configurations move them in the third decimal at most; the assert leaves over a nat.
for language, (lm, vocab, meta) in checkpoints.items():
    assert held_out_loss[language] < math.log(len(vocab)) - 2.5

# %% [markdown]
# Second, the tokens whose embedding vectors are closest (cosine similarity) to a few probe words:

# %% tags=["nbval-ignore-output"]
# ranks of float similarities: near-ties may swap on another CPU; the assert checks it
probes = {"english": ("good", "bad", "funny", "boring", "actor"),
          "chinese": ("好", "差", "贵", "脏")}
neighbours = {}
for language, (lm, vocab, meta) in checkpoints.items():
    for token in probes[language]:
        neighbours[token] = pt.nearest_tokens(lm.embedding.weight, vocab, token)
for token, near in neighbours.items():
    print(f"{token:>8}: {', '.join(near)}")
assert "bad" in neighbours["good"] and "good" in neighbours["bad"]

# %% [markdown]
# The neighbours are tokens that can stand in the same places: "good" and "bad" are among each other's five
# closest words (the cell checks it). Predicting the next word teaches what a word *does* in a sentence, and
# "a good film" and "a bad film" are equally good sentences: which one is praise is what the labels have to
# add.
#
# ### Fine-tuning on few labels
#
# The experiment of the benchmark, cut to what fits this chapter: 100 and 1,000 labelled training texts and
# the first two of the benchmark's five seeds (a seed draws the labelled texts, initialises the weights and
# orders the batches; the pretrained and the random start share it), with the recipe and epochs the benchmark
# chose on the validation split.

# %% tags=["nbval-ignore-output"]
# fine-tuned accuracies: they vary by CPU; asserts and report() below check the claims
study = {lang: benchmark_result(f"pretraining_{lang}.json") for lang in splits}
maxlen = {"english": 32, "chinese": 48}
batch_size = {100: 16, 1000: 32}
chapter = {}
for language, (lm, vocab, meta) in checkpoints.items():
    train, test = ((*pt.encode_texts(vocab, X, maxlen[language]), torch.from_numpy(y))
                   for X, y in (splits[language].train, splits[language].test))
    rows = study[language]["rows"]
    chosen = {(r["labels"], r["start"]): r for r in rows if "epochs" in r}
    for n in (100, 1000):
        for start in ("pretrained", "random init"):
            recipe, epochs = chosen[n, start]["recipe"], chosen[n, start]["epochs"]
            chapter[language, n, start] = [
                pt.experiment(lm, train, test, n, start, seed, epochs, batch_size[n],
                              recipe=recipe)[0]
                for seed in (1, 2)]
        pre = np.mean(chapter[language, n, "pretrained"])
        rnd = np.mean(chapter[language, n, "random init"])
        print(f"{language:>8}, {n:>5} labels: pretrained {pre:.3f}, "
              f"random init {rnd:.3f}, gain {100 * (pre - rnd):+.1f} points")

# %% [markdown]
# The benchmark's full table (`benchmarks/results/pretraining.txt`: five seeds, all labels too, and §4.2's
# TF-IDF + logistic regression trained on the same labelled texts), then its learning curves with the
# published figures for this data: {cite:t}`kim2014convolutional`'s CNN with random word vectors (76.1%) and
# with word2vec vectors pretrained on news (81.0%), and {cite:t}`dai2015semi`'s LSTM pretrained on Amazon
# reviews (83.3%).

# %%
table = benchmark_result("pretraining.txt").splitlines()
print("\n".join(line for line in table if not line.startswith("[result]")))  # in README

# %% mystnb={"figure": {"caption": "Test accuracy against the number of labelled training texts (mean and spread of five seeds): the LSTM pretrained as a language model, the same LSTM from random weights, and TF-IDF + logistic regression, with TF-IDF on all labels and the published results on Rotten Tomatoes as horizontal lines."}}
def learning_curves(series, titles):
    """Test accuracy (mean and spread over seeds) against labelled texts, a panel per
    language; series: (benchmark result by language, start, style, label) tuples."""
    fig, axes = plt.subplots(1, 2, figsize=(7.5, 3.6), sharey=True)
    for ax, language in zip(axes, ("english", "chinese")):
        for source, start, style, label in series:
            points = sorted((r["labels"], np.mean(r["test"]), np.std(r["test"]))
                            for r in source[language]["rows"] if r["start"] == start)
            n, mean, spread = map(np.array, zip(*points))
            ax.errorbar(n, mean, yerr=spread, fmt=style, capsize=3, label=label)
        ax.axhline(0.5, color="gray", lw=0.6, ls=":")
        ax.set_xscale("log")
        ax.set(xlabel="labelled training texts", title=titles[language])
    axes[0].set_ylabel("test accuracy (mean, spread of 5 seeds)")
    return fig, axes


tfidf_all = {}
for language in study:
    rows = [r for r in study[language]["rows"] if r["start"] == "TF-IDF"]
    tfidf_all[language] = np.mean(max(rows, key=lambda r: r["labels"])["test"])
tfidf_label = "TF-IDF, all labels ({english:.3f}, {chinese:.3f})".format(**tfidf_all)
fig, axes = learning_curves(
    [(study, "pretrained", "o-", "LSTM, pretrained"),
     (study, "random init", "s-", "LSTM, random init"),
     (study, "TF-IDF", "^:", "TF-IDF + logistic regr.")],
    {"english": "Rotten Tomatoes (words)", "chinese": "Chinese reviews (characters)"})
for ax, language in zip(axes, ("english", "chinese")):
    ax.axhline(tfidf_all[language], color="C2", lw=0.8, ls="--", label=tfidf_label)
    if language == "english":
        for (name, value), color in zip(pt.PUBLISHED.items(), ("C4", "C5", "C3")):
            ax.axhline(value, color=color, lw=0.8, ls="-.",
                       label=f"{name} ({value:.1%})")
fig.legend(*axes[0].get_legend_handles_labels(), fontsize=8, ncol=3, loc="upper center",
           bbox_to_anchor=(0.5, 0.0))
plt.show()

# %% tags=["nbval-ignore-output"]
# gains of fine-tuned accuracies: they vary by CPU; the asserts check the text's claims
def gains_here_and_in_benchmark(runs, result):
    """The benchmark's test accuracies by (language, labels, start), and the mean
    gain of this chapter's runs (points, seeds 1-2) by (language, labels), printed
    beside the benchmark's five-seed gain."""
    bench = {(language, r["labels"], r["start"]): np.array(r["test"])
             for language in result for r in result[language]["rows"]}
    gain_here = {}
    for language in ("english", "chinese"):
        for n in (100, 1000):
            pre = np.array(runs[language, n, "pretrained"])
            rnd = np.array(runs[language, n, "random init"])
            gain_here[language, n] = 100 * np.mean(pre - rnd)
            gains = 100 * (bench[language, n, "pretrained"]
                           - bench[language, n, "random init"])
            print(f"{language:>8}, {n:>5} labels: gain {gain_here[language, n]:+.1f} "
                  f"points here (seeds 1-2); benchmark {gains.mean():+.1f}, seeds "
                  f"{gains.min():+.1f} to {gains.max():+.1f}")
    return bench, gain_here


bench, chapter_gain = gains_here_and_in_benchmark(chapter, study)
# Claims of the text, on the benchmark's five seeds (a committed file, so exact):
# gains of one to four points with 100 and 1,000 labels and a seed spread at least
# as large, a small loss with all labels, and TF-IDF ahead of the pretrained LSTM.
for language in ("english", "chinese"):
    sizes = sorted({n for lang, n, start in bench if lang == language})
    for n in sizes:
        gains = bench[language, n, "pretrained"] - bench[language, n, "random init"]
        gains *= 100
        if n <= 1000:
            assert 0.5 <= gains.mean() <= 4.5 and np.ptp(gains) >= gains.mean()
        else:
            assert -2 < gains.mean() < 0
        tfidf = bench[language, n, "TF-IDF"].mean()
        assert bench[language, n, "pretrained"].mean() < tfidf

# %% [markdown]
# **The verdict at this scale.** Pretraining helps, but only a little. Over the benchmark's five seeds the
# pretrained start is ahead by about one to four points on average with 100 and 1,000 labels, in both languages,
# with a spread over seeds as large as the gain itself, and with all labels it falls slightly behind (the
# table above). That is short of the targets set for this study before it ran (at least 5 points with 100
# labels and 3 with 1,000, on every seed, and the TF-IDF baseline with all labels): the benchmark prints NOT
# met for all of them, and the pretrained LSTM stays below TF-IDF + logistic regression at every size.
#
# The published gains came from far more. ULMFiT's language model has three LSTM layers of 1,150 units and
# read the 103 million words of WikiText-103 {cite}`howard2018universal`; this one has one layer of 64 units
# and read 14 million tokens, most of its English lines Shakespeare's. A language model this small spends its
# capacity on what words do in a sentence (the neighbours above), and the few labels cannot pull sentiment out
# of it. What this replication on two CPU cores does show is the direction of the article's claim: a gain
# where labels are few, gone where they are many, as in the published results, where the gains are largest
# with few labels. Its size, the part the word "big" is about, is out of reach here.

# %% [markdown]
# ### A second pretrained model: word vectors
#
# The largest published gain on this data came from the simplest pretrained model: {cite:t}`kim2014convolutional`'s
# CNN went from 76.1% to 81.0% when its random word vectors were replaced by word2vec vectors pretrained on news.
# Word vectors can be read off the same unlabelled text without any training loop: count which tokens occur near
# which, turn the counts into positive pointwise mutual information (PPMI, how much more often two tokens meet
# than chance would have them meet), and keep the 100 strongest directions of that matrix with a truncated
# SVD. {cite:t}`levy2014neural` showed that word2vec's skip-gram implicitly factorises the same kind of matrix;
# counted directly, the vectors take seconds on a CPU and do not depend on a sampling order.
#
# - *English*: the 10,000 most frequent words of the same unlabelled text. *Chinese*: most Chinese words are two
#   characters long, so the tokens are characters *and* pairs of neighbouring characters (20,000 of them; a
#   linear probe on the validation split preferred them to characters alone by 3 to 4 points).
# - Two tokens count as neighbours within a window, weighted by 1 / distance. The script computes the vectors
#   for windows of 5, 10, 20 and 40 tokens and keeps the one whose linear probe (logistic regression on a text's
#   mean vector) does best on the validation split: 20 in English, 40 in Chinese (the cell below prints the
#   probe for each). Wider windows make the vectors more about topic and tone than about grammar.
# - The classifier is the neural bag of words: the mean of a text's vectors, then one linear layer, started from
#   the pretrained vectors or from random unit vectors. For each setting the recipe (train the output layer
#   only, every weight, or the output layer first and then every weight at a lower rate, as ULMFiT unfreezes
#   step by step) and the number of epochs were chosen on the validation split, as for the LSTM.
# - `benchmarks/bench_pretraining.py --pretrain --model vectors` computes and probes all eight sets in about
#   three minutes; the committed files are float16 and their SHA-256 is checked on loading.

# %%
show_source(word_vectors)

# %%
vector_sets = {language: pt.load_word_vectors(language) for language in splits}
for language, (vectors, vocab, meta) in vector_sets.items():
    print(f"{language}: {vectors.shape[0]:,} tokens x {vectors.shape[1]} dimensions, "
          f"counted over {meta['tokens']:,} tokens of unlabelled text")
    probes = ", ".join(f"{w}: {a:.3f}" for w, a in meta["probe_by_window"].items())
    print(f"  validation accuracy of the linear probe by window: {probes}; "
          f"kept window {meta['window']}")
assert [vector_sets[lang][2]["window"] for lang in ("english", "chinese")] == [20, 40]

# %% tags=["nbval-ignore-output"]
# ranks of float similarities: near-ties may swap on another CPU; the assert checks it
vector_probes = {"english": ("good", "bad", "boring", "funny", "actor"),
                 "chinese": ("好", "差", "失望", "价格")}
vector_neighbours = {}
for language, (vectors, vocab, meta) in vector_sets.items():
    for token in vector_probes[language]:
        vector_neighbours[token] = pt.nearest_tokens(vectors, vocab, token)
for token, near in vector_neighbours.items():
    print(f"{token:>8}: {', '.join(near)}")
# the claims below, on the ten nearest (a swap at the fifth place cannot break them)
top10 = {token: pt.nearest_tokens(*vector_sets[language][:2], token, k=10)
         for language, tokens in vector_probes.items() for token in tokens}
assert {"pretentious", "dull", "bad"} <= set(top10["boring"])
assert {"smart", "amusing", "charming"} <= set(top10["funny"])
assert "good" not in top10["bad"] and "后悔" in top10["失望"]
assert "morrow" in top10["good"] and "太差" in top10["差"]

# %% [markdown]
# Unlike the language model's, these neighbours carry sentiment: "boring" sits next to "pretentious", "bad" and
# "dull", "funny" next to "smart", "amusing" and "charming", 失望 (disappointed) next to 后悔 (regret), and "good"
# is not among the neighbours of "bad". On review text, words of one sentiment share their contexts. "good"
# shows where the rest of the English text comes from: its neighbours are Shakespeare's ("good morrow", "good
# sir"). Fine-tuned on 100 or 1,000 labelled texts, the chapter's cut of the benchmark (seeds 1 and 2, recipes
# and epochs as the benchmark chose them):

# %% tags=["nbval-ignore-output"]
# fine-tuned accuracies: they vary by CPU; asserts and report() below check the claims
vector_study = {lang: benchmark_result(f"word_vectors_{lang}.json") for lang in splits}
vector_maxlen = {"english": 64, "chinese": 256}
vector_chapter = {}
for language, (vectors, vocab, meta) in vector_sets.items():
    train, test = ((pt.encode_texts(vocab, X, vector_maxlen[language])[0],
                    torch.from_numpy(y))
                   for X, y in (splits[language].train, splits[language].test))
    chosen = {(r["labels"], r["start"]): r for r in vector_study[language]["rows"]}
    for n in (100, 1000):
        for start in ("pretrained", "random init"):
            row = chosen[n, start]
            vector_chapter[language, n, start] = [
                pt.vectors_experiment(vectors, train, test, n, start, seed,
                                      row["epochs"], batch_size[n],
                                      recipe=row["recipe"],
                                      probe_epochs=row["probe_epochs"])[0]
                for seed in (1, 2)]
        pre = np.mean(vector_chapter[language, n, "pretrained"])
        rnd = np.mean(vector_chapter[language, n, "random init"])
        print(f"{language:>8}, {n:>5} labels: pretrained {pre:.3f}, "
              f"random init {rnd:.3f}, gain {100 * (pre - rnd):+.1f} points")

# %% mystnb={"figure": {"caption": "Test accuracy against the number of labelled training texts (mean and spread of five seeds) for the bag of word vectors, pretrained and from random vectors, with TF-IDF + logistic regression trained on the same texts and the pretrained LSTM of the previous figure for comparison."}}
fig, axes = learning_curves(
    [(vector_study, "pretrained", "o-", "word vectors, pretrained"),
     (vector_study, "random init", "s-", "word vectors, random init"),
     (study, "TF-IDF", "^:", "TF-IDF + logistic regr."),
     (study, "pretrained", "x--", "LSTM, pretrained")],
    {"english": "Rotten Tomatoes (words)",
     "chinese": "Chinese reviews (characters and pairs)"})
fig.legend(*axes[0].get_legend_handles_labels(), fontsize=8, ncol=4, loc="upper center",
           bbox_to_anchor=(0.5, 0.0))
plt.show()

# %% tags=["nbval-ignore-output"]
# gains of fine-tuned accuracies: they vary by CPU; the asserts check the text's claims
vector_bench, vector_gain = gains_here_and_in_benchmark(vector_chapter, vector_study)
# Claims of the text, on the benchmark's five seeds (committed files, so exact):
for language in ("english", "chinese"):
    pre = vector_bench[language, 100, "pretrained"].mean()
    tfidf = bench[language, 100, "TF-IDF"].mean()
    lstm = bench[language, 100, "pretrained"].mean()
    gains_100 = 100 * (vector_bench[language, 100, "pretrained"]
                       - vector_bench[language, 100, "random init"])
    # 100 labels: ahead of random vectors on every seed (about 10 points in English,
    # 7 in Chinese), of TF-IDF on the same texts, and of the pretrained LSTM
    assert gains_100.min() > 0 and pre > tfidf and pre > lstm
    assert abs(gains_100.mean() - {"english": 10, "chinese": 7}[language]) < 1
    for n in sorted({n for lang, n, start in vector_bench if lang == language})[1:]:
        gain = 100 * (vector_bench[language, n, "pretrained"].mean()
                      - vector_bench[language, n, "random init"].mean())
        # 1,000 labels: about 3.5 points in English, 2 in Chinese; all labels: level
        expected = {"english": 3.5, "chinese": 2}[language] if n == 1000 else 0
        tolerance = 0.5 if (language, n) == ("english", 1000) else 1
        assert abs(gain - expected) < tolerance
        beats_tfidf = (vector_bench[language, n, "pretrained"].mean()
                       > bench[language, n, "TF-IDF"].mean())
        assert beats_tfidf == ((language, n) == ("english", 1000))

# %% [markdown]
# **Word vectors against the targets.** With 100 labelled texts the pretrained vectors are ahead of random
# vectors on every seed, by about 10 points in English and 7 in Chinese, and ahead of both TF-IDF + logistic
# regression trained on the same 100 texts and the pretrained LSTM: the target of 5 points is met in both
# languages. With 1,000 labels the lead is about 3.5 points in English, where the pretrained vectors also beat
# TF-IDF (target 3: met), and about 2 in Chinese (NOT met). With all labels the two starts end level, below
# TF-IDF (NOT met in either language). The benchmark prints met or NOT met for each target.
#
# That is the shape of the published curves, whose gains are largest with the fewest labels
# {cite}`howard2018universal`, at a far smaller scale. What the vectors carry is how tokens are used, counted over
# 1.2 million English words and 5.7 million Chinese characters and pairs. A few thousand labels teach a random bag
# of words the same about the words it sees often, and a mean of vectors cannot see word order ("not good"), which
# TF-IDF's word pairs can: the published models that beat TF-IDF with all labels read word order and were
# pretrained on far more text (Kim's word2vec vectors on about 100 billion words of news). Counting also turned
# out cheaper than predicting: the vectors take seconds to compute, the LSTM's pretraining minutes, and the
# vectors buy more.

# %% [markdown]
# ## Headline figures
#
# The figures this chapter adds to the book's results table (README and chapter 7), each computed above; the
# benchmark adds its own five-seed figures from `benchmarks/results/pretraining.txt`.

# %%
from bigmodels.results import report

# Tolerances: fine-tuning on 100 or 1,000 texts is chaotic (another CPU's rounding
# sends it along another path), so the tolerance is the spread of the per-seed gains
# over the benchmark's five seeds, within which a mean of two seeds can land anywhere:
# English 4.1 and 4.8 points, Chinese 9.7 and 4.1, rounded up.
# The four changes of tests/portability.py at once (threads, OpenBLAS, ATen, MKL) moved
# them by at most 0.04 points (Chinese, 1,000 labels), far inside.
EXPECT = {("english", 100): 4.9, ("english", 1000): 2.2,
          ("chinese", 100): 2.7, ("chinese", 1000): 0.9}
TOL = {("english", 100): 4.5, ("english", 1000): 5.0,
       ("chinese", 100): 10.0, ("chinese", 1000): 4.5}
# The word vectors' tolerances, the same way: the spread of the per-seed gains over the
# benchmark's five seeds (English 4.4 and 3.2 points, Chinese 4.3 and 2.1), rounded up.
VECTOR_EXPECT = {("english", 100): 8.2, ("english", 1000): 3.6,
                 ("chinese", 100): 8.2, ("chinese", 1000): 3.2}
VECTOR_TOL = {("english", 100): 4.5, ("english", 1000): 3.5,
              ("chinese", 100): 4.5, ("chinese", 1000): 2.5}
models = {"LSTM": (chapter_gain, EXPECT, TOL),
          "word vectors": (vector_gain, VECTOR_EXPECT, VECTOR_TOL)}
for model, (gain, expect, tol) in models.items():
    for language in ("english", "chinese"):
        for n in (100, 1000):
            report(f"Pretrained {model} minus random init, {language}, {n:,} labels, "
                   "seeds 1-2 (accuracy points)", gain[language, n], "{:+.1f}",
                   expect=expect[language, n], tol=tol[language, n])

# %% [markdown]
# ## Summary
#
# - Parameter counts are the yardstick of "big": this book's models have thousands to millions of
#   parameters, published language models hundreds of millions to hundreds of billions.
# - Pretraining the §4.2 LSTM as a language model on unlabelled text (1.4 million English words, 2.9 million
#   Chinese characters) and fine-tuning it was measured against the same network from random weights, five
#   seeds per setting: one to four points better with 100 or 1,000 labels, slightly worse with all labels and
#   below TF-IDF throughout. The LSTM meets none of the targets set for the study at this scale.
# - Word vectors counted from the same text (PPMI and a truncated SVD, seconds on a CPU) buy more: with 100
#   labels about 10 points in English and 7 in Chinese over random vectors, ahead of TF-IDF and of the
#   pretrained LSTM; with 1,000 labels about 3.5 and 2 points; with all labels nothing, and TF-IDF stays ahead.
# - The small language model learns what words do in sentences ("good" next to "bad"), not what they say about
#   a film. The published gains of pretraining come from far larger models trained on far more text: the
#   article's case for big models, measured here in its direction, not in its size.
