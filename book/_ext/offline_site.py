"""Keep the built site free of references to outside hosts.

Jupyter Book 1.x always loads `sphinx_thebe` (live code cells through Binder). This book has no
launch buttons, but the extension still writes into every page a script constant pointing at
unpkg.com (a CDN) and a Binder configuration naming an outside repository. This extension turns
those two hooks off and drops the unused loader script from `_static/`; everything else of the
site (MathJax included, via sphinx-mathjax-offline) is served from `_static/`.

It also adds two files of `static/`: `file-search.js`, which makes the search page work when the site
is opened from disk (file://), where a browser forbids the page fetches that search snippets need,
and `book.css`, which makes code, outputs and equations fit the text column. And it gives every
notebook figure the alt text that `bigmodels.notebook.setup()` wrote into the PNG (its Description:
the figure's titles, axis labels and legend), instead of none.
"""

import zlib
from pathlib import Path

import sphinx_thebe
from docutils import nodes


def _drop_thebe_loader(app, exc):
    if exc is None and app.builder.format == "html":
        Path(app.outdir, "_static", "sphinx-thebe.js").unlink(missing_ok=True)


def png_description(data: bytes) -> str | None:
    """The Description text of a PNG (tEXt, zTXt or iTXt chunk), or None."""
    pos = 8
    while pos + 8 <= len(data):
        size, kind = int.from_bytes(data[pos:pos + 4], "big"), data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + size]
        if kind in (b"tEXt", b"zTXt", b"iTXt") and body.startswith(b"Description\0"):
            rest = body[len(b"Description\0"):]
            if kind == b"tEXt":
                return rest.decode("latin-1")
            if kind == b"zTXt":
                return zlib.decompress(rest[1:]).decode("latin-1")
            compressed, text = rest[0], rest[2:].split(b"\0", 2)[2]  # flag, method, language, keyword
            return (zlib.decompress(text) if compressed else text).decode("utf-8")
        if kind == b"IDAT":
            return None  # text chunks written by matplotlib come before the image data
        pos += 12 + size
    return None


def _alt_text_from_figures(app, doctree, docname):
    for image in doctree.findall(nodes.image):
        path = Path(app.srcdir, image["uri"])
        if "alt" not in image and path.suffix == ".png" and path.is_file():
            description = png_description(path.read_bytes())
            if description:
                image["alt"] = description


def _add_static(app):
    app.config.html_static_path.append(str(Path(__file__).parent / "static"))


def setup(app):
    app.setup_extension("sphinx_thebe")  # make sure its listeners exist before we remove them
    unwanted = {sphinx_thebe.init_thebe_core, sphinx_thebe.update_thebe_context}
    for listeners in app.events.listeners.values():
        for listener in list(listeners):
            if listener.handler in unwanted:
                app.disconnect(listener.id)
    app.connect("build-finished", _drop_thebe_loader)
    app.connect("builder-inited", _add_static)
    app.connect("doctree-resolved", _alt_text_from_figures)
    app.add_js_file("file-search.js")
    app.add_css_file("book.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
