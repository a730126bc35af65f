"""The reading page: the fixture site tests/sites/reading built once, read as HTML and in Chromium at a
phone (390x844) and a desk (1440x900) size, in light and dark."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from bs4 import BeautifulSoup
from playwright.sync_api import Browser, BrowserContext, Page, expect

from builder.build import BuildOptions, build
from builder.highlight import FenceInfo, parse_info
from builder.markdown import render_markdown
from tests.conftest import SITES, serving, soup

FEATURES = "lessons/retries-with-backoff/"
SIZES = {"phone": (390, 844), "desk": (1440, 900)}


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("reading") / "site"
    shutil.copytree(SITES / "reading", site, ignore=shutil.ignore_patterns(".kb-cache"))  # no stale cache
    public = site / "public"
    result = build(BuildOptions(site_dir=site, out_dir=public, search=True))
    assert result.ok, (result.failure, result.diagnostics)
    return public


@pytest.fixture(scope="module")
def site_url(out: Path) -> Iterator[str]:
    with serving(out, "/kb/") as server:
        yield server.url


def lesson(out: Path, slug: str) -> BeautifulSoup:
    return soup(out / "lessons" / slug / "index.html")


# --- Markdown: what the renderer makes of the fence conventions and GitHub's syntax ---------------------


def test_info_string_attributes_in_any_order_and_unknown_ones_ignored() -> None:
    info = 'python norun="fragment: x" title="retry.py" {3,5-7} requires="postgres redis" linenums'
    assert parse_info(info) == FenceInfo("python", "retry.py", frozenset({3, 5, 6, 7}), True)
    assert parse_info("") == FenceInfo()
    assert parse_info("sql {2, 4-3, x}") == FenceInfo("sql", "", frozenset({2}), False)


def test_code_block_title_language_marked_lines_and_numbers(out: Path) -> None:
    body = lesson(out, "retries-with-backoff").select_one("[data-pagefind-body]")
    titled, numbered = body.select(".code-block")[:2]
    assert titled.select_one(".code-title").text == "retry.py"
    assert titled.select_one(".code-lang").text == "python"
    lines = titled.select("pre.highlight code > .line")
    assert [n for n, line in enumerate(lines, 1) if "hl" in line["class"]] == [4, 6, 7]
    assert lines[3].text == "def backoff(attempt: int, base: float = 0.1, cap: float = 10.0) -> float:"
    assert "linenums" not in titled.pre["class"] and "linenums" in numbered.pre["class"]
    assert titled.pre.code.text.startswith("import random\n\n\ndef backoff(")
    html = str(body)
    assert "norun" not in html and "requires" not in html and "fragment: the caller" not in html


def test_plain_code_keeps_no_line_spans() -> None:
    page = BeautifulSoup(render_markdown("```text\nplain <b>\n```\n").html, "html.parser")
    assert page.select_one("pre.highlight code").decode_contents() == "plain &lt;b&gt;\n"
    assert page.select_one(".code-lang") is None


def test_citation_link_is_a_plain_link_not_a_wiki_link(out: Path) -> None:
    rendered = render_markdown("As shown [[1]](#resources) and [[2]](https://example.org).\n\n## Resources\n")
    assert [(link.kind, link.fragment) for link in rendered.links] == [("anchor", "resources")]
    body = lesson(out, "retries-with-backoff").select_one("[data-pagefind-body]")
    cite = body.find("a", string="[1]")
    assert cite is not None and cite["href"] == "#resources"


def test_alerts_are_notes_with_a_title(out: Path) -> None:
    alerts = lesson(out, "retries-with-backoff").select(".markdown-alert")
    alerts += lesson(out, "circuit-breakers").select(".markdown-alert")
    assert [(a["class"][1], a["role"], a.select_one(".markdown-alert-title").text) for a in alerts] == [
        ("markdown-alert-note", "note", "Note"),
        ("markdown-alert-warning", "note", "Warning"),
        ("markdown-alert-tip", "note", "Tip"),
        ("markdown-alert-important", "note", "Important"),
        ("markdown-alert-caution", "note", "Caution"),
    ]


def test_tables_scroll_in_a_named_focusable_region(out: Path) -> None:
    region = lesson(out, "retries-with-backoff").select_one(".table-wrap")
    assert (region["role"], region["tabindex"], region["aria-label"]) == (
        "region",
        "0",
        "Table: Status, Retry?, Why",
    )
    assert region.table is not None


def test_an_empty_corner_header_cell_is_a_plain_cell() -> None:
    page = BeautifulSoup(
        render_markdown("|  | FastAPI | Django |\n|--|--|--|\n| async | yes | partly |\n").html, "html.parser"
    )
    assert [(cell.name, cell.text) for cell in page.select("thead tr > *")] == [
        ("td", ""),
        ("th", "FastAPI"),
        ("th", "Django"),
    ]
    assert page.select_one(".table-wrap")["aria-label"] == "Table: FastAPI, Django"


def test_mermaid_source_stays_readable_without_javascript(out: Path) -> None:
    diagram = lesson(out, "retries-with-backoff").select_one(".mermaid-diagram pre.mermaid")
    assert diagram.text.startswith("sequenceDiagram\n    participant C as Client")
    assert "C->>S: request" in diagram.text


def test_pages_load_highlighting_and_mermaid_only_when_they_need_them(out: Path) -> None:
    def assets(page: BeautifulSoup) -> set[str]:
        refs = [str(t["href"]) for t in page.select("link[rel=stylesheet]")]
        refs += [str(t["src"]) for t in page.select("script[src]")]
        search = {"search.css", "search-box.js", "copy-markdown.js"}  # search box; Copy as Markdown
        return {ref.split("?")[0].removeprefix("/kb/assets/") for ref in refs} - search

    assert assets(lesson(out, "timeouts")) == {"style.css", "theme.js", "reading.js"}
    assert assets(lesson(out, "retries-with-backoff")) == {
        "style.css",
        "theme.js",
        "reading.js",
        "pygments.css",
        "vendor/mermaid.min.js",
        "diagrams.js",
    }
    assert assets(lesson(out, "circuit-breakers")) >= {"diagrams.js"}
    assert "pygments.css" not in assets(lesson(out, "circuit-breakers"))
    for page in ("index.html", "topics/reliability/index.html", "paths/resilient-clients/index.html"):
        assert assets(soup(out / page)) == {"style.css", "theme.js"}
    assert (out / "assets/vendor/mermaid.min.js").stat().st_size > 1_000_000


def test_contents_nest_subsections_under_their_section(out: Path) -> None:
    toc = lesson(out, "retries-with-backoff").select_one("#toc")
    top = [li.a.text for li in toc.select(".toc-list > li")]
    assert top == ["When to retry", "Backoff with jitter", "Resources"]
    assert [a.text for a in toc.select(".toc-list > li > ul a")] == ["How the attempts go"]
    assert toc.select("ol") == []  # no numbers that the nesting would contradict


def test_end_of_lesson_path_links_and_path_complete(out: Path) -> None:
    middle = lesson(out, "retries-with-backoff").select_one(".lesson-footer .path-pager")
    assert middle.select_one("a[rel=next]")["href"] == "/kb/lessons/circuit-breakers/"
    assert middle.select_one("a[rel=prev]")["href"] == "/kb/lessons/timeouts/"
    assert "step 3 of 3" in middle.select_one("a[rel=next]").text
    last = lesson(out, "circuit-breakers").select_one(".lesson-footer .path-pager")
    assert last.select_one("a[rel=next]") is None
    assert " ".join(last.select_one(".pager-complete").text.split()) == (
        "✓ Path complete You have read all 3 steps of Resilient clients. Choose another path"
    )


def test_backlinks_leave_out_lessons_listed_as_related(out: Path) -> None:
    page = lesson(out, "timeouts")
    assert [a.text for a in page.select("#related li > a")] == [
        "Retries with backoff and jitter",
        "Circuit breakers",
    ]
    assert [a.text for a in page.select("#backlinks a")] == ["A diagram with a mistake"]
    assert lesson(out, "retries-with-backoff").select_one("#backlinks") is None  # both linkers are related


def test_home_leads_with_start_here_and_the_paths(out: Path) -> None:
    home = soup(out / "index.html")
    start = home.select_one(".start-here a.button")
    assert start.text == "Start here: Timeouts everywhere" and start["href"] == "/kb/lessons/timeouts/"
    sections = [s.get("class", [""])[0] for s in home.select("main > section, main > div")]
    assert sections[:3] == ["hero", "home-paths", "home-grid"]


def test_chips_say_in_text_what_they_are(out: Path) -> None:
    terms = lesson(out, "retries-with-backoff").select_one(".lesson-terms")
    assert [label.text for label in terms.select(".terms-label")] == ["Topics", "Skills"]
    chips = soup(out / "topics/reliability/index.html").select(".cooccurring .chip")
    assert {chip.select_one(".chip-kind").text for chip in chips} == {"topic", "skill"}


# --- In the browser --------------------------------------------------------------------------------------


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
