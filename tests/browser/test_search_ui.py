"""The search experience on the bundled knowledge base, in a real browser: ranking of the queries that used to
fail, deep links to sections, truthful facet counts, the phone layout, the keyboard and the header dropdown."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from benchmarks.search_quality import TARGET_MRR, TOP, load_cases, mrr, rank_all
from builder.build import BuildOptions, build
from tests.browser.conftest import watched_page
from tests.conftest import serving

ROOT = Path(__file__).resolve().parents[2]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = tmp_path_factory.mktemp("bundled") / "public"
    result = build(BuildOptions(site_dir=ROOT, out_dir=out, search=True))
    assert result.ok, (result.failure, result.diagnostics)
    with serving(out, "/kb/") as server:
        yield server.url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    yield from watched_page(browser, viewport=DESKTOP)


def search(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator("#search-app")).to_have_attribute("data-ready", "true")


def settled(page: Page) -> None:
    expect(page.locator("#search-app:not([aria-busy])")).to_have_count(1)


def first_result(page: Page) -> str:
    return page.locator(".result-title a").first.get_attribute("href") or ""


def found(page: Page) -> int:
    text = page.locator("#search-status").inner_text()
    match = re.match(r"(\d+) lessons? found", text)
    return int(match.group(1)) if match else 0


def test_the_queries_that_failed_rank_their_lesson_first(page: Page, site_url: str) -> None:
    queries = {
        "n+1": "n-plus-one-queries",
        "N+1 queries": "n-plus-one-queries",
        "zero downtime": "zero-downtime-migrations",
        "without downtime": "zero-downtime-migrations",
        "429": "token-bucket-rate-limiting",
        "asyncio.gather": "bounded-concurrency",
        "throttling": "token-bucket-rate-limiting",
        "retry": "retries-backoff-jitter",
        "why do my retries make things worse": "retries-backoff-jitter",
        "idempotncy": "idempotency-keys",
    }
    firsts = {}
    for query in queries:
        search(page, site_url + "search/?q=" + query.replace("+", "%2B"))
        expect(page.locator(".result-title a").first).to_be_visible()
        firsts[query] = first_result(page).split("/")[-2]
    assert firsts == queries


def test_relevance_benchmark_meets_its_target(page: Page, site_url: str) -> None:
    outcomes = rank_all(page, site_url, load_cases(), raw=False)
    assert len(outcomes) >= 30
    assert [(o.case.query, o.rank) for o in outcomes if not o.rank or o.rank > TOP] == []
    assert mrr(outcomes) >= TARGET_MRR


def test_section_links_land_on_their_heading(page: Page, site_url: str) -> None:
    search(page, site_url + "search/?q=jitter")
    section = page.locator(".result").first.locator(".result-sections a").first
    href = section.get_attribute("href") or ""
    path, _, anchor = href.partition("#")
    assert path == "/kb/lessons/retries-backoff-jitter/" and anchor
    title = section.inner_text()
    expect(section.locator("xpath=following-sibling::p[1]").locator("mark").first).to_be_visible()
    section.click()
    expect(page).to_have_url(site_url + href.removeprefix("/kb/"))
    heading = page.locator(f"[id='{anchor}']")
    assert heading.evaluate("node => node.tagName") in {"H2", "H3", "H4"}
    assert heading.inner_text().strip() == title
    expect(heading).to_be_in_viewport()


def facet_box(page: Page, facet: str, value: str):  # type: ignore[no-untyped-def]
    return page.locator(f"#search-facets input[data-facet='{facet}'][value='{value}']")


def count_of(page: Page, facet: str, value: str) -> int:
    box = facet_box(page, facet, value)
    label = page.locator(f"label[for='{box.get_attribute('id')}'] .count").inner_text()
    return int(label.strip("()"))


def test_facet_counts_are_the_results_after_ticking(page: Page, site_url: str) -> None:
    search(page, site_url + "search/?q=retry")
    checks = []
    # The case first: Reliability ticked, then API design (OR within a facet), then a skill (AND).
    for facet, value in [
        ("topic", "Reliability"),
        ("topic", "API design"),
        ("skill", "Python"),
        ("level", "intermediate"),
    ]:
        promised = count_of(page, facet, value)
        facet_box(page, facet, value).check()
        settled(page)
        checks.append((value, promised, found(page), len(page.locator(".result").all())))
    assert all(promised == got for _, promised, got, _ in checks), checks
    assert checks[1][2] >= checks[0][2] and checks[2][2] <= checks[1][2]  # OR widens, AND narrows
    # every value still offered tells the truth too
    offered = page.locator("#search-facets input[data-facet='skill']:not(:checked)")
    values = [box.get_attribute("value") or "" for box in offered.all()]
    assert values  # only values that change the result are offered
    for value in values:
        promised = count_of(page, "skill", value)
        facet_box(page, "skill", value).check()
        settled(page)
        expect(page.locator("#search-status")).to_have_text(
            f"{promised} lesson{'s' if promised != 1 else ''} found."
        )
        facet_box(page, "skill", value).uncheck()
        settled(page)
    params = {key: sorted(values) for key, values in parse_qs(urlsplit(page.url).query).items()}
    assert params == {
        "q": ["retry"],
        "topic": ["API design", "Reliability"],
        "skill": ["Python"],
        "level": ["intermediate"],
    }
    page.get_by_role("button", name="Clear filters").click()
    expect(page).to_have_url(site_url + "search/?q=retry")
    assert page.evaluate("document.activeElement !== document.body")


def test_phone_results_come_first_and_filters_fold(browser: Browser, site_url: str) -> None:
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    search(page, site_url + "search/?q=retry")
    first = page.locator(".result").first.bounding_box()
    assert first is not None and first["y"] + 60 < PHONE["height"]
    expect(page.locator("#search-facets")).to_be_hidden()
    toggle = page.locator("#filters-toggle")
    expect(toggle).to_have_text("Filters")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#search-facets")).to_be_visible()
    facet_box(page, "topic", "Reliability").check()
    facet_box(page, "level", "intermediate").check()
    expect(toggle).to_have_text("Filters (2)")
    page.keyboard.press("Escape")
    expect(page.locator("#search-facets")).to_be_hidden()
    expect(toggle).to_be_focused()
    expect(page.locator(".result").first).to_be_in_viewport()
    # "/" is not offered where there is no keyboard to press it
    page.goto(site_url + "lessons/retries-backoff-jitter/")
    expect(page.locator("#header-search-input")).to_have_attribute("placeholder", "Search lessons")
    assert page.locator("#header-search-input").get_attribute("aria-keyshortcuts") is None
    context.close()


def test_desktop_facets_sit_beside_the_results(page: Page, site_url: str) -> None:
    search(page, site_url + "search/?q=retry")
    facets = page.locator("#search-facets").bounding_box()
    results = page.locator("#search-results").bounding_box()
    assert facets and results and facets["x"] + facets["width"] <= results["x"]
    expect(page.locator("#filters-toggle")).to_be_hidden()
    page.goto(site_url + "lessons/retries-backoff-jitter/")
    # the "/" key is announced once: the header's badge shows it, aria-keyshortcuts names it
    expect(page.locator("#header-search-input")).to_have_attribute("placeholder", "Search lessons")
    expect(page.locator("#header-search-input")).to_have_attribute("aria-keyshortcuts", "/")


def test_keyboard_type_arrows_enter(page: Page, site_url: str) -> None:
    search(page, site_url + "search/")
    page.keyboard.press("/")
    expect(page.locator("#search-input")).to_be_focused()
    page.keyboard.type("circuit breaker")
    expect(page.locator(".result-title a").first).to_have_attribute("href", "/kb/lessons/circuit-breakers/")
    page.keyboard.press("ArrowDown")
    links = page.locator("#search-results a")
    expect(links.nth(0)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(links.nth(1)).to_be_focused()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Escape")
    expect(page.locator("#search-input")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(links.nth(0)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(site_url + "lessons/circuit-breakers/")


def test_escape_clears_and_focus_stays_off_the_body(page: Page, site_url: str) -> None:
    search(page, site_url + "search/?q=retry")
    expect(page.locator("#search-input")).to_be_focused()  # arriving from the header box
    box = facet_box(page, "topic", "Reliability")
    box.focus()
    page.keyboard.press("Space")
    expect(page.locator("#search-status")).to_have_text(re.compile(r"\d+ lessons found\."))
    expect(facet_box(page, "topic", "Reliability")).to_be_focused()
    page.locator("#search-input").focus()
    page.keyboard.press("Escape")
    expect(page.locator("#search-input")).to_have_value("")
    expect(page.locator("#search-input")).to_be_focused()


def test_result_dates_read_like_the_rest_of_the_site(page: Page, site_url: str) -> None:
    search(page, site_url + "search/?q=circuit breaker")
    date = page.locator(".result").first.locator("time")
    expect(date).to_have_attribute("datetime", "2026-03-30")
    expect(date).to_have_text("30 March 2026")


def test_header_dropdown_shows_the_top_five(page: Page, site_url: str) -> None:
    page.goto(site_url + "lessons/circuit-breakers/")
    box = page.locator("#header-search-input")
    box.click()
    page.keyboard.type("rate limit")
    options = page.locator("#header-search-list [role=option]")
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(options).to_have_count(6)
    expect(options.first.locator(".option-title")).to_have_text("Rate limit with a token bucket in Redis")
    expect(options.last).to_have_text(re.compile(r"See all \d+ results for “rate limit”"))
    page.keyboard.press("ArrowUp")  # wraps to "see all"
    expect(box).to_have_attribute("aria-activedescendant", "header-search-option-all")
    page.keyboard.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_have_value("rate limit")
    page.keyboard.press("ArrowDown")
    expect(box).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(page).to_have_url(site_url + "lessons/token-bucket-rate-limiting/")


def test_header_dropdown_see_all_opens_the_search_page(page: Page, site_url: str) -> None:
    page.goto(site_url + "topics/")
    page.keyboard.press("/")
    page.keyboard.type("zero downtime")
    expect(page.locator("#header-search-list [role=option]").first).to_contain_text("without downtime")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    expect(page).to_have_url(site_url + "search/?q=zero%20downtime")
    expect(page.locator(".result-title a").first).to_have_attribute(
        "href", "/kb/lessons/zero-downtime-migrations/"
    )
    expect(page.locator("#search-input")).to_be_focused()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1440"])
def test_axe_finds_nothing_on_search(
    browser: Browser, site_url: str, scheme: str, viewport: dict[str, int]
) -> None:
    context = browser.new_context(color_scheme=scheme, viewport=viewport)
    page = context.new_page()
    axe = Axe()
    found_violations = {}
    search(page, site_url + "search/?q=retry&topic=Reliability")
    if page.locator("#filters-toggle").is_visible():
        page.locator("#filters-toggle").click()
    expect(page.locator("#search-facets")).to_be_visible()
    found_violations["search"] = [v["id"] for v in axe.run(page).response["violations"]]
    page.goto(site_url + "lessons/circuit-breakers/")
    page.locator("#header-search-input").fill("retry")
    expect(page.locator("#header-search-popup")).to_be_visible()
    found_violations["dropdown"] = [v["id"] for v in axe.run(page).response["violations"]]
    page.goto(site_url + "404.html")
    found_violations["404"] = [v["id"] for v in axe.run(page).response["violations"]]
    context.close()
    assert found_violations == {"search": [], "dropdown": [], "404": []}


def test_typos_are_corrected_and_rare_real_words_are_not(page: Page, site_url: str) -> None:
    search(page, site_url + "search/?q=idempotncy")
    expect(page.locator("#search-status")).to_contain_text("Showing matches for “idempotency” too.")
    search(page, site_url + "search/?q=jsonb")
    expect(page.locator("#search-status")).to_have_text(re.compile(r"^\d+ lessons? found\.$"))
    holding = {
        lesson.stem for lesson in (ROOT / "content").rglob("*.md") if "jsonb" in lesson.read_text().lower()
    }
    hrefs = [a.get_attribute("href") or "" for a in page.locator(".result-title a").all()]
    assert [href.split("/")[-2] in holding for href in hrefs[: len(holding)]] == [True] * len(holding)


def test_a_declared_taxonomy_is_a_search_facet(browser: Browser, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(ROOT / "tests/sites/taxonomies", site)
    out = tmp_path / "public"
    result = build(BuildOptions(site_dir=site, out_dir=out, search=True))
    assert result.ok, (result.failure, result.diagnostics)
    with serving(out, "/kb/") as server:
        page = next(watched_page(browser, viewport=DESKTOP))
        search(page, server.url + "search/?language=Python")
        settled(page)
        expect(facet_box(page, "language", "Python")).to_be_checked()
        titles = sorted(page.locator(".result-title a").all_inner_texts())
        assert titles == ["Retries in Python", "Timeouts"]
        chips = page.locator(".result .chip-language").all_inner_texts()
        assert sorted(chips) == ["Go", "Python", "Python"]  # retries is in Go and Python
        facet_box(page, "editor", "Vim").check()
        settled(page)
        assert page.locator(".result-title a").all_inner_texts() == ["Timeouts"]
        assert parse_qs(urlsplit(page.url).query) == {"language": ["Python"], "editor": ["Vim"]}
        page.context.close()
