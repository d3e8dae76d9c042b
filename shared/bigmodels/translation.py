"""German -> English translation with the book's encoder-decoder Transformer (chapter 6.3).

The pieces around the model, one idea each:
- `words` / `detokenize`: text <-> word and punctuation tokens;
- `BPE`: byte-pair encoding (Sennrich et al. 2016): start from characters, repeatedly merge the most
  frequent adjacent pair; a word becomes subword units, so no word is ever out of vocabulary;
- `Vocabulary` (bigmodels.data) with <s> and </s>, and `batch`: padded id tensors plus padding masks;
- `translation_loss`: teacher forcing, cross-entropy of each next target unit;
- `greedy_decode` and `beam_search`: y_t = argmax p(y_t | y_<t, x), or the K best prefixes by
  sum log p / length**alpha;
- `Dictionary`: the Ding dictionary's word entries, and `dictionary_translate`, the word-by-word baseline;
- `score`: chrF and BLEU from sacrebleu, the field's standard scorer;
- `cross_attention`: what the decoder looked at; `save_translator` / `load_translator`: the checkpoint.

The model is `bigmodels.nn.seq2seq.Seq2SeqTransformer` (embeddings + positional encoding +
Transformer + output projection); nothing here re-implements it.
"""

import heapq
import re
from collections import Counter
from pathlib import Path

import torch
import torch.nn.functional as F

from .validate import check_positive_int, describe
from .data.datasets import TRANS_DE_EN, _ANNOTATION, _debian_file
from .data.text import Vocabulary, pad_sequences
from .nn.seq2seq import Seq2SeqTransformer
from .scale.checkpoint import content_digest

BOS, EOS = "<s>", "</s>"
END = "</w>"  # marks the last unit of a word: "Haus" -> ["Ha", "us</w>"]
_TOKEN = re.compile(r"\w+(?:['’-]\w+)*|[^\w\s]")  # words (with inner ' or -) and single punctuation marks
_NO_SPACE_BEFORE = re.compile(r" ([.,!?;:)\]%])")
_NO_SPACE_AFTER = re.compile(r"([(\[]) ")


def _check_text(text, name="text"):
    if not isinstance(text, str):
        raise TypeError(f"{name}: expected a str, got {describe(text)}")
    return text


def _check_texts(texts, name="texts"):
    if isinstance(texts, (str, bytes)) or not hasattr(texts, "__iter__"):
        raise TypeError(f"{name}: expected a list of str, got {describe(texts)}")
    texts = list(texts)
    for text in texts:
        _check_text(text, f"{name} item")
    return texts


def words(text):
    """'Ich kann's nicht!' -> ['Ich', "kann's", 'nicht', '!'] (case kept)."""
    return _TOKEN.findall(_check_text(text))


def detokenize(tokens):
    """Join word tokens with spaces, none before . , ! ? ; : ) and none after (."""
    return _NO_SPACE_AFTER.sub(r"\1", _NO_SPACE_BEFORE.sub(r"\1", " ".join(tokens)))


class BPE:
    """Byte-pair encoding: `merges` is the ordered list of learned pairs (a, b) -> a+b."""

    def __init__(self, merges):
        self.merges = [tuple(pair) for pair in merges]
        self.rank = {pair: i for i, pair in enumerate(self.merges)}
        self._cache = {}

    @classmethod
    def learn(cls, texts, num_merges):
        """Count words in `texts`; num_merges times, merge the most frequent adjacent pair of units
        (weighted by word frequency; ties go to the smaller pair, so the result is deterministic)."""
        num_merges = check_positive_int(num_merges, "num_merges")
        counts = Counter(word for text in _check_texts(texts) for word in words(text))
        units = [list(word[:-1]) + [word[-1] + END] for word in counts]
        freq = list(counts.values())
        pairs, where = Counter(), {}
        for i, unit in enumerate(units):
            for pair in zip(unit, unit[1:]):
                pairs[pair] += freq[i]
                where.setdefault(pair, set()).add(i)
        heap = [(-count, pair) for pair, count in pairs.items()]  # a count changes: push it again
        heapq.heapify(heap)
        merges = []
        while heap and len(merges) < num_merges:
            count, best = heapq.heappop(heap)
            if pairs.get(best, 0) != -count or count == 0:
                continue  # stale entry
            merges.append(best)
            changed = set()
            for i in where.pop(best):
                old, new = units[i], _merge(units[i], best)
                for pair in zip(old, old[1:]):
                    pairs[pair] -= freq[i]
                    changed.add(pair)
                for pair in zip(new, new[1:]):
                    pairs[pair] += freq[i]
                    where.setdefault(pair, set()).add(i)
                    changed.add(pair)
                units[i] = new
            for pair in changed - {best}:
                heapq.heappush(heap, (-pairs[pair], pair))
            del pairs[best]
        return cls(merges)

    def split_word(self, word):
        """The units of one word: merge its lowest-ranked adjacent pair until none is a learned merge."""
        if word not in self._cache:
            unit = list(word[:-1]) + [word[-1] + END]
            while len(unit) > 1:
                pair = min(zip(unit, unit[1:]), key=lambda p: self.rank.get(p, len(self.rank)))
                if pair not in self.rank:
                    break
                unit = _merge(unit, pair)
            self._cache[word] = unit
        return self._cache[word]

    def tokenize(self, text):
        """'Das Haus.' -> ['Das</w>', 'Ha', 'us</w>', '.</w>'] (with the merges learned)."""
        return [unit for word in words(text) for unit in self.split_word(word)]

    @staticmethod
    def detokenize(units):
        """Units back to text: concatenate, a word ends at </w>."""
        text = "".join(unit + END if unit == Vocabulary.UNK else unit for unit in units
                       if unit not in (BOS, EOS, Vocabulary.PAD))
        return detokenize([word for word in text.split(END) if word])


