"""Turning text into integer ids: tokenizers, a vocabulary, and Keras-style padding."""

from __future__ import annotations

import re
from collections import Counter
from typing import Callable, Iterable, Sequence

import numpy as np

Tokenizer = Callable[[str], list[str]]
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")  # letters/digits, with inner apostrophes: don't, o'er


def tokenize_words(text: str) -> list[str]:
    """Lowercase English words: "Don't stop!" -> ["don't", "stop"] (punctuation dropped)."""
    _check_str(text, "text")
    return _WORD.findall(text.lower())


def tokenize_chars(text: str) -> list[str]:
    """One token per character, whitespace skipped (for Chinese): "好 书" -> ["好", "书"]."""
    _check_str(text, "text")
    return [char for char in text if not char.isspace()]


def tokenize_char_pairs(text: str) -> list[str]:
    """Characters and the pairs of neighbouring characters, interleaved (for Chinese, whose words are mostly
    two characters long): "很好用" -> ["很", "很好", "好", "好用", "用"]."""
    chars = tokenize_chars(text)
    tokens = []
    for i, char in enumerate(chars):
        tokens.append(char)
        if i + 1 < len(chars):
            tokens.append(char + chars[i + 1])
    return tokens


def _check_str(text, name) -> None:
    if not isinstance(text, str):
        raise TypeError(f"{name}: expected a str, got {type(text).__name__}")


def _check_iterable(values, name, what) -> None:
    """values must be an iterable of `what` other than a single str (whose characters would be taken)."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{name}: expected an iterable of {what}, got {type(values).__name__}")


class Vocabulary:
    """Token <-> id table; id 0 is `<pad>`, id 1 is `<unk>` (any token not in the table)."""

    PAD, UNK = "<pad>", "<unk>"

    def __init__(self, tokens: Iterable[str], tokenize: Tokenizer = tokenize_words):
        _check_iterable(tokens, "tokens", "tokens")
        self.id_to_token = [self.PAD, self.UNK]
        self.id_to_token += [t for t in dict.fromkeys(tokens) if t not in (self.PAD, self.UNK)]
        self.token_to_id = {token: i for i, token in enumerate(self.id_to_token)}
        self.tokenize = tokenize

    @classmethod
    def build(
        cls,
        texts: Iterable[str],
        tokenize: Tokenizer = tokenize_words,
        min_freq: int = 1,
        max_size: int | None = None,
    ) -> Vocabulary:
        """Vocabulary of the tokens seen at least `min_freq` times in `texts`, most frequent first
        (ties alphabetical); `max_size` caps the total size, `<pad>` and `<unk>` included."""
        if isinstance(texts, str):
            raise TypeError("expected an iterable of texts, got a single str")
        if isinstance(min_freq, bool) or not isinstance(min_freq, (int, np.integer)) or min_freq < 1:
            raise ValueError(f"min_freq must be an int >= 1, got {min_freq!r}")
        if max_size is not None and (isinstance(max_size, bool) or not isinstance(max_size, (int, np.integer))
                                     or max_size < 2):
            raise ValueError(
                f"max_size must be None or an int >= 2 (<pad>, <unk>); got {max_size!r}"
            )
        counts = Counter(token for text in texts for token in tokenize(text))
        kept = sorted((t for t in counts if counts[t] >= min_freq), key=lambda t: (-counts[t], t))
        return cls(kept[: None if max_size is None else max_size - 2], tokenize)

    def __len__(self) -> int:
        return len(self.id_to_token)

    def __contains__(self, token: str) -> bool:
        return token in self.token_to_id

    def __repr__(self) -> str:
        name = getattr(self.tokenize, "__name__", repr(self.tokenize))
        return f"Vocabulary(size={len(self)}, tokenize={name})"

    def encode(self, text: str | Sequence[str]) -> list[int]:
        """Ids of a text (tokenized with `self.tokenize`) or of a list of tokens; unknown -> 1."""
        tokens = self.tokenize(text) if isinstance(text, str) else text
        unk = self.token_to_id[self.UNK]
        return [self.token_to_id.get(token, unk) for token in tokens]

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Tokens of a sequence of ids (padding included, as `<pad>`)."""
        tokens = []
        for i in ids.tolist() if isinstance(ids, np.ndarray) else ids:
            if isinstance(i, bool) or not isinstance(i, (int, np.integer)):
                raise TypeError(f"expected integer token ids, got {i!r} ({type(i).__name__})")
            if not 0 <= i < len(self):
                raise ValueError(
                    f"token id {i} is outside the vocabulary: expected 0..{len(self) - 1}"
                )
            tokens.append(self.id_to_token[i])
        return tokens

    def encode_batch(
        self, texts: Iterable[str], maxlen: int | None = None, padding="pre", truncating="pre"
    ) -> np.ndarray:
        """encode each text, then pad_sequences with the `<pad>` id: an int64 array (n, maxlen)."""
        _check_iterable(texts, "texts", "texts")
        ids = [self.encode(text) for text in texts]
        pad = self.token_to_id[self.PAD]
        return pad_sequences(ids, maxlen, padding=padding, truncating=truncating, value=pad)


