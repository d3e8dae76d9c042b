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
# # 3.2 Recurrent neural networks (§3.2.1 循环神经网络原理)
#
# A {term}`recurrent neural network <Recurrent neural network>` (RNN) reads a
# {term}`sequence <Sequence data>` one element at a time and carries a hidden state from step to
# step {cite}`elman1990finding`. This chapter writes the recurrence down correctly, unrolls it, derives
# {term}`backpropagation through time <Backpropagation through time>` (BPTT), measures why
# {term}`gradients <Gradient>` vanish or explode over long distances
# {cite}`bengio1994learning,pascanu2013difficulty`, and trains a small character-level language
# model on Shakespeare.
#
# The article's §3.2, *自然语言处理模型原理* (principles of {term}`NLP <Natural language processing>` models),
# presents three sequence models in §3.2.1–§3.2.3; the book gives each its own chapter, so the
# book's chapters 3.2, 3.3 and 3.4 are the article's §3.2.1 (this one), §3.2.2
# ({term}`LSTM <Long short-term memory>`) and §3.2.3 ({term}`Transformer`).
#
# **You will learn to**
# - write the RNN recurrence with its weight shapes and run it by hand, in NumPy and in PyTorch;
# - derive BPTT and check it against autograd;
# - measure $\lVert\partial L/\partial h_t\rVert$ against the distance in
#   {term}`time steps <Time step>` for different spectral radii of the recurrent matrix;
# - train a character model and read its loss in nats per character against the uniform baseline.
#
# **Time to run:** about a minute on 2 CPU cores.

# %%
# Needs the book's environment (Python 3.11-3.13, the bigmodels package, pinned
# versions, data): `make lab` in the book's repository sets it up; setup() names
# anything that differs.
from bigmodels.notebook import setup

device = setup(threads=1)  # many small sequential ops: one thread is faster here

import collections
import math
import time

import matplotlib.pyplot as plt
import numpy as np
import torch

from bigmodels import nn as bnn
from bigmodels import scratch
from bigmodels.data import load_shakespeare, train_val_text
from bigmodels.data.lm import decode_chars, encode_chars, get_batch
from bigmodels.notebook import show_source
from bigmodels.testing import rel_error

# %% [markdown]
# ## The recurrence
#
# At each step $t$ the {term}`hidden state <Hidden state>` $h_t \in \mathbb{R}^H$ mixes the new
# input $x_t \in \mathbb{R}^D$ with the previous state, and an {term}`output layer <Output layer>`
# reads the state:
#
# $$
# h_t = \tanh\!\left(W_{ih}\,x_t + b_{ih} + W_{hh}\,h_{t-1} + b_{hh}\right), \qquad
# y_t = W_{hy}\,h_t + b_y ,
# $$
#
# with $W_{ih} \in \mathbb{R}^{H\times D}$, $W_{hh} \in \mathbb{R}^{H\times H}$,
# $W_{hy} \in \mathbb{R}^{V\times H}$ and $h_0 = 0$ unless given. The same three matrices are used
# at every step: that weight sharing is what lets the network read sequences of any length.
#
# **A correction to the article.** The survey writes the recurrent weight as $W^{(l)}$, a
# superscript that elsewhere means "layer $l$". It is the hidden-to-hidden matrix, the same at all
# steps and distinct per layer; we write $W_{hh}$ (torch's `weight_hh_l0`, the `l0` being the layer).
# Its output layer $y = g(W^{(h)} h + b^{(h)})$ reuses $h$, the hidden state's own letter, as a label;
# we write $W_{hy}, b_y$ (errata {ref}`E2 <errata-rnn>` and {ref}`E11 <errata-rnn-notation>`).
# With several layers, layer $l$ reads the states of layer $l-1$ as its inputs $x_t$.
#
# Unrolled over three steps the network is an ordinary feed-forward computation with tied weights:
#
# $$
# h_3 = \tanh\big(W_{ih}x_3 + W_{hh}\tanh\big(W_{ih}x_2 + W_{hh}\tanh(W_{ih}x_1 + W_{hh}h_0 + b) + b\big) + b\big),
# \quad b = b_{ih} + b_{hh}.
# $$
#
# Let us run exactly this by hand and compare with the NumPy layer `bigmodels.scratch.RNN`, the
# PyTorch layer `bigmodels.nn.RNN` written from the same formula, and the built-in `torch.nn.RNN`.