def _merge(unit, pair):
    out, i = [], 0
    while i < len(unit):
        if i + 1 < len(unit) and (unit[i], unit[i + 1]) == pair:
            out.append(unit[i] + unit[i + 1])
            i += 2
        else:
            out.append(unit[i])
            i += 1
    return out


def build_vocabulary(bpe, texts):
    """Vocabulary of the BPE units in `texts` (most frequent first) after <pad> <unk> <s> </s>."""
    counts = Counter(unit for text in _check_texts(texts) for unit in bpe.tokenize(text))
    units = sorted(counts, key=lambda u: (-counts[u], u))
    return Vocabulary([BOS, EOS] + units, tokenize=bpe.tokenize)


def batch(vocab, texts, bos=False):
    """Ids of each text followed by </s> (preceded by <s> if bos), padded at the end with <pad>:
    (ids (N, L) int64 tensor, padding mask (N, L) bool, True at padding)."""
    texts = _check_texts(texts)
    if not texts:
        raise ValueError("texts: expected at least one text, got an empty list")
    start = [vocab.token_to_id[BOS]] if bos else []
    ids = [start + vocab.encode(text) + [vocab.token_to_id[EOS]] for text in texts]
    pad = vocab.token_to_id[Vocabulary.PAD]
    ids = torch.from_numpy(pad_sequences(ids, padding="post", value=pad))
    return ids, ids == pad


def translation_loss(model, vocab, src, tgt, label_smoothing=0.0):
    """Teacher forcing: predict tgt[t] from tgt[<t] and src; mean cross-entropy over non-pad targets."""
    src_ids, src_pad = batch(vocab, src)
    tgt_ids, _ = batch(vocab, tgt, bos=True)
    logits = model(src_ids, tgt_ids[:, :-1], src_pad)
    return F.cross_entropy(logits.flatten(0, 1), tgt_ids[:, 1:].flatten(), label_smoothing=label_smoothing,
                           ignore_index=vocab.token_to_id[Vocabulary.PAD])


def _ids_to_texts(vocab, ids):
    eos, texts = vocab.token_to_id[EOS], []
    for row in ids.tolist():
        row = row[: row.index(eos)] if eos in row else row
        texts.append(BPE.detokenize(vocab.decode(row)))
    return texts


def _check_decoding(model, max_len):
    if not isinstance(model, Seq2SeqTransformer):
        raise TypeError(f"model: expected a Seq2SeqTransformer, got {describe(model)}")
    return check_positive_int(max_len, "max_len")


