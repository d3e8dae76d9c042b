"""bigmodels.data.text: tokenizers, Vocabulary, and pad_sequences with Keras's semantics."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bigmodels.data import Vocabulary, pad_sequences, tokenize_chars, tokenize_words

SEQS = [[1], [2, 3], [4, 5, 6]]


def test_tokenize_words():
    words = ["don't", "stop", "o'er", "the", "2", "hills"]
    assert tokenize_words("Don't STOP, o'er the 2 hills!") == words
    assert tokenize_words("''Conan'' -- café_bar") == ["conan", "café", "bar"]
    assert tokenize_words("") == []
    with pytest.raises(TypeError, match="expected a str, got list"):
        tokenize_words(["a"])


def test_tokenize_chars_skips_whitespace():
    assert tokenize_chars("好 书，\n值得!") == ["好", "书", "，", "值", "得", "!"]
    with pytest.raises(TypeError, match="expected a str"):
        tokenize_chars(None)


# Keras (keras.utils.pad_sequences) gives exactly these arrays.
@pytest.mark.parametrize(
    "padding, truncating, expected",
    [
        ("pre", "pre", [[0, 1], [2, 3], [5, 6]]),
        ("pre", "post", [[0, 1], [2, 3], [4, 5]]),
        ("post", "pre", [[1, 0], [2, 3], [5, 6]]),
        ("post", "post", [[1, 0], [2, 3], [4, 5]]),
    ],
)
def test_pad_sequences_padding_and_truncating(padding, truncating, expected):
    out = pad_sequences(SEQS, maxlen=2, padding=padding, truncating=truncating)
    assert out.dtype == np.int64
    assert out.tolist() == expected


def test_pad_sequences_maxlen_none_value_and_dtype():
    assert pad_sequences(SEQS).tolist() == [[0, 0, 1], [0, 2, 3], [4, 5, 6]]
    assert pad_sequences(SEQS, value=-1).tolist() == [[-1, -1, 1], [-1, 2, 3], [4, 5, 6]]
    assert pad_sequences(SEQS, padding="post").tolist() == [[1, 0, 0], [2, 3, 0], [4, 5, 6]]
    assert pad_sequences(SEQS, maxlen=4).tolist() == [[0, 0, 0, 1], [0, 0, 2, 3], [0, 4, 5, 6]]
    assert pad_sequences(SEQS, dtype="int32").dtype == np.int32
    assert pad_sequences([[1, 2], []], maxlen=3).tolist() == [[0, 1, 2], [0, 0, 0]]
    assert pad_sequences([np.array([7, 8, 9])], maxlen=2).tolist() == [[8, 9]]
    assert pad_sequences([[], []]).shape == (2, 0)
    assert pad_sequences(SEQS, maxlen=0).shape == (3, 0)
    assert pad_sequences([]).shape == (0, 0)


def test_pad_sequences_rejects_bad_input():
    with pytest.raises(ValueError, match="padding must be 'pre' or 'post', got 'left'"):
        pad_sequences(SEQS, padding="left")
    with pytest.raises(ValueError, match="truncating must be 'pre' or 'post', got 'end'"):
        pad_sequences(SEQS, truncating="end")
    with pytest.raises(ValueError, match="maxlen must be >= 0, got -1"):
        pad_sequences(SEQS, maxlen=-1)
    with pytest.raises(TypeError, match="maxlen must be None or an int, got float"):
        pad_sequences(SEQS, maxlen=2.0)
    with pytest.raises(ValueError, match="sequence 1 must be a flat list of integer token ids"):
        pad_sequences([[1], [2.5, 3]])
    with pytest.raises(ValueError, match="sequence 0 .* shape \\(1, 2\\)"):
        pad_sequences([[[1, 2]]])
    with pytest.raises(TypeError, match="sequence 0 must be a list of token ids, got str"):
        pad_sequences(["abc"])
    with pytest.raises(TypeError, match="expected a list of sequences, got int"):
        pad_sequences(3)


def keras_reference(sequences, maxlen, padding, truncating, value):
    """Keras's algorithm restated on plain lists: cut to maxlen, then fill up to maxlen."""
    if maxlen is None:
        maxlen = max((len(s) for s in sequences), default=0)
    rows = []
    for s in sequences:
        kept = (s[-maxlen:] if truncating == "pre" else s[:maxlen]) if maxlen else []
        fill = [value] * (maxlen - len(kept))
        rows.append(fill + kept if padding == "pre" else kept + fill)
    return rows


