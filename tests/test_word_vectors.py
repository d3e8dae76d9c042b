"""Chapter 6.1's word vectors and bag-of-vectors classifier: counts, PPMI and SVD checked against their
formulas, NumPy == torch == built-in, finite differences, the committed checkpoints, the fine-tuning recipes."""

import math

import numpy as np
import pytest
import torch

from bigmodels import pretraining as pt
from bigmodels import scratch
from bigmodels.data import load_chinese_reviews, load_rotten_tomatoes, tokenize_char_pairs
from bigmodels.scratch.gradcheck import check_module
from bigmodels.testing import assert_close
from bigmodels.word_vectors import (BagOfVectors, cooccurrence_counts, ppmi, random_vectors, svd_vectors,
                                    word_vectors)


def test_char_pairs_interleave_characters_and_their_neighbours():
    assert tokenize_char_pairs("很好 用") == ["很", "很好", "好", "好用", "用"]
    assert tokenize_char_pairs("好") == ["好"] and tokenize_char_pairs("") == []


def test_cooccurrence_counts_one_over_distance_both_ways():
    vocab = pt.build_vocabulary(["a b c", "a zz"], "words", 10)  # <pad> <unk> <eos> a b c zz
    a, b, c = (vocab.token_to_id[t] for t in "abc")
    counts = cooccurrence_counts(["a b c", "a b qq c"], vocab, window=2).toarray()
    expected = np.zeros_like(counts)
    for i, j, weight in ((a, b, 1), (b, c, 1), (a, c, 1 / 2),  # line 1
                         (a, b, 1), (b, c, 1 / 2)):  # line 2: qq is <unk>, left out but keeps its place
        expected[i, j] += weight
        expected[j, i] += weight
    assert_close(counts, expected, name="counts")
    lines = ["a b c zz a", "c b a"] * 30
    in_chunks = cooccurrence_counts(lines, vocab, window=3, chunk_tokens=7).toarray()
    assert_close(in_chunks, cooccurrence_counts(lines, vocab, window=3).toarray(), name="chunked counts")


def test_ppmi_is_the_formula():
    rng = np.random.default_rng(0)
    dense = rng.integers(0, 4, (6, 6)).astype(float)
    dense += dense.T
    import scipy.sparse as sp

    total = dense.sum()
    context = dense.sum(0) ** 0.75
    context *= total / context.sum()
    with np.errstate(divide="ignore"):
        expected = np.maximum(np.log(dense * total / np.outer(dense.sum(1), context)), 0)
    assert_close(ppmi(sp.csr_matrix(dense)).toarray(), expected, name="PPMI")


def test_svd_vectors_span_the_top_singular_directions():
    rng = np.random.default_rng(1)
    u, _ = np.linalg.qr(rng.standard_normal((40, 40)))
    v, _ = np.linalg.qr(rng.standard_normal((30, 30)))
    s = np.concatenate([[10, 9, 8, 7, 6], np.linspace(0.5, 0.1, 25)])  # a gap after the fifth
    matrix = u[:, :30] * s @ v.T
    vectors = svd_vectors(matrix, 5)
    expected = u[:, :5] * np.sqrt(s[:5])
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    signs = np.sign((vectors * expected).sum(0))  # singular vectors are defined up to sign
    assert_close(vectors * signs, expected, name="vectors", tol=1e-8)
    with pytest.raises(ValueError, match="dim"):
        svd_vectors(matrix, 31)


def test_bag_of_vectors_numpy_torch_and_builtin_agree():
    torch.manual_seed(0)
    model = BagOfVectors(9, 4).double()
    ids = torch.tensor([[3, 4, 0, 0], [5, 1, 2, 8], [1, 0, 0, 0]])  # the last text has no real token
    logits = model(ids)
    logits.sum().backward()
    # the built-in: EmbeddingBag's mean without the padding id, specials mapped to it
    bag = torch.nn.EmbeddingBag(9, 4, mode="mean", padding_idx=0).double()
    with torch.no_grad():
        bag.weight.copy_(model.embedding.weight)
        bag.weight[0] = 0
    plain = torch.where(ids >= 3, ids, 0)
    weight, bias = model.out.weight.detach(), model.out.bias.detach()
    builtin = torch.nn.functional.linear(bag(plain) * 2.0, weight, bias)[:, 0]  # sqrt(dim) = 2
    assert_close(builtin.detach().numpy(), logits.detach().numpy(), name="logits vs EmbeddingBag")
    builtin.sum().backward()
    grad = bag.weight.grad.clone()
    grad[:3] = 0
    assert_close(model.embedding.weight.grad.numpy(), grad.numpy(), name="embedding grad")
    twin = scratch.BagOfVectors.from_torch(model)
    assert_close(twin(ids.numpy()), logits.detach().numpy(), name="NumPy logits")
    twin.zero_grad()
    twin.backward(np.ones(3))
    for name, param in model.named_parameters():
        assert_close(twin.grads[name], param.grad.numpy(), name=name)


