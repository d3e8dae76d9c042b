"""bigmodels.translation: tokens, BPE, batching, greedy and beam decoding, the dictionary baseline, scoring,
and the checkpoint format."""

import itertools

import pytest
import torch

from bigmodels import translation as T
from bigmodels.data import MissingDataError, load_translation_pairs
from bigmodels.nn.seq2seq import Seq2SeqTransformer

CORPUS = ["low lower lowest.", "newer wider, newest!", "Das Haus ist alt.", "Die Häuser sind alt."]


@pytest.fixture(scope="module")
def bpe():
    return T.BPE.learn(CORPUS, 30)


@pytest.fixture(scope="module")
def vocab(bpe):
    return T.build_vocabulary(bpe, CORPUS)


def tiny_model(vocab, seed=0):
    torch.manual_seed(seed)
    return Seq2SeqTransformer(len(vocab), len(vocab), d_model=16, nhead=2, num_encoder_layers=1,
                              num_decoder_layers=1, dim_feedforward=32, dropout=0.0, norm_first=True).eval()


def test_words_and_detokenize_round_trip():
    text = "Ich kann's nicht (heute), oder? Well-known: 100% sure."
    tokens = T.words(text)
    assert tokens[:3] == ["Ich", "kann's", "nicht"] and "Well-known" in tokens and "%" in tokens
    assert T.detokenize(tokens) == text


def test_bpe_learns_the_most_frequent_pair_first_and_round_trips(bpe):
    counts = {}
    for text in CORPUS:
        for word in T.words(text):
            unit = list(word[:-1]) + [word[-1] + T.END]
            for pair in zip(unit, unit[1:]):
                counts[pair] = counts.get(pair, 0) + 1
    best = max(counts.values())
    assert counts[bpe.merges[0]] == best and bpe.merges[0] == min(p for p in counts if counts[p] == best)
    for text in CORPUS + ["Lowest houses!"]:
        assert T.BPE.detokenize(bpe.tokenize(text)) == text
    assert T.BPE.learn(CORPUS, 30).merges == bpe.merges  # deterministic
    assert len(bpe.tokenize("lowest")) < len("lowest")  # merges shorten a frequent word


def test_batch_pads_at_the_end_with_a_mask(vocab):
    ids, pad = T.batch(vocab, ["Das Haus", "Die Häuser sind alt."], bos=True)
    assert ids.dtype == torch.int64 and ids.shape == pad.shape
    assert ids[:, 0].tolist() == [vocab.token_to_id[T.BOS]] * 2
    eos = vocab.token_to_id[T.EOS]
    first_len = int((~pad[0]).sum())
    assert ids[0, first_len - 1] == eos and pad[0, first_len:].all() and not pad[1].any()
    with pytest.raises(ValueError, match="at least one text"):
        T.batch(vocab, [])
    with pytest.raises(TypeError, match="expected a list of str"):
        T.batch(vocab, "Das Haus")


def test_beam_of_one_is_greedy(vocab):
    model = tiny_model(vocab)
    src = ["Das Haus ist alt.", "low lower"]
    greedy = T.greedy_decode(model, vocab, src, max_len=6)
    assert T.beam_search(model, vocab, src, beam=1, max_len=6) == greedy


@pytest.mark.parametrize("alpha", [0.0, 1.0])
def test_full_width_beam_finds_the_best_sequence_by_enumeration(vocab, alpha):
    """With beam = vocabulary size and max_len 2, beam search sees every sequence: it must return the one
    with the best sum log p / length**alpha, found here by scoring all of them with teacher forcing."""
    model = tiny_model(vocab, seed=1)
    src = "Die Häuser sind alt."
    src_ids, src_pad = T.batch(vocab, [src])
    eos, v = vocab.token_to_id[T.EOS], len(vocab)
    best, best_rank = None, -float("inf")
    with torch.no_grad():
        first = model(src_ids, torch.tensor([[vocab.token_to_id[T.BOS]]]), src_pad)[0, -1].log_softmax(-1)
        for y1 in range(v):
            candidates = [([y1], first[y1].item())]
            if y1 != eos:
                tgt = torch.tensor([[vocab.token_to_id[T.BOS], y1]])
                second = model(src_ids, tgt, src_pad)[0, -1].log_softmax(-1)
                candidates = [([y1, y2], first[y1].item() + second[y2].item()) for y2 in range(v)]
            for seq, logp in candidates:
                if logp / len(seq) ** alpha > best_rank:
                    best, best_rank = seq, logp / len(seq) ** alpha
    expected = T._ids_to_texts(vocab, torch.tensor([best]))
    assert T.beam_search(model, vocab, [src], beam=v, max_len=2, alpha=alpha) == expected


