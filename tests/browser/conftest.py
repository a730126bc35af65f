"""The browser tests' fixtures: only the tests under tests/browser/ import Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS

# The fixtures these browser tests share with the HTML tests of the same feature, defined there once.
from tests.test_authoring import two_lessons  # noqa: F401
from tests.test_curation import built, curated  # noqa: F401
from tests.test_reading import out  # noqa: F401
from tests.test_serve import served  # noqa: F401


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium driven by pip's Playwright (never a downloaded browser)."""
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: ./scripts/test installs it (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


def watched_page(browser: Browser, **context_options: Any) -> Iterator[Page]:
    """A page in a new browser context; the test fails if the page logged a console error or threw."""
    context = browser.new_context(**context_options)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"console errors: {errors}"
