"""Headline figures: printed in one fixed format so the README's results table can be collected.

A chapter cell calls `report("MLP test accuracy (MNIST-5k)", 0.9712, "{:.2%}")`; the stored
notebook output then carries `[result] MLP test accuracy (MNIST-5k) = 97.12%`, which nbval checks on
every run and `benchmarks/readme_tables.py` copies into README.md. Benchmark scripts print the
same lines into benchmarks/results/*.txt.
"""

PREFIX = "[result] "


def report(name, value, fmt="{}"):
    """Print `[result] name = value` (value formatted with fmt).

    Returns nothing, so a notebook cell ending in report(...) shows only the printed line.
    """
    if " = " in name or "\n" in name:
        raise ValueError(f"name: must not contain ' = ' (the separator) or a newline, got {name!r}")
    print(f"{PREFIX}{name} = {fmt.format(value)}")


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
    import json

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
    import json
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
