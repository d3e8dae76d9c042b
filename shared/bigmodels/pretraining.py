"""Pretrained models for sentiment, their checkpoints and fine-tuning: the §4.2 LSTM and word vectors.

Language model (the body of SentimentLSTM with a tied output layer):

    h_t = LSTM(E[x_1..x_t]),   p(x_{t+1} | x_1..x_t) = softmax(E h_t + b)

E is the embedding matrix, used again as the output matrix (weight tying: hidden_size = embedding_dim).
Classifier (SentimentLSTM's layers and names): the LSTM's hidden state at a text's last token,
then Dense(ReLU) and Dense(1) -> one logit. Fine-tuning starts from the language model's
`embedding.*` and `lstm.*` weights; the dense layers start random.

Both models run torch's fused LSTM kernel, which computes what bigmodels.nn.LSTM computes (chapter 3.3;
tests/test_pretraining.py checks it to 1e-10 in float64): the parameter names are the same, so a
pretrained state dict loads into SentimentLSTM as well.

Word vectors (bigmodels.word_vectors, Kim 2014's kind of pretrained model) are fine-tuned in a BagOfVectors
by vectors_experiment, with the same protocol: the pretrained start against a random one, seeds drawing the
labelled texts. Checkpoints of both kinds are float16, SHA-256 checked, loaded with weights_only=True.
"""

from __future__ import annotations

import hashlib
import math
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .data.text import Vocabulary, tokenize_char_pairs, tokenize_chars, tokenize_words
from .training import estimate_loss, fit, score, train_lm
from .validate import check_positive_int, describe
from .word_vectors import BagOfVectors, random_vectors

CHECKPOINT_DIR = Path(__file__).resolve().parents[1] / "checkpoints"
EOS = "<eos>"  # id 2: ends every line of the pretraining stream
TOKENIZERS = {"words": tokenize_words, "chars": tokenize_chars, "char pairs": tokenize_char_pairs}
# Published test accuracies on Rotten Tomatoes sentences (Pang & Lee's set; ours is VADER's rated subset).
PUBLISHED = {"Kim 2014, CNN, random word vectors": 0.761, "Kim 2014, CNN, word2vec vectors": 0.810,
             "Dai & Le 2015, LSTM pretrained on Amazon reviews": 0.833}
# SHA-256 of the committed checkpoints (benchmarks/bench_pretraining.py --pretrain writes and prints them).
CHECKPOINTS = {
    "english": ("lstm_lm_english.pt", "1518c8764bb258f73fc40ccdb52a6e824dad87f8d3a5b417a0b18bbce3f84ca4"),
    "chinese": ("lstm_lm_chinese.pt", "130ad578fb12db80dd2880e1c8f08f9e0d43b7840ed3114fb6e3074a0812a349"),
}
VECTOR_CHECKPOINTS = {
    "english": ("word_vectors_english.pt", "086516249bf6d9456707b5d0441d2fcb44160a3cf3ae4b199c12672aede2b289"),
    "chinese": ("word_vectors_chinese.pt", "ca4d88ff5a6538f8f0f10a9a979e22fded8584c62f8c46ac127370daab5d9830"),
}


def _check_ids(ids, name="ids"):
    if not isinstance(ids, torch.Tensor) or ids.dim() != 2 or ids.dtype != torch.int64 or 0 in ids.shape:
        raise ValueError(f"{name}: expected a (batch, time) int64 tensor of token ids, got {describe(ids)}")


