"""Chapter notebooks: each paired with a py:percent file holding the same cells, run cleanly once."""

import json
import pathlib

import jupytext
import pytest

CHAPTERS = pathlib.Path(__file__).resolve().parents[1] / "chapters"
NOTEBOOKS = sorted(CHAPTERS.glob("*.ipynb"))


def cells(notebook):
    return [(c.cell_type, c.source.strip()) for c in notebook.cells]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_pair_has_the_same_cells(path):
    script = path.with_suffix(".py")
    assert script.exists(), f"{path.name} has no py:percent pair {script.name} (run `make sync`)"
    assert cells(jupytext.read(path)) == cells(jupytext.read(script)), (
        f"{path.name} and {script.name} differ: edit the .py, then `make sync` and re-execute")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_come_from_one_clean_run(path):
    code = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), f"{path.name}: execution counts {counts}"
    errors = [o for c in code for o in c["outputs"] if o["output_type"] == "error"]
    assert not errors, f"{path.name} stores an error output"


def test_every_script_has_a_notebook():
    for script in CHAPTERS.glob("*.py"):
        if script.name != "conftest.py":
            assert script.with_suffix(".ipynb").exists(), f"{script.name} has no notebook"


CODE_WIDTH = 88  # characters of code the site's text column shows at 1280 px (book/_ext/static/book.css)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_code_fits_the_column(path):
    """Readers see every character of a code cell without scrolling, on the site and in a narrow JupyterLab."""
    wide = [(i, line) for i, c in enumerate(json.loads(path.read_text())["cells"]) if c["cell_type"] == "code"
            for line in "".join(c["source"]).splitlines() if len(line) > CODE_WIDTH]
    assert not wide, f"{path.name}: {len(wide)} code lines wider than {CODE_WIDTH} characters, e.g. " + "; ".join(
        f"cell {i}: {line[:60]!r}..." for i, line in wide[:3])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_figure_has_a_caption(path):
    """A cell that draws a figure carries its caption (cell metadata mystnb.figure.caption; the site shows it
    under the figure): `# %% mystnb={"figure": {"caption": "..."}}` in the py:percent file."""
    missing = []
    for i, cell in enumerate(json.loads(path.read_text())["cells"]):
        draws = any("image/png" in output.get("data", {}) for output in cell.get("outputs", []))
        caption = cell["metadata"].get("mystnb", {}).get("figure", {}).get("caption", "")
        if draws and len(caption.split()) < 5:
            missing.append(f"cell {i}: {''.join(cell['source'])[:60]!r}")
    assert not missing, f"{path.name}: figures without a caption of a sentence:\n" + "\n".join(missing)
