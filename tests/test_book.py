"""The Jupyter Book site: its table of contents follows chapters/, and it builds offline, cleanly.

The toc tests are instant. The build runs book/build.py, as `make book` does, into a temporary folder,
so it never touches `_build/`: the English site and the Chinese one (zh_CN/) below it, about 30-60 s
on two cores. The build tests are marked `slow` (they still run in the default `pytest`), and most run
on both sites (`site`: English, then Chinese).
"""

import html.parser
import json
import importlib.util
import pathlib
import re
import subprocess
import sys
import urllib.parse

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
BACK_MATTER = ["book/glossary", "book/errata", "book/bibliography", "book/benchmarks"]


def load_make_toc():
    spec = importlib.util.spec_from_file_location("make_toc", BOOK / "make_toc.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_toc = load_make_toc()


def toc_files(toc_text):
    """The docnames a _toc.yml lists, root first, in order."""
    root = re.search(r"^root:\s*(\S+)\s*$", toc_text, re.M).group(1)
    return [root] + re.findall(r"^\s*- file:\s*(\S+)\s*$", toc_text, re.M)


# ----------------------------------------------------------------------------- table of contents

def test_every_chapter_notebook_is_in_the_chapter_list():
    listed = set(make_toc.CHAPTERS)
    missing = sorted(p.name for p in (ROOT / "chapters").glob("*.ipynb") if p.stem not in listed)
    assert not missing, f"add {missing} to PARTS in book/make_toc.py (in reading order)"


def test_toc_is_what_make_toc_writes():
    assert (BOOK / "_toc.yml").read_text(encoding="utf-8") == make_toc.expected_toc(ROOT), (
        "book/_toc.yml is out of date: run `.venv/bin/python book/make_toc.py`")


def test_toc_lists_existing_files_in_the_planned_order():
    files = toc_files((BOOK / "_toc.yml").read_text(encoding="utf-8"))
    assert files[0] == "book/intro"
    assert files[-len(BACK_MATTER):] == BACK_MATTER
    for name in files:
        suffix = ".ipynb" if name.startswith("chapters/") else ".md"
        assert (ROOT / f"{name}{suffix}").exists(), f"_toc.yml lists {name}, which does not exist"
    chapters = [f.removeprefix("chapters/") for f in files if f.startswith("chapters/")]
    assert chapters == [c for c in make_toc.CHAPTERS if c in chapters], "chapters out of order"


def test_make_toc_skips_missing_chapters_and_rejects_unknown_notebooks(tmp_path):
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "03_3_lstm.ipynb").write_text("{}")
    text = make_toc.expected_toc(tmp_path)
    assert toc_files(text) == ["book/intro", "chapters/03_3_lstm", *BACK_MATTER]
    assert '"Algorithms"' in text and '"Foundations"' not in text  # empty parts are left out
    (tmp_path / "chapters" / "99_unplanned.ipynb").write_text("{}")
    with pytest.raises(SystemExit, match="99_unplanned.ipynb"):
        make_toc.expected_toc(tmp_path)