class LSTMLanguageModel(torch.nn.Module):
    """forward(ids (B, T)) -> next-token logits (B, T, vocab_size); output matrix tied to the embedding."""

    def __init__(self, vocab_size, embedding_dim=64):
        super().__init__()
        check_positive_int(vocab_size, "vocab_size", minimum=3)
        check_positive_int(embedding_dim, "embedding_dim")
        self.embedding = torch.nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
        self.lstm = torch.nn.LSTM(embedding_dim, embedding_dim, batch_first=True)
        self.decoder_bias = torch.nn.Parameter(torch.zeros(vocab_size))

    def output_matrix(self):
        """The embedding as output matrix, with a zero <pad> row: <pad> is never a target, so its embedding row
        gets no gradient from the output side either (the lookup's padding_idx already gives it none)."""
        E = self.embedding.weight
        return torch.cat([torch.zeros_like(E[:1]), E[1:]])

    def forward(self, ids, state=None):
        _check_ids(ids)
        h, _ = self.lstm(self.embedding(ids), state)
        return h @ self.output_matrix().T + self.decoder_bias

    def loss(self, ids, targets):
        """Mean next-token cross-entropy (nats) of targets (B, T) given ids (B, T)."""
        logits = self(ids)
        if targets.shape != ids.shape:
            raise ValueError(f"targets: expected the shape of ids {tuple(ids.shape)}, "
                             f"got {describe(targets)}")
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))

    def sampled_loss(self, ids, targets, negatives, log_q):
        """Sampled softmax (Jean et al. 2015): the target against `negatives` (K ids drawn from q, shared
        by the batch), every logit corrected by -log(K q); estimates the full loss at a cost of K, not V."""
        _check_ids(ids)
        h, _ = self.lstm(self.embedding(ids))
        h = h.reshape(-1, h.shape[-1])
        y = targets.reshape(-1)
        E, b, k = self.output_matrix(), self.decoder_bias, math.log(len(negatives))
        true = (h * E[y]).sum(-1) + b[y] - log_q[y] - k
        sampled = h @ E[negatives].T + b[negatives] - log_q[negatives] - k
        # a target drawn as a negative is not a negative
        sampled = sampled.masked_fill(negatives[None, :] == y[:, None], -math.inf)
        logits = torch.cat([true[:, None], sampled], dim=1)
        return F.cross_entropy(logits, torch.zeros(len(y), dtype=torch.int64))


class LSTMClassifier(torch.nn.Module):
    """SentimentLSTM's layers (§4.2) on post-padded ids: forward(ids (B, T), lengths (B,)) -> logits (B,).

    pooling="last": the text is the LSTM output at its last real token, t = lengths - 1 (SentimentLSTM with
    lengths); pooling="concat": [last, mean, max] of the outputs over the real tokens (ULMFiT's concat
    pooling), so Dense sees 3 * hidden_size inputs. No padding is read before or after the text.
    """

    def __init__(self, vocab_size, embedding_dim=64, hidden_size=64, dense_size=64, pooling="last"):
        super().__init__()
        for name, value in (("vocab_size", vocab_size), ("embedding_dim", embedding_dim),
                            ("hidden_size", hidden_size), ("dense_size", dense_size)):
            check_positive_int(value, name)
        if pooling not in ("last", "concat"):
            raise ValueError(f"pooling: expected 'last' or 'concat', got {pooling!r}")
        self.pooling = pooling
        self.embedding = torch.nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
        self.lstm = torch.nn.LSTM(embedding_dim, hidden_size, batch_first=True)
        self.dense = torch.nn.Linear(hidden_size * (3 if pooling == "concat" else 1), dense_size)
        self.out = torch.nn.Linear(dense_size, 1)

    def forward(self, ids, lengths):
        _check_ids(ids)
        lengths = torch.as_tensor(lengths)
        if lengths.shape != ids.shape[:1] or lengths.min() < 1 or lengths.max() > ids.shape[1]:
            raise ValueError(f"lengths: expected {ids.shape[0]} ints in [1, {ids.shape[1]}], "
                             f"got {describe(lengths)}")
        h, _ = self.lstm(self.embedding(ids))
        features = h[torch.arange(len(ids)), lengths - 1]
        if self.pooling == "concat":
            real = (torch.arange(ids.shape[1]) < lengths[:, None]).unsqueeze(-1)
            mean = (h * real).sum(1) / lengths[:, None].to(h.dtype)
            features = torch.cat([features, mean, h.masked_fill(~real, -math.inf).max(1).values], dim=1)
        return self.out(torch.relu(self.dense(features)))[:, 0]

    def load_pretrained(self, lm):
        """Copy the language model's embedding and LSTM weights (the dense layers keep their init)."""
        body = {k: v for k, v in lm.state_dict().items() if k.startswith(("embedding.", "lstm."))}
        own = self.state_dict()
        wrong = {k: (tuple(v.shape), tuple(own[k].shape)) for k, v in body.items() if own[k].shape != v.shape}
        if wrong:
            raise ValueError(f"language model does not fit this classifier: (its shape, this one's) {wrong}")
        self.load_state_dict(body, strict=False)
        return self


# ------------------------------------------------------------------------------------------ data


def build_vocabulary(lines, kind, max_size):
    """Vocabulary of the max_size - 3 most frequent tokens of lines, after <pad>=0, <unk>=1, <eos>=2."""
    if kind not in TOKENIZERS:
        raise ValueError(f"kind: expected one of {tuple(TOKENIZERS)}, got {kind!r}")
    tokenize = TOKENIZERS[kind]
    max_size = check_positive_int(max_size, "max_size", minimum=4)
    counted = Vocabulary.build(lines, tokenize, max_size=max_size - 1)
    return Vocabulary([EOS] + counted.id_to_token[2:], tokenize)


