"""A way back to the sources: LICENSE, CITATION.cff, the article cited on the intro page, a footer on every page.

CITATION.cff is checked against the parts of the CFF 1.2.0 schema that matter here (required keys, author
and reference shapes); it was validated once against the full schema (citation-file-format/schema.json,
draft-07) with jsonschema. The repository has no public address yet, so the site links to none: every
page's footer names the repository and its README, LICENSE and CITATION.cff instead (book/_config.yml).
"""

import pathlib
import re
import tomllib

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
ARTICLE = "人工智能大模型原理与应用实战"
HOLDER = "the bigmodels book authors"


def citation():
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def test_license_is_the_mit_license_pyproject_declares():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert PYPROJECT["project"]["license"] == {"text": "MIT"}
    assert text.startswith("MIT License\n") and f"Copyright (c) 2026 {HOLDER}" in text
    assert "Permission is hereby granted, free of charge" in text and 'THE SOFTWARE IS PROVIDED "AS IS"' in text


def valid_authors(authors):
    return (isinstance(authors, list) and authors
            and all(isinstance(a, dict) and (a.get("name") or a.get("family-names")) for a in authors))


def test_citation_file_is_cff_1_2_and_agrees_with_pyproject():
    cff = citation()
    for key in ["cff-version", "message", "title", "authors"]:
        assert cff.get(key), f"CITATION.cff lacks the required key {key!r}"
    assert cff["cff-version"] == "1.2.0"
    assert valid_authors(cff["authors"]) and cff["authors"][0]["name"] == HOLDER
    assert cff["license"] == PYPROJECT["project"]["license"]["text"]
    assert str(cff["version"]) == PYPROJECT["project"]["version"]
    assert ARTICLE in cff["title"]


def test_citation_file_cites_the_article():
    cff = citation()
    articles = [r for r in cff.get("references", []) if r.get("title") == ARTICLE]
    assert len(articles) == 1, "CITATION.cff must list the article under references"
    article = articles[0]
    assert article["type"] in {"article", "generic"} and valid_authors(article["authors"])
    assert article.get("languages") == ["zh"]


def test_intro_cites_the_article_and_points_to_license_and_citation():
    intro = (ROOT / "book" / "intro.md").read_text(encoding="utf-8")
    section = intro.split("## Sources, license and citation", 1)
    assert len(section) == 2, "book/intro.md needs its 'Sources, license and citation' section"
    for must in [ARTICLE, "CITATION.cff", "LICENSE", "MIT", HOLDER, "README.md"]:
        assert must in section[1], f"the intro's sources section does not mention {must}"


def test_site_config_names_the_same_holder_and_no_placeholder_repository():
    config = yaml.safe_load((ROOT / "book" / "_config.yml").read_text(encoding="utf-8"))
    assert HOLDER in config["copyright"] and config["author"] == HOLDER
    theme = config["sphinx"]["config"]["html_theme_options"]
    url = config["repository"]["url"]
    assert url == theme["repository_url"], "repository.url and html_theme_options.repository_url differ"
    assert not re.search(r"example|your[-_]?(name|org|user)|placeholder|TODO", url, re.I)
    assert theme["use_repository_button"] == bool(url), "a repository button needs a real repository URL"
    for must in ["README.md", "LICENSE", "CITATION.cff", ARTICLE]:
        assert must in theme["extra_footer"]


@pytest.mark.slow
def test_every_page_points_to_the_repository_and_its_license(site_dir):
    pages = sorted(p for p in site_dir.rglob("*.html") if "_static" not in p.parts and "_sources" not in p.parts)
    assert pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        if text.lstrip().startswith('<meta http-equiv="Refresh"'):
            continue  # index.html only redirects to book/intro.html
        footer = re.search(r'<div class="extra_footer">(.*?)</div>', text, re.S)
        assert footer, f"{page.relative_to(site_dir)} has no footer pointing to the repository"
        assert "CITATION.cff" in footer.group(1) and "LICENSE" in footer.group(1)
