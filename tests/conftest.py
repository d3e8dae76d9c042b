"""Shared fixtures: one build of the Jupyter Book site per test session (test_book, test_site).

Outside CI a test whose browser, tool or data set is missing is skipped with the fix in its reason;
under CI=true it fails instead (`missing`), so that a CI run cannot pass by skipping.

Hypothesis runs derandomized (the same examples on every run, so CI cannot fail by chance on a
case nobody saw locally); `pytest --hypothesis-profile=explore` draws fresh random examples.
"""

import os
import pathlib
import re
import subprocess
import sys
import time

import pytest
from hypothesis import settings

settings.register_profile("book", derandomize=True, deadline=None)
settings.register_profile("explore", deadline=None)
settings.load_profile("book")

ROOT = pathlib.Path(__file__).resolve().parents[1]
BUILD_TIMEOUT_S = 600
IN_CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def skip_or_fail(reason):
    """Skip with `reason` (which names the fix); under CI=true fail with it, as CI must run everything."""
    if IN_CI:
        pytest.fail(f"CI=true, so this is a failure, not a skip: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def missing():
    """`missing(reason)` for a test whose browser or data set is absent: skips here, fails under CI=true."""
    return skip_or_fail


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory):
    """Build both sites exactly as `make book` does (book/build.py), but into a temporary folder: the English
    site is the returned folder, the Chinese one its zh_CN/ subfolder."""
    try:
        import jupyter_book  # noqa: F401
    except ImportError:
        skip_or_fail("jupyter-book is not installed: run `make venv` (it is pinned in requirements.lock)")
    out = tmp_path_factory.mktemp("book")
    start = time.perf_counter()
    result = subprocess.run([sys.executable, str(ROOT / "book" / "build.py"), "--output", str(out)],
                            cwd=ROOT, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    seconds = time.perf_counter() - start
    log = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)  # drop colour codes
    (out / "build.log").write_text(log)
    problems = [line for line in log.splitlines() if "WARNING" in line or "ERROR" in line]
    clean = result.returncode == 0 and not problems
    assert clean, (
        f"book build failed (exit {result.returncode}, {seconds:.0f} s):\n"
        + "\n".join(problems or log.splitlines()[-40:]))
    site = out / "html"
    assert (site / "index.html").exists() and (site / "zh_CN" / "index.html").exists()
    return site


