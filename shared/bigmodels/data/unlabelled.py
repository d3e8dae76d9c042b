"""Unlabelled text for pretraining language models, with the held-out snippets kept out.

English: the Rotten Tomatoes training snippets, VADER's other snippet collections (Amazon product
reviews, New York Times editorials, tweets; their ratings are ignored) and the Shakespeare plays.
Chinese: the Chinese review training texts and the People's Daily corpus. A validation or test text
of the labelled split never enters: any line equal to one is dropped, and `check_no_leak` verifies it.
"""

from __future__ import annotations

import html

from .corpora import load_people_daily, load_shakespeare
from .datasets import Split
from .sources import read_member, verify_archive

VADER_SNIPPETS = "vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz"
OTHER_SNIPPETS = {"amazon reviews": ("amazonReviewSnippets", 3708),
                  "NYT editorials": ("nytEditorialSnippets", 5190), "tweets": ("tweets", 4200)}


def vader_snippets(collection: str) -> list[str]:
    """The texts of one of VADER's snippet collections (`<collection>_GroundTruth.txt`, third field)."""
    names = {name for name, _ in OTHER_SNIPPETS.values()}
    if collection not in names:
        raise ValueError(f"collection: expected one of {sorted(names)}, got {collection!r}")
    expected = dict(OTHER_SNIPPETS.values())[collection]
    raw = read_member(verify_archive("vaderSentiment"), VADER_SNIPPETS,
                      f"hutto_ICWSM_2014/{collection}_GroundTruth.txt").decode("utf-8", errors="replace")
    rows = [line.split("\t") for line in raw.splitlines() if line.strip()]
    if len(rows) != expected or {len(row) for row in rows} != {3}:
        raise ValueError(f"{collection}: expected {expected} lines of 3 tab-separated fields, "
                         f"got {len(rows)} lines")
    return [html.unescape(text.strip()) for _, _, text in rows]


def _check_split(split, name):
    if not isinstance(split, Split) or split.name != name:
        raise TypeError(f"split: expected the Split of load_{name}(), got {type(split).__name__} "
                        f"{getattr(split, 'name', '')!r}")


def _without(held_out: set[str], lines: list[str]) -> list[str]:
    return [line for line in lines if line.strip() and line.strip() not in held_out]


def unlabelled_english(split: Split) -> dict[str, list[str]]:
    """Lines of English text by source; split = load_rotten_tomatoes() (its val and test texts left out)."""
    _check_split(split, "rotten_tomatoes")
    held_out = set(split.X_val) | set(split.X_test)
    sources = {"Rotten Tomatoes training snippets": list(split.X_train)}
    for name, (collection, _) in OTHER_SNIPPETS.items():
        sources[f"VADER {name}"] = vader_snippets(collection)
    sources["Shakespeare plays"] = load_shakespeare().split("\n")
    return {name: _without(held_out, lines) for name, lines in sources.items()}


def unlabelled_chinese(split: Split) -> dict[str, list[str]]:
    """Lines of Chinese text by source; split = load_chinese_reviews() (its val and test texts left out)."""
    _check_split(split, "chinese_reviews")
    held_out = set(split.X_val) | set(split.X_test)
    sources = {"Chinese review training texts": list(split.X_train),
               "People's Daily (January 1998)": load_people_daily().split("\n")}
    return {name: _without(held_out, lines) for name, lines in sources.items()}


def check_no_leak(sources: dict[str, list[str]], split: Split) -> int:
    """ValueError if a validation or test text of split is a line of any source; else the lines checked."""
    held_out = set(split.X_val) | set(split.X_test)
    n = 0
    for name, lines in sources.items():
        leaked = [line for line in lines if line.strip() in held_out]
        if leaked:
            raise ValueError(f"{name}: {len(leaked)} held-out (validation or test) texts, "
                             f"e.g. {leaked[0][:60]!r}")
        n += len(lines)
    return n
