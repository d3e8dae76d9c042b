"""The book in two languages from one source: what Sphinx's translation machinery needs beyond settings.

book/build.py builds the English site at _build/html and the Chinese one at _build/html/zh_CN, the
Chinese prose coming from book/locales/zh_CN/LC_MESSAGES/*.po. This extension

- makes notebook figure captions translatable: myst-nb creates them from cell metadata without a source
  location, and Sphinx neither extracts nor translates a text node that has none;
- translates the captions of the table of contents' parts (sphinx-external-toc inserts those toctrees
  after Sphinx's translation step, so their captions would stay English in the sidebar);
- puts on top of every page a link to the same page in the other language.
"""

import posixpath

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms import SphinxTransform
from sphinx.locale import init as init_locale
from sphinx.transforms.i18n import Locale
from sphinx.util.i18n import docname_to_domain
from sphinx_external_toc.events import InsertToctrees

SITES = {"en": "", "zh_CN": "zh_CN"}  # each site's folder under the html output (book/build.py builds there)
SWITCH_TEXT = {"en": "中文版", "zh_CN": "English edition"}


class CaptionSource(SphinxTransform):
    """Give source-less figure captions their document as source, before the translation transform."""

    default_priority = Locale.default_priority - 1

    def apply(self):
        for caption in self.document.findall(nodes.caption):
            if not caption.source:
                figure = caption.parent
                caption.source = figure.source or self.document["source"]
                caption.line = figure.line or 1


class TocCaptions(SphinxTransform):
    """Translate the captions of the toctrees sphinx-external-toc has just inserted, from the page's catalog."""

    default_priority = InsertToctrees.default_priority + 1

    def apply(self):
        if not self.config.language or self.config.language == "en":
            return
        dirs = [posixpath.join(self.env.srcdir, d) for d in self.config.locale_dirs]
        domain = docname_to_domain(self.env.docname, self.config.gettext_compact)
        catalog, found = init_locale(dirs, self.config.language, domain)
        if not found:
            return
        for toctree in self.document.findall(addnodes.toctree):
            if toctree.get("caption"):
                toctree["caption"] = catalog.gettext(toctree["caption"])


def counterpart_href(pagename, language):
    """Relative link from `pagename` in `language`'s site to the same page in the other site."""
    other = "zh_CN" if language == "en" else "en"
    here = posixpath.join(SITES[language], pagename)  # join("", page) is page
    there = posixpath.join(SITES[other], pagename)
    return posixpath.relpath(there, posixpath.dirname(here) or ".") + ".html"


def _language_switch(app, pagename, templatename, context, doctree):
    language = app.config.language or "en"
    if doctree is None or language not in SITES:
        return
    href = counterpart_href(pagename, language)
    other = "zh_CN" if language == "en" else "en"
    switch = (f'<p class="language-switch"><a href="{href}" hreflang="{other.replace("_", "-")}">'
              f"{SWITCH_TEXT[language]}</a></p>\n")
    context["body"] = switch + context.get("body", "")


def setup(app):
    app.add_transform(CaptionSource)
    app.add_transform(TocCaptions)
    app.connect("html-page-context", _language_switch)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
