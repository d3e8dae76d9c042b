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

# %%

# %% [markdown]
# # 6.1–6.2 What big models are, and what pretraining buys (§6.1 什么是人工智能大模型？, §6.2 为什么需要人工智能大模型？)
#
# The article's FAQ (§6 附录常见问题与解答, "appendix: frequently asked questions") says that a big model is
# one with very many parameters (§6.1) and that it is needed because small models fall short on complex problems
# (§6.2). This chapter counts parameters and tests what pretraining on unlabelled text buys a classifier. The
# FAQ's other answers have chapters of their own: applications (§6.3) in chapter 6.3, training beyond one
# process (§6.4) in chapter 6.4, making models smaller (§6.5) in chapter 6.5.
#
# **You will learn to**
# - count the parameters of any model of the book and place it next to published models;
# - pretrain a small GPT on raw text and fine-tune it on a few labels.
#
# **Time to run:** about 20 seconds on two CPU cores.

# %%
from bigmodels.notebook import setup

device = setup()

# %%
from collections import Counter

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

from bigmodels import compress
from bigmodels.data import load_rotten_tomatoes
from bigmodels.display import show_source
from bigmodels.landmarks import LANDMARKS
from bigmodels.nn.gpt import GPT, GPTConfig
from bigmodels.scale import count_parameters
from bigmodels.scratch.gpt import GPT as ScratchGPT

# ## 6.1 What counts as big (§6.1 什么是人工智能大模型？)
#
# "Big" means parameters: the entries of every weight matrix, bias and embedding. `count_parameters` counts them
# for torch modules and for the NumPy models of the book alike (a matrix shared by two layers, like GPT's tied
# input and output embedding, counts once).

# %%
show_source(count_parameters)

# %%
gpt_config = GPTConfig(block_size=32, vocab_size=64, n_layer=2, n_head=2, n_embd=32)
book_models = {
    "MLP 784-128-10 (ch. 6.5)": compress.mlp([784, 128, 10]),
    "student MLP 784-12-10 (ch. 6.5)": compress.mlp([784, 12, 10]),
    "this chapter's GPT (torch)": GPT(gpt_config),
    "this chapter's GPT (NumPy)": ScratchGPT(gpt_config),
    "nanoGPT Shakespeare config": GPT(GPTConfig()),
}
book_counts = {name: count_parameters(m) for name, m in book_models.items()}
for name, n in book_counts.items():
    print(f"{name:32s} {n:>12,d}")
assert book_counts["this chapter's GPT (torch)"] == book_counts["this chapter's GPT (NumPy)"]

# %% [markdown]
# Published sizes, as the papers state them (the book's table `bigmodels.landmarks`): BERT-large
# {cite}`devlin2019bert`, GPT-2 {cite}`radford2019language` and GPT-3 {cite}`brown2020language`.

# %%
published = {m.name: m.parameters for m in LANDMARKS if m.name in ("BERT-large", "GPT-2", "GPT-3")}
fig, ax = plt.subplots(figsize=(7, 3.2))
everything = {**book_counts, **published}
ax.barh(list(everything), list(everything.values()), color=["C0"] * len(book_counts) + ["C3"] * len(published))
ax.set_xscale("log")
ax.set(xlabel="parameters (log scale)", title="The book's models (blue) and published models (red)")
plt.show()
print(f"GPT-3 / this chapter's GPT: {published['GPT-3'] / book_counts['this chapter' + chr(39) + 's GPT (torch)']:.1e}")

# %% [markdown]
# ## 6.2 Why big models: what pretraining buys (§6.2 为什么需要人工智能大模型？)
#
# The reason given for big models is that they learn from raw data what small task-specific models cannot.
# A small version of that claim can be tested here: pretrain the book's GPT (`bigmodels.nn.GPT`) as a
# character-level language model on the *unlabelled* texts of the Rotten Tomatoes training split, then fine-tune
# it with a classification head (mean of the last hidden states, then a linear layer) on 100, 1,000 or all
# labelled snippets, and compare with the same network trained from random weights on the labels alone.
# To fit the chapter's time budget everything is tiny: two layers of width 32, 32 characters of context, 150
# pretraining steps and 50 fine-tuning steps of 32 snippets each.

