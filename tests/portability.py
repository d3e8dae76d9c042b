"""Run every chapter under numerical configurations other than this machine's default.

    .venv/bin/python tests/portability.py                    # all configurations (make test-portable)
    .venv/bin/python tests/portability.py threads-1          # just one (what .ci/run does)

A reader's CPU, BLAS kernel or thread count rounds floating-point arithmetic differently from ours.
Each configuration below imitates one such difference on this machine; under each, the chapters
must pass nbval exactly as under the default (`make test`). For every configuration the script
prints the wall time, the test result and how far each reported figure moved from the default run
(build/results/default.jsonl, written by `make test`; run first if it is missing). A configuration
that moves no figure tests nothing, and fails.
Takes about 5 minutes per configuration on 2 cores.
"""

import argparse
import json
import os
import pathlib
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
RECORDS = ROOT / "build" / "results"

# Each changes the rounding of some kernel the chapters use (checked by the figures it moves).
CONFIGS = {
    "threads-1": {"BIGMODELS_THREADS": "1"},  # NumPy and torch GEMMs split differently: other sums
    "openblas-sandybridge": {"OPENBLAS_CORETYPE": "Sandybridge"},  # NumPy's matmul: AVX kernel, no FMA
    "aten-default": {"ATEN_CPU_CAPABILITY": "default"},  # torch's elementwise kernels without AVX2
    "mkl-compatible": {"MKL_CBWR": "COMPATIBLE"},  # torch's matmul (MKL): the conditional-reproducibility path
}
ALL_AT_ONCE = {name: value for config in CONFIGS.values() for name, value in config.items()}
KNOWN = {**CONFIGS, "all-at-once": ALL_AT_ONCE}  # the four together: what .ci/run adds after `make test`


def run_chapters(config):
    """Run the chapters under nbval with config's environment; (passed, wall seconds, summary line)."""
    env = {**os.environ, **KNOWN.get(config, {}), "BIGMODELS_CONFIG": config}
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "chapters", "-q", "-p", "no:cacheprovider"],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    (RECORDS / f"{config}.log").write_text(result.stdout + result.stderr)
    lines = [line for line in result.stdout.splitlines() if " passed" in line or " failed" in line]
    return result.returncode == 0, seconds, (lines[-1].strip("= ") if lines else "no summary line")


def read_record(config):
    path = RECORDS / f"{config}.jsonl"
    if not path.exists():
        return {}
    return {row["name"]: row for row in map(json.loads, path.read_text().splitlines())}


def moved(a, b):
    """How far figure b moved from a: the absolute difference of numbers; for text, inf if it changed, else None."""
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b)
    return None if a == b else float("inf")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("configs", nargs="*", metavar="CONFIG",
                        help=f"configurations to run, of {', '.join(KNOWN)} (default: the first four)")
    args = parser.parse_args(argv)
    unknown = [config for config in args.configs if config not in KNOWN]
    if unknown:
        parser.error(f"unknown configuration {', '.join(unknown)}: expected one of {', '.join(KNOWN)}")
    args.configs = args.configs or list(CONFIGS)
    RECORDS.mkdir(parents=True, exist_ok=True)
    runs = []
    if not read_record("default"):
        print("build/results/default.jsonl is missing: running the chapters under the default first", flush=True)
        runs.append(("default", *run_chapters("default")))
    for config in args.configs:
        print(f"running the chapters under {config}: {KNOWN[config]}", flush=True)
        runs.append((config, *run_chapters(config)))

    default = read_record("default")
    print(f"\n{'configuration':<22} {'result':<8} {'wall s':>7}  {'figures moved':>13}  nbval summary")
    ok = True
    for config, passed, seconds, summary in runs:
        record = read_record(config)
        changes = [moved(default[n]["value"], r["value"]) for n, r in record.items() if n in default]
        count = sum(1 for change in changes if change)
        tests_something = config == "default" or count > 0
        ok &= passed and tests_something
        verdict = "PASS" if passed else "FAIL"
        note = "" if tests_something else "  <- moves no figure: tests nothing"
        print(f"{config:<22} {verdict:<8} {seconds:7.0f}  {count:>5} of {len(changes):<5}  {summary}{note}")

    foreign = [config for config, *_ in runs if config != "default"]
    if foreign:
        print(f"\nfigures under each configuration (full precision; * = differs from default):")
        for name, row in default.items():
            values = []
            for config in foreign:
                other = read_record(config).get(name)
                if other is None:
                    values.append("missing")
                    continue
                change = moved(row["value"], other["value"])
                values.append(f"{other['value']}{'*' if change else ''}")
            tol = f" (tol {row['tol']:g})" if row["tol"] else ""
            print(f"  {name}{tol}\n    default {row['value']} | " + " | ".join(
                f"{config} {value}" for config, value in zip(foreign, values)))
    print("\nportability:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
