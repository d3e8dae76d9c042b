"""Repository-wide pytest set-up: the offline guard, the notebook timing report, the figure record.

Every figure a chapter reports (bigmodels.results.report) is also written at full precision to
build/results/<BIGMODELS_CONFIG or default>.jsonl, so that `make test-portable` can show how far
each figure moves under another numerical configuration.
"""

import json
import os
import pathlib
import sys
import time
from collections import defaultdict

from bigmodels.results import RECORD_ENV

ROOT = pathlib.Path(__file__).parent
GUARD_DIR = ROOT / "tests" / "netguard"  # the offline guard: test tooling, not part of the book's package
sys.path.insert(0, str(GUARD_DIR))
from netguard import install  # noqa: E402

# Every notebook kernel and subprocess inherits this and installs the guard at start-up.
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(GUARD_DIR), os.environ.get("PYTHONPATH")]))
install()
# Spinning OpenMP threads make torch ~10x slower on a loaded 2-core machine; kernels inherit this.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

RESULTS_RECORD = ROOT / "build" / "results" / f"{os.environ.get('BIGMODELS_CONFIG', 'default')}.jsonl"

_notebook_seconds = defaultdict(float)
_notebook_failed = set()


# Chapters whose data exists only as Debian packages (`make data` fetches them on Debian/Ubuntu). Elsewhere
# their stored outputs cannot be reproduced, so nbval skips them with the reason; under CI=true they run.
NEEDS_DEBIAN = {"chapters/06_3_applications.ipynb": ["trans-de-en", "espeak-ng", "flite"]}


def pytest_collection_modifyitems(config, items):
    import importlib.util

    import pytest

    if os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
        return
    spec = importlib.util.spec_from_file_location("fetch_debian", ROOT / "tools" / "fetch_debian.py")
    fetch_debian = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fetch_debian)
    for item in items:
        packages = NEEDS_DEBIAN.get(pathlib.Path(str(item.path)).relative_to(ROOT).as_posix(), [])
        absent = [p for p in packages if not fetch_debian.present(p)]
        if absent:
            item.add_marker(pytest.mark.skip(reason=f"needs the Debian packages {' '.join(absent)}: "
                                                    "`make data` fetches them on Debian/Ubuntu (README, Requirements)"))


def pytest_collection_finish(session):
    """A run that executes chapters records their figures afresh (kernels start after collection)."""
    if any(str(item.path).endswith(".ipynb") for item in session.items):
        RESULTS_RECORD.parent.mkdir(parents=True, exist_ok=True)
        RESULTS_RECORD.write_text("")
        os.environ[RECORD_ENV] = str(RESULTS_RECORD)


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        _notebook_seconds[path] += report.duration
        if report.failed:
            _notebook_failed.add(path)


def pytest_terminal_summary(terminalreporter):
    if not _notebook_seconds:
        return
    write = terminalreporter.write_line
    terminalreporter.section("notebook execution times")
    for path, seconds in sorted(_notebook_seconds.items()):
        flag = "  FAILED" if path in _notebook_failed else ""
        write(f"{seconds:8.1f} s  {path}{flag}")
    write(f"{sum(_notebook_seconds.values()):8.1f} s  total")
    if RESULTS_RECORD.stem != "default":
        return  # the README's times are those of a default run, never of a portability configuration
    out = ROOT / "build" / "notebook_times.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
                               "seconds": dict(sorted(_notebook_seconds.items()))}, indent=1))
