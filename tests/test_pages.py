"""Page types as a registry, taxonomies as typed data (with author pages), and paginated lists."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import builder.pages as pages_module
from builder.build import BuildOptions, build
from builder.config import load_config
from builder.pages import PageType
from builder.render import Page, PageJob, SiteRenderer
from builder.taxonomy import Kind
from tests.conftest import SITES, soup, write_lesson

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def built(site: Path) -> Path:
    result = build(BuildOptions(site_dir=site, search=False))
    assert result.ok, result.diagnostics
    return site / "public"


def sitemap_paths(out: Path) -> list[str]:
    root = ET.parse(out / "sitemap.xml").getroot()
    return [
        loc.text.removeprefix("https://example.org/kb/") for loc in root.iter(f"{SITEMAP}loc") if loc.text
    ]


def test_a_kind_is_typed_and_a_typo_is_never_another_taxonomy() -> None:
    loaded, _ = load_config(SITES / "good")
    assert loaded is not None
    config = loaded.config
    assert list(config.vocabulary(Kind.SKILLS)) == ["pydantic", "fastapi", "postgresql", "python"]
    assert config.vocabulary(Kind.AUTHORS)["bob"].title == "Bob <b>Bold</b>"
    with pytest.raises(KeyError):
        config.vocabulary("topic")
    with pytest.raises(ValueError):
        Kind("topic")


def test_author_pages_list_their_lessons_with_a_feed(site_copy: Callable[[str], Path]) -> None:
    out = built(site_copy("good"))
    page = soup(out / "authors/bob/index.html")
    assert [h1.text for h1 in page.select("h1")] == ["Bob <b>Bold</b>"]  # escaped, shown as text
    assert [a["href"] for a in page.select(".card-list .card-title a")] == [
        "/kb/lessons/validate-at-the-edge/"
    ]
    ada = soup(out / "authors/ada/index.html")
    assert [a["href"] for a in ada.select(".card-list .card-title a")] == [
        "/kb/lessons/validate-at-the-edge/",
        "/kb/lessons/http-basics/",
    ]
    assert ada.select_one('a[rel="author"]')["href"] == "https://example.org/ada"
    feed = ET.parse(out / "authors/ada/feed.xml").getroot()
    assert [e.text for e in feed.iter(f"{ATOM}title")][1:] == ["Validate at the edge", "HTTP basics"]
    assert {"authors/ada/", "authors/bob/"} <= set(sitemap_paths(out))
    assert not (out / "authors/index.html").exists()  # authors have pages, no index (Taxonomy.index)
    lesson = soup(out / "lessons/validate-at-the-edge/index.html")  # a lesson's authors lead to their pages
    assert [a["href"] for a in lesson.select(".lesson-header .meta a[href*='/authors/']")] == [
        "/kb/authors/ada/",
        "/kb/authors/bob/",
    ]


def test_lists_paginate_with_prev_next_and_canonical(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("good")
    config = site / "site.yml"
    config.write_text(config.read_text() + "lists: {page_size: 2}\n")
    for number in range(3):
        write_lesson(
            site,
            f"more/more-{number}.md",
            f"title: More {number}\ndate: 2025-01-0{number + 1}\nsummary: S.\ntopics: [reliability]",
        )
    out = built(site)
    first, second, third = (
        soup(out / path)
        for path in ("lessons/index.html", "lessons/page/2/index.html", "lessons/page/3/index.html")
    )
    assert (out / "lessons/page/4/index.html").exists()  # 7 lessons, 2 a page: 4 pages
    assert not (out / "lessons/page/5/index.html").exists()
    assert len(first.select(".card-list article.card")) == 2
    assert first.select_one('link[rel="canonical"]')["href"] == "https://example.org/kb/lessons/"
    assert second.select_one('link[rel="canonical"]')["href"] == "https://example.org/kb/lessons/page/2/"
    assert first.select_one('link[rel="prev"]') is None
    assert first.select_one('link[rel="next"]')["href"] == "/kb/lessons/page/2/"
    assert second.select_one('link[rel="prev"]')["href"] == "/kb/lessons/"
    assert third.select_one('link[rel="next"]')["href"] == "/kb/lessons/page/4/"
    assert "7 lessons" in first.select_one(".count").text
    topic = soup(out / "topics/reliability/page/2/index.html")
    assert topic.select_one('link[rel="prev"]')["href"] == "/kb/topics/reliability/"
    assert "lessons/page/2/" not in sitemap_paths(out)  # a list's first page stands for it


def test_page_size_is_validated(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("good")
    config = site / "site.yml"
    config.write_text(config.read_text() + "lists:\n  page_size: 0\n")
    result = build(BuildOptions(site_dir=site, search=False))
    line = config.read_text().count("\n")
    assert [(d.path, d.line, d.code) for d in result.diagnostics] == [("site.yml", line, "invalid-value")]
    assert "lists.page_size" in result.diagnostics[0].message


def test_a_page_type_is_one_unit(site_copy: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Registering a unit is all it takes: its pages are built and the sitemap lists them."""

    def glossary(site: SiteRenderer) -> Iterator[PageJob]:
        page = Page("glossary/", "Glossary", "Every term.")
        yield site.page("search.html", page, sitemap="2026-01-01")

    pages_module._load()
    monkeypatch.setitem(pages_module._TYPES, "glossary", PageType("glossary", 65, glossary))
    out = built(site_copy("good"))
    assert soup(out / "glossary/index.html").select_one("title").text.startswith("Glossary")
    paths = sitemap_paths(out)
    assert paths.index("search/") < paths.index("glossary/") < paths.index("paths/starter/")