# %%
torch.manual_seed(0)
builtin = torch.nn.RNN(input_size=3, hidden_size=4).double()
W_ih = builtin.weight_ih_l0.detach().numpy()
W_hh = builtin.weight_hh_l0.detach().numpy()
b = (builtin.bias_ih_l0 + builtin.bias_hh_l0).detach().numpy()
x = np.random.default_rng(0).standard_normal((3, 1, 3))  # (time, batch, features)

h = np.zeros(4)
by_hand = []
for t in range(3):
    h = np.tanh(W_ih @ x[t, 0] + W_hh @ h + b)
    by_hand.append(h)
by_hand = np.stack(by_hand)[:, None]

out_scratch, h_scratch = scratch.RNN.from_torch(builtin)(x)
out_nn, _ = bnn.RNN.from_torch(builtin)(torch.from_numpy(x))
out_builtin, _ = builtin(torch.from_numpy(x))
errors = [rel_error(out, by_hand) for out in (out_scratch, out_nn, out_builtin)]
print("by hand == scratch == nn == torch.nn.RNN:", max(errors) < 1e-12)
print("h_n is the last output:", np.array_equal(h_scratch[0], out_scratch[-1]))

# %% [markdown]
# The PyTorch version is a loop over time with one line per formula (the `lengths` branch handles
# padded batches, used in §4.2):

# %%
show_source(bnn.RNN.forward)

# %% [markdown]
# ## Backpropagation through time
#
# Let $a_t = W_{ih}x_t + b_{ih} + W_{hh}h_{t-1} + b_{hh}$ and $h_t = \tanh(a_t)$. The loss $L$
# depends on $h_t$ directly (through $y_t$) and through every later state. Writing
# $\delta_t = \partial L/\partial h_t$ for the *total* gradient, the chain rule run backwards gives
#
# $$
# \frac{\partial L}{\partial a_t} = \delta_t \odot (1 - h_t^2), \qquad
# \delta_{t-1} = \frac{\partial L}{\partial y_{t-1}}\frac{\partial y_{t-1}}{\partial h_{t-1}}
#              + W_{hh}^\top \frac{\partial L}{\partial a_t},
# $$
#
# and, because the weights are shared, their gradients are sums over all steps:
# $\partial L/\partial W_{hh} = \sum_t (\partial L/\partial a_t)\, h_{t-1}^\top$,
# $\partial L/\partial W_{ih} = \sum_t (\partial L/\partial a_t)\, x_t^\top$. The NumPy layer walks
# back in time exactly like this, then forms the weight gradients of all steps with one matrix
# product each:

# %%
show_source(scratch.RNN._layer_backward)

# %% [markdown]
# Compared with autograd on the built-in, on a two-layer network with a padded batch, every
# gradient agrees to rounding error (the tests in `tests/test_rnn.py` do this over random shapes):

# %%
torch.manual_seed(1)
builtin = torch.nn.RNN(5, 6, num_layers=2, batch_first=True).double()
model = scratch.RNN.from_torch(builtin)
rng = np.random.default_rng(1)
x, lengths = rng.standard_normal((4, 7, 5)), np.array([7, 3, 5, 1])
out, h_n = model(x, lengths=lengths)
grad_out = rng.standard_normal(out.shape)
grad_x = model.backward(grad_out)

x_t = torch.tensor(x, requires_grad=True)
packed = torch.nn.utils.rnn.pack_padded_sequence(x_t, torch.as_tensor(lengths),
                                                 batch_first=True, enforce_sorted=False)
out_t, _ = torch.nn.utils.rnn.pad_packed_sequence(builtin(packed)[0], batch_first=True,
                                                  total_length=7)
(out_t * torch.from_numpy(grad_out)).sum().backward()
errors = [rel_error(out, out_t), rel_error(grad_x, x_t.grad)]
errors += [rel_error(model.grads[n], p.grad) for n, p in builtin.named_parameters()]
print(f"{len(errors)} quantities compared, all within 1e-10:", max(errors) < 1e-10)

