"""Keep the built site free of references to outside hosts.

Jupyter Book 1.x always loads `sphinx_thebe` (live code cells through Binder). This book has no
launch buttons, but the extension still writes into every page a script constant pointing at
unpkg.com (a CDN) and a Binder configuration naming an outside repository. This extension turns
those two hooks off and drops the unused loader script from `_static/`; everything else of the
site (MathJax included, via sphinx-mathjax-offline) is served from `_static/`.

It also adds two files of `static/`: `file-search.js`, which makes the search page work when the site
is opened from disk (file://), where a browser forbids the page fetches that search snippets need,
and `book.css`, which makes code, outputs and equations fit the text column.
"""

from pathlib import Path

import sphinx_thebe


def _drop_thebe_loader(app, exc):
    if exc is None and app.builder.format == "html":
        Path(app.outdir, "_static", "sphinx-thebe.js").unlink(missing_ok=True)


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
    app.add_js_file("file-search.js")
    app.add_css_file("book.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
