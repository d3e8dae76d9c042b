"""Stored notebook outputs must not depend on one machine's floating-point rounding.

A figure computed through floating-point kernels differs in its last digits between CPUs, BLAS
kernels and thread counts. Chapters either tag such a cell `nbval-ignore-output` and assert its
claim, or report the figure with `report(..., expect=, tol=)`, whose value the sanitizer masks.
These tests run notebooks under the foreign configuration of tests/portability.py ("all-at-once"):
a made-up notebook shows that the mechanism catches what it must, and one chapter shows that a
real chapter passes. `make test-portable` (and .ci/run) runs every chapter that way.
"""

import importlib.util
import os
import pathlib
import subprocess
import sys

import nbformat
import pytest

from bigmodels.results import RECORD_ENV

ROOT = pathlib.Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("portability", ROOT / "tests" / "portability.py")
portability = importlib.util.module_from_spec(spec)
spec.loader.exec_module(portability)

# torch's parallel sum splits the reduction by thread: 1 and 2 threads round differently on any CPU.
SETUP = "from bigmodels.notebook import setup; setup()\nimport torch\n"
FLOAT = "x = torch.linspace(-3, 3, 1_000_003).exp()\ntotal = x.sum().item()\n"
CELLS = {
    "compared as text": FLOAT + "print(repr(total))",
    "marked and asserted": FLOAT + "print(repr(total))\nassert abs(total - 3339308.4) < 2  # float32 rounding: ~0.3",
    "reported with a tolerance": FLOAT + "from bigmodels.results import report\n"
                                 "report('sum', total, '{!r}', expect=3339308.4, tol=2)",
}
# The chapter that every `make test` also runs under the foreign configuration: it trains small
# models in NumPy and torch, so its figures move under each configuration.
CHAPTER = "05_trends_and_challenges.ipynb"


def run(args, config, cwd=ROOT):
    env = {**os.environ, **portability.ALL_AT_ONCE} if config == "foreign" else dict(os.environ)
    env["BIGMODELS_CONFIG"] = f"unit-{config}"
    env.pop(RECORD_ENV, None)  # the probe's figures are not the book's: keep them out of this run's record
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def nbval(path, config):
    return run(["-m", "pytest", "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(ROOT), str(path),
                "-q", "-p", "no:cacheprovider"], config)


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """A notebook per kind of cell, executed under this machine's default configuration."""
    paths = {}
    for kind, source in CELLS.items():
        path = tmp_path_factory.mktemp("nb") / "probe.ipynb"
        tags = ["nbval-ignore-output"] if kind == "marked and asserted" else []
        cells = [nbformat.v4.new_code_cell(SETUP), nbformat.v4.new_code_cell(source, metadata={"tags": tags})]
        notebook = nbformat.v4.new_notebook(cells=cells)
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(notebook, path)
        result = run(["-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--inplace", str(path)], "default")
        assert result.returncode == 0, result.stderr[-2000:]
        paths[kind] = path
    return paths


def test_foreign_configuration_changes_the_float_figure(executed):
    result = nbval(executed["compared as text"], "default")
    assert result.returncode == 0, result.stdout[-3000:]
    result = nbval(executed["compared as text"], "foreign")
    assert result.returncode != 0 and "Cell outputs differ" in result.stdout, (
        "the foreign configuration no longer changes torch's sum: it would test nothing\n" + result.stdout[-3000:])


@pytest.mark.parametrize("kind", ["marked and asserted", "reported with a tolerance"])
def test_marked_or_tolerant_figures_pass_under_the_foreign_configuration(executed, kind):
    result = nbval(executed[kind], "foreign")
    assert result.returncode == 0, result.stdout[-3000:]


def test_a_chapter_passes_under_the_foreign_configuration():
    result = nbval(ROOT / "chapters" / CHAPTER, "foreign")
    assert result.returncode == 0, (
        f"{CHAPTER} fails under {portability.ALL_AT_ONCE}: a cell's stored output depends on floating-point "
        "rounding (tag it nbval-ignore-output and assert its claim, or report(..., expect=, tol=))\n"
        + result.stdout[-4000:])


def test_readme_makefile_and_ci_describe_the_same_check():
    readme, makefile, ci = ((ROOT / name).read_text() for name in ("README.md", "Makefile", ".ci/run"))
    assert "\ntest-portable: venv\n\t$(BIN)/python tests/portability.py $(PORTABLE)\n" in makefile
    assert "make test-portable PORTABLE=all-at-once" in ci and ci.index("make test\n") < ci.index("test-portable")
    for config in portability.CONFIGS.values():
        for name, value in config.items():
            assert f"{name}={value}" in readme, f"README's portability section does not name {name}={value}"
    assert "make test-portable" in readme


def test_chapters_mark_cells_with_tags_not_comments():
    """nbval's markers stay out of the code readers see: cell tags, never `# NBVAL_...` comments."""
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                assert "NBVAL_" not in cell.source, f"{path.name}: use the cell tag nbval-ignore-output instead"