def test_outputs_stop_at_the_length_limit(vocab):
    """An untrained model rarely emits </s>: its outputs stop at 1.5 x the source's units + 5."""
    model = tiny_model(vocab, seed=2)
    src = ["Das Haus", "Die Häuser sind alt, newer wider lowest."]
    _, src_pad = T.batch(vocab, src)
    limit = T.length_limits(src_pad, max_len=40)
    assert limit.tolist() == [min(40, 3 * int(n) // 2 + 5) for n in (~src_pad).sum(1)]
    for out in (T.greedy_decode(model, vocab, src), T.beam_search(model, vocab, src, beam=3)):
        assert all(len(vocab.encode(o)) <= int(n) for o, n in zip(out, limit))
    assert T.length_limits(src_pad, max_len=6).max() == 6


def test_decoders_reject_bad_input(vocab):
    model = tiny_model(vocab)
    with pytest.raises(TypeError, match="Seq2SeqTransformer"):
        T.greedy_decode(torch.nn.Linear(2, 2), vocab, ["Das Haus"])
    with pytest.raises(ValueError, match="beam"):
        T.beam_search(model, vocab, ["Das Haus"], beam=0)
    with pytest.raises(TypeError, match="text"):
        T.words(3)


def test_cross_attention_rows_are_distributions(vocab):
    model = tiny_model(vocab)
    weights = T.cross_attention(model, vocab, "Das Haus ist alt.", "lower")
    src_len = len(vocab.encode("Das Haus ist alt.")) + 1
    tgt_len = len(vocab.encode("lower")) + 1
    assert weights.shape == (tgt_len, src_len)
    assert abs(weights.sum(1) - 1).max() < 1e-6 and (weights >= 0).all()
    assert not model.transformer.decoder.layers[-1].multihead_attn._forward_hooks  # hook removed


DING = """# Version :: test
Haus {n} | Häuser {pl} :: house | houses
Haus {n} (Familie) :: dynasty
gehen {vi}; laufen {vi} | gehend :: to go; to walk | going
jdm. etw. geben {vt} :: to give sb. sth.
alt {adj} [ugs.] :: old
Der Hund bellt. :: The dog barks.
"""


def test_dictionary_parses_first_translation_of_single_words():
    entries = T.parse_word_entries(DING)
    assert entries["haus"] == "house" and entries["häuser"] == "houses"  # first line wins over "dynasty"
    assert entries["gehen"] == "go" and entries["laufen"] == "go" and entries["gehend"] == "going"
    assert entries["alt"] == "old" and "der" not in entries and "geben" not in entries
    dictionary = T.Dictionary(entries)
    assert dictionary.translate("Das Haus ist alt!") == "Das house ist old!"
    assert T.dictionary_translate(dictionary, ["Häuser"]) == ["houses"]
    with pytest.raises(TypeError, match="Dictionary"):
        T.dictionary_translate(entries, ["Haus"])


def test_score_is_sacrebleu():
    refs = ["The dog barks.", "The house is old."]
    assert T.score(refs, refs) == pytest.approx({"chrF": 100.0, "BLEU": 100.0})
    worse = T.score(["The cat sleeps.", "A house is old."], refs)
    assert 0 < worse["chrF"] < 100 and 0 <= worse["BLEU"] < 100
    with pytest.raises(ValueError, match="same non-zero number"):
        T.score(refs, refs[:1])


def test_checkpoint_round_trip_and_tamper_check(vocab, bpe, tmp_path):
    model = T.fp16_roundtrip(tiny_model(vocab))
    config = dict(d_model=16, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=32,
                  dropout=0.0, norm_first=True)
    path = tmp_path / "translator.pt"
    T.save_translator(path, model, config, bpe, vocab, {"steps": 0})
    loaded, bpe2, vocab2, meta = T.load_translator(path)
    assert vocab2.id_to_token == vocab.id_to_token and bpe2.merges == bpe.merges and meta == {"steps": 0}
    src = ["Das Haus ist alt."]
    assert T.greedy_decode(loaded, vocab2, src, max_len=5) == T.greedy_decode(model, vocab, src, max_len=5)
    state = torch.load(path, weights_only=True)
    state["model"]["head.bias"][0] += 1
    torch.save(state, path)
    with pytest.raises(ValueError, match="sha256"):
        T.load_translator(path)


def test_short_pairs_filters_both_sides():
    de, en = T.short_pairs(["a b", "a b c"], ["x", "y"], max_words=2)
    assert (de, en) == (["a b"], ["x"])
    with pytest.raises(ValueError):
        T.short_pairs(["a"], ["b"], max_words=0)


def test_real_data_split_is_by_german_sentence():
    try:
        pairs = load_translation_pairs()
    except MissingDataError as error:
        pytest.skip(str(error))
    train, test = T.short_pairs(pairs.X_train, pairs.y_train), T.short_pairs(pairs.X_test, pairs.y_test)
    assert len(train[0]) > 10_000 and len(test[0]) > 1_000
    assert not set(train[0]) & set(test[0])


def test_committed_checkpoint_loads():
    if not T.CHECKPOINT.exists():
        pytest.skip("benchmarks/bench_translation.py has not written the checkpoint")
    model, bpe, vocab, meta = T.load_translator()
    assert isinstance(model, Seq2SeqTransformer) and not model.training and meta["steps"] > 0
    assert all(p.dtype == torch.float32 for p in model.parameters())
    assert next(itertools.islice(vocab.id_to_token, 2, 3)) == T.BOS
