"""A site's own taxonomies, declared in site.yml `taxonomies:` (the fixture site tests/sites/taxonomies)."""

from __future__ import annotations

import pickle
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.build import BuildOptions, SiteBuilder, build
from builder.config import load_config
from builder.diagnostics import format_text
from builder.taxonomy import FRONT_MATTER_FIELDS, Kind
from tests.conftest import SITES, soup, write_lesson

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
LANGUAGES = Kind("languages")
FIXTURES = "title: Fixtures\ndate: 2026-01-01\nsummary: S.\ntopics: [testing]\nskills: [pytest]\n"


def built(site: Path) -> Path:
    result = build(BuildOptions(site_dir=site, search=False))
    assert result.ok and result.diagnostics == [], format_text(result.diagnostics)
    return site / "public"


def diagnostics(site: Path) -> str:
    return format_text(build(BuildOptions(site_dir=site, search=False)).diagnostics)


def test_a_declared_taxonomy_is_a_typed_kind_of_the_site() -> None:
    loaded, problems = load_config(SITES / "taxonomies")
    assert problems == [] and loaded is not None
    config = loaded.config
    assert [str(t.kind) for t in config.all_taxonomies()] == [
        "topics",
        "skills",
        "authors",
        "languages",
        "editors",
    ]
    languages = config.taxonomy(LANGUAGES)
    assert (languages.label, languages.title, languages.kind.singular) == (
        "Language",
        "Languages",
        "language",
    )
    assert config.taxonomy(Kind("editors")).label == "Editor"  # singular: the title without its s
    assert {k: t.title for k, t in config.vocabulary(LANGUAGES).items()} == {"python": "Python", "go": "Go"}
    assert config.vocabulary(LANGUAGES)["go"].description == "Lessons on Go."
    assert config.related_weights() == {Kind.SKILLS: 2.0, Kind.TOPICS: 1.0, LANGUAGES: 3.0}  # editors: 0
    with pytest.raises(KeyError):
        config.vocabulary(Kind("frameworks"))  # a kind this site does not declare
    assert Kind("languages") is LANGUAGES and pickle.loads(pickle.dumps(LANGUAGES)) is LANGUAGES
    assert LANGUAGES != "languages"  # never equal to a string