# %%
reviews = load_rotten_tomatoes()
raw_text = "\n".join(reviews.X_train)
common = [c for c, _ in Counter(raw_text).most_common(gpt_config.vocab_size - 1)]
stoi = {c: i + 1 for i, c in enumerate(sorted(common))}  # 0 = padding and the rarest characters
T = gpt_config.block_size


def encode(texts):
    """Token ids (n, T), right-padded with 0, and the true lengths."""
    ids = torch.zeros(len(texts), T, dtype=torch.long)
    lengths = torch.zeros(len(texts), dtype=torch.long)
    for i, text in enumerate(texts):
        codes = [stoi.get(c, 0) for c in text[:T]]
        ids[i, :len(codes)] = torch.tensor(codes)
        lengths[i] = max(len(codes), 1)
    return ids, lengths


corpus = torch.tensor([stoi.get(c, 0) for c in raw_text])
print(reviews, f"| pretraining corpus: {len(corpus):,} characters, vocabulary {len(stoi) + 1}")

# %% tags=["nbval-ignore-output"]
# training losses: their last digits vary by CPU; the assert checks that the model learns
torch.set_num_threads(1)  # matrices this small gain nothing from a second thread; one makes runs bit-identical
torch.manual_seed(0)
pretrained = GPT(gpt_config)
optimizer = pretrained.configure_optimizer(weight_decay=0.1, learning_rate=3e-3, betas=(0.9, 0.99))
g = torch.Generator().manual_seed(0)
losses = []
for step in range(150):
    starts = torch.randint(0, len(corpus) - T - 1, (32,), generator=g)
    x = torch.stack([corpus[s:s + T] for s in starts])
    y = torch.stack([corpus[s + 1:s + T + 1] for s in starts])
    _, loss = pretrained(x, y)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
    if step % 50 == 0 or step == 149:
        print(f"pretraining step {step:3d}: next-character loss {loss.item():.3f}")
# it learns something: from about ln 64 = 4.16 to below 3 (4.143 -> 2.657 to 2.659 across the configurations we tried)
assert losses[0] > 4 and losses[-1] < 3


# %% tags=["nbval-ignore-output"]
# fine-tuned accuracies: they vary by CPU (by up to 0.01 across the configurations we tried); asserts below
class GPTClassifier(torch.nn.Module):
    """A GPT body, the mean of its final hidden states over the real characters, a linear head."""

    def __init__(self, gpt, classes=2):
        super().__init__()
        self.gpt, self.head = gpt, torch.nn.Linear(gpt.config.n_embd, classes)

    def forward(self, ids, lengths):
        gpt = self.gpt
        h = gpt.drop(gpt.wte(ids) + gpt.wpe(torch.arange(ids.shape[1])))
        for block in gpt.blocks:
            h = block(h, is_causal=True)
        h = gpt.ln_f(h)
        valid = (torch.arange(ids.shape[1]) < lengths[:, None]).unsqueeze(-1)
        return self.head((h * valid).sum(1) / lengths[:, None])


def fine_tune(gpt, n_labels, steps=50, seed=0):
    """Train body and head on the first n_labels training snippets; return test accuracy."""
    import copy

    torch.manual_seed(seed)
    model = GPTClassifier(copy.deepcopy(gpt))
    ids, lengths = encode(reviews.X_train[:n_labels])
    labels = torch.from_numpy(reviews.y_train[:n_labels])
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    g = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        b = torch.randint(0, n_labels, (32,), generator=g)
        loss = F.cross_entropy(model(ids[b], lengths[b]), labels[b])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        return (model(test_ids, test_lengths).argmax(1).numpy() == reviews.y_test).mean()


test_ids, test_lengths = encode(reviews.X_test)