def pad_sequences(
    sequences: Sequence[Sequence[int]],
    maxlen: int | None = None,
    dtype="int64",
    padding: str = "pre",
    truncating: str = "pre",
    value=0,
) -> np.ndarray:
    """Keras's pad_sequences for integer token sequences: an array (len(sequences), maxlen).

    maxlen=None pads to the longest sequence. Longer sequences lose tokens at the start
    (truncating="pre") or the end ("post"); shorter ones get `value` before ("pre") or after
    ("post"). Unlike Keras, the default dtype is int64 and token ids must be integers.
    """
    if isinstance(sequences, (str, bytes)) or not hasattr(sequences, "__len__"):
        raise TypeError(f"expected a list of sequences, got {type(sequences).__name__}")
    for what, given in (("padding", padding), ("truncating", truncating)):
        if given not in ("pre", "post"):
            raise ValueError(f"{what} must be 'pre' or 'post', got {given!r}")
    if maxlen is not None:
        if isinstance(maxlen, bool) or not isinstance(maxlen, (int, np.integer)):
            raise TypeError(f"maxlen must be None or an int, got {type(maxlen).__name__}")
        if maxlen < 0:
            raise ValueError(f"maxlen must be >= 0, got {maxlen}")
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be an integer dtype, got {dtype!r}") from None
    if dtype.kind not in "iu":
        raise TypeError(f"dtype must be an integer dtype, got {dtype}")
    low, high = np.iinfo(dtype).min, np.iinfo(dtype).max
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise ValueError(f"value (the padding id) must be an int in [{low}, {high}] for dtype {dtype}, got {value!r}")
    rows = []
    for n, seq in enumerate(sequences):
        if isinstance(seq, (str, bytes)) or not hasattr(seq, "__len__"):
            raise TypeError(f"sequence {n} must be a list of token ids, got {type(seq).__name__}")
        row = np.asarray(seq)
        if row.size and (row.ndim != 1 or not np.issubdtype(row.dtype, np.integer)):
            raise ValueError(
                f"sequence {n} must be a flat list of integer token ids, got dtype {row.dtype} "
                f"and shape {row.shape}"
            )
        if row.size and (row.min() < low or row.max() > high):
            raise ValueError(f"sequence {n}: token ids must fit dtype {dtype}, in [{low}, {high}], "
                             f"got min {row.min()} and max {row.max()}")
        rows.append(row)
    if maxlen is None:
        maxlen = max((len(row) for row in rows), default=0)
    out = np.full((len(rows), maxlen), value, dtype=dtype)
    for n, row in enumerate(rows):
        kept = row[max(len(row) - maxlen, 0) :] if truncating == "pre" else row[:maxlen]
        if len(kept) == 0:
            continue
        if padding == "pre":
            out[n, maxlen - len(kept):] = kept
        else:
            out[n, : len(kept)] = kept
    return out