def test_make_toc_check_mode_agrees():
    result = subprocess.run([sys.executable, str(BOOK / "make_toc.py"), "--check"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# ----------------------------------------------------------------------------- the build

class Assets(html.parser.HTMLParser):
    """Collects what a page loads (img/script/link) and whether it contains math."""

    def __init__(self):
        super().__init__()
        self.images, self.scripts, self.links, self.has_math = [], [], [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        elif tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"])
        elif tag == "link" and attrs.get("href") and attrs.get("rel") in ("stylesheet", "preload"):
            self.links.append(attrs["href"])
        if "math" in (attrs.get("class") or "").split():
            self.has_math = True


def parse(page):
    assets = Assets()
    assets.feed(page.read_text(encoding="utf-8"))
    return assets


def local_target(page, url):
    path = urllib.parse.unquote(urllib.parse.urlsplit(url).path)
    return (page.parent / path).resolve()


def content_pages(site):
    """The site's own pages (the English site's list leaves out the Chinese site inside it)."""
    return sorted(p for p in site.rglob("*.html") if not {"_static", "_sources"} & set(p.parts)
                  and (site.name == "zh_CN" or "zh_CN" not in p.relative_to(site).parts))


@pytest.fixture(params=["en", "zh_CN"])
def site(site_dir, request):
    """The English site, then the Chinese one."""
    return site_dir if request.param == "en" else site_dir / "zh_CN"


def toc_pages(site):
    return [site / f"{name}.html" for name in toc_files((BOOK / "_toc.yml").read_text())]


@pytest.mark.slow
def test_every_toc_entry_has_a_page(site):
    missing = [str(p.relative_to(site)) for p in toc_pages(site) if not p.exists()]
    assert not missing, f"no HTML for {missing}"
    for name in BACK_MATTER:
        assert (site / f"{name}.html").exists()


@pytest.mark.slow
def test_every_image_and_asset_is_served_locally(site):
    problems = []
    for page in content_pages(site):
        assets = parse(page)
        rel = page.relative_to(site)
        for url in assets.images + assets.scripts + assets.links:
            scheme = urllib.parse.urlsplit(url).scheme
            if scheme == "data":
                continue
            if scheme or url.startswith("//"):
                problems.append(f"{rel}: loads {url} from outside the site")
            elif not local_target(page, url).is_file():
                problems.append(f"{rel}: {url} does not exist")
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_no_cdn_anywhere_in_the_pages(site):
    cdn = re.compile(r"https?://[^\s\"'<>]*(cdn|jsdelivr|unpkg|polyfill|googleapis|mathjax)", re.I)
    hits = [f"{p.relative_to(site)}: {m.group(0)}" for p in content_pages(site)
            for m in cdn.finditer(p.read_text(encoding="utf-8"))]
    assert not hits, "\n".join(hits)


@pytest.mark.slow
def test_math_is_rendered_by_the_bundled_mathjax(site):
    mathjax = site / "_static" / "mathjax" / "tex-chtml.js"
    assert mathjax.is_file(), "sphinx-mathjax-offline did not copy MathJax into _static/"
    errata = parse(site / "book" / "errata.html")
    assert errata.has_math, "the errata page should contain processed math"
    for page in content_pages(site):
        assets = parse(page)
        if not assets.has_math:
            continue
        sources = [s for s in assets.scripts if "mathjax" in s.lower()]
        assert sources, f"{page.name} has math but loads no MathJax"
        for src in sources:
            assert local_target(page, src) == mathjax.resolve(), (
                f"{page.name} loads MathJax from {src}")


@pytest.mark.slow
def test_chapter_pages_offer_their_notebook(site):
    for page in toc_pages(site):
        if page.parent.name != "chapters":
            continue
        notebook = f"{page.stem}.ipynb"
        assert f"_sources/chapters/{notebook}" in page.read_text(encoding="utf-8"), (
            f"{page.name} has no .ipynb download button")
        assert (site / "_sources" / "chapters" / notebook).is_file()


@pytest.mark.slow
def test_back_matter_is_complete(site_dir):
    glossary = (site_dir / "book" / "glossary.html").read_text(encoding="utf-8")
    entries = glossary.count("<dd>")
    assert entries >= 35, f"glossary has only {entries} entries"
    for term in ["遗忘门", "自注意力机制", "知识蒸馏", "高性能计算集群"]:
        assert term in glossary
    bib_keys = re.findall(r"^@\w+\{([^,\s]+),", (BOOK / "references.bib").read_text(), re.M)
    assert len(bib_keys) == len(set(bib_keys)), "duplicate keys in references.bib"
    bibliography = (site_dir / "book" / "bibliography.html").read_text(encoding="utf-8")
    assert bibliography.count('role="doc-biblioentry"') == len(bib_keys), (
        "the bibliography page does not list every entry of references.bib")
    errata = (site_dir / "book" / "errata.html").read_text(encoding="utf-8")
    for must in ["遗忘门", "Hochreiter", "pre-norm", "input_length"]:
        assert must in errata


@pytest.mark.slow
def test_every_chapter_figure_has_alt_text_and_a_caption(site):
    """Each figure's alt text is its own words (titles, axis labels, legend), written into the PNG by
    bigmodels.notebook.setup() and read by book/_ext/offline_site.py; never missing."""
    for page in toc_pages(site):
        if page.parent.name != "chapters":
            continue
        images = re.findall(r"<img\b[^>]*>", page.read_text(encoding="utf-8"))
        for tag in images:
            if "_images/" not in tag:
                continue
            alt = re.search(r'\balt="([^"]*)"', tag)
            assert alt and alt.group(1).startswith("Figure"), f"{page.name}: a figure without alt text: {tag[:120]}"
        captions = re.findall(r"<figcaption\b", page.read_text(encoding="utf-8"))
        assert len(captions) >= len([t for t in images if "_images/" in t]), f"{page.name}: a figure without caption"


# ----------------------------------------------------------------------------- the two editions

@pytest.mark.slow
def test_every_page_links_to_the_same_page_in_the_other_language(site_dir):
    for site, other in [(site_dir, site_dir / "zh_CN"), (site_dir / "zh_CN", site_dir)]:
        for page in content_pages(site):
            text = page.read_text(encoding="utf-8")
            if page.name in ("search.html", "genindex.html") or 'http-equiv="Refresh"' in text:
                continue  # the search and index pages, and index.html (a redirect to the intro)
            link = re.search(r'<p class="language-switch"><a href="([^"]+)"', text)
            assert link, f"{page.relative_to(site_dir)} has no link to the other edition"
            assert local_target(page, link.group(1)) == (other / page.relative_to(site)).resolve(), (
                f"{page.relative_to(site_dir)} links to {link.group(1)}, not to its counterpart")


@pytest.mark.slow
def test_the_chinese_site_is_chinese(site_dir):
    zh = site_dir / "zh_CN"
    assert '<html lang="zh-CN"' in (zh / "book" / "intro.html").read_text(encoding="utf-8")
    rnn = (zh / "chapters" / "03_2_rnn.html").read_text(encoding="utf-8")
    heading = re.search(r"<h1>(.*?)<", rnn, re.S).group(1)
    assert "循环神经网络" in heading, f"the Chinese RNN chapter's heading is {heading!r}"
    prose = re.sub(r"<[^>]+>", " ", re.sub(r"<(pre|script|style)\b.*?</\1>", " ", rnn, flags=re.S))
    chinese = len(re.findall(r"[\u4e00-\u9fff]", prose))
    latin = len(re.findall(r"\b[a-z]{4,}\b", prose))
    assert chinese > 2 * latin, f"the Chinese RNN page has {chinese} Chinese characters and {latin} English words"
    captions = re.findall(r'caption-text">([^<]*)<', rnn)   # the sidebar's parts
    assert captions and all(re.search(r"[\u4e00-\u9fff]", c) for c in captions), f"sidebar parts: {captions}"


@pytest.mark.slow
def test_the_chinese_search_index_holds_chinese_words(site_dir):
    """Sphinx's Chinese search splits text into words with jieba: without it, no Chinese word is indexed."""
    index = (site_dir / "zh_CN" / "searchindex.js").read_text(encoding="utf-8")
    words = set(json.loads(index.removeprefix("Search.setIndex(").removesuffix(")"))["terms"])
    for word in ["注意力", "梯度", "模型", "循环"]:
        assert word in words, f"the Chinese search index has no entry for {word}"
