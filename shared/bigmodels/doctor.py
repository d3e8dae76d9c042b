"""Check the installed environment: `python -m bigmodels.doctor` prints each FAIL with its fix, or one OK line.

Checks the Python version, every package pinned in requirements.lock against what is installed,
every offline dataset archive, the thread count and the device. Exit status 1 if anything failed.
`--all` prints every check (OK and FAIL); `main()` called from Python does the same.
Before anything is installed, `tools/preflight.py` (standard library only) checks what set-up needs;
`make doctor` runs both.
"""

import argparse
import importlib.metadata
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements.lock"
# pyproject's requires-python; requirements.lock resolves on each (tests/test_consistency.py keeps these in step).
SUPPORTED_PYTHONS = ((3, 11), (3, 12), (3, 13))


def read_pins(path):
    """name -> version for every `name==version` line of a requirements file."""
    pins = {}
    for line in path.read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line.strip())
        if m:
            pins[canonical(m.group(1))] = m.group(2)
    return pins


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def check_python():
    ok = sys.version_info[:2] in SUPPORTED_PYTHONS
    return ok, f"Python {sys.version.split()[0]}", "install Python 3.11, 3.12 or 3.13 and run `make clean venv`"


def check_packages():
    for name, want in sorted(read_pins(LOCK).items()):
        try:
            have = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            have = None
        ok = have is not None and have.split("+")[0] == want
        yield ok, f"{name}=={want} (installed: {have})", "run `make clean venv` (reinstalls requirements.lock)"


def check_datasets():
    """Every source archive present with its pinned sha256, every loader parses (its cache verified)."""
    from . import data

    loaders = [data.load_digits, data.load_mnist5k, data.load_rotten_tomatoes, data.load_chinese_reviews,
               data.load_shakespeare, data.load_people_daily]
    for name in sorted(data.sources.SOURCES):
        try:
            yield True, f"data source {name}: {data.sources.verify_archive(name).name}", ""
        except data.MissingDataError as e:
            yield False, f"data source {name}: missing", str(e)
        except ValueError as e:
            yield False, f"data source {name}: damaged", str(e)
    for load in loaders:
        try:
            loaded = load()
            size = f"{len(loaded):,} characters" if isinstance(loaded, str) else repr(loaded)
            yield True, f"{load.__name__}: {size}", ""
        except data.MissingDataError as e:
            yield False, f"{load.__name__}: source missing", str(e)
        except ValueError as e:
            yield False, f"{load.__name__}: damaged data", str(e)
    for load in [data.load_fashion_mnist, data.load_translation_pairs]:
        try:
            yield True, f"{load.__name__} (optional, Debian): {load()!r}", ""
        except data.MissingDataError:
            yield True, f"{load.__name__} (optional, Debian): missing; `make data` fetches it on Debian/Ubuntu", ""
    from . import speech

    for name in speech.ENGINES:
        try:
            yield True, f"speech synthesizer {name} (optional, Debian): {speech.find_engine(name).version}", ""
        except data.MissingDataError:
            yield True, f"speech synthesizer {name} (optional, Debian): not installed; chapter 6.3 says so", ""


def check_threads_and_device():
    import torch

    from .notebook import THREADS

    yield True, f"torch threads {torch.get_num_threads()} (chapters fix {THREADS} via bigmodels.notebook.setup)", ""
    device = "cuda: " + torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu (no CUDA device)"
    yield True, f"device {device}", ""


def main(verbose=True):
    """Print the checks (all of them, or with verbose=False only the failed ones and one summary line)."""
    python, packages = check_python(), list(check_packages())
    datasets, machine = list(check_datasets()), list(check_threads_and_device())
    checks = [python, *packages, *datasets, *machine]
    failed = 0
    for ok, what, fix in checks:
        if verbose or not ok:
            print(f"{'OK  ' if ok else 'FAIL'} {what}")
        if not ok:
            failed += 1
            print(f"     fix: {fix}")
    if verbose or failed:
        print(f"{len(checks) - failed} OK, {failed} FAIL")
    else:
        print(f"OK   {python[1]}, {len(packages)} pinned packages, {len(datasets)} data checks, "
              f"{machine[-1][1]} ({len(checks)} checks; `python -m bigmodels.doctor --all` lists them)")
    return 1 if failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="print every check, not only the failed ones")
    sys.exit(main(verbose=parser.parse_args().all))
