"""Authoring in a real browser: a renamed lesson's old address redirects (the two_lessons fixture is
tests/test_authoring.py's)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser

from builder.build import BuildOptions, build
from tests.conftest import serving, soup


def test_alias_publishes_a_redirect_that_a_browser_follows(
    two_lessons: Path, browser: Browser, tmp_path: Path
) -> None:
    second = two_lessons / "content/second.md"
    second.write_text(second.read_text().replace("summary:", "slug: renamed\naliases: [second]\nsummary:"))
    out = tmp_path / "out"
    result = build(BuildOptions(two_lessons, out_dir=out, search=False))
    assert result.ok, result.diagnostics
    page = soup(out / "lessons/second/index.html")
    assert page.find("meta", attrs={"http-equiv": "refresh"})["content"] == "0; url=/lessons/renamed/"
    assert page.find("link", rel="canonical")["href"] == "https://example.org/lessons/renamed/"
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    sitemap = (out / "sitemap.xml").read_text()
    assert "lessons/second/" not in sitemap and "lessons/renamed/" in sitemap
    with serving(out, "/") as server:
        tab = browser.new_page()
        tab.goto(f"http://127.0.0.1:{server.server_address[1]}/lessons/second/")
        tab.wait_for_url("**/lessons/renamed/")
        assert tab.locator("h1").inner_text() == "Second lesson"
        tab.close()
