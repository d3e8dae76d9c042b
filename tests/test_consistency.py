"""README, Makefile, pyproject, the lock, environment.yml and .ci/run must tell the same story."""

import pathlib
import re
import subprocess
import sys
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from bigmodels import doctor
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


def minor_versions(specifier):
    """The Python minor versions a specifier such as ">=3.11,<3.14" admits: ["3.11", "3.12", "3.13"]."""
    spec = SpecifierSet(specifier)
    return [f"3.{minor}" for minor in range(6, 30) if spec.contains(f"3.{minor}.0")]


SUPPORTED = minor_versions(PYPROJECT["project"]["requires-python"])


def test_supported_pythons_are_3_11_to_3_13():
    """One lock, checked to resolve on each (every pin has a cp312 and a cp313 wheel for Linux x86_64)."""
    assert SUPPORTED == ["3.11", "3.12", "3.13"]


def test_environment_yml_uses_the_lock():
    env = (ROOT / "environment.yml").read_text()
    assert "- -r requirements.lock" in env, "environment.yml must install the exact pins of requirements.lock"


def test_every_file_names_the_same_python_versions():
    """pyproject's requires-python is the source; the Makefile, environment.yml, the doctor, the README and
    the book's introduction say the same, and nothing (those files or .ci/run) names another Python."""
    env = (ROOT / "environment.yml").read_text()
    intro = (ROOT / "book" / "intro.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    makefile_versions = re.search(r"^PYTHON_VERSIONS\s*:?=(.*)$", MAKEFILE, re.M)
    assert makefile_versions and makefile_versions.group(1).split() == SUPPORTED, "Makefile's PYTHON_VERSIONS"
    assert not re.search(r"^PYTHON\s*\??=\s*\S*python3\.\d+\s*$", MAKEFILE, re.M), "Makefile hard-codes one Python"
    conda_python = re.search(r"^\s*- python\s*([<>=!~][^\s#]*)", env, re.M)
    assert conda_python, "environment.yml names no python"
    assert minor_versions(conda_python.group(1)) == SUPPORTED, f"environment.yml's python{conda_python.group(1)}"
    assert [f"{major}.{minor}" for major, minor in doctor.SUPPORTED_PYTHONS] == SUPPORTED, "doctor.SUPPORTED_PYTHONS"
    phrase = "Python " + ", ".join(SUPPORTED[:-1]) + " or " + SUPPORTED[-1]
    assert phrase in README, f"README's requirements must say {phrase!r}"
    assert phrase in intro, f"book/intro.md must say {phrase!r}"
    for name, text in [("README.md", README), ("book/intro.md", intro), ("Makefile", MAKEFILE),
                       ("environment.yml", env), (".ci/run", ci)]:
        for version in re.findall(r"[Pp]ython[ -]?(3\.\d+)\b", text):
            assert version in SUPPORTED, f"{name} names Python {version}, not one of {SUPPORTED}"


def test_ci_fails_rather_than_skips():
    """.ci/run declares CI=true (a missing browser or data set then fails) and stops if it cannot install them."""
    script = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^export CI=true$", script, re.M)
    assert "will be skipped" not in script
    for fallback in re.findall(r"\|\|\s*\{?\s*echo[^\n]*", script):
        assert "exit 1" in fallback, f".ci/run carries on after a failure: {fallback}"


def test_missing_browser_or_data_skips_here_and_fails_under_ci(missing, monkeypatch):
    monkeypatch.setitem(missing.__globals__, "IN_CI", False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install x"):
        missing("apt-get install x")
    monkeypatch.setitem(missing.__globals__, "IN_CI", True)
    with pytest.raises(pytest.fail.Exception, match="CI=true.*apt-get install x"):
        missing("apt-get install x")


def test_ci_runs_the_readme_test_commands_and_nothing_else():
    """.ci/run may install the browser and data sets; it runs the README's test command, then the portability run."""
    script = (ROOT / ".ci" / "run").read_text()
    top_level = [line for line in script.splitlines() if line and not line[0].isspace()
                 and not line.startswith(("#", "set ", "cd ", "if ", "fi", "export CI=", "packages="))]
    assert top_level == ["make test", "make test-portable PORTABLE=all-at-once"], top_level
    assert "pytest" not in script, ".ci/run must not run tests other than through make"
    assert "```\nmake test\n```" in README or "make test" in re.findall(r"`([^`]+)`", README)
    assert "make test-portable PORTABLE=all-at-once" in README


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
    Markdown table rows, display equations and cell headers (a figure caption is cell metadata) are exempt."""
    limit = PYPROJECT["tool"]["ruff"]["line-length"]
    files = [p for folder in ("shared", "tests", "benchmarks", "book") for p in (ROOT / folder).rglob("*.py")]
    files += sorted((ROOT / "chapters").glob("*.py"))
    too_long = [f"{path.relative_to(ROOT)}:{number} ({len(line)} characters)"
                for path in files
                for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if len(line) > limit and not line.startswith(("# |", "# $$", "# %%"))]
    assert not too_long, f"lines over {limit} characters:\n" + "\n".join(too_long)


def test_package_map_lists_every_module():
    """shared/bigmodels/__init__.py and CONTRIBUTING.md carry the same module map (tools/package_map.py)."""
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "package_map.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
