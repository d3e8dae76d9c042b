"""Execute every chapter notebook top to bottom (in memory) and time it; write the table.

    .venv/bin/python benchmarks/notebook_times.py            # all chapters
    .venv/bin/python benchmarks/notebook_times.py 03_4       # chapters whose name contains 03_4
    .venv/bin/python benchmarks/notebook_times.py --from-pytest build/notebook_times.json
                         # take the per-notebook times `make test` measured (nbval, same kernel)

Writes benchmarks/results/notebook_times.json, which README's chapter map quotes
(benchmarks/readme_tables.py). Targets: each chapter <= 120 s, all together <= 12 minutes.
"""

import json
import os
import pathlib
import platform
import sys
import time

import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "notebook_times.json"
LIMIT_EACH, LIMIT_TOTAL = 120, 12 * 60


def time_notebook(path):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def main(pattern="", from_pytest=None):
    if from_pytest:
        measured = json.loads(pathlib.Path(from_pytest).read_text())["seconds"]
        times = {pathlib.Path(k).stem: round(v, 1) for k, v in measured.items()}
    else:
        times = json.loads(OUT.read_text())["seconds"] if OUT.exists() and pattern else {}
        for path in sorted(p for p in (ROOT / "chapters").glob("*.ipynb") if pattern in p.stem):
            times[path.stem] = round(time_notebook(path), 1)
            print(f"{times[path.stem]:7.1f} s  {path.stem}", flush=True)
    total = sum(times.values())
    print(f"{total:7.1f} s  total ({os.cpu_count()} cores, {platform.processor() or platform.machine()})")
    OUT.write_text(json.dumps({"cores": os.cpu_count(), "seconds": dict(sorted(times.items())),
                               "total_seconds": round(total, 1)}, indent=1) + "\n")
    slow = [name for name, s in times.items() if s > LIMIT_EACH]
    if slow or total > LIMIT_TOTAL:
        print(f"OVER BUDGET: {slow or ''} total {total:.0f} s (limits {LIMIT_EACH} s each, {LIMIT_TOTAL} s total)")
        return 1
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--from-pytest"]:
        sys.exit(main(from_pytest=args[1]))
    sys.exit(main(args[0] if args else ""))
