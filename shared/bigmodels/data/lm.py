"""Language-model data: a text's characters as ids, and random training windows of a token stream.

The one tokenizer and the one batcher of every language model in the book (chapters 3.2-3.4, 5 and 6,
the scaling study, the nanoGPT benchmark and the pretraining script):

    ids, chars = encode_chars(text)                     # ids[i] = chars.index(text[i])
    x, y = get_batch(ids, block_size, batch_size, rng)  # y[b, t] = x[b, t + 1]'s successor in the text

A window starting at s holds the inputs ids[s : s + T] and the targets ids[s + 1 : s + T + 1], so every
start 0 <= s <= len(ids) - T - 1 is allowed and equally likely.
"""

import numpy as np

from ..validate import check_positive_int, describe


def encode_chars(text, chars=None):
    """Token ids of a text, one per character, in the sorted character set (or `chars`); returns (ids, chars)."""
    if not isinstance(text, str):
        raise TypeError(f"text: expected a str, got {describe(text)}")
    chars = sorted(set(text)) if chars is None else list(chars)
    stoi = {c: i for i, c in enumerate(chars)}
    unknown = set(text) - set(stoi)
    if unknown:
        raise ValueError(f"text: expected only characters of chars, got {len(unknown)} others: {sorted(unknown)[:5]}")
    return np.array([stoi[c] for c in text], dtype=np.int64), chars


def decode_chars(ids, chars):
    """The text of a sequence of character ids (the inverse of encode_chars)."""
    return "".join(chars[int(i)] for i in ids)


def get_batch(ids, block_size, batch_size, rng):
    """batch_size windows at uniform random starts: inputs x (B, T) and next-token targets y (B, T).

    ids: a 1-D integer NumPy array (x, y are arrays) or torch tensor (x, y are tensors); rng: a
    np.random.Generator, the only source of randomness (the same rng state gives the same windows either way).
    """
    if not hasattr(ids, "shape") or len(ids.shape) != 1:
        raise TypeError(f"ids: expected a 1-D array or tensor of token ids, got {describe(ids)}")
    integer = ids.dtype.kind in "iu" if isinstance(ids, np.ndarray) else str(ids.dtype).startswith(("torch.int",
                                                                                                    "torch.uint"))
    if not integer:
        raise TypeError(f"ids: expected integer token ids, got {describe(ids)}")
    check_positive_int(block_size, "block_size")
    check_positive_int(batch_size, "batch_size")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng: expected a np.random.Generator (one for the whole run), got {describe(rng)}")
    if len(ids) <= block_size:
        raise ValueError(f"ids: expected more than block_size={block_size} tokens, got {len(ids)}")
    starts = rng.integers(0, len(ids) - block_size, size=batch_size)
    window = starts[:, None] + np.arange(block_size)
    if isinstance(ids, np.ndarray):
        return ids[window], ids[window + 1]
    import torch

    window = torch.from_numpy(window)
    return ids[window], ids[window + 1]