# %% [markdown]
# ## Vanishing and exploding gradients
#
# Unrolling $\delta_{t-1} = W_{hh}^\top(\delta_t \odot (1-h_t^2))$ over $k$ steps multiplies
# $\delta_t$ by $k$ matrices $W_{hh}^\top\,\mathrm{diag}(1-h^2)$. The factor $1-h^2$ is at most 1,
# so if the largest singular value $s$ of $W_{hh}$ (its spectral norm) is below 1, the gradient
# shrinks at least as fast as $s^k$: a sufficient condition for vanishing. Conversely, exploding needs
# $s > 1$, and a large $s$ can make the gradient grow exponentially
# {cite}`bengio1994learning,pascanu2013difficulty`. The spectral radius $\rho$ (the largest absolute
# eigenvalue) is never larger than $s$ and sets the long-run growth of powers of $W_{hh}$ alone, but
# on its own it does not bound a product with the $\mathrm{diag}(1-h^2)$ factors in between. For
# the matrices used below the two coincide.
#
# We measure this directly. Take $W_{hh} = \rho\,Q$ with $Q$ a random orthogonal matrix (all its
# singular values are 1 and all its eigenvalues have modulus 1, so the spectral norm and the spectral
# radius are both exactly $\rho$), run 60 steps of random
# input, put a unit gradient on the last state $h_T$ and read $\lVert\partial L/\partial h_{T-k}\rVert$.
# The gradient with respect to $h_{T-k}$ is the gradient with respect to the *initial* state of
# the same network restarted at step $T-k$, which the scratch layer returns as `grad_h0`.

# %% tags=["nbval-ignore-output"]
# norms through 60 BLAS products: last digits vary by CPU; asserted after the figure
def gradient_norms(rho, hidden=64, steps=60, seed=0):
    """||dL/dh_{T-k}|| for k = 0..steps, L = u . h_T, u a unit vector, W_hh = rho Q."""
    rng = np.random.default_rng(seed)
    rnn = scratch.RNN(hidden, hidden, rng=rng)
    q, _ = np.linalg.qr(rng.standard_normal((hidden, hidden)))
    rnn.params["weight_hh_l0"][...] = rho * q
    x = rng.standard_normal((steps, 1, hidden))
    out, _ = rnn(x)
    states = np.concatenate([np.zeros((1, 1, hidden)), out])  # states[t] = h_t
    u = rng.standard_normal((1, 1, hidden))
    u /= np.linalg.norm(u)
    norms = [1.0]  # k = 0: the unit gradient itself
    for k in range(1, steps + 1):
        start = steps - k
        rnn(x[start:], states[start][None])
        rnn.backward(np.zeros((k, 1, hidden)), u)
        norms.append(float(np.linalg.norm(rnn.grad_h0)))
    return np.array(norms)


radii = [0.5, 0.9, 1.5, 3.0]
norms = {rho: gradient_norms(rho) for rho in radii}
for rho in radii:
    print(f"rho = {rho}: |dL/dh| at distance 10, 30, 60 = "
          + ", ".join(f"{norms[rho][k]:.1e}" for k in (10, 30, 60)))

# %% mystnb={"figure": {"caption": "Norm of the loss gradient with respect to the hidden state k steps back, in a tanh RNN, for several spectral radii of the recurrent matrix."}}
fig, ax = plt.subplots()
for rho in radii:
    ax.semilogy(norms[rho], label=rf"$\rho = {rho}$")
ax.set_xlabel("distance k in time steps")
ax.set_ylabel(r"$\|\partial L / \partial h_{T-k}\|$")
ax.set_title("Gradient norm through a tanh RNN")
ax.legend()
plt.show()

# %%
# margins of orders of magnitude against rounding changes of ~1e-12 relative
assert norms[0.5][30] < 1e-10 and norms[0.9][60] < 1e-6      # vanishing
assert norms[3.0][60] > 1e3 * norms[3.0][10] > 1e3            # exploding
# (nearly) monotone decay
assert all(np.all(np.diff(np.log(norms[r][1:])) < 0.1) for r in (0.5, 0.9))

