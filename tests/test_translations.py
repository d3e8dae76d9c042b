"""The Chinese edition is complete and in step with the English: every message translated, none fuzzy,
the catalogs holding exactly the messages the English pages have now, and the markup Sphinx resolves kept.

A changed English paragraph makes `test_catalogs_hold_the_current_english` fail until `make translations`
merges it, and then `test_every_message_is_translated` fails until its Chinese is written.
"""

import importlib.util
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("translations", ROOT / "tools" / "translations.py")
translations = importlib.util.module_from_spec(spec)
spec.loader.exec_module(translations)


def test_every_page_has_a_catalog():
    toc = (ROOT / "book" / "_toc.yml").read_text()
    pages = [line.split(":", 1)[1].strip() for line in toc.splitlines()
             if line.strip().startswith(("- file:", "root:"))]
    missing = [p for p in pages if not (translations.LOCALE / f"{p}.po").is_file()]
    assert not missing, f"no Chinese catalog for {missing}: run `make translations`"


def test_every_message_is_translated():
    problems = [line for path in translations.catalogs() for line in translations.problems(path)]
    assert not problems, f"{len(problems)} problems (tools/translations.py check lists them):\n" + "\n".join(
        problems[:40])


@pytest.mark.slow
def test_catalogs_hold_the_current_english(tmp_path):
    """Extract the English messages now (gettext builder, about 10 s) and compare them page by page."""
    result = subprocess.run([sys.executable, str(ROOT / "book" / "build.py"), "--gettext", "--output", str(tmp_path)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    stale = []
    for pot in sorted((tmp_path / "gettext").rglob("*.pot")):
        name = pot.relative_to(tmp_path / "gettext").with_suffix(".po")
        if name.parts[0] == "_static":
            continue
        english = {m.id for m in translations.load(pot) if m.id}
        po = translations.LOCALE / name
        chinese = {m.id for m in translations.load(po) if m.id} if po.is_file() else set()
        if english != chinese:
            stale.append(f"{name}: {len(english - chinese)} new or changed English messages, "
                         f"{len(chinese - english)} gone; e.g. {sorted(english - chinese)[:1]}")
    assert not stale, "the Chinese catalogs are behind the English pages: run `make translations`, then " \
                      "translate what it marks\n" + "\n".join(stale)


def test_the_checker_catches_lost_markup_and_missing_chinese(tmp_path):
    """The checks above can fail: a dropped term target, a changed formula and an untranslated copy."""
    from babel.messages.catalog import Catalog

    catalog = Catalog(locale="zh_CN")
    english = "The {term}`gradient <Gradient>` of $L$ is `grad()` for every weight in the layer."
    catalog.add(english, "层中每个权重的{term}`梯度 <Gradient>`：$L$ 的 `grad()`。")          # good
    catalog.add(english + " Again.", "层中每个权重的{term}`梯度`：$L$ 的 `grad()`。")         # target lost
    catalog.add(english + " Twice.", "层中每个权重的{term}`梯度 <Gradient>`：$M$ 的 `grad()`。")  # math changed
    catalog.add(english + " Thrice.", english + " Thrice.")                                   # not translated
    catalog.add(english + " Four.", "")                                                       # empty
    path = tmp_path / "sample.po"
    translations.save(catalog, path)
    problems = translations.problems(path)
    assert [p.split(": ")[0].rsplit("#", 1)[1] for p in problems] == ["1", "2", "3", "4"], problems
