"""The reading page: the fixture site tests/sites/reading built once and read as HTML (in Chromium:
tests/browser/test_reading.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from builder.build import BuildOptions, build
from builder.highlight import FenceInfo, parse_info
from builder.markdown import render_markdown
from tests.conftest import SITES, soup


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("reading") / "site"
    shutil.copytree(SITES / "reading", site, ignore=shutil.ignore_patterns(".kb-cache"))  # no stale cache
    public = site / "public"
    result = build(BuildOptions(site_dir=site, out_dir=public, search=True))
    assert result.ok, (result.failure, result.diagnostics)
    return public


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