# %% [markdown]
# With $\rho < 1$ (0.5 and 0.9) the gradient from a step 30 positions away is many orders of magnitude
# smaller than from the current step: a plain RNN trained by
# {term}`gradient descent <Gradient descent>` barely learns
# {term}`dependencies <Long-term dependency>` that long. With a large $\rho$ it explodes (the
# saturation of {term}`tanh <Hyperbolic tangent>` damps it, but not enough at $\rho = 3$).
# {term}`Exploding gradients <Exploding gradient>` are usually tamed by
# {term}`clipping the gradient norm <Gradient clipping>`; vanishing ones need a different
# architecture, the LSTM of the next chapter.
#
# ## A character-level language model
#
# A language model predicts the next {term}`token <Token>` from the previous ones; trained on characters, it
# learns spelling, punctuation and the layout of a play. The model: an
# {term}`embedding <Embedding layer>` of each
# character, a one-layer `bigmodels.nn.RNN`, and a linear head giving logits over the $V$
# characters. It is trained on windows of 64 characters of the Shakespeare corpus with the
# cross-entropy of every next character.

# %%
text = load_shakespeare()
train_text, val_text = train_val_text(text)
# the book's one character tokenizer: ids of the characters in their sorted set
ids, chars = encode_chars(text)
train_ids = torch.from_numpy(ids[: len(train_text)])
val_ids = torch.from_numpy(ids[len(train_text):])
vocab_size = len(chars)


print(f"{len(text):,} characters, {vocab_size} distinct; "
      f"train {len(train_ids):,}, validation {len(val_ids):,}")


# %%
class CharRNN(torch.nn.Module):
    """Embedding -> RNN -> Linear: logits for the next character at every position."""

    def __init__(self, vocab_size, embed_dim=32, hidden_size=128):
        super().__init__()
        self.embed = bnn.Embedding(vocab_size, embed_dim)
        self.rnn = bnn.RNN(embed_dim, hidden_size, batch_first=True)
        self.head = bnn.Linear(hidden_size, vocab_size)

    def forward(self, ids, h=None):
        out, h = self.rnn(self.embed(ids), h)
        return self.head(out), h


def sample(model, prompt, length, seed=0, temperature=0.8):
    """Feed the prompt, then draw `length` characters one at a time (seeded)."""
    generator = torch.Generator().manual_seed(seed)
    ids = torch.from_numpy(encode_chars(prompt, chars)[0])[None]
    out = []
    with torch.no_grad():
        logits, h = model(ids)
        for _ in range(length):
            probs = torch.softmax(logits[0, -1] / temperature, dim=-1)
            nxt = torch.multinomial(probs, 1, generator=generator)
            out.append(int(nxt))
            logits, h = model(nxt[None], h)
    return prompt + decode_chars(out, chars)


# 32 fixed validation windows of 256 characters (get_batch: inputs and the
# next-character targets)
val_x, val_y = get_batch(val_ids, 256, 32, np.random.default_rng(1))


def val_loss(model):
    """Mean cross-entropy (nats per character) on 32 fixed validation windows of 256."""
    with torch.no_grad():
        logits, _ = model(val_x)
        return float(torch.nn.functional.cross_entropy(logits.reshape(-1, vocab_size),
                                                       val_y.reshape(-1)))


torch.manual_seed(0)
model = CharRNN(vocab_size)
print(f"{sum(p.numel() for p in model.parameters()):,} parameters")


# %% tags=["nbval-ignore-output"]
# sampled from probabilities whose last digits vary by CPU: one changed draw changes
# the rest
before = sample(model, "ROMEO:\n", 120)
print("Before training:\n" + before)
# uniform noise: about 1 character in 76 is a space (at most 4 of 120 over 20 fresh
# initialisations)
assert before.count(" ") / 120 < 0.1

# %% [markdown]
# Training: {term}`Adam` with learning rate $3\cdot10^{-3}$, batches of 32 random windows, gradient
# norm clipped at 1 (the remedy for the exploding gradients above).