def test_bag_of_vectors_gradients_match_finite_differences():
    twin = scratch.BagOfVectors(8, 3, rng=np.random.default_rng(0))
    errors = check_module(twin, (np.array([[3, 4, 7, 0], [5, 2, 6, 6]]),))
    assert max(errors.values()) < 1e-6, errors
    assert set(errors) == {"embedding.weight", "out.weight", "out.bias"}


def test_word_vectors_of_a_tiny_corpus():
    lines = ["the cat sat on the mat", "the dog sat on the rug", "a cat and a dog"] * 20
    vocab = pt.build_vocabulary(lines, "words", 20)
    vectors = word_vectors(lines, vocab, dim=3, window=2)
    assert vectors.shape == (len(vocab), 3) and vectors.dtype == np.float32
    assert np.all(vectors[:3] == 0)
    assert_close(np.linalg.norm(vectors[3:], axis=1), np.ones(len(vocab) - 3), name="norms", tol=1e-6)
    vectors2 = word_vectors(lines, vocab, dim=3, window=2)
    assert np.array_equal(vectors, vectors2)  # seeded: the same vectors every time
    rows = random_vectors(10, 4, torch.Generator().manual_seed(0))
    assert torch.all(rows[:3] == 0) and torch.allclose(rows[3:].norm(dim=1), torch.ones(7))


@pytest.mark.parametrize("language, load, size", [("english", load_rotten_tomatoes, (10000, 100)),
                                                  ("chinese", load_chinese_reviews, (20000, 100))])
def test_committed_word_vectors(language, load, size):
    vectors, vocab, meta = pt.load_word_vectors(language)  # checks the SHA-256
    assert tuple(vectors.shape) == size == (len(vocab), meta["dim"]) and meta["language"] == language
    assert vectors[:3].abs().max() == 0
    norms = vectors[3:].norm(dim=1)
    unit = (norms - 1).abs() < 2e-3  # unit rows, stored in float16
    # the exceptions: tokens with no positive PMI (seen only next to <unk> or alone) keep the zero vector
    assert torch.all(unit | (norms == 0)) and float(unit.float().mean()) > 0.99
    ids = pt.encode_texts(vocab, load().X_test[:4], 64)[0]
    assert BagOfVectors(*size).load_vectors(vectors)(ids).shape == (4,)


def test_word_vector_checkpoint_integrity(tmp_path):
    vocab = pt.build_vocabulary(["a b c d e f g"], "words", 10)
    vectors = torch.randn(len(vocab), 4)
    path = tmp_path / "vectors.pt"
    digest = pt.save_word_vectors(path, vectors, vocab, "words", {"language": "test"})
    loaded, vocab2, meta = pt.load_word_vectors(path, sha256=digest)
    assert vocab2.id_to_token == vocab.id_to_token and meta == {"language": "test"}
    assert torch.equal(loaded, vectors.half().float())
    with pytest.raises(ValueError, match="SHA-256"):
        pt.load_word_vectors(path, sha256="0" * 64)
    with pytest.raises(ValueError, match="english"):
        pt.load_word_vectors("klingon")


def test_vectors_experiment_recipes():
    vectors = random_vectors(12, 4, torch.Generator().manual_seed(3))
    data = (torch.randint(3, 12, (20, 6)), torch.arange(20) % 2)
    with pytest.raises(ValueError, match="recipe"):
        pt.vectors_experiment(vectors, data, data, 10, "pretrained", 0, 1, recipe="everything")
    with pytest.raises(ValueError, match="start"):
        pt.vectors_experiment(vectors, data, data, 10, "warm", 0, 1)
    with pytest.raises(ValueError, match="probe_epochs"):
        pt.vectors_experiment(vectors, data, data, 10, "pretrained", 0, 1, recipe="all weights", probe_epochs=2)
    accuracy, curve = pt.vectors_experiment(vectors, data, data, 10, "pretrained", 0, 2,
                                            recipe="output layer, then all weights", probe_epochs=1, val=data)
    assert 0 <= accuracy <= 1 and len(curve) == 2


def test_output_layer_only_keeps_the_vectors():
    torch.manual_seed(0)
    model = BagOfVectors(10, 4)
    before = model.embedding.weight.detach().clone()
    pt.fine_tune(model, torch.randint(3, 10, (8, 5)), torch.arange(8) % 2, epochs=2, batch_size=4,
                 freeze_body=True)
    assert torch.equal(before, model.embedding.weight)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="ids"):
        BagOfVectors(10, 4)(torch.ones(2, 3))
    with pytest.raises(ValueError, match="vectors"):
        BagOfVectors(10, 4).load_vectors(torch.zeros(10, 5))
    with pytest.raises(ValueError, match="square"):
        ppmi(np.ones((3, 3)))
    with pytest.raises(ValueError, match="known tokens"):
        cooccurrence_counts(["zz"], pt.build_vocabulary(["a"], "words", 10))
    with pytest.raises(TypeError, match="str"):
        tokenize_char_pairs(3)
    assert math.isclose(float(random_vectors(5, 2)[4].norm()), 1.0, rel_tol=1e-6)
