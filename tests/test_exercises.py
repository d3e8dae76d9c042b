"""Exercise solutions stay folded until the reader asks: in JupyterLab and on the site.

Each solution starts with a markdown cell that holds only its label, "**Solution k**" (k = 1, 2, ... in
order). A written answer follows in its own markdown cell, folded in JupyterLab
(`jupyter: {source_hidden: true}`) and on the site (a closed `:::{dropdown} Written answer`).
A solution's code is the code cell after the label (or after the written answer). It must carry
  - the cell metadata `jupyter: {source_hidden: true, outputs_hidden: true}` (JupyterLab and Notebook
    collapse its code and its output), in the .ipynb and in the py:percent pair
    (`# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-cell", ...]`);
  - the tag `hide-cell` (the site folds code *and* output behind one "Show solution" button;
    `hide-input` alone left the printed answer in view).
Every folded cell is a solution, so the site's button label (`nb_code_prompt_show` in book/_config.yml)
is true wherever it appears. The site test uses the session's one book build (tests/conftest.py).
"""

import html.parser
import json
import pathlib
import re
import tomllib

import jupytext
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
NOTEBOOKS = sorted(CHAPTERS.glob("*.ipynb"))
HIDDEN = {"source_hidden": True, "outputs_hidden": True}
SITE_HIDE_TAGS = {"hide-input", "hide-output", "hide-cell"}
SHOW_LABEL = "Show solution"


def source(cell):
    text = cell["source"]
    return "".join(text) if isinstance(text, list) else text


LABEL = re.compile(r"^\*\*Solution (\d+)\*\*$")
WRITTEN = ":::{dropdown} Written answer"


def is_label(cell):
    return cell["cell_type"] == "markdown" and source(cell).lstrip().startswith("**Solution")


def is_written_answer(cell):
    return cell["cell_type"] == "markdown" and source(cell).lstrip().startswith(WRITTEN)


def solution_cells(cells):
    """(position, cell) of every code cell that follows a solution label (or the label's written answer)."""
    found = []
    for i, cell in enumerate(cells):
        before = [c for c in cells[max(0, i - 2):i]]
        if cell["cell_type"] == "code" and before and (
                is_label(before[-1]) or (len(before) == 2 and is_label(before[0]) and is_written_answer(before[1]))):
            found.append((i, cell))
    return found


def label_problems(cells):
    """Labels hold only "**Solution k**", numbered 1, 2, ...; written answers are folded dropdowns."""
    problems = []
    labels = [source(c).strip() for c in cells if is_label(c)]
    for k, label in enumerate(labels, 1):
        if not LABEL.match(label) or int(LABEL.match(label).group(1)) != k:
            problems.append(f"solution label {label[:60]!r}: want exactly '**Solution {k}**' (the answer goes in "
                            "the next cell)")
    for i, cell in enumerate(cells):
        if is_written_answer(cell):
            if not (i > 0 and is_label(cells[i - 1])):
                problems.append(f"cell {i}: a written answer must follow its solution label")
            if cell.get("metadata", {}).get("jupyter", {}).get("source_hidden") is not True:
                problems.append(f"cell {i}: written answer not folded in JupyterLab (jupyter.source_hidden)")
            if not source(cell).rstrip().endswith(":::"):
                problems.append(f"cell {i}: written answer's dropdown is not closed with ':::'")
    return problems


def folded_on_site(tags):
    return "hide-cell" in tags or {"hide-input", "hide-output"} <= set(tags)


