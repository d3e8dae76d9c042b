"""Build the book: the English site at _build/html, the Chinese site (中文版) at _build/html/zh_CN.

One source, two languages. Both sites are built from the same notebooks and pages with Jupyter Book's
Sphinx configuration (book/_config.yml); the Chinese one sets `language = zh_CN` and reads its prose from
the message catalogs under book/locales/zh_CN/LC_MESSAGES/ (one .po file per page). Code, outputs and
figures are shared; only prose is translated.

    python book/build.py                      # both sites (what `make book` runs)
    python book/build.py --language zh_CN     # one of them
    python book/build.py --gettext            # extract the English messages to _build/gettext (.pot)
    python book/build.py --output /tmp/site   # build under another folder (the tests do this)

Every build is strict: a warning fails it (`-W -n --keep-going` in jupyter-book's terms).
`make translations` extracts the messages and updates the .po files (sphinx-intl); a changed English
paragraph then shows up as fuzzy or untranslated, and tests/test_translations.py fails until it is
translated.
"""

import argparse
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
from bilingual import SITES  # noqa: E402  each site's folder; every page links to its counterpart there
CONFIG = ROOT / "book" / "_config.yml"
TOC = ROOT / "book" / "_toc.yml"
LOCALES = ROOT / "book" / "locales"
LANGUAGES = ("en", "zh_CN")
# What the Chinese site says where the English one reads book/_config.yml (settings, not pages, so not in a catalog).
CHINESE_SITE = {
    "html_title": "可运行的大模型",
    "html_theme_options": {
        "search_bar_text": "搜索本书……",
        "extra_footer": "<p>由 <em>bigmodels</em> 仓库构建：README.md 说明如何安装和测试，LICENSE 说明本书采用 MIT 许可证，"
                        "CITATION.cff 说明如何引用本书和文章《人工智能大模型原理与应用实战》。</p>",
    },
}


def sphinx_overrides(language, builder):
    """The settings that differ from book/_config.yml: the toc, strictness and the language."""
    overrides = {
        "external_toc_path": TOC.as_posix(),
        "latex_individualpages": False,
        "nitpicky": True,
        "locale_dirs": [LOCALES.as_posix()],
        "gettext_compact": False,      # one catalog per page, not one per folder
        "gettext_uuid": False,
        "gettext_location": False,     # no source line numbers: editing a page does not touch other entries
    }
    if builder == "gettext":
        # Outputs are shared, not translated. For gettext myst-nb would pick a cell's text/latex or text/markdown
        # output (the html builder picks text/html or an image), which would put code listings and printed
        # tables into the catalogs; with these two off it takes text/plain, which is not extracted.
        overrides["nb_mime_priority_overrides"] = [("gettext", "text/latex", None), ("gettext", "text/markdown", None)]
    if language != "en":
        overrides["language"] = language
        overrides["html_search_language"] = "zh"   # Sphinx's Chinese splitter (jieba) for the search index
        overrides.update(CHINESE_SITE)
    return overrides


def build(language, output, builder="html"):
    """Build one site (or the gettext catalogs) under `output`; return Sphinx's exit status."""
    from jupyter_book.sphinx import build_sphinx

    if builder == "gettext":
        out = output / "gettext"
    else:
        out = output / "html" / SITES[language]
    doctrees = output / f".doctrees-{language}-{builder}"
    print(f"book/build.py: {builder} ({language}) -> {out}", flush=True)
    result = build_sphinx(ROOT, out, noconfig=True, path_config=CONFIG,
                          confoverrides=sphinx_overrides(language, builder),
                          doctreedir=doctrees, builder=builder, warningiserror=True, keep_going=True,
                          freshenv=True)
    if isinstance(result, Exception):
        raise result
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", choices=LANGUAGES, help="build one site only (default: both)")
    parser.add_argument("--gettext", action="store_true", help="extract the messages (.pot) instead")
    parser.add_argument("--output", type=pathlib.Path, default=ROOT / "_build",
                        help="folder for html/ (and gettext/); default _build")
    args = parser.parse_args(argv)
    if args.gettext:
        return build("en", args.output, builder="gettext")
    status = 0
    for language in [args.language] if args.language else LANGUAGES:
        status = build(language, args.output) or status
    return status


if __name__ == "__main__":
    sys.exit(main())