def token_stream(lines, vocab):
    """All lines as one int64 array of ids, each line followed by <eos>; empty lines skipped."""
    eos = vocab.token_to_id[EOS]
    ids = []
    for line in lines:
        encoded = vocab.encode(line)
        if encoded:
            ids += encoded + [eos]
    return np.array(ids, dtype=np.int64)


def encode_texts(vocab, texts, maxlen):
    """Post-padded ids (n, maxlen) as a tensor and lengths (n,) >= 1; longer texts keep their last maxlen."""
    check_positive_int(maxlen, "maxlen")
    ids = vocab.encode_batch(texts, maxlen=maxlen, padding="post", truncating="pre")
    lengths = np.maximum((ids != 0).sum(axis=1), 1)  # an empty text is read as one <pad>
    return torch.from_numpy(ids), torch.from_numpy(lengths)


# ------------------------------------------------------------------------------------------ pretraining


def pretrain(model, stages, batch_size=64, seq_len=32, lr=3e-3, min_lr=3e-4, clip=1.0, seed=0, negatives=1024,
             log=print):
    """Adam on random windows (bigmodels.training.train_lm); stages = [(stream, steps), ...] in order (all text,
    then the task's text). Returns the training losses.

    Loss: sampled softmax with `negatives` ids per step drawn from the unigram distribution of the first
    stream raised to 0.75 (word2vec's choice); None = full softmax. Learning rate: linear warm-up over
    100 steps, cosine decay to min_lr over all steps. One generator (seed) draws the windows and the negatives.
    """
    rng = np.random.default_rng(seed)
    counts = np.bincount(stages[0][0], minlength=model.decoder_bias.shape[0]).astype(np.float64) ** 0.75
    counts[0] = 0  # never <pad>
    q = counts / counts.sum()
    log_q = torch.from_numpy(np.log(np.maximum(q, 1e-30))).float()
    torch.manual_seed(seed)
    total = sum(steps for _, steps in stages)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)

    def learning_rate(step):
        cosine = min_lr + 0.5 * (lr - min_lr) * (1 + math.cos(math.pi * step / total))
        return min(1.0, (step + 1) / 100) * cosine

    def loss_fn(model, x, y):
        if negatives is None:
            return model.loss(x, y)
        return model.sampled_loss(x, y, torch.from_numpy(rng.choice(len(q), size=negatives, p=q)), log_q)

    losses, done, start = [], 0, time.perf_counter()
    for stream, steps in stages:
        losses.append(train_lm(model, torch.from_numpy(stream), steps, batch_size, optimizer, rng, block_size=seq_len,
                               loss_fn=loss_fn, lr_schedule=lambda step, done=done: learning_rate(done + step),
                               clip=clip))
        done += steps
        if log:
            seconds = time.perf_counter() - start
            log(f"  step {done:5d}/{total}: loss {np.mean(losses[-1][-250:]):.3f} ({seconds:.0f} s)", flush=True)
    return np.concatenate(losses)


def lm_loss(model, stream, seq_len=32, max_windows=256):
    """Mean next-token loss (nats) over the first max_windows consecutive windows of a stream (full softmax)."""
    if len(stream) <= seq_len:
        raise ValueError(f"stream: expected more than {seq_len} tokens, got {len(stream)}")
    ids = torch.from_numpy(stream[: max_windows * seq_len + 1])
    return estimate_loss(model, ids, seq_len, batch_size=max_windows, loss_fn=lambda m, x, y: m.loss(x, y))


# ------------------------------------------------------------------------------------------ checkpoints


def save_pretrained(path, model, vocab, kind, meta):
    """Write the language model in float16 with its vocabulary; return the file's SHA-256."""
    state = {k: v.detach().to(torch.float16) for k, v in model.state_dict().items()}
    torch.save({"state": state, "tokens": list(vocab.id_to_token), "kind": kind, "meta": dict(meta)}, path)
    return sha256_file(path)