# %% tags=["nbval-ignore-output"]
# a training log: its last digits vary by CPU; asserted two cells below
steps, batch, length = 500, 32, 64
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
rng = np.random.default_rng(0)
initial_val = val_loss(model)
start = time.perf_counter()
# the loop is written out here, the book's first language-model training loop;
# later chapters call the same steps as bigmodels.training.train_lm
for step in range(1, steps + 1):
    x, y = get_batch(train_ids, length, batch, rng)
    logits, _ = model(x)
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, vocab_size),
                                           y.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    if step % 100 == 0:
        print(f"step {step}: train loss {loss.item():.2f}, "
              f"validation loss {val_loss(model):.2f} nats/char")
train_seconds = time.perf_counter() - start

# %% tags=["nbval-ignore-output"]
print(f"training took {train_seconds:.0f} s")

# %% tags=["nbval-ignore-output"]
# trained losses: their last digits vary by CPU; the assert has a margin of 0.4 nats
final_val = val_loss(model)
uniform = math.log(vocab_size)
print(f"uniform guess log(V) = {uniform:.2f} nats/char; untrained {initial_val:.2f}; "
      f"trained {final_val:.2f}")
print(f"= {final_val / math.log(2):.2f} bits/char, "
      f"perplexity {math.exp(final_val):.1f} instead of {vocab_size}")
assert final_val < uniform - 2.0

# %% tags=["nbval-ignore-output"]
# sampled from trained weights, which vary by CPU: another machine draws another text
# with the same layout
after = sample(model, "ROMEO:\n", 300)
print("After training:\n" + after)
# The layout of a play, over ten samples of 300 characters (seeds 0-9). Measured on 8
# such groups (2 trainings, 4 seed ranges): spaces 17-18% of the characters, 44-83 line
# breaks, 13-23 colons, "the" always the top word.
pooled = "".join(sample(model, "ROMEO:\n", 300, seed=seed)[len("ROMEO:\n"):]
                 for seed in range(10))
assert 0.1 < pooled.count(" ") / len(pooled) < 0.3
assert pooled.count("\n") >= 20 and pooled.count(":") >= 5
assert collections.Counter(pooled.split()).most_common(1)[0][0] == "the"

# %% [markdown]
# Before training the samples are uniform noise over the alphabet. After 500 steps of 32 windows
# of 64 characters (less than one pass over the training text) the model has learned the layout
# of a play: line breaks, names followed by a colon, short common words ("the" is the most common
# word of ten samples) and plausible spellings. The validation loss fell from about $\log V$ to the
# value printed above; a longer run, a bigger hidden state or an LSTM brings it further down. On one
# machine the sample is reproducible (the set-up call fixes seeds and thread counts, and the
# sampler is seeded). Another CPU rounds the trained weights differently in their last digits, and
# one changed draw changes every character after it, so it prints another text; the asserts check
# what any such text shows.

# %% [markdown]
# ## Headline figures
#
# The figures this chapter adds to the book's results table (README and chapter 7), each computed above.

# %%
from bigmodels.results import report

# float figures: no printed digit moved across kernels and thread counts; the loss moved
# by 0.0004 when the initialisation seed changed; tolerances of 2 units of the last
# printed digit
report("Char-RNN, Shakespeare: validation loss (nats/char)", final_val, "{:.2f}",
       expect=1.90, tol=0.02)
report("RNN gradient norm 60 steps back, spectral radius 0.9", norms[0.9][60], "{:.1e}",
       expect=3.5e-11, tol=2e-12)

# %% [markdown]
# ## Summary
#
# - An RNN applies the same cell $h_t = \tanh(W_{ih}x_t + b_{ih} + W_{hh}h_{t-1} + b_{hh})$ at every
#   step; the article's $W^{(l)}$ is this hidden-to-hidden matrix $W_{hh}$.
# - Unrolled, it is a deep feed-forward network with tied weights, trained by backpropagation
#   through time; weight gradients are sums over the steps.
# - The gradient reaching a state $k$ steps back is a product of $k$ Jacobians
#   $W_{hh}^\top \mathrm{diag}(1 - h^2)$: it must vanish when the largest singular value of $W_{hh}$
#   is below 1 (for $\rho Q$ with $Q$ orthogonal, when $\rho < 1$) and can explode for large ones
#   ($\rho = 3$ here). Clipping treats explosion; vanishing motivates gated cells.
# - A character RNN trained for 500 small steps already beats the uniform baseline $\log V$ by
#   more than 2 nats per character.
#
# ## Exercises
#
# 1. For a *linear* RNN ($h_t = W_{hh}h_{t-1} + W_{ih}x_t$) with $W_{hh} = \rho Q$, $Q$
#    orthogonal, show that $\lVert\partial L/\partial h_{T-k}\rVert = \rho^k$ exactly for a unit
#    gradient on $h_T$, and check it numerically.
# 2. Repeat the gradient-norm measurement with `nonlinearity="relu"` at $\rho = 0.9$ and
#    $\rho = 1.5$. What changes, and why?
# 3. Truncated BPTT: train the character model feeding each batch's final state as the next
#    batch's initial state (detached). Why must the state be detached?

