"""Headline figures: printed in one fixed format so the README's results table can be collected.

A chapter cell calls `report("MLP test accuracy (MNIST-5k)", 0.9712, "{:.2%}")`; the stored
notebook output then carries `[result] MLP test accuracy (MNIST-5k) = 97.12%`, which
`benchmarks/readme_tables.py` copies into README.md. Benchmark scripts print the same lines into
benchmarks/results/*.txt.

Exact figures (counts, sizes, closed-form arithmetic) are the same on every machine, and nbval
compares them as text. A figure computed by floating-point training differs in its last digits
between CPUs, BLAS kernels and thread counts: a cell printing it carries the `nbval-ignore-output` tag, and
the figure is reported with the tolerance it must hold on every machine:

    report("LSTM accuracy", acc, "{:.2f}", expect=0.97, tol=0.03)

asserts |acc - 0.97| <= 0.03 and prints `[result] LSTM accuracy = 0.97 (±0.03)` (the tolerance
in the value's format). The tolerance is
measured: `make test-portable` runs every chapter under other thread counts and kernels and prints
how far each figure moved.
"""

import json
import math
import numbers
import os

PREFIX = "[result] "
# Set by the test run (conftest.py): every reported figure is also appended here at full precision.
RECORD_ENV = "BIGMODELS_RESULTS_OUT"


def report(name, value, fmt="{}", *, expect=None, tol=None):
    """Print `[result] name = value` (value formatted with fmt).

    With expect and tol, first assert |value - expect| <= tol and print the tolerance after the value.
    Returns nothing, so a notebook cell ending in report(...) shows only the printed line.
    """
    if not isinstance(name, str) or " = " in name or "\n" in name:
        raise ValueError(f"name: expected a string without ' = ' (the separator) or a newline, got {name!r}")
    if (expect is None) != (tol is None):
        raise ValueError(f"expect and tol: give both or neither, got expect={expect!r}, tol={tol!r}")
    text = fmt.format(value)
    if tol is not None:
        if not (isinstance(tol, numbers.Real) and math.isfinite(tol) and tol > 0):
            raise ValueError(f"tol: expected a positive finite number, got {tol!r}")
        if not (isinstance(value, numbers.Real) and math.isfinite(value)):
            raise ValueError(f"value of {name!r}: expected a finite number to compare with {expect}, got {value!r}")
        if abs(value - expect) > tol:
            raise AssertionError(f"{name} = {value!r}: expected {expect} within {tol}, "
                                 f"off by {abs(value - expect):.3g}")
        tol_text = fmt.replace("{:+", "{:").format(tol)  # in the value's units and precision
        if not any(ch in "123456789" for ch in tol_text.split("e")[0]):
            raise ValueError(f"tol: {tol} prints as {tol_text!r} with fmt {fmt!r}: give at least one printed digit")
        text += f" (±{tol_text})"
    record = os.environ.get(RECORD_ENV)
    if record:
        with open(record, "a", encoding="utf-8") as file:
            number = float(value) if isinstance(value, numbers.Real) else str(value)
            file.write(json.dumps({"name": name, "value": number, "tol": tol}) + "\n")
    print(f"{PREFIX}{name} = {text}")


def parse(text):
    """(name, value) pairs from every `[result] name = value` line of a text."""
    pairs = []
    for line in text.splitlines():
        if line.startswith(PREFIX) and " = " in line:
            name, value = line[len(PREFIX):].split(" = ", 1)
            pairs.append((name.strip(), value.strip()))
    return pairs


def benchmark_result(filename):
    """What a benchmark script wrote to benchmarks/results/filename: parsed JSON, or text.

    A missing file raises FileNotFoundError naming the script(s) in benchmarks/ that write it.
    """
    from .data import sources

    bench_dir = sources.REPO_ROOT / "benchmarks"
    path = bench_dir / "results" / filename
    if not path.is_file():
        writers = sorted(p.name for p in bench_dir.glob("bench_*.py") if filename in p.read_text(encoding="utf-8"))
        fix = (" or ".join(f".venv/bin/python benchmarks/{name}" for name in writers) if writers
               else "no script in benchmarks/ mentions it")
        raise FileNotFoundError(f"{path} is missing; to write it run {fix} (see the script's docstring)")
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else text


def collect(root):
    """Every reported figure under a repository root, as (source, name, value) triples.

    Sources are chapter notebooks (their stored outputs, in chapter order) and the text files in
    benchmarks/results/ that benchmark scripts write.
    """
    import pathlib

    root = pathlib.Path(root)
    found = []
    for path in sorted((root / "chapters").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream" and output.get("name") == "stdout":
                    found += [(f"chapters/{path.name}", n, v) for n, v in parse("".join(output["text"]))]
    for path in sorted((root / "benchmarks" / "results").glob("*.txt")):
        found += [(f"benchmarks/results/{path.name}", n, v) for n, v in parse(path.read_text(encoding="utf-8"))]
    return found
