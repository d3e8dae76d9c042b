"""README, Makefile, pyproject, the lock, environment.yml and .ci/run must tell the same story."""

import pathlib
import re
import tomllib

from packaging.requirements import Requirement

from bigmodels.doctor import canonical, read_pins

ROOT = pathlib.Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
LOCK = read_pins(ROOT / "requirements.lock")
README = (ROOT / "README.md").read_text()
MAKEFILE = (ROOT / "Makefile").read_text()


def declared_requirements():
    project = PYPROJECT["project"]
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs += extra
    return [Requirement(r) for r in reqs]


def test_every_declared_dependency_is_pinned_in_the_lock_within_its_range():
    for req in declared_requirements():
        name = canonical(req.name)
        assert name in LOCK, f"{req.name} is in pyproject.toml but not pinned in requirements.lock"
        assert req.specifier.contains(LOCK[name], prereleases=True), (
            f"requirements.lock pins {name}=={LOCK[name]}, outside pyproject's range {req.specifier}")


def test_design_card_packages_are_declared():
    declared = {canonical(r.name) for r in declared_requirements()}
    for name in ["jupyter", "jupytext", "numpy", "torch", "matplotlib", "nbval"]:
        assert name in declared, f"design-card package {name} missing from pyproject.toml"


def test_torch_is_the_pinned_cpu_release():
    assert LOCK["torch"] == "2.13.0"


def test_environment_yml_uses_the_lock_and_the_same_python():
    env = (ROOT / "environment.yml").read_text()
    assert "- -r requirements.lock" in env, "environment.yml must install the exact pins of requirements.lock"
    assert "- python=3.11" in env
    assert PYPROJECT["project"]["requires-python"] == ">=3.11,<3.12"
    assert re.search(r"^PYTHON \?= python3\.11$", MAKEFILE, re.M)


def test_ci_runs_the_readme_test_command_and_nothing_else():
    """.ci/run may install the browser for the site test; its one test command is the README's."""
    script = (ROOT / ".ci" / "run").read_text()
    top_level = [line for line in script.splitlines() if line and not line[0].isspace()
                 and not line.startswith(("#", "set ", "cd ", "if ", "fi"))]
    assert top_level == ["make test"], top_level
    assert "pytest" not in script, ".ci/run must not run tests other than through `make test`"
    assert "```\nmake test\n```" in README or "make test" in re.findall(r"`([^`]+)`", README)


def test_readme_commands_exist_in_the_makefile():
    for target in re.findall(r"`make (\w+)`", README):
        assert re.search(rf"^{target}:", MAKEFILE, re.M), f"README mentions `make {target}`, Makefile lacks it"
    for target in ["test", "book", "lab", "sync", "data", "doctor"]:
        assert re.search(rf"^{target}:", MAKEFILE, re.M), f"Makefile lacks target {target}"


def test_makefile_test_uses_pytest_whose_config_carries_the_nbval_options():
    assert "$(BIN)/python -m pytest" in MAKEFILE
    addopts = PYPROJECT["tool"]["pytest"]["ini_options"]["addopts"]
    for option in ["--nbval", "--nbval-current-env", "--nbval-sanitize-with=tests/sanitize.cfg"]:
        assert option in addopts


def test_data_sources_are_hash_pinned():
    lines = [l for l in (ROOT / "data-sources.txt").read_text().splitlines() if "==" in l]
    assert lines and all("--hash=sha256:" in l for l in lines)


def test_python_lines_keep_the_declared_line_length():
    """The limit in pyproject's [tool.ruff] holds for the package, tests, benchmarks, book and chapters.
    Markdown table rows and display equations in chapter prose are exempt (they cannot wrap)."""
    limit = PYPROJECT["tool"]["ruff"]["line-length"]
    files = [p for folder in ("shared", "tests", "benchmarks", "book") for p in (ROOT / folder).rglob("*.py")]
    files += sorted((ROOT / "chapters").glob("*.py"))
    too_long = [f"{path.relative_to(ROOT)}:{number} ({len(line)} characters)"
                for path in files
                for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if len(line) > limit and not line.startswith(("# |", "# $$"))]
    assert not too_long, f"lines over {limit} characters:\n" + "\n".join(too_long)