def test_term_pages_index_feed_and_sitemap(site_copy: Callable[[str], Path]) -> None:
    out = built(site_copy("taxonomies"))
    python = soup(out / "languages/python/index.html")
    assert python.select_one(".term-header .eyebrow").text == "Language"
    assert python.select_one("h1").text == "Python"
    assert python.select_one(".lede").text == "Lessons with Python code."
    assert [a["href"] for a in python.select(".card-list .card-title a")] == [
        "/kb/lessons/retries/",
        "/kb/lessons/timeouts/",
    ]
    count = python.select_one(".term-header .count")
    assert [(a.text, a["href"]) for a in count.select("a")] == [
        ("Search within Python", "/kb/search/?language=Python"),
        ("Feed", "/kb/languages/python/feed.xml"),
    ]
    search = soup(out / "search/index.html")  # a facet per taxonomy, named as lesson pages name filters
    facets = [(box["data-facet"], box.legend.text) for box in search.select("#search-facets fieldset")]
    assert facets == [
        ("topic", "Topic"),
        ("skill", "Skill"),
        ("language", "Language"),
        ("editor", "Editor"),
        ("level", "Level"),
    ]
    feeds = [link["href"] for link in python.select('link[rel="alternate"]')]
    assert "/kb/languages/python/feed.xml" in feeds
    assert python.select_one('meta[property="og:image"]')["content"].endswith("/cards/languages/python.png")
    assert (out / "cards/languages/python.png").is_file()
    together = {a.select_one(".chip-kind").text: a["href"] for a in python.select(".cooccurring a")}
    assert together["editor"] == "/kb/editors/vim/" and together["language"] == "/kb/languages/go/"
    index = soup(out / "languages/index.html")
    assert index.select_one("h1").text == "Languages"
    nav = [(a.text, a["href"], a.get("aria-current")) for a in index.select("#site-nav a")]
    assert nav[2:5] == [
        ("Skills", "/kb/skills/", None),
        ("Languages", "/kb/languages/", "page"),
        ("Editors", "/kb/editors/", None),
    ]
    assert [(a.text, a["href"]) for a in index.select(".term-grid h2 a")] == [
        ("Python", "/kb/languages/python/"),
        ("Go", "/kb/languages/go/"),
    ]
    assert [p.text for p in index.select(".term-grid .count")] == ["2 lessons", "1 lesson"]
    feed = ET.parse(out / "languages/go/feed.xml").getroot()
    assert [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")] == ["Retries in Python"]
    sitemap = ET.parse(out / "sitemap.xml").getroot()
    locs = [loc.text for loc in sitemap.iter(f"{SITEMAP}loc")]
    assert "https://example.org/kb/languages/" in locs and "https://example.org/kb/editors/vim/" in locs


def test_a_lesson_shows_its_terms_as_chips_filters_and_related_reasons(
    site_copy: Callable[[str], Path],
) -> None:
    out = built(site_copy("taxonomies"))
    page = soup(out / "lessons/timeouts/index.html")
    labels = [span.text for span in page.select(".lesson-terms .terms-label")]
    assert labels == ["Topics", "Skills", "Languages", "Editors"]
    chips = [(a["class"][1], a["href"], a.text) for a in page.select(".lesson-terms a.chip")]
    assert chips[2:] == [
        ("chip-languages", "/kb/languages/python/", "Python"),
        ("chip-editors", "/kb/editors/vim/", "Vim"),
    ]
    filters = [span["data-pagefind-filter"] for span in page.select("[data-pagefind-filter]")]
    assert filters == ["topic:Testing", "skill:pytest", "language:Python", "editor:Vim"]
    related = {a.text: a.find_next_sibling("span").text for a in page.select("#related .related-list a")}
    assert related == {
        "Retries in Python": "shares language: Python",
        "Fixtures": "shares skill: pytest · topic: Testing",
    }
    # editors have no related_weight: sharing an editor alone makes no lesson related
    retries = soup(out / "lessons/retries/index.html")
    assert [a.text for a in retries.select("#related .related-list a")] == ["Timeouts"]


def test_unknown_and_repeated_terms_are_errors_at_their_place(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("taxonomies")
    write_lesson(
        site,
        "typo.md",
        "title: T\ndate: 2026-01-05\nsummary: S.\ntopics: [testing]\nlanguages: [pyhton, go, go]\n",
        "See [[timeouts]].\n",
    )
    assert diagnostics(site) == (
        "content/typo.md:6:13: error[unknown-term]: unknown language 'pyhton' (did you mean 'python'?);"
        " see site.yml taxonomies.languages.terms\n"
        "content/typo.md:6:25: error[invalid-value]: 'go' is listed twice in 'languages'\n"
    )


def test_a_declared_field_has_the_shape_of_topics(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("taxonomies")
    write_lesson(
        site, "shape.md", "title: T\ndate: 2026-01-05\nsummary: S.\ntopics: [testing]\neditors: vim\n"
    )
    assert (
        diagnostics(site)
        == "content/shape.md:6:10: error[invalid-value]: 'editors': Input should be a valid list\n"
    )


def test_without_the_declaration_the_field_is_unknown(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("taxonomies")
    text = (site / "site.yml").read_text(encoding="utf-8")
    (site / "site.yml").write_text(text[: text.index("  editors:")], encoding="utf-8")
    result = build(BuildOptions(site_dir=site, search=False))
    errors = [d for d in result.diagnostics if d.severity == "error"]
    assert format_text(errors) == "content/timeouts.md:8:1: error[unknown-field]: unknown field 'editors'\n"


def test_an_unused_declared_term_is_a_warning_at_its_line(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("taxonomies")
    with (site / "site.yml").open("a", encoding="utf-8") as file:
        file.write("      emacs: {title: Emacs}\n")
    assert diagnostics(site) == "site.yml:20:7: warning[unused-term]: no lesson uses editor 'emacs'\n"


def test_declaring_a_term_reparses_the_lessons_that_use_it(site_copy: Callable[[str], Path]) -> None:
    """The parse epoch holds the declared taxonomies: a cached parse that refused a term is not reused
    (one SiteBuilder, as kb serve keeps it between builds)."""
    site = site_copy("taxonomies")
    lesson = "title: T\ndate: 2026-01-05\nsummary: S.\ntopics: [testing]\neditors: [emacs]\n"
    write_lesson(site, "emacs.md", lesson, "See [[timeouts]].\n")
    write_lesson(site, "fixtures.md", FIXTURES + "editors: [vim]\n", "Read [[emacs]].\n")
    builder = SiteBuilder(BuildOptions(site_dir=site, search=False))
    assert "error[unknown-term]: unknown editor 'emacs'" in format_text(builder.build().diagnostics)
    with (site / "site.yml").open("a", encoding="utf-8") as file:
        file.write("      emacs: {title: Emacs}\n")
    result = builder.build()
    assert result.ok and result.diagnostics == [], format_text(result.diagnostics)
    page = soup(site / "public/editors/emacs/index.html")
    assert [a.text for a in page.select(".card-title a")] == ["T"]


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("lessons", "kb's own pages use /lessons/"),
        ("topics", "kb's own pages use /topics/"),
        ("search", "kb's own pages use /search/"),
        ("tags", "kb's own pages use /tags/"),
        ("summary", "it is a field of the front matter"),
    ],
)
def test_a_reserved_name_is_an_error_at_its_line(tmp_path: Path, name: str, why: str) -> None:
    (tmp_path / "site.yml").write_text(
        f"title: T\nbase_url: https://example.org/\ntaxonomies:\n  {name}:\n    title: X\n", encoding="utf-8"
    )
    loaded, problems = load_config(tmp_path)
    assert loaded is None
    assert format_text(problems) == (
        f"site.yml:4:3: error[invalid-value]: 'taxonomies': the name '{name}' is reserved ({why});"
        " choose another\n"
    )


def test_every_front_matter_field_is_reserved() -> None:
    from builder.frontmatter import FrontMatter

    builtin = {"topics", "skills", "authors"}
    assert set(FrontMatter.model_fields) - builtin == FRONT_MATTER_FIELDS


def test_a_taxonomy_is_checked_like_the_rest_of_site_yml(tmp_path: Path) -> None:
    text = (
        "title: T\nbase_url: https://example.org/\ntaxonomies:\n"
        "  languages:\n    terms:\n      Python: {title: Python}\n    related_weight: -1\n"
    )
    (tmp_path / "site.yml").write_text(text, encoding="utf-8")
    _, problems = load_config(tmp_path)
    assert format_text(sorted(problems)) == (
        "site.yml:5:5: error[missing-field]: missing required field 'taxonomies.languages.title'\n"
        "site.yml:6:7: error[invalid-value]: 'taxonomies.languages.terms': 'Python' is not a valid id:"
        " use lowercase letters, digits and single hyphens\n"
        "site.yml:7:21: error[invalid-value]: 'taxonomies.languages.related_weight':"
        " Input should be greater than or equal to 0\n"
    )


def test_a_site_without_declared_taxonomies_keeps_its_header_as_it_was(
    site_copy: Callable[[str], Path],
) -> None:
    """The nav loop sits at a line's end: with trim_blocks it must not eat that line's newline."""
    site = site_copy("minimal")
    assert build(BuildOptions(site_dir=site, search=False)).ok
    html = (site / "public/index.html").read_text(encoding="utf-8")
    assert '>Skills</a></li>\n        <li><a href="/paths/"' in html