# %% [markdown]
# **Solution 1**

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-cell"]
# 1. Linear RNN: each step back multiplies by (rho Q)^T, scaling norms by exactly rho.
rng = np.random.default_rng(0)
q, _ = np.linalg.qr(rng.standard_normal((16, 16)))
u = rng.standard_normal(16)
u /= np.linalg.norm(u)
g, rho = u, 0.9
for k in range(1, 21):
    g = (rho * q).T @ g
print("||dL/dh_{T-20}|| =", round(float(np.linalg.norm(g)), 10),
      "= rho^20 =", round(rho**20, 10))

# %% [markdown]
# **Solution 2**

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-cell", "nbval-ignore-output"]
# norms through 60 BLAS products: their last digits vary by CPU; asserted below
# 2. ReLU: the derivative is 0 or 1, so inactive units cut gradient paths and active
# ones pass them unchanged; with rho > 1 the gradient can grow without the damping of
# tanh saturation.
def relu_gradient_norms(rho, hidden=64, steps=60, seed=0):
    rng = np.random.default_rng(seed)
    rnn = scratch.RNN(hidden, hidden, nonlinearity="relu", rng=rng)
    q, _ = np.linalg.qr(rng.standard_normal((hidden, hidden)))
    rnn.params["weight_hh_l0"][...] = rho * q
    x = rng.standard_normal((steps, 1, hidden))
    u = rng.standard_normal((1, 1, hidden))
    rnn(x)
    rnn.backward(np.zeros((steps, 1, hidden)), u / np.linalg.norm(u))
    return float(np.linalg.norm(rnn.grad_h0))


relu_norms = {rho: relu_gradient_norms(rho) for rho in (0.9, 1.5)}
for rho, norm in relu_norms.items():
    print(f"relu, rho = {rho}: ||dL/dh_0|| after 60 steps = {norm:.1e} "
          f"(tanh: {norms[rho][60]:.1e})")
assert relu_norms[0.9] < 1e-6 and relu_norms[1.5] > 10 * norms[1.5][60]

# %% [markdown]
# **Solution 3**

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-cell", "nbval-ignore-output"]
# a trained loss: its last digits vary by CPU; the assert (margin 0.4 nats) checks
# that it learned
# 3. Truncated BPTT over consecutive windows: carry the state, cut the graph. Without
# detach(), backward would try to run through all previous batches (whose graphs were
# already freed).
torch.manual_seed(0)
tbptt = CharRNN(vocab_size)
opt = torch.optim.Adam(tbptt.parameters(), lr=3e-3)
offsets = np.random.default_rng(0).integers(0, len(train_ids) - 20 * 64 - 1, 32)
h = None
# written out: consecutive windows (not random ones) and the carried, detached
# state are the point
for step in range(20):  # 20 consecutive windows of 64 characters per stream
    starts = torch.from_numpy(offsets + 64 * step)[:, None] + torch.arange(65)
    x, y = train_ids[starts[:, :-1]], train_ids[starts[:, 1:]]
    logits, h = tbptt(x, h)
    h = h.detach()
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, vocab_size),
                                           y.reshape(-1))
    opt.zero_grad()
    loss.backward()
    opt.step()
tbptt_val = val_loss(tbptt)
print(f"validation loss after 20 truncated-BPTT steps: {tbptt_val:.2f} nats/char")
assert tbptt_val < initial_val - 1
