"""The reading page in Chromium: the fixture site tests/sites/reading built once and read at a phone
(390x844) and a desk (1440x900) size, in light and dark (as HTML: tests/test_reading.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.conftest import serving

FEATURES = "lessons/retries-with-backoff/"
SIZES = {"phone": (390, 844), "desk": (1440, 900)}


@pytest.fixture(scope="module")
def site_url(out: Path) -> Iterator[str]:
    with serving(out, "/kb/") as server:
        yield server.url


def open_context(browser: Browser, size: str, scheme: str, **extra: object) -> BrowserContext:
    width, height = SIZES[size]
    phone = size == "phone"
    return browser.new_context(
        viewport={"width": width, "height": height},
        color_scheme=scheme,
        is_mobile=phone,
        has_touch=phone,
        **extra,
    )


@pytest.fixture(params=[(size, scheme) for size in SIZES for scheme in ("light", "dark")], ids="-".join)
def page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    size, scheme = request.param
    context = open_context(browser, size, scheme, permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"page errors: {errors}"


def in_first_screen(page: Page, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    assert box is not None
    line = float(page.evaluate("parseFloat(getComputedStyle(document.body).lineHeight)"))
    return box["y"] >= 0 and box["y"] + line <= page.viewport_size["height"]


@pytest.mark.parametrize("slug", ["retries-with-backoff", "timeouts", "circuit-breakers"])
def test_first_paragraph_is_in_the_first_screen(page: Page, site_url: str, slug: str) -> None:
    page.goto(f"{site_url}lessons/{slug}/")
    assert in_first_screen(page, ".lesson-body > p")


def test_contents_stay_visible_and_mark_the_section_in_view(page: Page, site_url: str) -> None:
    page.goto(site_url + FEATURES)
    page.evaluate("document.getElementById('backoff-with-jitter').scrollIntoView()")
    link = page.locator("#toc a[href='#backoff-with-jitter']")
    expect(link).to_have_attribute("aria-current", "true")
    expect(page.locator("#toc a[aria-current]")).to_have_count(1)
    toc = page.locator("#toc").bounding_box()
    assert toc is not None and 0 <= toc["y"] < page.viewport_size["height"]
    if page.viewport_size["width"] < 1024:
        expect(page.locator(".toc-current")).to_have_text("Backoff with jitter")
    else:
        expect(link).to_be_in_viewport()
    page.evaluate("document.getElementById('resources').scrollIntoView()")
    expect(page.locator("#toc a[href='#resources']")).to_have_attribute("aria-current", "true")


def test_copy_button_puts_the_code_on_the_clipboard(page: Page, site_url: str) -> None:
    page.goto(site_url + FEATURES)
    button = page.get_by_role("button", name="Copy code: retry.py")
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_text("Copied")
    expect(page.locator("#kb-announcer")).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("import random\n\n\ndef backoff(") and copied.endswith(
        "return random.uniform(0, ceiling)"
    )


def test_heading_link_copies_the_section_address(page: Page, site_url: str) -> None:
    page.goto(site_url + FEATURES)
    link = page.get_by_role("link", name="Copy link to section: When to retry")
    link.focus()
    expect(link).to_have_css("opacity", "1")
    page.keyboard.press("Enter")
    expect(page).to_have_url(site_url + FEATURES + "#when-to-retry")
    assert page.evaluate("navigator.clipboard.readText()") == site_url + FEATURES + "#when-to-retry"


def test_alerts_and_diagrams_render(page: Page, site_url: str) -> None:
    page.goto(site_url + FEATURES)
    expect(page.locator(".markdown-alert-note .markdown-alert-title")).to_be_visible()
    expect(page.locator(".mermaid-diagram .mermaid-svg svg")).to_be_visible(timeout=15_000)
    expect(page.locator(".mermaid-diagram pre.mermaid")).to_be_hidden()
    expect(page.get_by_role("link", name="[1]")).to_have_attribute("href", "#resources")
    page.goto(site_url + "lessons/circuit-breakers/")
    expect(page.locator(".mermaid-svg svg")).to_be_visible(timeout=15_000)


def test_diagrams_follow_the_colour_scheme(browser: Browser, site_url: str) -> None:
    styles = {}
    for scheme in ("light", "dark"):
        context = open_context(browser, "desk", scheme)
        page = context.new_page()
        page.goto(site_url + "lessons/circuit-breakers/")
        svg = page.locator(".mermaid-svg svg")
        expect(svg).to_be_visible(timeout=15_000)
        styles[scheme] = page.evaluate(
            "getComputedStyle(document.querySelector('.mermaid-svg .node rect')).fill"
        )
        if scheme == "light":  # the toggle redraws in the other palette
            page.locator(".theme-toggle").click()
            expect(page.locator(".mermaid-svg svg")).to_be_visible()
            page.wait_for_function(
                f"getComputedStyle(document.querySelector('.mermaid-svg .node rect')).fill !== {styles['light']!r}"
            )
        context.close()
    assert styles["light"] != styles["dark"]


def test_a_diagram_error_is_shown_in_place(page: Page, site_url: str) -> None:
    page.goto(site_url + "lessons/diagram-error/")
    error = page.locator(".mermaid-diagram .mermaid-error")
    expect(error).to_contain_text("This diagram could not be drawn", timeout=15_000)
    expect(page.locator(".mermaid-diagram pre.mermaid")).to_be_visible()
    expect(page.locator("body > [id^=dkb-diagram]")).to_have_count(0)


def test_last_step_of_a_path_says_complete_at_its_end(page: Page, site_url: str) -> None:
    page.goto(site_url + "lessons/circuit-breakers/")
    page.keyboard.press("End")
    complete = page.locator(".lesson-footer .pager-complete")
    expect(complete).to_be_in_viewport()
    expect(complete).to_contain_text("Path complete")
    page.goto(site_url + FEATURES)
    page.keyboard.press("End")
    expect(page.locator(".lesson-footer a[rel=next]")).to_be_in_viewport()


def test_phone_header_is_one_row_without_the_keyboard_hint(page: Page, site_url: str) -> None:
    page.goto(site_url)
    hint = "getComputedStyle(document.querySelector('.header-search'), '::after').content"
    if page.viewport_size["width"] > 400:
        assert page.evaluate(hint) == '"/"'
        return
    assert page.evaluate(hint) == "none"  # a touch screen has no "/" key to press
    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] < 70
    for part in (".menu-toggle", "#header-search-input", ".theme-toggle"):
        box = page.locator(part).bounding_box()
        assert box is not None and box["y"] + box["height"] <= header["height"], part
    nav = page.locator("#site-nav")
    expect(nav).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    expect(nav.get_by_role("link", name="Paths")).to_be_visible()
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    paths = page.locator(".home-paths").bounding_box()
    start = page.locator(".start-here").bounding_box()
    assert paths is not None and start is not None and start["y"] < paths["y"] < 844


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_accessibility_violations(browser: Browser, site_url: str, size: str, scheme: str) -> None:
    context = open_context(browser, size, scheme)
    page = context.new_page()
    axe = Axe()
    found = {}
    for path in ["", FEATURES, "topics/reliability/", "paths/resilient-clients/", "search/?q=retry"]:
        page.goto(site_url + path)
        page.wait_for_load_state("networkidle")
        if path == FEATURES:
            expect(page.locator(".mermaid-svg svg")).to_be_visible(timeout=15_000)
        violations = axe.run(page).response["violations"]
        if violations:
            found[path] = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    context.close()
    assert found == {}


def test_print_is_light_without_navigation_and_with_wrapped_code(browser: Browser, site_url: str) -> None:
    context = open_context(browser, "desk", "dark")
    page = context.new_page()
    page.goto(site_url + FEATURES)
    expect(page.locator(".mermaid-svg.scheme-dark svg")).to_be_visible(timeout=15_000)
    page.emulate_media(media="print")
    assert "invert(1)" in page.evaluate("getComputedStyle(document.querySelector('.mermaid-svg svg')).filter")
    style = "(s, p) => getComputedStyle(document.querySelector(s), p || null)"
    assert page.evaluate(f"({style})('body').color") == "rgb(0, 0, 0)"
    assert page.evaluate(f"({style})('body').backgroundColor") == "rgb(255, 255, 255)"
    for hidden in (".site-header", "#toc", ".lesson-aside", ".copy-button", ".site-footer"):
        assert page.evaluate(f"({style})('{hidden}').display") == "none", hidden
    assert page.evaluate(f"({style})('pre.highlight').whiteSpace") == "pre-wrap"
    after = page.evaluate(f"({style})('.lesson-body a[href^=\"https\"]', '::after').content")
    assert after == '" (" attr(href) ")"' or "aws.amazon.com" in after
    context.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_readable_without_javascript(browser: Browser, site_url: str, size: str) -> None:
    context = open_context(browser, size, "light", java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + FEATURES)
    expect(page.locator(".code-block pre").first).to_contain_text("def backoff(")
    expect(page.locator("pre.mermaid")).to_contain_text("sequenceDiagram")
    expect(page.locator("#toc a[href='#resources']")).to_be_visible()  # the contents stay open
    expect(page.locator("#site-nav").get_by_role("link", name="Paths")).to_be_visible()
    expect(page.locator(".menu-toggle")).to_be_hidden()
    expect(page.locator(".copy-button")).to_have_count(0)
    context.close()