@settings(max_examples=60, deadline=None)
@given(
    sequences=st.lists(st.lists(st.integers(-5, 99), max_size=6), max_size=5),
    maxlen=st.none() | st.integers(0, 7),
    padding=st.sampled_from(["pre", "post"]),
    truncating=st.sampled_from(["pre", "post"]),
    value=st.integers(-3, 3),
)
def test_pad_sequences_matches_keras_reference(sequences, maxlen, padding, truncating, value):
    out = pad_sequences(sequences, maxlen, padding=padding, truncating=truncating, value=value)
    expected = keras_reference(sequences, maxlen, padding, truncating, value)
    assert out.tolist() == expected
    assert out.shape[0] == len(sequences)


TEXTS = ["the cat sat on the mat", "the dog sat", "a cat and a dog"]


def test_vocabulary_build_order_and_special_tokens():
    vocab = Vocabulary.build(TEXTS)
    assert vocab.id_to_token[:2] == ["<pad>", "<unk>"]
    # counts: the 3, a 2, cat 2, dog 2, sat 2, then the singletons alphabetically
    assert vocab.id_to_token[2:] == ["the", "a", "cat", "dog", "sat", "and", "mat", "on"]
    assert len(vocab) == 10 and "cat" in vocab and "bird" not in vocab
    assert vocab.token_to_id["the"] == 2
    assert repr(vocab) == "Vocabulary(size=10, tokenize=tokenize_words)"


def test_vocabulary_min_freq_and_max_size():
    frequent = ["<pad>", "<unk>", "the", "a", "cat", "dog", "sat"]
    assert Vocabulary.build(TEXTS, min_freq=2).id_to_token == frequent
    assert Vocabulary.build(TEXTS, max_size=4).id_to_token == ["<pad>", "<unk>", "the", "a"]
    with pytest.raises(ValueError, match="min_freq must be an int >= 1, got 0"):
        Vocabulary.build(TEXTS, min_freq=0)
    with pytest.raises(ValueError, match="max_size must be None or an int >= 2"):
        Vocabulary.build(TEXTS, max_size=1)
    with pytest.raises(TypeError, match="iterable of texts, got a single str"):
        Vocabulary.build("the cat")


def test_vocabulary_round_trip_and_unknown_tokens():
    vocab = Vocabulary.build(TEXTS)
    ids = vocab.encode("The cat sat on the mat")
    assert ids == [2, 4, 6, 9, 2, 8]
    assert vocab.decode(ids) == tokenize_words("The cat sat on the mat")
    assert vocab.encode("the bird sat") == [2, 1, 6]
    assert vocab.decode(vocab.encode("the bird sat")) == ["the", "<unk>", "sat"]
    assert vocab.encode(["cat", "zebra"]) == [4, 1]  # a list is taken as tokens already
    assert vocab.decode(np.array([0, 2])) == ["<pad>", "the"]


def test_vocabulary_decode_rejects_bad_ids():
    vocab = Vocabulary.build(TEXTS)
    with pytest.raises(ValueError, match="token id 10 is outside the vocabulary: expected 0..9"):
        vocab.decode([2, 10])
    with pytest.raises(ValueError, match="token id -1"):
        vocab.decode([-1])
    with pytest.raises(TypeError, match="expected integer token ids, got 2.0"):
        vocab.decode([2.0])


def test_chinese_character_vocabulary_and_encode_batch():
    vocab = Vocabulary.build(["好书", "书不好 看"], tokenize=tokenize_chars)
    assert vocab.id_to_token == ["<pad>", "<unk>", "书", "好", "不", "看"]
    batch = vocab.encode_batch(["好书", "坏书真的不好看"], maxlen=4)
    assert batch.tolist() == [[0, 0, 3, 2], [1, 4, 3, 5]]
    texts = ["好书", "坏书真的不好看"]
    post = vocab.encode_batch(texts, maxlen=4, padding="post", truncating="post")
    assert post.tolist() == [[3, 2, 0, 0], [1, 2, 1, 1]]
