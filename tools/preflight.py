"""Before installing: can `make test` set this book up here? Standard library only, any Python 3.

    python3 tools/preflight.py          (`make doctor` runs it first, then bigmodels.doctor once installed)

Prints each problem with its fix, or one OK line; exit status 1 if anything would stop the set-up:
  - the operating system and processor: PyTorch 2.13 ships wheels for Linux (x86_64, aarch64), macOS on
    Apple silicon and Windows, but the Makefile needs a POSIX shell, so Windows means WSL;
  - a supported Python (3.11, 3.12 or 3.13, as the Makefile's PYTHON_VERSIONS) that can create a venv;
  - an existing .venv that still runs (its Python may have been removed or upgraded since);
  - free disk for .venv (1.7 GB with torch's CPU build, 5.4 GB with PyPI's CUDA build on Linux) and .data;
  - `make` on the PATH;
  - only while .venv or .data is missing: the package index answers (one HEAD request per host, 4 s each).
No compiler is checked: every pin of requirements.lock has a wheel for these platforms, nothing is built.
Written for old Pythons too (no syntax newer than 3.6), since it must run where the right one is missing.
"""

import argparse
import os
import platform
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The Makefile's PYTHON_VERSIONS and pyproject's requires-python (tests/test_doctor.py keeps them equal).
SUPPORTED = ("3.11", "3.12", "3.13")
GB = 1e9
VENV_GB_CPU, VENV_GB_CUDA, DATA_GB = 2.0, 6.0, 0.1  # what set-up needs, with a margin over 1.7 / 5.4 / 0.06
DEFAULT_INDEX = "https://pypi.org/simple/"
FILES_HOST = "https://files.pythonhosted.org/"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
TIMEOUT_S = 4


def versions_phrase():
    return ", ".join(SUPPORTED[:-1]) + " or " + SUPPORTED[-1]


def install_python_fix():
    newest = SUPPORTED[-1]
    if sys.platform == "darwin":
        how = "`brew install python@{v}` or the installer from python.org".format(v=newest)
    elif shutil.which("apt-get"):
        how = ("`sudo apt-get install python3.X python3.X-venv` with a version your release has (Debian 12: "
               "3.11, Ubuntu 24.04: 3.12; older Ubuntu: the deadsnakes PPA)")
    elif shutil.which("dnf"):
        how = "`sudo dnf install python{v}`".format(v=newest)
    else:
        how = "your system's package manager or python.org"
    return ("install Python {phrase}: {how}, or `uv python install {v}`; then `make test`, naming it if it "
            "is not on the PATH: `make test PYTHON=/path/to/python{v}`").format(phrase=versions_phrase(), how=how,
                                                                               v=newest)


