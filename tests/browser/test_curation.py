"""Curation in a real browser: Copy as Markdown (the built fixture is tests/test_curation.py's)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser

from tests.conftest import serving


def test_copy_as_markdown_in_a_browser(built: Path, browser: Browser) -> None:
    with serving(built, "/kb/") as server:
        origin = f"http://127.0.0.1:{server.server_address[1]}"
        context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
        tab = context.new_page()
        tab.goto(f"{origin}/kb/lessons/http-basics/")
        button = tab.get_by_role("button", name="Copy as Markdown")
        button.focus()
        tab.keyboard.press("Enter")
        tab.get_by_text("Copied the lesson as Markdown.").wait_for()
        copied = tab.evaluate("navigator.clipboard.readText()")
        assert copied == (built / "lessons/http-basics/index.md").read_text()
        context.close()
        no_script = browser.new_context(java_script_enabled=False)
        tab = no_script.new_page()
        tab.goto(f"{origin}/kb/lessons/http-basics/")
        assert not tab.get_by_role("button", name="Copy as Markdown").is_visible()
        assert tab.get_by_role("link", name="View as Markdown").is_visible()
        no_script.close()
