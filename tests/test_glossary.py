"""The glossary and its links: every {term} role resolves to an entry, and every entry is linked somewhere.

An entry of book/glossary.md is a group of names (English, abbreviation, Chinese) on consecutive
unindented lines inside a ```{glossary} block, followed by its indented definition. Sphinx resolves
a `term` role by any of those names, case-insensitively; `{term}`text <name>`` links `text` to `name`.
The pages that can link are the chapters' markdown (chapters/*.py, the jupytext twins of the
notebooks) and the book's own pages (book/*.md).
"""

import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "book" / "glossary.md"
TERM_ROLE = re.compile(r"\{term\}`([^`]+)`")


def glossary_entries(text):
    """The entries of a glossary page: a list of name lists, in order."""
    entries, inside, names = [], False, None
    for line in text.splitlines():
        if line.startswith("```{glossary}"):
            inside, names = True, None
        elif inside and line.startswith("```"):
            inside, names = False, None
        elif not inside or line.startswith(":"):
            continue
        elif not line.strip() or line[0].isspace():
            names = None  # a blank line or the definition ends the names
        else:
            if names is None:
                names = []
                entries.append(names)
            names.append(line.strip())
    return entries


def role_target(content):
    """The glossary name a role points to: `text <name>` -> name, `name` -> name."""
    explicit = re.fullmatch(r"(?s)(.*?)\s*<([^<>]+)>", content)
    return (explicit.group(2) if explicit else content).strip()


def linking_pages():
    return sorted((ROOT / "chapters").glob("*.py")) + sorted((ROOT / "book").glob("*.md"))


def term_roles():
    """(page, target) for every {term} role in the pages that can link."""
    return [(path.relative_to(ROOT).as_posix(), role_target(match.group(1)))
            for path in linking_pages() for match in TERM_ROLE.finditer(path.read_text(encoding="utf-8"))]


ENTRIES = glossary_entries(GLOSSARY.read_text(encoding="utf-8"))
NAMES = {name.lower(): entry[0] for entry in ENTRIES for name in entry}


def test_the_glossary_parses_into_entries():
    assert len(ENTRIES) > 50
    assert ["Long short-term memory", "LSTM", "长短期记忆网络"] in ENTRIES
    assert all(entry and not name.startswith(":") for entry in ENTRIES for name in entry)
    names = [name.lower() for entry in ENTRIES for name in entry]
    assert len(names) == len(set(names)), "a name that two entries share makes {term} ambiguous"


def test_parser_on_a_small_page():
    page = "```{glossary}\n:sorted:\n\nAlpha\nA\n甲\n  The first.\n  Still the first.\n\nBeta\n  The second.\n```\n"
    assert glossary_entries(page) == [["Alpha", "A", "甲"], ["Beta"]]
    assert role_target("alphas <Alpha>") == "Alpha" and role_target("Beta") == "Beta"


def test_every_term_role_resolves_to_a_glossary_entry():
    unresolved = [f"{page}: {target}" for page, target in term_roles() if target.lower() not in NAMES]
    assert not unresolved, "{term} roles that name no glossary entry:\n" + "\n".join(unresolved)


def test_every_glossary_entry_is_linked_from_some_page():
    used = {NAMES[target.lower()] for _, target in term_roles() if target.lower() in NAMES}
    unused = [entry[0] for entry in ENTRIES if entry[0] not in used]
    assert not unused, "glossary entries no page links with {term}:\n" + "\n".join(unused)


@pytest.mark.parametrize("name", ["内存门", "输出层", "算法优化", "计算能力"])
def test_the_articles_terms_are_in_the_glossary(name):
    assert name.lower() in NAMES