def run_python(python, code):
    """(ok, stdout) of `python -c code`; ok is False when it cannot run at all."""
    try:
        result = subprocess.run([python, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                universal_newlines=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False, ""
    return result.returncode == 0, result.stdout.strip()


def python_version(python):
    ok, out = run_python(python, "import sys; print('%d.%d.%d' % sys.version_info[:3])")
    return out if ok else None


def minor(version):
    return ".".join(version.split(".")[:2])


def check_platform(system=None, machine=None):
    system = system or platform.system()
    machine = (machine or platform.machine()).lower()
    if system == "Windows":
        return [("Windows without WSL: the Makefile needs a POSIX shell and `make`",
                 "install WSL 2 (`wsl --install` in an administrator PowerShell, then Ubuntu) and run the book "
                 "inside it")]
    if system == "Darwin" and machine in ("x86_64", "i386"):
        return [("macOS on an Intel processor: PyTorch publishes no macOS x86_64 wheels after 2.2, and the book "
                 "pins torch 2.13", "use a Mac with Apple silicon, or Linux (a VM or a container)")]
    if system == "Linux" and machine not in ("x86_64", "amd64", "aarch64", "arm64"):
        return [("Linux on {}: PyTorch 2.13 has wheels for x86_64 and aarch64 only".format(machine),
                 "use an x86_64 or aarch64 machine")]
    return []


def find_python(requested):
    """(python, version, problems): the Python `make` would use, as the Makefile chooses it."""
    if requested:
        version = python_version(requested)
        if version is None:
            return None, None, [("PYTHON={} does not run".format(requested), install_python_fix())]
        if minor(version) not in SUPPORTED:
            return None, None, [("PYTHON={} is Python {}; this book needs {}".format(
                requested, version, versions_phrase()), install_python_fix())]
        return requested, version, []
    for v in SUPPORTED:
        version = python_version("python" + v)
        if version is not None:
            return "python" + v, version, []
    others = ["{} is {}".format(name, python_version(name)) for name in ("python3", "python")
              if shutil.which(name) and python_version(name)]
    seen = " (found: {})".format(", ".join(others)) if others else ""
    return None, None, [("no Python {} on the PATH{}".format(versions_phrase(), seen), install_python_fix())]


def check_venv_support(python, version):
    ok, _ = run_python(python, "import venv, ensurepip")
    if ok:
        return []
    v = minor(version)
    return [("{} cannot create a virtual environment (no ensurepip)".format(python),
             "install its venv support: `sudo apt-get install python{v}-venv` on Debian/Ubuntu, or use "
             "another Python {phrase}".format(v=v, phrase=versions_phrase()))]


def needs_cuda_torch(torch_index, system=None, machine=None):
    """On Linux x86_64, PyPI's torch is the CUDA build unless a CPU index or local wheels are given."""
    system = system or platform.system()
    machine = (machine or platform.machine()).lower()
    return (system == "Linux" and machine in ("x86_64", "amd64") and not torch_index
            and not os.environ.get("PIP_FIND_LINKS"))


def check_disk(root, venv_missing, data_missing, torch_index, disk_usage=shutil.disk_usage):
    cuda = venv_missing and needs_cuda_torch(torch_index)
    need = (VENV_GB_CUDA if cuda else VENV_GB_CPU) * venv_missing + DATA_GB * data_missing
    if need == 0:
        return [], None
    existing = root
    while not os.path.exists(existing) and os.path.dirname(existing) != existing:
        existing = os.path.dirname(existing)
    free = disk_usage(existing).free
    if free >= need * GB:
        return [], free
    what = "{:.1f} GB free where the book lives ({}); set-up needs about {:.1f} GB".format(free / GB, root, need)
    fix = "free some space (or clone the book onto a larger disk)"
    if cuda and free >= (VENV_GB_CPU + DATA_GB * data_missing) * GB:
        fix = "install torch's CPU build, which needs {:.0f} GB: `make test TORCH_INDEX={}`".format(VENV_GB_CPU,
                                                                                                 CPU_INDEX)
    elif cuda:
        fix += ", and install torch's CPU build (`make test TORCH_INDEX={}`)".format(CPU_INDEX)
    return [(what, fix)], free


def reachable(url, opener=urllib.request.urlopen):
    try:
        opener(urllib.request.Request(url, method="HEAD"), timeout=TIMEOUT_S).close()
        return True
    except urllib.error.HTTPError:
        return True  # the server answered
    except Exception:  # noqa: BLE001 - any failure to connect (DNS, refused, TLS, timeout, proxy) is "no"
        return False


def hide_password(url):
    parts = urllib.parse.urlsplit(url)
    if parts.password:
        parts = parts._replace(netloc="{}:***@{}".format(parts.username, parts.netloc.rsplit("@", 1)[1]))
    return urllib.parse.urlunsplit(parts)


def check_network(torch_index, opener=urllib.request.urlopen):
    index = os.environ.get("PIP_INDEX_URL") or os.environ.get("UV_INDEX_URL") or DEFAULT_INDEX
    urls = [index.rstrip("/") + "/pip/"] + ([FILES_HOST] if index == DEFAULT_INDEX else [])
    if torch_index:
        urls.append(torch_index.rstrip("/") + "/torch/")
    down = [url for url in urls if not reachable(url, opener)]
    if not down:
        return [], index
    if os.environ.get("PIP_FIND_LINKS"):
        return [], None  # local wheels (PIP_FIND_LINKS) may carry the whole set-up
    shown = ", ".join(hide_password(url) for url in down)
    return [("set-up downloads packages and data, but {} did not answer within {} s".format(shown, TIMEOUT_S),
             "connect to the internet (behind a proxy: export HTTPS_PROXY=http://host:port), or point pip at a "
             "mirror (PIP_INDEX_URL) or at local wheels (PIP_FIND_LINKS=/dir), then `make test`")], None


def check_tools():
    if shutil.which("make"):
        return []
    if sys.platform == "darwin":
        fix = "`xcode-select --install` (the command line tools include make)"
    elif shutil.which("apt-get"):
        fix = "`sudo apt-get install make`"
    else:
        fix = "install `make` with your system's package manager"
    return [("`make` is not on the PATH", fix)]


def check_existing_venv(venv_python, venv=".venv"):
    version = python_version(venv_python)
    if version is None:
        return [("{} exists but its Python does not run (removed or upgraded since it was made)".format(venv),
                 "`rm -rf {}` and `make test`, which recreates it".format(venv))], None
    if minor(version) not in SUPPORTED:
        return [("{} has Python {}; this book needs {}".format(venv, version, versions_phrase()),
                 "`rm -rf {}` and `make test PYTHON=/path/to/python{}`".format(venv, SUPPORTED[-1]))], None
    return [], version


def preflight(root=ROOT, python="", torch_index="", network=True, opener=urllib.request.urlopen,
              disk_usage=shutil.disk_usage, venv=".venv"):
    """(problems, summary): problems is a list of (what, fix); summary describes what was found."""
    problems = check_platform() + check_tools()
    venv_python = os.path.join(root, venv, "bin", "python")
    venv_missing = not os.path.lexists(venv_python)  # a dangling link is a broken .venv, not a missing one
    data_missing = not os.path.exists(os.path.join(root, ".data", "sources", ".complete"))
    summary = []
    if venv_missing:
        found, version, trouble = find_python(python)
        problems += trouble
        if found:
            problems += check_venv_support(found, version)
            summary.append("Python {} ({}); no {} yet: `make test` creates it".format(version, found, venv))
    else:
        trouble, version = check_existing_venv(venv_python, venv)
        problems += trouble
        if version:
            summary.append("{} runs Python {}".format(venv, version))
    trouble, free = check_disk(root, venv_missing, data_missing, torch_index, disk_usage)
    problems += trouble
    if free is not None and not trouble:
        summary.append("{:.0f} GB free".format(free / GB))
    if network and (venv_missing or data_missing):
        trouble, index = check_network(torch_index, opener)
        problems += trouble
        if not trouble:
            summary.append("package index {} answers".format(hide_password(index)) if index
                           else "package index not reached, local wheels in PIP_FIND_LINKS")
    return problems, "; ".join(summary)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=os.environ.get("PYTHON", ""),
                        help="the Python `make` is told to use (make's PYTHON=); default: as the Makefile picks")
    parser.add_argument("--torch-index", default=os.environ.get("TORCH_INDEX", ""), help="make's TORCH_INDEX=")
    parser.add_argument("--root", default=ROOT, help=argparse.SUPPRESS)
    parser.add_argument("--venv", default=".venv", help="the environment's folder (make's VENV=)")
    parser.add_argument("--no-network", action="store_true", help="skip the package index check")
    parser.add_argument("--quiet", action="store_true", help="print nothing when all is well")
    args = parser.parse_args(argv)
    problems, summary = preflight(args.root, args.python, args.torch_index, network=not args.no_network,
                                  venv=args.venv)
    for what, fix in problems:
        print("FAIL " + what)
        print("     fix: " + fix)
    if not problems and not args.quiet:
        print("OK   ready to set up: " + summary)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
