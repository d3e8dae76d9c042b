"""Citations in the book's prose: every paper named by author and year carries a {cite} key nearby,
and every {cite} key is an entry of book/references.bib.

The prose is the markdown of the chapters (the comment lines of the markdown cells of chapters/*.py,
the jupytext twins of the notebooks) and the book's pages (book/*.md). A paragraph that names a
paper as "Kaplan et al. 2020", "Kaplan et al. (2020)", "Hochreiter & Schmidhuber (1997)", "Bu, Dong,
Long and Su 2020" or "Elman (1990)" must also hold a {cite} role (any of {cite}, {cite:p}, {cite:t}).
"""

import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
BIB = ROOT / "book" / "references.bib"
NAME = r"[A-Z][\w'’-]*[a-z][\w'’-]*"  # a capitalised name with a lower-case letter (not "GPT", "BERT")
YEAR = r"\(?(?:19|20)\d\d[a-z]?\)?"
AUTHOR_YEAR = re.compile(
    rf"\b{NAME}\s+et\s+al\.?,?\s+{YEAR}"  # Kaplan et al. 2020, Kaplan et al. (2020)
    rf"|\b{NAME}\s+(?:&|and)\s+{NAME}(?:\s+et\s+al\.?)?,?\s+{YEAR}"  # Hochreiter & Schmidhuber (1997)
    rf"|\b{NAME}\s+\((?:19|20)\d\d[a-z]?\)"  # Elman (1990)
)
NOT_AUTHORS = {"In", "Since", "From", "Until", "By", "Before", "After", "Python", "Keras", "PyTorch", "TensorFlow",
               "January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December", "Version", "Figure", "Table", "Chapter", "Section"}
CITE_ROLE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]*)`")


def markdown_of_chapter(path):
    """The chapter's markdown cells as text (the leading '# ' of the py:percent comments removed)."""
    lines, inside = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# %%"):
            inside = line.startswith("# %% [markdown]")
            lines.append("")
        elif inside and (line == "#" or line.startswith("# ")):
            lines.append(line[2:])
        else:
            lines.append("")
    return "\n".join(lines)


def prose_pages():
    """(page name, markdown text) for every chapter and book page."""
    pages = [(p.relative_to(ROOT).as_posix(), markdown_of_chapter(p)) for p in sorted((ROOT / "chapters").glob("*.py"))]
    return pages + [(p.relative_to(ROOT).as_posix(), p.read_text(encoding="utf-8"))
                    for p in sorted((ROOT / "book").glob("*.md"))]


def paragraphs(text):
    """Blocks of text separated by blank lines, each joined into one line."""
    return [" ".join(block.split()) for block in re.split(r"\n\s*\n", text) if block.strip()]


def uncited_author_years(text):
    """The author-year mentions of a text that have no {cite} role in their paragraph."""
    found = []
    for paragraph in paragraphs(text):
        if CITE_ROLE.search(paragraph):
            continue
        for match in AUTHOR_YEAR.finditer(paragraph):
            if match.group(0).split()[0] not in NOT_AUTHORS:
                found.append(match.group(0))
    return found


def bib_keys():
    return set(re.findall(r"^@\w+\{([^,\s]+),", BIB.read_text(encoding="utf-8"), re.M))


def cited_keys(text):
    return {key.strip() for match in CITE_ROLE.finditer(text) for key in match.group(1).split(",") if key.strip()}


@pytest.mark.parametrize("text,expected", [
    ("As Kaplan et al. 2020 found.", ["Kaplan et al. 2020"]),
    ("As Kaplan et al. (2020) found.", ["Kaplan et al. (2020)"]),
    ("The LSTM of Hochreiter & Schmidhuber (1997).", ["Hochreiter & Schmidhuber (1997)"]),
    ("Values from Bu, Dong, Long and Su 2020.", ["Long and Su 2020"]),
    ("The network of Elman (1990).", ["Elman (1990)"]),
    ("As Kaplan et al. 2020 found {cite}`kaplan2020scaling`.", []),
    ("As Kaplan et al.\n2020 found.\n\nLater {cite}`kaplan2020scaling`.", ["Kaplan et al. 2020"]),
    ("In 2012 GPUs arrived; GPT-3 (2020) has 175B parameters; since March (2023).", []),
])
def test_the_detector(text, expected):
    assert uncited_author_years(text) == expected


@pytest.mark.parametrize("page,text", prose_pages(), ids=lambda value: value if value.endswith((".py", ".md")) else "")
def test_papers_named_by_author_and_year_are_cited(page, text):
    uncited = uncited_author_years(text)
    assert not uncited, f"{page}: named by author and year without a {{cite}} key in the paragraph: {uncited}"


def test_every_cited_key_is_in_the_bibliography():
    keys = bib_keys()
    assert len(keys) > 30
    missing = sorted({f"{page}: {key}" for page, text in prose_pages() for key in cited_keys(text) - keys})
    assert not missing, "{cite} keys with no entry in book/references.bib:\n" + "\n".join(missing)
