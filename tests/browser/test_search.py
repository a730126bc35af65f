"""Search in a real browser: Pagefind over the built 'good' site, served under its /kb/ sub-path."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from builder.build import BuildOptions, build
from tests.browser.conftest import watched_page
from tests.conftest import SITES, serving


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