torch.manual_seed(0)
random_init = GPT(gpt_config)
label_counts = [100, 1000, len(reviews.y_train)]
curves = {"pretrained + fine-tuned": [], "random init, labels only": []}
for n in label_counts:
    curves["pretrained + fine-tuned"].append(fine_tune(pretrained, n))
    curves["random init, labels only"].append(fine_tune(random_init, n))
    print(f"{n:5d} labels: " + ", ".join(f"{k} {v[-1]:.3f}" for k, v in curves.items()))

# %% tags=["nbval-ignore-output"]
# differences of fine-tuned accuracies: they vary by CPU; the asserts check the claims of the text
fig, ax = plt.subplots()
for name, accs in curves.items():
    ax.plot(label_counts, accs, "o-", label=name)
ax.axhline(0.5, ls=":", color="gray", label="chance")
ax.set_xscale("log")
ax.set(xlabel="labelled training snippets", ylabel="test accuracy", title="Sentiment from characters, tiny GPT")
ax.legend()
plt.show()
gains = np.array(curves["pretrained + fine-tuned"]) - np.array(curves["random init, labels only"])
print("pretrained minus random init, accuracy points:", np.round(100 * gains, 1).tolist())
best_gpt = max(max(accs) for accs in curves.values())
print(f"best accuracy of any GPT variant: {best_gpt:.3f} (chance: 0.5)")
# every variant near chance (best 0.534 to 0.542 seen), the two curves within a few points of each other: |gain| up
# to 3.4 seen across configurations (each gain moved by up to 0.9) and up to 3.8 over fine-tuning seeds 0-4
assert best_gpt < 0.6 and np.abs(gains).max() < 0.06

# %% [markdown]
# For scale, a bag-of-words logistic regression (word counts, no pretraining, a second of CPU) trained on all
# labelled snippets:

# %% tags=["nbval-ignore-output"]
# a fitted accuracy: its last digits can vary by CPU; asserted here and reported with its tolerance below
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression

bag_of_words = CountVectorizer(binary=True, min_df=2)
bow_classifier = LogisticRegression(C=0.5, max_iter=1000)
bow_classifier.fit(bag_of_words.fit_transform(reviews.X_train), reviews.y_train)
bow_accuracy = bow_classifier.score(bag_of_words.transform(reviews.X_test), reviews.y_test)
print(f"bag-of-words logistic regression, all labels: test accuracy {bow_accuracy:.3f}")
assert best_gpt < bow_accuracy - 0.1

# %% [markdown]
# Be honest about the scale: at this size pretraining buys nothing measurable. A GPT of two narrow layers,
# pretrained for a few seconds on about a million characters, learns frequent letters and short words, not
# sentiment: every variant stays near chance, the pretrained and random-init curves differ by a few points in
# either direction (printed above), and the bag-of-words baseline is more than ten points better than any of
# them. The large gains reported for big models come from pretraining much larger networks on billions of tokens,
# which is exactly what this laptop cannot show in a minute.


# %% [markdown]
# ## Headline figures
#
# The figures this chapter adds to the book's results table (README and chapter 7), each computed above.

# %%
from bigmodels.results import report

# Pretraining gain: -0.5 to -1.4 across configurations; the tolerance also covers fine-tuning seeds 0-4 (-3.8 to +1.6).
# Bag of words: 78.7% under every configuration; the tolerance is three units of the printed digit.
report("Tiny GPT, Rotten Tomatoes, all labels: pretrained minus random init (accuracy points)", 100 * gains[-1],
       "{:+.1f}", expect=-0.5, tol=3.5)
report("Bag-of-words logistic regression, Rotten Tomatoes: test accuracy", bow_accuracy, "{:.1%}",
       expect=0.787, tol=0.003)

# %% [markdown]
# ## Summary
#
# - Parameter counts are the yardstick of "big": this book's models have thousands to millions of
#   parameters, published language models hundreds of millions to hundreds of billions.
# - Pretraining a tiny GPT on unlabelled text and fine-tuning it on few labels was measured against training
#   from scratch; at this scale it buys nothing measurable and every variant stays near chance, far below a
#   bag-of-words baseline, which is itself the lesson about scale.
