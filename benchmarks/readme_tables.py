"""Regenerate README.md's chapter map and results table from the code's own outputs.

    .venv/bin/python benchmarks/readme_tables.py          # rewrite the tables in README.md
    .venv/bin/python benchmarks/readme_tables.py --check  # exit 1 if README.md is out of date

Chapter titles come from each notebook's first heading, runtimes from
benchmarks/results/notebook_times.json (benchmarks/notebook_times.py), and every result from a
`[result] name = value` line that a chapter cell or a benchmark printed (bigmodels.results).
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


def main(argv):
    current = README.read_text(encoding="utf-8")
    wanted = render(current)
    if "--check" in argv:
        if current != wanted:
            print("README.md tables are out of date: run .venv/bin/python benchmarks/readme_tables.py")
            return 1
        return 0
    README.write_text(wanted, encoding="utf-8")
    print("README.md tables regenerated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
