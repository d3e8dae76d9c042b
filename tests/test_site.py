"""End to end: the built site works offline in a real browser (headless Chromium).

Serves the built HTML on 127.0.0.1, opens every page of the table of contents, and fails on a
console error, an image that did not load, TeX left unrendered, a broken internal link or a link
to an outside host that is not a cited source. Screenshots land in build/screenshots/.
Both editions: the English site and the Chinese one in its zh_CN/ folder, whose pages must show Chinese
glyphs (a CJK font: Debian's fonts-noto-cjk, which .ci/run installs), not boxes.
Where Chromium or its driver is not installed the two browser tests are skipped with the fix as the
reason; under CI=true they fail instead (`.ci/run` installs both and stops if it cannot).
"""

import functools
import http.server
import pathlib
import shutil
import threading
import urllib.parse

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "build" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
CITED_HOSTS = ("doi.org", "arxiv.org", "github.com", "papers.nips.cc", "proceedings.neurips.cc",
               "proceedings.mlr.press", "aclanthology.org", "www.nature.com", "openai.com")

NO_BROWSER = "no Chromium: `apt-get install chromium chromium-driver` (CI does this in .ci/run)"


@pytest.fixture(scope="module")
def server(site_dir):
    handler = functools.partial(QuietHandler, directory=str(site_dir))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser(missing):
    if not (CHROMIUM and CHROMEDRIVER):
        missing(NO_BROWSER)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1280,1600"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def pages(site_dir):
    skip = {"search.html", "genindex.html"}
    return sorted(str(p.relative_to(site_dir)) for p in site_dir.rglob("*.html")
                  if p.name not in skip and "_static" not in p.parts and "_sources" not in p.parts)


UNRENDERED_TEX = """
const walker = document.createTreeWalker(document.querySelector('main') || document.body, NodeFilter.SHOW_TEXT);
const bad = [];
while (walker.nextNode()) {
  const node = walker.currentNode, el = node.parentElement;
  if (el.closest('pre, code, script, style, mjx-container, .highlight, .cell_output, .output')) continue;
  if (node.textContent.includes('$$') || node.textContent.includes('\\\\frac')) bad.push(node.textContent.slice(0, 80));
}
return bad;
"""


def test_every_page_renders_cleanly(site_dir, server, browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for page in pages(site_dir):
        browser.get(f"{server}/{page}")
        browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "if (window.MathJax && MathJax.startup) MathJax.startup.promise.then(() => done(1)); else done(0);")
        for entry in browser.get_log("browser"):
            if entry["level"] == "SEVERE":
                problems.append(f"{page}: console error {entry['message'][:160]}")
        broken = browser.execute_script(
            "return [...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)")
        problems += [f"{page}: image did not load {src}" for src in broken]
        problems += [f"{page}: unrendered TeX {t!r}" for t in browser.execute_script(UNRENDERED_TEX)]
        for href in browser.execute_script("return [...document.querySelectorAll('a[href]')].map(a => a.href)"):
            problems += check_link(site_dir, server, page, href)
        name = page.replace("/", "__").removesuffix(".html")
        browser.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
    assert not problems, "\n".join(problems)


def check_link(site_dir, server, page, href):
    url = urllib.parse.urlparse(href)
    if url.scheme in ("mailto", "javascript", "data"):
        return []
    if href.startswith(server):
        target = site_dir / urllib.parse.unquote(url.path.lstrip("/"))
        if target.is_dir():
            target = target / "index.html"
        return [] if target.exists() else [f"{page}: broken internal link {url.path}"]
    if url.hostname and url.hostname.endswith(CITED_HOSTS):
        return []
    return [f"{page}: link leaves the site {href}"]


OVERFLOW = """
const cut = (el) => el.scrollWidth > el.clientWidth + 1;
const scrolls = (el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
const out = [];
document.querySelectorAll("main div.cell pre").forEach((el) => {
  if (cut(el)) out.push(`code/output ${el.scrollWidth - el.clientWidth} px too wide: `
                        + el.innerText.split("\\n").reduce((a, b) => (a.length > b.length ? a : b), "").slice(0, 90));
});
document.querySelectorAll('main mjx-container[display="true"]').forEach((el) => {
  if (cut(el) && !scrolls(el)) out.push(`equation cut off by ${el.scrollWidth - el.clientWidth} px`);
});
document.querySelectorAll("main table").forEach((el) => {
  const box = el.parentElement;
  if (el.getBoundingClientRect().width > box.getBoundingClientRect().width + 1 && !scrolls(box))
    out.push(`table ${Math.round(el.getBoundingClientRect().width - box.getBoundingClientRect().width)} px too wide`);
});
return out;
"""


