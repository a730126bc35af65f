"""kb serve in a real browser: an open page reloads after an edit, a stylesheet swaps in without a reload,
errors show in an overlay (the served fixture is tests/test_serve.py's)."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.test_serve import Served


def test_browser_page_reloads_after_an_edit(served: Served, browser: Browser) -> None:
    page = browser.new_page()
    page.goto(served.url + "lessons/http-basics/")
    page.evaluate("window.kbMarker = 1")
    readme = served.site / "content/basics/README.md"
    readme.write_text(readme.read_text().replace("An HTTP exchange", "A reloaded HTTP exchange"))
    expect(page.locator(".lesson-body p").first).to_contain_text("A reloaded HTTP exchange", timeout=15000)
    assert page.evaluate("window.kbMarker") is None  # the page really reloaded
    page.close()


def test_stylesheet_change_swaps_without_reload(served: Served, browser: Browser) -> None:
    static = served.site / "themes/default/static"
    static.mkdir(parents=True)
    page = browser.new_page()
    page.goto(served.url + "lessons/http-basics/")
    page.evaluate("window.kbMarker = 1")
    (static / "style.css").write_text("body { background: rgb(1, 2, 3); }")
    expect(page.locator("body")).to_have_css("background-color", "rgb(1, 2, 3)", timeout=15000)
    assert page.evaluate("window.kbMarker") == 1
    page.close()


def test_overlay_in_the_browser(served: Served, browser: Browser) -> None:
    page = browser.new_page()
    page.goto(served.url + "lessons/http-basics/")
    lesson = served.site / "content/validation/error-contracts.md"
    good = lesson.read_text()
    lesson.write_text(good.replace("[[validate-at-the-edge]]", "[[validate-at-the-edg]]"))
    overlay = page.locator("#kb-error-overlay")
    expect(overlay).to_contain_text(
        "content/validation/error-contracts.md:14:30: error[broken-link]", timeout=15000
    )
    expect(overlay).to_contain_text("error[broken-link]")
    lesson.write_text(good)
    expect(overlay).to_have_count(0, timeout=15000)
    page.close()
