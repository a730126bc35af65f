"""Build the 'good' fixture site and check its pages, parsed."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.build import BuildOptions, build
from tests.conftest import SITES, soup

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("good") / "public"
    result = build(BuildOptions(site_dir=SITES / "good", out_dir=target, search=False))
    assert result.ok, result.diagnostics
    assert [(d.code, d.path) for d in result.diagnostics] == [
        ("orphan-lesson", "content/ops/connection-pools.md")
    ]
    return target


def test_every_lesson_has_its_page_and_drafts_are_left_out(out: Path) -> None:
    lessons = sorted(p.parent.name for p in (out / "lessons").glob("*/index.html"))
    assert lessons == ["connection-pools", "error-contracts", "http-basics", "validate-at-the-edge"]
    assert not list(out.rglob("*draft*"))
    assert not list(out.rglob("*ignored*")) and not list(out.rglob("*hidden*"))


def test_lesson_page_structure(out: Path) -> None:
    page = soup(out / "lessons/validate-at-the-edge/index.html")
    assert [h1.text for h1 in page.select("h1")] == ["Validate at the edge"]
    assert (
        page.select_one("link[rel=canonical]")["href"]
        == "https://example.org/kb/lessons/validate-at-the-edge/"
    )
    assert page.select_one("meta[property='og:title']")["content"] == "Validate at the edge"
    # a social card: a large image preview (issue 15 turned the summary card into this)
    assert page.select_one("meta[name='twitter:card']")["content"] == "summary_large_image"
    assert [a.text for a in page.select(".lesson-terms a")] == [
        "API design",
        "Reliability",
        "Pydantic",
        "FastAPI",
        "Python",
    ]
    assert page.select_one(".lesson-terms a")["href"] == "/kb/topics/api-design/"
    assert [a.text for a in page.select("#toc a")] == ["Why validate"]
    assert "1 min read" in page.select_one(".lesson-header .meta").text
    body = page.select_one("[data-pagefind-body]")
    assert body.select_one("h2#why-validate") is not None
    assert body.select_one("pre.highlight span.kn").text == "from"


def test_links_are_rewritten_under_the_base_path(out: Path) -> None:
    body = soup(out / "lessons/validate-at-the-edge/index.html").select_one("[data-pagefind-body]")
    links = [(a.text, a["href"]) for a in body.select("a") if not a.get("href", "").startswith("#fn")]
    assert links == [
        ("the basics", "/kb/lessons/http-basics/#status-codes"),
        ("folder", "/kb/lessons/http-basics/"),
        ("clients need contracts", "/kb/lessons/error-contracts/"),
        ("Error contracts", "/kb/lessons/error-contracts/#the-shape"),
        ("below", "#why-validate"),
    ]
    assert body.select_one("img")["src"] == "/kb/media/validation/img/flow.png"
    assert (out / "media/validation/img/flow.png").read_bytes().startswith(b"\x89PNG")


def test_raw_html_and_template_syntax_stay_text(out: Path) -> None:
    body = soup(out / "lessons/validate-at-the-edge/index.html").select_one("[data-pagefind-body]")
    assert body.select("script") == []
    assert '<script>alert("x")</script> and {{ not_a_template }} {% raw %}' in body.text
    meta = soup(out / "lessons/validate-at-the-edge/index.html").select_one(".lesson-header .meta")
    assert "Bob <b>Bold</b>" in meta.text and meta.select("b") == []


def test_related_lessons_with_reasons(out: Path) -> None:
    related = soup(out / "lessons/validate-at-the-edge/index.html").select("#related li")
    assert [(li.a.text, li.select_one(".reason").text) for li in related] == [
        ("Error contracts", "shares skills: Pydantic, FastAPI · topic: API design"),
        ("Connection pools", "shares skill: Python · topic: Reliability"),
        ("HTTP basics", "shares skill: Python · topic: API design"),
    ]


def test_backlinks_prerequisites_and_path_navigation(out: Path) -> None:
    page = soup(out / "lessons/validate-at-the-edge/index.html")
    # The three lessons that link here are all listed as related, so none is repeated under backlinks
    # (issue #13); tests/test_reading.py has a lesson whose backlinks list a lesson that is not related.
    assert sorted(a.text for a in page.select("#related li > a")) == [
        "Connection pools",
        "Error contracts",
        "HTTP basics",
    ]
    assert page.select_one("#backlinks") is None
    assert [a["href"] for a in page.select("#prerequisites a")] == ["/kb/lessons/http-basics/"]
    path = page.select_one("#learning-path")
    assert "Starter path: step 2 of 3" in " ".join(path.text.split())
    assert path.select_one("a[rel=prev]")["href"] == "/kb/lessons/http-basics/"
    assert path.select_one("a[rel=next]")["href"] == "/kb/lessons/error-contracts/"
    first = soup(out / "lessons/http-basics/index.html")
    assert first.select_one("#learning-path a[rel=prev]") is None
    assert first.select_one("#prerequisites") is None
    assert soup(out / "lessons/connection-pools/index.html").select_one("#learning-path") is None


def test_json_ld_article_is_escaped_json(out: Path) -> None:
    page = soup(out / "lessons/validate-at-the-edge/index.html")
    data = json.loads(page.select_one("script[type='application/ld+json']").string)
    assert data["@type"] == "Article" and data["headline"] == "Validate at the edge"
    assert data["author"][1]["name"] == "Bob <b>Bold</b>"
    assert "<b>" not in str(page.select_one("script[type='application/ld+json']").string)


def test_term_pages(out: Path) -> None:
    page = soup(out / "topics/api-design/index.html")
    assert page.h1.text == "API design"
    assert [a.text for a in page.select(".card-title a")] == [
        "Error contracts",
        "Validate at the edge",
        "HTTP basics",
    ]
    assert "3 lessons" in page.select_one(".term-header .count").text
    assert [a.contents[0].get_text().strip() for a in page.select(".cooccurring a")] == [
        "FastAPI",
        "Pydantic",
        "Python",
        "Reliability",
    ]
    index = soup(out / "skills/index.html")
    assert [(li.h2.text, li.select_one(".count").text) for li in index.select(".term-grid li")] == [
        ("Pydantic", "2 lessons"),
        ("FastAPI", "2 lessons"),
        ("PostgreSQL", "1 lesson"),
        ("Python", "3 lessons"),
    ]


def test_home_and_paths(out: Path) -> None:
    home = soup(out / "index.html")
    assert home.h1.text == "Test Lessons"
    assert [a.text for a in home.select(".latest .card-title a")] == [
        "Connection pools",
        "Error contracts",
        "Validate at the edge",
        "HTTP basics",
    ]
    assert "3 lessons" in home.select_one("#topics-heading").find_next("ul").text
    path = soup(out / "paths/starter/index.html")
    assert [a.text for a in path.select(".path-steps h2 a")] == [
        "HTTP basics",
        "Validate at the edge",
        "Error contracts",
    ]


def test_feeds_are_atom(out: Path) -> None:
    feed = ET.parse(out / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    ids = [e.findtext(f"{ATOM}id") for e in feed.findall(f"{ATOM}entry")]
    assert ids[0] == "https://example.org/kb/lessons/connection-pools/" and len(ids) == 4
    assert feed.findtext(f"{ATOM}updated") == "2026-04-01T00:00:00Z"
    topic = ET.parse(out / "topics/databases/feed.xml").getroot()
    assert [e.findtext(f"{ATOM}title") for e in topic.findall(f"{ATOM}entry")] == ["Connection pools"]


def test_sitemap_lists_every_page_and_robots_names_it(out: Path) -> None:
    root = ET.parse(out / "sitemap.xml").getroot()
    listed = {u.findtext(f"{SITEMAP}loc") for u in root.findall(f"{SITEMAP}url")}
    pages = {
        "https://example.org/kb/" + str(p.parent.relative_to(out)).replace(".", "") + "/"
        for p in out.rglob("index.html")
        if p.parent != out / "maintenance"  # for editors, never listed
    }
    assert listed == {u.replace("/kb//", "/kb/") for u in pages}
    assert "https://example.org/kb/maintenance/" not in listed
    lastmods = {
        u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in root.findall(f"{SITEMAP}url")
    }
    assert lastmods["https://example.org/kb/lessons/connection-pools/"] == "2026-04-01"
    assert "Sitemap: https://example.org/kb/sitemap.xml" in (out / "robots.txt").read_text()
    assert soup(out / "404.html").h1.text == "Page not found"


def test_drafts_are_built_with_the_flag(tmp_path: Path, site_copy: Callable[[str], Path]) -> None:
    result = build(BuildOptions(site_dir=SITES / "good", out_dir=tmp_path / "out", drafts=True, search=False))
    assert result.ok
    assert (tmp_path / "out/lessons/draft-idea/index.html").is_file()


def test_site_without_themes_folder_uses_builtin_theme(
    tmp_path: Path, site_copy: Callable[[str], Path]
) -> None:
    site = site_copy("minimal")
    assert not (site / "themes").exists()
    result = build(BuildOptions(site_dir=site, search=False))
    assert result.ok and result.out_dir == site / "public"
    assert soup(site / "public/lessons/first/index.html").h1.text == "First lesson"


def test_site_theme_overrides_one_block(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("minimal")
    templates = site / "themes/default/templates"
    templates.mkdir(parents=True)
    (templates / "lesson.html").write_text(
        '{% extends "default/lesson.html" %}{% block og_type %}custom{% endblock %}', encoding="utf-8"
    )
    (templates / "404.html").write_text("{{ page.title }} - custom 404", encoding="utf-8")
    assert build(BuildOptions(site_dir=site, search=False)).ok
    page = soup(site / "public/lessons/first/index.html")
    assert page.select_one("meta[property='og:type']")["content"] == "custom"
    assert page.h1.text == "First lesson"
    assert (site / "public/404.html").read_text() == "Page not found - custom 404"