def length_limits(src_pad, max_len):
    """How many units each output may have: 1.5 x the source's units + 5 (as in fairseq), at most max_len.
    A model that has not learned to stop yet cannot ramble on for max_len units."""
    return torch.clamp((3 * (~src_pad).sum(1)) // 2 + 5, max=max_len)


@torch.no_grad()
def greedy_decode(model, vocab, src, max_len=40):
    """Encode once; then append y_t = argmax p(y_t | y_<t, x) until </s> (or `length_limits` units).
    A sentence that has emitted </s> leaves the batch (its row is no longer computed)."""
    max_len = _check_decoding(model, max_len)
    src_ids, src_pad = batch(vocab, src)
    memory, eos = model.encode(src_ids, src_pad), vocab.token_to_id[EOS]
    limit = length_limits(src_pad, max_len)
    out = torch.full((len(src_ids), max_len + 1), vocab.token_to_id[Vocabulary.PAD])
    out[:, 0] = vocab.token_to_id[BOS]
    active = torch.arange(len(src_ids))
    for t in range(max_len):
        next_id = model.decode(out[active, : t + 1], memory[active], src_pad[active])[:, -1].argmax(-1)
        out[active, t + 1] = next_id
        active = active[(next_id != eos) & (t + 1 < limit[active])]
        if len(active) == 0:
            break
    return _ids_to_texts(vocab, out[:, 1:])


@torch.no_grad()
def beam_search(model, vocab, src, beam=4, max_len=40, alpha=1.0):
    """Keep the `beam` best prefixes per sentence, ranked by sum log p / length**alpha (alpha=0: the
    plain sum, which favours short outputs); a prefix ending in </s> is frozen (extended by <pad> at no
    cost), as is one `length_limits` units long; a sentence whose prefixes are all frozen leaves the batch.
    beam=1 is greedy decoding."""
    max_len, k = _check_decoding(model, max_len), check_positive_int(beam, "beam")
    src_ids, src_pad = batch(vocab, src)
    n, pad, eos = len(src_ids), vocab.token_to_id[Vocabulary.PAD], vocab.token_to_id[EOS]
    limit = length_limits(src_pad, max_len)
    memory = model.encode(src_ids, src_pad).repeat_interleave(k, 0)  # row i * k + j: beam j of sentence i
    src_pad = src_pad.repeat_interleave(k, 0)
    seqs = torch.full((n * k, max_len + 1), pad)
    seqs[:, 0] = vocab.token_to_id[BOS]
    score = torch.full((n, k), -torch.inf)
    score[:, 0] = 0.0  # all beams start equal: expand only the first one
    length = torch.zeros(n, k)
    done = torch.zeros(n, k, dtype=torch.bool)
    only_pad = torch.full((len(vocab),), -torch.inf)
    only_pad[pad] = 0.0
    for t in range(max_len):
        act = (~done.all(1)).nonzero()[:, 0]  # sentences with a prefix still growing
        if len(act) == 0:
            break
        rows = (act[:, None] * k + torch.arange(k)).flatten()
        logits = model.decode(seqs[rows, : t + 1], memory[rows], src_pad[rows])[:, -1]
        logp = torch.where(done[act, :, None], only_pad, F.log_softmax(logits, -1).view(len(act), k, -1))
        new_length = length[act] + (~done[act])
        total = score[act, :, None] + logp
        top = (total / new_length[..., None] ** alpha).view(len(act), -1).topk(k, dim=1).indices
        parent, token = top // len(vocab), top % len(vocab)
        score[act], length[act] = total.view(len(act), -1).gather(1, top), new_length.gather(1, parent)
        done[act] = done[act].gather(1, parent) | (token == eos) | (t + 1 >= limit[act, None])
        seqs[rows] = seqs[(act[:, None] * k + parent).flatten()]
        seqs[rows, t + 1] = token.flatten()
    best = (score / length ** alpha).argmax(1)
    return _ids_to_texts(vocab, seqs.view(n, k, -1)[torch.arange(n), best, 1:])


@torch.no_grad()
def cross_attention(model, vocab, src, tgt, layer=-1):
    """Cross-attention weights (averaged over heads) of one decoder layer while the model reads the
    target `tgt` for source `src` (both one str): (target units + </s>, source units + </s>) array."""
    attn = model.transformer.decoder.layers[layer].multihead_attn
    seen = []

    def hook(module, args, output):  # rerun the same call asking for the weights (forward: no hooks)
        query, key, value, key_padding_mask = args[:4]
        seen.append(module.forward(query, key, value, key_padding_mask, need_weights=True)[1])

    handle = attn.register_forward_hook(hook)
    try:
        src_ids, src_pad = batch(vocab, [_check_text(src, "src")])
        tgt_ids, _ = batch(vocab, [_check_text(tgt, "tgt")], bos=True)
        model(src_ids, tgt_ids[:, :-1], src_pad)
    finally:
        handle.remove()
    return seen[0][0].numpy()


class Dictionary:
    """German word -> first English translation, from the Ding dictionary's entries.

    A line reads "de | de form :: en | en form"; every aligned part, and each "; " alternative in it,
    that is a single German word gives an entry (lowercased key; the first one in the file wins;
    {f} [coll.] notes and a leading "to " of verbs removed). Sentence pairs come from
    bigmodels.data.load_translation_pairs instead.
    """

    def __init__(self, entries):
        self.entries = dict(entries)

    @classmethod
    def load(cls, path=TRANS_DE_EN):
        text = _debian_file(Path(path), "trans-de-en").decode("utf-8")
        return cls(parse_word_entries(text))

    def __len__(self):
        return len(self.entries)

    def translate(self, text):
        """Word by word: each word's first translation, unknown words (and punctuation) copied."""
        return detokenize([self.entries.get(w.lower(), w) for w in words(text)])


def parse_word_entries(text):
    """(german word lowercased, english) pairs of a Ding dictionary text, first occurrence first."""
    entries = {}
    for line in _check_text(text).split("\n"):
        if line.startswith("#") or " :: " not in line:
            continue
        german, english = line.split(" :: ", 1)
        for de_part, en_part in zip(german.split(" | "), english.split(" | ")):
            en = _clean(en_part.split("; ")[0])
            en = re.sub(r"^to | (sth|sb)\.", "", en).strip()  # "to go", "to give sb. sth." -> "go", "give"
            if not en or "/" in en:
                continue
            for de in de_part.split("; "):
                de = _clean(de)
                if re.fullmatch(r"\w+(?:-\w+)*", de):
                    entries.setdefault(de.lower(), en)
    return entries


def _clean(text):
    """Remove {f} [coll.] <note> and (explanations) from a dictionary part."""
    return re.sub(r"\s*\([^)]*\)", "", _ANNOTATION.sub("", text)).strip()


def dictionary_translate(dictionary, texts):
    """The word-by-word baseline on a list of German texts."""
    if not isinstance(dictionary, Dictionary):
        raise TypeError(f"dictionary: expected a Dictionary, got {describe(dictionary)}")
    return [dictionary.translate(text) for text in _check_texts(texts)]


def score(hypotheses, references):
    """{'chrF': ..., 'BLEU': ...} of detokenized hypotheses against one reference each (sacrebleu)."""
    import sacrebleu

    hypotheses, references = _check_texts(hypotheses, "hypotheses"), _check_texts(references, "references")
    if len(hypotheses) != len(references) or not hypotheses:
        raise ValueError(f"hypotheses and references: expected the same non-zero number of texts, "
                         f"got {len(hypotheses)} and {len(references)}")
    return {"chrF": sacrebleu.corpus_chrf(hypotheses, [references]).score,
            "BLEU": sacrebleu.corpus_bleu(hypotheses, [references]).score}


def short_pairs(german, english, max_words=12):
    """The pairs whose both sides have at most max_words words (whitespace-separated)."""
    max_words = check_positive_int(max_words, "max_words")
    kept = [(de, en) for de, en in zip(_check_texts(german, "german"), _check_texts(english, "english"))
            if len(de.split()) <= max_words and len(en.split()) <= max_words]
    return [de for de, _ in kept], [en for _, en in kept]


# The checkpoint: float16 weights, the model's arguments, the BPE merges and the vocabulary, all
# plain types, with the sha256 of that content; torch.load(weights_only=True) reads it.
CHECKPOINT = Path(__file__).resolve().parents[1] / "checkpoints" / "translation_de_en.pt"


def save_translator(path, model, config, bpe, vocab, meta=None):
    """Write model (float16), config, merges, vocabulary and meta with their sha256."""
    state = {"model": {k: v.detach().half() for k, v in model.named_parameters()},
             "config": dict(config), "merges": [list(p) for p in bpe.merges],
             "vocab": list(vocab.id_to_token), "meta": dict(meta or {})}
    state["sha256"] = content_digest(state)
    torch.save(state, path)


def load_translator(path=CHECKPOINT):
    """(model in eval mode, float32; bpe; vocab; meta) from a checkpoint, after checking its sha256."""
    if not Path(path).is_file():
        raise FileNotFoundError(f"{path}: no checkpoint (benchmarks/bench_translation.py makes it)")
    state = torch.load(path, weights_only=True)
    recorded = state.pop("sha256", None)
    if recorded != content_digest(state):
        raise ValueError(f"{path}: its content does not match the sha256 it carries (damaged or edited); "
                         "run benchmarks/bench_translation.py to make it again")
    bpe = BPE(state["merges"])
    tokens = state["vocab"][2:]  # after <pad> and <unk>
    vocab = Vocabulary(tokens, tokenize=bpe.tokenize)
    model = Seq2SeqTransformer(len(vocab), len(vocab), **state["config"])
    expected = {name for name, _ in model.named_parameters()}
    if set(state["model"]) != expected:
        raise ValueError(f"{path}: expected the parameters {sorted(expected)[:3]}..., "
                         f"got {sorted(state['model'])[:3]}...")
    model.load_state_dict({k: v.float() for k, v in state["model"].items()}, strict=False)
    return model.eval(), bpe, vocab, state["meta"]


def fp16_roundtrip(model):
    """Round a model's parameters to float16 and back in place (what the checkpoint stores)."""
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.half().float())
    return model
