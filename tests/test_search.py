"""Search in a real browser: Pagefind over the built 'good' site, served under its /kb/ sub-path."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from builder.build import BuildOptions, build
from builder.search import vocabulary
from tests.conftest import SITES, serving, soup, watched_page


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = tmp_path_factory.mktemp("search") / "public"
    result = build(BuildOptions(site_dir=SITES / "good", out_dir=out, search=True))
    assert result.ok, (result.failure, result.diagnostics)
    with serving(out, "/kb/") as server:
        yield server.url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    yield from watched_page(browser)


def results(page: Page) -> list[tuple[str, str]]:
    return [(a.inner_text(), a.get_attribute("href") or "") for a in page.locator(".result-title a").all()]


def test_index_covers_lesson_bodies_only(tmp_path: Path) -> None:
    out = tmp_path / "public"
    assert build(BuildOptions(site_dir=SITES / "good", out_dir=out)).ok
    assert (out / "pagefind/pagefind.js").is_file()
    lesson = soup(out / "lessons/validate-at-the-edge/index.html")
    body = lesson.select_one("[data-pagefind-body]")
    assert body.find_parent("article") is not None
    assert body.select_one("#related, #backlinks, nav") is None
    filters = sorted(tag["data-pagefind-filter"] for tag in body.select("[data-pagefind-filter]"))
    assert filters == [
        "level:intermediate",
        "skill:FastAPI",
        "skill:Pydantic",
        "skill:Python",
        "topic:API design",
        "topic:Reliability",
    ]
    assert all(tag.text == "" for tag in body.select("[data-pagefind-filter], [data-pagefind-meta]"))
    assert soup(out / "index.html").select("[data-pagefind-body]") == []


def test_unique_word_finds_its_lesson(page: Page, site_url: str) -> None:
    page.goto(site_url + "search/?q=quokka")
    expect(page.locator("#search-status")).to_have_text("1 lesson found.")
    assert results(page) == [("Connection pools", "/kb/lessons/connection-pools/")]
    expect(page.locator(".result .excerpt mark")).to_have_text("quokka")


def test_skill_filter_narrows_results(page: Page, site_url: str) -> None:
    page.goto(site_url + "search/")
    expect(page.locator("#search-status")).to_contain_text("Type a few words")
    page.get_by_label("FastAPI").check()
    expect(page.locator("#search-status")).to_have_text("2 lessons found.")
    assert sorted(results(page)) == [
        ("Error contracts", "/kb/lessons/error-contracts/"),
        ("Validate at the edge", "/kb/lessons/validate-at-the-edge/"),
    ]
    assert parse_qs(urlsplit(page.url).query) == {"skill": ["FastAPI"]}


def test_url_round_trips_the_query_and_back_works(page: Page, site_url: str) -> None:
    page.goto(site_url + "search/")
    page.fill("#search-input", "quokka")
    expect(page.locator("#search-status")).to_have_text("1 lesson found.")
    assert parse_qs(urlsplit(page.url).query) == {"q": ["quokka"]}
    page.get_by_label("PostgreSQL").check()
    expect(page).to_have_url(site_url + "search/?q=quokka&skill=PostgreSQL")
    page.reload()
    expect(page.locator("#search-input")).to_have_value("quokka")
    expect(page.get_by_label("PostgreSQL")).to_be_checked()
    expect(page.locator("#search-status")).to_have_text("1 lesson found.")
    page.go_back()
    expect(page).to_have_url(site_url + "search/?q=quokka")
    expect(page.get_by_label("PostgreSQL")).not_to_be_checked()


def test_header_box_on_a_lesson_page(page: Page, site_url: str) -> None:
    page.goto(site_url + "lessons/http-basics/")
    page.keyboard.press("/")
    expect(page.locator("#header-search-input")).to_be_focused()
    page.keyboard.type("quokka")
    page.keyboard.press("Enter")
    expect(page).to_have_url(site_url + "search/?q=quokka")
    expect(page.locator("#search-status")).to_have_text("1 lesson found.")


def test_term_page_links_to_a_prefiltered_search(page: Page, site_url: str) -> None:
    page.goto(site_url + "topics/databases/")
    page.get_by_role("link", name="Search within Databases").click()
    expect(page.get_by_label("Databases")).to_be_checked()
    expect(page.locator("#search-status")).to_have_text("1 lesson found.")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations(browser: Browser, site_url: str, scheme: str) -> None:
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    axe = Axe()
    found = {}
    for path in ["", "lessons/validate-at-the-edge/", "topics/api-design/", "skills/", "search/?q=quokka"]:
        page.goto(site_url + path)
        page.wait_for_load_state("networkidle")
        violations = axe.run(page).response["violations"]
        serious = [v["id"] for v in violations if v["impact"] in {"serious", "critical"}]
        if serious:
            found[path] = serious
    context.close()
    assert found == {}


def test_missing_pagefind_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_PAGEFIND", str(tmp_path / "no-such-pagefind"))
    out = tmp_path / "public"
    out.mkdir()
    (out / "keep.html").write_text("previous")
    # force: a folder of the user's own, which kb replaces only when told to
    result = build(BuildOptions(site_dir=SITES / "good", out_dir=out, force=True))
    assert not result.ok
    assert (
        result.failure == f"search index: the Pagefind binary {tmp_path / 'no-such-pagefind'} does not exist"
    )
    assert [p.name for p in out.iterdir()] == ["keep.html"]


def test_lesson_title_summary_and_terms_are_indexed_with_weight(tmp_path: Path) -> None:
    out = tmp_path / "public"
    assert build(BuildOptions(site_dir=SITES / "good", out_dir=out)).ok
    body = soup(out / "lessons/validate-at-the-edge/index.html").select_one("[data-pagefind-body]")
    block = body.select_one(".search-terms")
    assert block.has_attr("hidden")
    weights = [
        (p["data-pagefind-weight"], p.get_text(" ", strip=True))
        for p in block.select("[data-pagefind-weight]")
    ]
    assert weights[0] == ("10", "Validate at the edge")
    assert weights[2] == ("4", "API design. Reliability. Pydantic. FastAPI. Python.")
    assert (
        body.select_one("[data-pagefind-meta^='date_text:']")["data-pagefind-meta"]
        == "date_text:10 February 2026"
    )
    words = json.loads((out / "pagefind/kb-vocabulary.json").read_text())
    assert "validate" in words and words == sorted(set(words))


def test_vocabulary_holds_headings_and_the_search_terms_of_indexed_pages() -> None:
    page = (
        '<main data-pagefind-body><div class="search-terms" hidden><div data-pagefind-weight="10">Idempotency &amp; keys</div>'
        '<div data-pagefind-weight="4">Reliability.</div></div>'
        '<h2 id="x">Claiming a <code>key</code> atomically</h2><p>bodyword appears only here</p></main>'
    )
    assert vocabulary(page) == {"idempotency", "keys", "reliability", "claiming", "atomically"}
    assert vocabulary("<h1>Not indexed</h1>") == set()


def test_synonyms_from_site_yml_reach_every_page(site_copy: Callable[[str], Path], tmp_path: Path) -> None:
    site = site_copy("good")
    with (site / "site.yml").open("a", encoding="utf-8") as config:
        config.write(
            "search:\n  synonyms:\n    - [zero downtime, without downtime]\n    - ['n+1', n plus one]\n"
        )
    out = tmp_path / "public"
    assert build(BuildOptions(site_dir=site, out_dir=out, search=False)).ok
    for page in ["index.html", "lessons/validate-at-the-edge/index.html", "404.html"]:
        form = soup(out / page).select_one("form.header-search[role=search]")
        assert json.loads(form["data-synonyms"]) == [
            ["zero downtime", "without downtime"],
            ["n+1", "n plus one"],
        ]
        assert form["aria-label"] == "Site"