def sha256_file(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _verified_checkpoint(language_or_path, sha256, table):
    """torch.load(weights_only=True) of a committed checkpoint (a key of table) or a path with its sha256,
    after checking the file's SHA-256."""
    if language_or_path in table:
        filename, sha256 = table[language_or_path]
        path = CHECKPOINT_DIR / filename
    elif isinstance(language_or_path, (str, Path)) and sha256 is not None:
        path = Path(language_or_path)
    else:
        raise ValueError(f"expected one of {tuple(table)}, or a path with its sha256, "
                         f"got {language_or_path!r} (sha256={sha256!r})")
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such checkpoint; run "
                                ".venv/bin/python benchmarks/bench_pretraining.py --pretrain")
    found = sha256_file(path)
    if found != sha256:
        raise ValueError(f"{path}: SHA-256 {found} differs from the expected {sha256}; the file is damaged "
                         "or from another run")
    checkpoint = torch.load(path, weights_only=True)
    vocab = Vocabulary(checkpoint["tokens"][2:], TOKENIZERS[checkpoint["kind"]])
    if vocab.id_to_token != checkpoint["tokens"]:
        raise ValueError(f"{path}: its token list is not a vocabulary (<pad>, <unk>, <eos>, unique tokens)")
    return checkpoint, vocab


def load_pretrained(language_or_path, sha256=None):
    """(language model in float32, vocabulary, meta) from a checkpoint, after checking its SHA-256.

    language_or_path: "english" or "chinese" (the committed checkpoints, hash from CHECKPOINTS) or a path,
    then with the expected sha256. torch.load(weights_only=True): the file holds tensors and plain types only.
    """
    checkpoint, vocab = _verified_checkpoint(language_or_path, sha256, CHECKPOINTS)
    state = {k: v.float() for k, v in checkpoint["state"].items()}
    vocab_size, dim = state["embedding.weight"].shape
    model = LSTMLanguageModel(vocab_size, dim)
    model.load_state_dict(state)
    return model.eval(), vocab, checkpoint["meta"]


def save_word_vectors(path, vectors, vocab, kind, meta):
    """Write word vectors (V, dim) in float16 with their vocabulary; return the file's SHA-256."""
    vectors = torch.as_tensor(vectors).to(torch.float16)
    torch.save({"vectors": vectors, "tokens": list(vocab.id_to_token), "kind": kind, "meta": dict(meta)}, path)
    return sha256_file(path)


def load_word_vectors(language_or_path, sha256=None):
    """(word vectors (V, dim) float32, vocabulary, meta) from a checkpoint, after checking its SHA-256
    (hash from VECTOR_CHECKPOINTS, or sha256 with a path)."""
    checkpoint, vocab = _verified_checkpoint(language_or_path, sha256, VECTOR_CHECKPOINTS)
    vectors = checkpoint["vectors"].float()
    if vectors.shape[0] != len(vocab):
        raise ValueError(f"{language_or_path}: {vectors.shape[0]} vectors for {len(vocab)} tokens")
    return vectors, vocab, checkpoint["meta"]


# ------------------------------------------------------------------------------------------ fine-tuning


def fine_tune(model, inputs, labels, epochs, batch_size=32, lr=1e-3, seed=0, X_val=None, y_val=None,
              freeze_body=False):
    """Adam on BCEWithLogits for `epochs` passes over (inputs, labels) by bigmodels.training.fit; returns the
    validation accuracy after each epoch (empty without X_val). inputs: ids, or (ids, lengths) for the LSTM.
    freeze_body: keep the body (embedding and LSTM, where there is one) fixed and train the layers after it."""
    check_positive_int(epochs, "epochs")
    sizes = [len(x) for x in (inputs if isinstance(inputs, tuple) else (inputs,))]
    if len(set(sizes + [len(labels)])) != 1:
        raise ValueError(f"inputs, labels: expected the same number of texts, got {sizes} and {len(labels)}")
    torch.manual_seed(seed)
    body = [model.embedding] + ([model.lstm] if hasattr(model, "lstm") else [])
    body = {id(p) for module in body for p in module.parameters()}
    trained = [p for p in model.parameters() if not (freeze_body and id(p) in body)]
    history = fit(model, torch.nn.BCEWithLogitsLoss(), torch.optim.Adam(trained, lr=lr), inputs,
                  np.asarray(labels, dtype=np.float32), epochs=epochs, batch_size=batch_size, seed=seed,
                  X_val=X_val, y_val=None if y_val is None else np.asarray(y_val, dtype=np.float32),
                  verbose=False)
    return history.get("val_accuracy", [])


def labelled_subset(n_train, n, seed):
    """Indices of n of the n_train labelled texts (all of them, shuffled, for n=None), drawn with seed."""
    order = np.random.default_rng(check_positive_int(seed, "seed", minimum=0)).permutation(n_train)
    if n is not None and not 1 <= check_positive_int(n, "n") <= n_train:
        raise ValueError(f"n: expected at most {n_train} labelled texts, got {n}")
    return order if n is None else order[:n]


