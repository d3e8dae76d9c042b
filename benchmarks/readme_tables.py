"""Regenerate README.md's chapter map and results table from the code's own outputs.

    .venv/bin/python benchmarks/readme_tables.py          # rewrite the tables in README.md
    .venv/bin/python benchmarks/readme_tables.py --check  # exit 1 if README.md is out of date

Chapter titles come from each notebook's first heading, runtimes from
benchmarks/results/notebook_times.json (benchmarks/notebook_times.py), and every result from a
`[result] name = value` line that a chapter cell or a benchmark printed (bigmodels.results).
A trained figure carries the tolerance its chapter asserts, `0.97 (±0.03)`: the check accepts a
README value within that tolerance of the stored one (a chapter re-executed on another CPU moves
its last digits), and compares everything else exactly.
"""

import importlib.util
import json
import pathlib
import re
import sys

from bigmodels.results import collect

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
TIMES = ROOT / "benchmarks" / "results" / "notebook_times.json"


def load_chapter_order():
    spec = importlib.util.spec_from_file_location("make_toc", ROOT / "book" / "make_toc.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CHAPTERS


def notebook_title(path):
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "markdown":
            match = re.search(r"^#\s+(.+)$", "".join(cell["source"]), re.M)
            if match:
                return match.group(1).strip()
    raise ValueError(f"{path.name} has no title heading")


def chapter_map():
    times = json.loads(TIMES.read_text())["seconds"] if TIMES.exists() else {}
    rows = ["| chapter (article section) | notebook | run time, 2-core CPU |", "|---|---|---|"]
    for name in load_chapter_order():
        path = ROOT / "chapters" / f"{name}.ipynb"
        if path.exists():
            seconds = f"{times[name]:.0f} s" if name in times else "not measured"
            rows.append(f"| {notebook_title(path)} | [`chapters/{name}.ipynb`](chapters/{name}.ipynb) | {seconds} |")
    if times:
        rows.append(f"| **all chapters** | | **{sum(times.values()):.0f} s** |")
    return "\n".join(rows)


def results_table():
    rows = ["| result | value | measured by |", "|---|---|---|"]
    rows += [f"| {name} | {value} | [`{source}`]({source}) |" for source, name, value in collect(ROOT)]
    return "\n".join(rows)


def benchmark_outputs():
    """The head of every benchmarks/results/*.txt (what the benchmark scripts printed)."""
    blocks = []
    for path in sorted((ROOT / "benchmarks" / "results").glob("*.txt")):
        head = path.read_text(encoding="utf-8").split("sample:")[0].strip().splitlines()[:12]
        blocks.append(f"[`benchmarks/results/{path.name}`](benchmarks/results/{path.name}):\n```\n"
                      + "\n".join(head) + "\n```")
    return "\n\n".join(blocks)


def render(readme):
    tables = [("chapters", chapter_map()), ("results", results_table()), ("benchmarks", benchmark_outputs())]
    for marker, table in tables:
        start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
        if start not in readme or end not in readme:
            raise ValueError(f"README.md lacks the markers {start} ... {end}")
        before, rest = readme.split(start, 1)
        readme = f"{before}{start}\n{table}\n{end}{rest.split(end, 1)[1]}"
    return readme


TOLERANT = re.compile(r"^(?P<value>.+) \(±(?P<tol>.+)\)$")
NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?(?:e[+-]?\d+)?")


def number_and_units(text):
    """('78.7%') -> (78.7, '%'): the first number of a printed value, and the text around it."""
    match = NUMBER.search(text)
    return (float(match.group()), NUMBER.sub("#", text, count=1)) if match else (None, text)


def same_within_tolerance(line, wanted):
    """Two table rows agree: equal, or equal but for values within the tolerance they state."""
    cells, wanted_cells = line.split(" | "), wanted.split(" | ")
    if len(cells) != len(wanted_cells):
        return False
    for cell, want in zip(cells, wanted_cells):
        a, b = TOLERANT.match(cell), TOLERANT.match(want)
        if cell == want:
            continue
        if not (a and b and a["tol"] == b["tol"]):
            return False
        (x, units), (y, wanted_units) = number_and_units(a["value"]), number_and_units(b["value"])
        tol, _ = number_and_units(b["tol"])
        if x is None or y is None or units != wanted_units or abs(x - y) > abs(tol):
            return False
    return True


def up_to_date(current, wanted):
    lines, wanted_lines = current.splitlines(), wanted.splitlines()
    return len(lines) == len(wanted_lines) and all(map(same_within_tolerance, lines, wanted_lines))


def main(argv):
    current = README.read_text(encoding="utf-8")
    wanted = render(current)
    if "--check" in argv:
        if not up_to_date(current, wanted):
            print("README.md tables are out of date: run .venv/bin/python benchmarks/readme_tables.py")
            return 1
        return 0
    README.write_text(wanted, encoding="utf-8")
    print("README.md tables regenerated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
