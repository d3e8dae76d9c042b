"""The pretrained LSTM language models: NumPy == torch == built-in, committed checkpoints, clean data."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from bigmodels import pretraining as pt
from bigmodels import scratch
from bigmodels.data import load_chinese_reviews, load_rotten_tomatoes
from bigmodels.data.unlabelled import check_no_leak, unlabelled_chinese, unlabelled_english, vader_snippets
from bigmodels.nn import SentimentLSTM
from bigmodels.scratch.gradcheck import check_module
from bigmodels.scratch.lstm_lm import LSTMLanguageModel as ScratchLM
from bigmodels.testing import assert_close


def tiny_lm(vocab_size=11, dim=4, seed=0):
    torch.manual_seed(seed)
    return pt.LSTMLanguageModel(vocab_size, dim).double()


def test_lm_numpy_torch_and_builtin_cross_entropy_agree():
    lm = tiny_lm()
    ids = torch.tensor([[3, 4, 5, 0], [1, 2, 9, 10]])
    targets = torch.tensor([[4, 5, 6, 7], [2, 9, 10, 3]])
    loss = lm.loss(ids, targets)
    loss.backward()
    twin = ScratchLM.from_torch(lm)
    logits = twin(ids.numpy())
    # the built-in: torch.nn.functional.cross_entropy on the NumPy logits
    builtin = F.cross_entropy(torch.from_numpy(logits).reshape(-1, 11), targets.reshape(-1))
    assert_close(float(builtin), loss.item(), name="loss")
    p = np.exp(logits - logits.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    p[np.arange(2)[:, None], np.arange(4)[None, :], targets.numpy()] -= 1
    twin.zero_grad()
    twin.backward(p / 8)
    for name, param in lm.named_parameters():
        assert_close(twin.grads[name], param.grad.numpy(), name=name)


def test_lm_gradients_match_finite_differences():
    twin = ScratchLM(7, 3, rng=np.random.default_rng(0))
    # no <pad> (id 0) in the input: like torch, the lookup gives the <pad> row no gradient
    # (finite differences would)
    errors = check_module(twin, (np.array([[1, 2, 4], [3, 6, 5]]),))
    assert max(errors.values()) < 1e-6, errors
    assert set(errors) == set(twin.params)  # the tied matrix, the LSTM and the bias were all checked


def test_sampled_softmax_is_the_full_softmax_when_every_id_is_sampled_once():
    lm = tiny_lm()
    ids, targets = torch.tensor([[3, 4, 5]]), torch.tensor([[4, 5, 6]])
    log_q = torch.full((11,), -math.log(11), dtype=torch.float64)  # q uniform: the correction -log(K q) is 0
    sampled = lm.sampled_loss(ids, targets, torch.arange(11), log_q)
    assert_close(sampled.item(), lm.loss(ids, targets).item(), name="sampled softmax")


def test_classifier_is_sentiment_lstm_on_post_padded_text():
    torch.manual_seed(0)
    fast = pt.LSTMClassifier(13, 4, 5, 3).double()
    book = SentimentLSTM(13, 4, 5, 3).double()
    book.load_state_dict(fast.state_dict())
    ids = torch.tensor([[3, 4, 5, 0, 0], [7, 8, 9, 10, 11], [12, 0, 0, 0, 0]])
    lengths = torch.tensor([3, 5, 1])
    a, b = fast(ids, lengths), book(ids, lengths=lengths)
    assert_close(a.detach().numpy(), b.detach().numpy(), name="logits")
    a.sum().backward()
    b.sum().backward()
    for (name, p), q in zip(fast.named_parameters(), book.parameters()):
        assert_close(p.grad.numpy(), q.grad.numpy(), name=name)
    twin = scratch.SentimentLSTM.from_torch(book)
    assert_close(twin(ids.numpy(), lengths=lengths.numpy()), a.detach().numpy(), name="NumPy logits")


def test_pretraining_is_deterministic():
    stream = np.random.default_rng(0).integers(3, 11, 500)
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        lm = pt.LSTMLanguageModel(11, 4)
        runs.append((pt.pretrain(lm, [(stream, 3), (stream[:100], 2)], batch_size=4, seq_len=8, negatives=5,
                                 log=None), lm.embedding.weight.detach().clone()))
    assert np.array_equal(runs[0][0], runs[1][0]) and torch.equal(runs[0][1], runs[1][1])
    assert runs[0][1][0].abs().max() == 0  # <pad> stays the zero vector


@pytest.mark.parametrize("language, load, maxlen", [("english", load_rotten_tomatoes, 32),
                                                    ("chinese", load_chinese_reviews, 48)])
def test_committed_checkpoint(language, load, maxlen):
    lm, vocab, meta = pt.load_pretrained(language)  # checks the SHA-256
    vocab_size, dim = lm.embedding.weight.shape
    assert (vocab_size, dim) == (len(vocab), 64) and lm.lstm.weight_hh_l0.shape == (256, 64)
    assert vocab.id_to_token[:3] == ["<pad>", "<unk>", pt.EOS] and lm.embedding.weight[0].abs().max() == 0
    assert meta["language"] == language
    # held-out text (the test split, never seen in pretraining): far below the uniform guess ln V.
    stream = pt.token_stream(load().X_test[:400], vocab)
    loss = pt.lm_loss(lm, stream, seq_len=32, max_windows=64)
    assert loss < math.log(vocab_size) - 2, (loss, math.log(vocab_size))
    model = pt.LSTMClassifier(vocab_size).load_pretrained(lm)
    ids, lengths = pt.encode_texts(vocab, load().X_test[:4], maxlen)
    assert model(ids, lengths).shape == (4,)


def test_checkpoint_integrity(tmp_path):
    lm = pt.LSTMLanguageModel(10, 4)
    vocab = pt.build_vocabulary(["a b c d e f g"], "words", 10)
    path = tmp_path / "lm.pt"
    digest = pt.save_pretrained(path, lm, vocab, "words", {"language": "test"})
    loaded, vocab2, meta = pt.load_pretrained(path, sha256=digest)
    assert vocab2.id_to_token == vocab.id_to_token and meta == {"language": "test"}
    assert torch.equal(loaded.lstm.weight_ih_l0, lm.lstm.weight_ih_l0.detach().half().float())
    with pytest.raises(ValueError, match="SHA-256"):
        pt.load_pretrained(path, sha256="0" * 64)
    with pytest.raises(ValueError, match="english"):
        pt.load_pretrained("klingon")
    with pytest.raises(FileNotFoundError, match="--pretrain"):
        pt.load_pretrained(tmp_path / "missing.pt", sha256=digest)


def test_unlabelled_text_holds_no_held_out_snippet():
    for load, unlabelled in ((load_rotten_tomatoes, unlabelled_english),
                             (load_chinese_reviews, unlabelled_chinese)):
        split = load()
        sources = unlabelled(split)
        assert check_no_leak(sources, split) > 30_000
        assert len(next(iter(sources.values()))) == len(split.X_train)
    split = load_rotten_tomatoes()
    with pytest.raises(ValueError, match="held-out"):
        check_no_leak({"mixed": ["fine", split.X_test[0]]}, split)


def test_bad_input_is_named():
    with pytest.raises(TypeError, match="load_chinese_reviews"):
        unlabelled_chinese(load_rotten_tomatoes())
    with pytest.raises(ValueError, match="collection"):
        vader_snippets("movieReviewSnippets")  # the labelled snippets, test split included
    with pytest.raises(ValueError, match="kind"):
        pt.build_vocabulary(["a"], "bytes", 10)
    model = pt.LSTMClassifier(10, 4, 4, 4)
    with pytest.raises(ValueError, match="lengths"):
        model(torch.ones(2, 3, dtype=torch.int64), torch.tensor([1, 4]))
    with pytest.raises(ValueError, match="ids"):
        model(torch.ones(2, 3), torch.tensor([1, 3]))
    with pytest.raises(ValueError, match="targets"):
        ids = torch.ones(2, 3, dtype=torch.int64)
        pt.LSTMLanguageModel(10, 4).loss(ids, ids[:, :2])
    with pytest.raises(ValueError, match="not in the vocabulary"):
        pt.nearest_tokens(torch.zeros(3, 2), pt.build_vocabulary(["a"], "words", 10), "zzz")
    with pytest.raises(ValueError, match="language model does not fit"):
        pt.LSTMClassifier(10, 4, 8, 4).load_pretrained(pt.LSTMLanguageModel(10, 4))


def test_concat_pooling_reads_no_padding():
    torch.manual_seed(0)
    model = pt.LSTMClassifier(13, 4, 5, 3, pooling="concat").double()
    ids = torch.tensor([[3, 4, 5, 0, 0], [7, 8, 9, 10, 11]])
    lengths = torch.tensor([3, 5])
    longer = torch.cat([ids, torch.zeros(2, 4, dtype=torch.int64)], dim=1)
    assert_close(model(longer, lengths).detach().numpy(), model(ids, lengths).detach().numpy(), name="logits")
    alone = model(ids[:1, :3], lengths[:1])  # the first text without any padding
    assert_close(alone.detach().numpy(), model(ids, lengths)[:1].detach().numpy(), name="unpadded")


def test_experiment_draws_the_labelled_texts_with_its_seed():
    a, b = pt.labelled_subset(50, 10, seed=1), pt.labelled_subset(50, 10, seed=2)
    assert len(set(a)) == 10 and not np.array_equal(a, b)
    assert np.array_equal(np.sort(pt.labelled_subset(50, None, seed=1)), np.arange(50))
    with pytest.raises(ValueError, match="at most 50"):
        pt.labelled_subset(50, 51, seed=0)
    lm = pt.LSTMLanguageModel(10, 4)
    data = (torch.randint(1, 10, (20, 6)), torch.full((20,), 6), torch.arange(20) % 2)
    with pytest.raises(ValueError, match="recipe"):
        pt.experiment(lm, data, data, 10, "pretrained", 0, 1, recipe="everything")
    with pytest.raises(ValueError, match="start"):
        pt.experiment(lm, data, data, 10, "warm", 0, 1)
    accuracy, curve = pt.experiment(lm, data, data, 10, "pretrained", 0, 2, recipe="dense layers only",
                                    val=data)
    assert 0 <= accuracy <= 1 and len(curve) == 2


def test_dense_layers_only_keeps_the_pretrained_body():
    torch.manual_seed(0)
    model = pt.LSTMClassifier(10, 4, 4, 4, pooling="concat")
    body = {k: v.clone() for k, v in model.state_dict().items()}
    ids, lengths, labels = torch.randint(1, 10, (8, 5)), torch.full((8,), 5), torch.arange(8) % 2
    pt.fine_tune(model, (ids, lengths), labels, epochs=2, batch_size=4, freeze_body=True)
    after = model.state_dict()
    assert all(torch.equal(body[k], after[k]) for k in body if k.startswith(("embedding.", "lstm.")))
    assert not torch.equal(body["dense.weight"], after["dense.weight"])