RECIPES = {"all weights": dict(lr=1e-3, freeze_body=False),
           "dense layers only": dict(lr=3e-3, freeze_body=True)}


def experiment(lm, train, test, n, start, seed, epochs, batch_size=32, val=None, recipe="all weights",
               pooling="concat"):
    """One run of the study: a classifier from the language model's weights (start="pretrained") or random
    ("random init"), fine-tuned on n labelled texts drawn with seed; returns (test accuracy, validation
    curve).
    recipe: a key of RECIPES (train every weight at lr 1e-3, or only the dense layers at 3e-3).

    train, test, val: (ids, lengths, labels) triples from encode_texts; the seed also fixes the dense layers'
    initialisation (and the LSTM's with a random start) and the batch order.
    """
    if start not in ("pretrained", "random init"):
        raise ValueError(f"start: expected 'pretrained' or 'random init', got {start!r}")
    if recipe not in RECIPES:
        raise ValueError(f"recipe: expected one of {tuple(RECIPES)}, got {recipe!r}")
    ids, lengths, y = train
    idx = torch.from_numpy(labelled_subset(len(y), n, seed))
    torch.manual_seed(seed)
    vocab_size, dim = lm.embedding.weight.shape
    model = LSTMClassifier(vocab_size, dim, dim, dim, pooling=pooling)
    if start == "pretrained":
        model.load_pretrained(lm)
    curve = fine_tune(model, (ids[idx], lengths[idx]), y[idx], epochs, batch_size=batch_size, seed=seed,
                      X_val=val[:2] if val is not None else None, y_val=val[2] if val is not None else None,
                      **RECIPES[recipe])
    return score(model, tuple(test[:2]), np.asarray(test[2])), curve


# Recipes of the bag of vectors: the output layer alone (the vectors fixed: a linear probe), every weight, or
# the output layer first and then every weight at a lower rate (ULMFiT's gradual unfreezing, in two steps).
VECTOR_RECIPES = {"output layer only": dict(lr=1e-2, freeze_body=True),
                  "all weights": dict(lr=1e-3, freeze_body=False),
                  "output layer, then all weights": dict(lr=3e-4, freeze_body=False)}


def vectors_experiment(vectors, train, test, n, start, seed, epochs, batch_size=32, val=None,
                       recipe="all weights", probe_epochs=0):
    """One run of the word-vector study: a BagOfVectors from the pretrained vectors (start="pretrained") or
    from random unit vectors ("random init"), fine-tuned on n labelled texts drawn with seed; returns (test
    accuracy, validation curve). train, test, val: (ids, labels) pairs; recipe: a key of VECTOR_RECIPES;
    probe_epochs: the epochs of the first step of "output layer, then all weights" (output layer at 1e-2)."""
    if start not in ("pretrained", "random init"):
        raise ValueError(f"start: expected 'pretrained' or 'random init', got {start!r}")
    if recipe not in VECTOR_RECIPES:
        raise ValueError(f"recipe: expected one of {tuple(VECTOR_RECIPES)}, got {recipe!r}")
    two_steps = recipe == "output layer, then all weights"
    if two_steps != (probe_epochs > 0):
        raise ValueError(f"probe_epochs: expected > 0 exactly for 'output layer, then all weights', got "
                         f"{probe_epochs} for {recipe!r}")
    ids, y = train
    idx = torch.from_numpy(labelled_subset(len(y), n, seed))
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = BagOfVectors(*vectors.shape)
    model.load_vectors(vectors if start == "pretrained" else random_vectors(*vectors.shape, generator))
    if two_steps:
        fine_tune(model, ids[idx], y[idx], probe_epochs, batch_size, seed=seed,
                  **VECTOR_RECIPES["output layer only"])
    curve = fine_tune(model, ids[idx], y[idx], epochs, batch_size=batch_size, seed=seed,
                      X_val=val[0] if val is not None else None, y_val=val[1] if val is not None else None,
                      **VECTOR_RECIPES[recipe])
    return score(model, test[0], np.asarray(test[1])), curve


def nearest_tokens(embedding, vocab, token, k=5):
    """The k tokens whose embedding rows have the largest cosine similarity with `token`'s."""
    if token not in vocab:
        raise ValueError(f"token: {token!r} is not in the vocabulary ({len(vocab)} tokens)")
    E = F.normalize(embedding.detach().float(), dim=1)
    similarity = E @ E[vocab.token_to_id[token]]
    similarity[[0, 1, 2, vocab.token_to_id[token]]] = -2  # not <pad>, <unk>, <eos>, itself
    return vocab.decode(similarity.topk(k).indices.tolist())