def problems_of(cells):
    problems = label_problems(cells)
    for i, cell in solution_cells(cells):
        metadata = cell.get("metadata", {})
        tags = metadata.get("tags", [])
        first_line = source(cell).strip().splitlines()[0] if source(cell).strip() else ""
        where = f"cell {i} ({first_line[:50]!r})"
        if any(metadata.get("jupyter", {}).get(key) is not True for key in HIDDEN):
            problems.append(f"{where}: metadata jupyter={metadata.get('jupyter')}, want {HIDDEN}")
        if not folded_on_site(tags):
            problems.append(f"{where}: tags {tags} leave the answer in view on the site; add hide-cell")
    solutions = {i for i, _ in solution_cells(cells)}
    for i, cell in enumerate(cells):
        tags = set(cell.get("metadata", {}).get("tags", []))
        if cell["cell_type"] == "code" and tags & SITE_HIDE_TAGS and i not in solutions:
            problems.append(f"cell {i} is folded ({sorted(tags & SITE_HIDE_TAGS)}) but is no solution: "
                            f"the site would label it {SHOW_LABEL!r}")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_solution_is_hidden_in_the_notebook(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    if any(re.search(r"^## Exercises", source(c), re.M) for c in cells if c["cell_type"] == "markdown"):
        assert solution_cells(cells), f"{path.name} has exercises but no '**Solution**' cell before a code cell"
    problems = problems_of(cells)
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_solution_is_hidden_in_the_py_pair(path):
    script = path.with_suffix(".py")
    cells = [{"cell_type": c.cell_type, "source": c.source, "metadata": c.metadata}
             for c in jupytext.read(script).cells]
    problems = problems_of(cells)
    assert not problems, f"{script.name}:\n" + "\n".join(problems)
    assert len(solution_cells(cells)) == len(solution_cells(json.loads(path.read_text())["cells"]))


def test_jupytext_keeps_the_hidden_metadata_both_ways():
    """py:percent -> notebook -> py:percent loses neither the metadata nor the nbval tag."""
    text = ('# %% [markdown]\n# **Solution 1**\n\n'
            '# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-cell", "nbval-ignore-output"]\n'
            'print(1)\n')
    notebook = jupytext.reads(text, fmt="py:percent")
    cell = notebook.cells[1]
    assert cell.metadata["jupyter"] == HIDDEN and cell.metadata["tags"] == ["hide-cell", "nbval-ignore-output"]
    again = jupytext.writes(jupytext.reads(jupytext.writes(notebook, fmt="ipynb"), fmt="ipynb"), fmt="py:percent")
    assert text in again


def test_the_site_labels_folded_cells_as_solutions():
    config = (ROOT / "book" / "_config.yml").read_text(encoding="utf-8")
    assert re.search(rf'^\s*nb_code_prompt_show:\s*"{SHOW_LABEL}"\s*$', config, re.M)


class Folds(html.parser.HTMLParser):
    """Counts <details> folds whose summary says SHOW_LABEL and whether each wraps an output."""

    def __init__(self):
        super().__init__()
        self.stack, self.folds = [], []

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "details":
            self.stack.append({"label": "", "output": False, "in_summary": False})
        elif self.stack and tag == "summary":
            self.stack[-1]["in_summary"] = True
        elif self.stack and "cell_output" in classes:
            self.stack[-1]["output"] = True

    def handle_endtag(self, tag):
        if tag == "summary" and self.stack:
            self.stack[-1]["in_summary"] = False
        elif tag == "details" and self.stack:
            fold = self.stack.pop()
            if SHOW_LABEL in fold["label"]:
                self.folds.append(fold)

    def handle_data(self, data):
        if self.stack and self.stack[-1]["in_summary"]:
            self.stack[-1]["label"] += data


@pytest.mark.slow
def test_every_solution_and_its_output_is_folded_on_the_site(site_dir):
    for path in NOTEBOOKS:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        solutions = solution_cells(notebook["cells"])
        parser = Folds()
        parser.feed((site_dir / "chapters" / f"{path.stem}.html").read_text(encoding="utf-8"))
        assert len(parser.folds) == len(solutions), (
            f"{path.stem}.html: {len(parser.folds)} '{SHOW_LABEL}' folds for {len(solutions)} solutions")
        page = (site_dir / "chapters" / f"{path.stem}.html").read_text(encoding="utf-8")
        written = sum(is_written_answer(c) for c in notebook["cells"])
        dropdowns = re.findall(r"<details[^>]*sd-dropdown[^>]*>", page)
        assert len(dropdowns) == written and not any(" open" in d for d in dropdowns), (
            f"{path.stem}.html: {len(dropdowns)} closed dropdowns for {written} written answers")
        with_output = sum(1 for _, cell in solutions if cell.get("outputs"))
        assert sum(fold["output"] for fold in parser.folds) == with_output, (
            f"{path.stem}.html: a solution's output is outside its fold")


def test_jupyterlab_opens_each_chapter_py_as_its_paired_notebook():
    """jupytext.toml pairs notebooks with py:percent scripts; `make lab` makes a double-click on a .py open it as
    a notebook (JupyterLab's default viewer for Python files, set in the environment's overrides.json)."""
    config = tomllib.loads((ROOT / "jupytext.toml").read_text(encoding="utf-8"))
    assert config["formats"] == "ipynb,py:percent"
    for path in NOTEBOOKS:
        assert json.loads(path.read_text(encoding="utf-8"))["metadata"]["jupytext"]["formats"] == config["formats"]
    settings = json.loads((ROOT / "tools" / "jupyterlab-settings.json").read_text(encoding="utf-8"))
    assert settings["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]["python"] == "Jupytext Notebook"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    lab = re.search(r"^lab:.*?(?=^\S)", makefile, re.M | re.S).group(0)
    assert "tools/jupyterlab-settings.json" in lab and "overrides.json" in lab
    # one entry per chapter in the file browser: the .py, opened as a notebook with the .ipynb's outputs
    assert "--ContentsManager.hide_globs=$(LAB_HIDDEN)" in lab
    hidden = re.search(r"^LAB_HIDDEN := (.+)$", makefile, re.M).group(1)
    assert "'*.ipynb'" in hidden and "'__pycache__'" in hidden