def test_chapter_pages_fit_the_column_at_1280_px(site_dir, server, browser):
    """No code line or printed output hidden past the right edge, no equation or table cut off."""
    browser.set_window_size(1280, 1600)
    problems = []
    for page in pages(site_dir):
        if not page.startswith(("chapters/", "zh_CN/chapters/")):
            continue
        browser.get(f"{server}/{page}")
        browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "if (window.MathJax && MathJax.startup) MathJax.startup.promise.then(() => done(1)); else done(0);")
        problems += [f"{page}: {problem}" for problem in browser.execute_script(OVERFLOW)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("opened", ["http", "file"])
def test_search_finds_a_term(site_dir, server, browser, opened):
    # Over http (`make serve`) and from disk (the file:// address `make book` prints): hits, each row
    # distinct (page and section), and no console error (from disk the snippet fetches are switched off).
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    base = server if opened == "http" else site_dir.resolve().as_uri()
    browser.get_log("browser")  # drop earlier pages' messages
    browser.get(f"{base}/search.html?q=attention")
    WebDriverWait(browser, 30).until(
        lambda d: "Search finished" in d.page_source or "did not match" in d.page_source
        or len(d.find_elements(By.CSS_SELECTOR, "ul.search li")) >= 10)
    rows = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "ul.search li")]
    assert rows, f"search for 'attention' over {opened} found nothing"
    titles = [" ".join(row.split()) for row in rows]
    assert len(set(titles)) == len(titles), f"rows that look the same over {opened}: {titles}"
    errors = [e["message"][:160] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, f"console errors on the search page over {opened}: {errors}"


def test_each_chapter_offers_its_notebook(site_dir):
    for notebook in sorted((ROOT / "chapters").glob("*.ipynb")):
        page = site_dir / "chapters" / f"{notebook.stem}.html"
        assert page.exists(), f"no page for {notebook.name}"
        assert f"{notebook.name}" in page.read_text(), f"{page.name} offers no .ipynb download"
        assert (site_dir / "_sources" / "chapters" / notebook.name).exists()


GLYPH = """
const span = document.createElement("span");
span.style.font = getComputedStyle(document.querySelector("main section > h1")).font;
span.style.fontSize = "48px";
span.textContent = arguments[0];
span.id = "glyph-probe";
document.querySelector("main section > h1").after(span);
"""


def glyph_screenshot(browser, text):
    from selenium.webdriver.common.by import By

    browser.execute_script("document.getElementById('glyph-probe')?.remove();" + GLYPH, text)
    return browser.find_element(By.ID, "glyph-probe").screenshot_as_png


def test_a_chinese_chapter_shows_its_heading_formulas_and_glyphs(site_dir, server, browser):
    """The Chinese RNN chapter: its Chinese heading, MathJax-rendered formulas, and real glyphs: two
    different characters in the heading's font must give two different pictures, neither of them the
    picture of a character no font has (what a missing CJK font shows for every character)."""
    from selenium.webdriver.common.by import By

    browser.set_window_size(1280, 1600)
    browser.get(f"{server}/zh_CN/chapters/03_2_rnn.html")
    browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "if (window.MathJax && MathJax.startup) MathJax.startup.promise.then(() => done(1)); else done(0);")
    heading = browser.find_element(By.CSS_SELECTOR, "main section > h1").text
    assert "循环神经网络" in heading, heading
    assert browser.find_elements(By.CSS_SELECTOR, 'main mjx-container[display="true"]'), "no rendered equation"
    assert browser.find_elements(By.CSS_SELECTOR, "main mjx-container mjx-mi"), "no rendered inline math"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / "zh_CN__chapters__03_2_rnn__top.png"))
    zhong, wen, nothing = (glyph_screenshot(browser, t) for t in ["中", "文", "\U0010FFFD"])
    assert zhong != wen, "中 and 文 look the same: the browser has no CJK font (apt-get install fonts-noto-cjk)"
    assert nothing not in (zhong, wen), "Chinese characters render as the missing-glyph box"


def test_the_chinese_search_finds_a_chinese_word(site_dir, server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{server}/zh_CN/search.html?q=注意力")
    WebDriverWait(browser, 30).until(
        lambda d: "did not match" in d.page_source or "没有" in d.page_source
        or len(d.find_elements(By.CSS_SELECTOR, "ul.search li")) >= 3)
    rows = browser.find_elements(By.CSS_SELECTOR, "ul.search li")
    assert len(rows) >= 3, f"searching the Chinese site for 注意力 found {len(rows)} pages"
