"""Write the package map (one line per module: its path and the first line of its docstring) into the
docstring of shared/bigmodels/__init__.py and into CONTRIBUTING.md, between package-map markers.

    .venv/bin/python tools/package_map.py          # rewrite both
    .venv/bin/python tools/package_map.py --check  # exit 1 if either is out of date (tests/test_consistency.py)

A module without a docstring is an error: its first line is what the map says it is for. Standard library only.
"""

import ast
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "shared" / "bigmodels"
TARGETS = [PACKAGE / "__init__.py", ROOT / "CONTRIBUTING.md"]
START, END = "<!-- package-map:start -->", "<!-- package-map:end -->"


def package_map() -> str:
    lines = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "__pycache__" in path.parts or path == PACKAGE / "__init__.py":
            continue
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        if not doc:
            raise SystemExit(f"tools/package_map.py: {path.relative_to(ROOT)} has no docstring")
        lines.append(f"- `{path.relative_to(PACKAGE).as_posix()}`:\n  {doc.splitlines()[0]}")
    return "\n".join(lines)


def render(text: str, block: str) -> str:
    if START not in text or END not in text:
        raise SystemExit(f"tools/package_map.py: the markers {START} ... {END} are missing")
    before, rest = text.split(START, 1)
    return f"{before}{START}\n{block}\n{END}{rest.split(END, 1)[1]}"


def main(argv: list[str]) -> int:
    block = package_map()
    stale = []
    for target in TARGETS:
        text = target.read_text(encoding="utf-8")
        wanted = render(text, block)
        if wanted != text:
            stale.append(target)
            if "--check" not in argv:
                target.write_text(wanted, encoding="utf-8")
    if "--check" in argv and stale:
        print("package map out of date in " + ", ".join(str(p.relative_to(ROOT)) for p in stale)
              + ": run .venv/bin/python tools/package_map.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
