"""Issue #12, part 2: what used to crash, disagree between check and build, or come out wrong.

The catalog below builds each broken site with `kb check` and with `kb build` and expects the same
errors from both, with exact code, file, line and column.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from mdit_py_plugins.gfm import gfm_plugin

from builder import markdown
from builder.anchors import UniqueIds
from builder.autolink import linear_autolinks
from builder.build import BuildOptions, build, check_site
from builder.cli import main
from builder.linkpos import SourceCursor, html_links
from builder.markdown import _wiki_end, render_markdown
from builder.serve import EVENTS_PATH, Preview
from tests.conftest import serving, soup, write_lesson

VALID = "title: T\ndate: 2026-01-01\nsummary: S.\ntopics: [testing]"  # body on line 7
Setup = Callable[[Path], None]
Expected = list[tuple[str, int, int, str]]


def errors(site: Path) -> tuple[Expected, Expected]:
    """The errors of kb check and of kb build, as (path, line, col, code)."""

    def only_errors(found: list[object]) -> Expected:
        return [(d.path, d.line, d.col, d.code) for d in found if d.severity == "error"]  # type: ignore[attr-defined]

    checked = only_errors(list(check_site(BuildOptions(site_dir=site))))
    built = build(BuildOptions(site_dir=site, search=False))
    return checked, only_errors(list(built.diagnostics))


def template(name: str, text: str) -> Setup:
    def setup(site: Path) -> None:
        folder = site / "themes/default/templates"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(f"{{# line 1 #}}\n{text}\n", encoding="utf-8")

    return setup


def files(**named: bytes | str) -> Setup:
    """Files under the site folder; a name's '__' stands for '/', '_dot_' for '.'."""

    def setup(site: Path) -> None:
        for name, data in named.items():
            path = site / name.replace("__", "/").replace("_dot_", ".")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data.encode() if isinstance(data, str) else data)

    return setup


def lesson(body: str, front: str = VALID, name: str = "case.md") -> Setup:
    def setup(site: Path) -> None:
        write_lesson(site, name, front, body)

    return setup


def raw_lesson(data: bytes, name: str = "case.md") -> Setup:
    def setup(site: Path) -> None:
        (site / "content" / name).write_bytes(data)

    return setup


def config(old: str, new: str) -> Setup:
    def setup(site: Path) -> None:
        path = site / "site.yml"
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return setup


def both(*setups: Setup) -> Setup:
    def setup(site: Path) -> None:
        for step in setups:
            step(site)

    return setup


def bad_names(site: Path) -> None:
    (site / os.fsdecode(b"content/caf\xe9.md")).write_bytes((site / "content/first.md").read_bytes())
    (site / os.fsdecode(b"content/img\xff.png")).write_bytes(b"png")
    (site / "static").mkdir()
    (site / os.fsdecode(b"static/st\xfe.txt")).write_bytes(b"text")


def symlink_loop(site: Path) -> None:
    (site / "content/loop").symlink_to("loop")
    (site / "content/a").symlink_to("b")
    (site / "content/b").symlink_to("a")


PATHS_TWICE = """paths:
  basics:
    title: Basics
    description: The basics.
    lessons:
      - first
      - first
      - first
"""
LONG = "a" * 300
CODE = "template-error"
HOME = "themes/default/templates/home.html"
LESSON_PAGE = "themes/default/templates/lesson.html"
TWO_LINES = 'A `code\nspan` then [x](m1.md) and [t](first.md "a\ntitle") then [y](m2.md).\n'


@dataclass(frozen=True)
class Case:
    id: str
    setup: Setup
    expected: Expected


CATALOG = [
    # -- any exception while rendering a template is a template-error at its line
    Case("template-zero-division", template("home.html", "{{ 1/0 }}"), [(HOME, 2, 1, CODE)]),
    Case("template-overflow", template("home.html", "{{ 10.0 ** 1000 }}"), [(HOME, 2, 1, CODE)]),
    Case("template-self-extends", template("home.html", '{% extends "home.html" %}'), [(HOME, 2, 1, CODE)]),
    Case(
        "template-recursive-macro",
        template("home.html", "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}"),
        [(HOME, 2, 1, CODE)],
    ),
    Case("template-bad-format", template("home.html", '{{ "%s %s"|format(1) }}'), [(HOME, 2, 1, CODE)]),
    Case(
        "template-tojson-kb-object",
        template("lesson.html", "{{ lesson|tojson }}"),
        [(LESSON_PAGE, 2, 1, CODE)],
    ),
    Case("template-lone-surrogate", template("home.html", '{{ "\\udcff" }}'), [(HOME, 2, 1, CODE)]),
    Case("template-syntax-in-home", template("home.html", "{% if %}"), [(HOME, 2, 1, CODE)]),
    # -- file names and paths
    Case(
        "non-utf8-file-names",
        bad_names,
        [
            ("content/caf\ufffd.md", 1, 1, "encoding"),
            ("content/img\ufffd.png", 1, 1, "encoding"),
            ("static/st\ufffd.txt", 1, 1, "encoding"),
        ],
    ),
    Case(
        "symlink-loops",
        symlink_loop,
        [
            ("content/a", 1, 1, "unsafe-path"),
            ("content/b", 1, 1, "unsafe-path"),
            ("content/loop", 1, 1, "unsafe-path"),
        ],
    ),
    Case(
        "slug-300-chars",
        lesson("x\n", f"{VALID}\nslug: {LONG}"),
        [("content/case.md", 6, 7, "invalid-value")],
    ),
    Case(
        "topic-id-300-chars",
        config("  testing: {title", f"  {LONG}: {{title: Long, description: L.}}\n  testing: {{title"),
        [("site.yml", 4, 3, "invalid-value")],
    ),
    Case(
        "file-name-slug-over-100",
        lesson("x\n", name="b" * 150 + ".md"),
        [("content/" + "b" * 150 + ".md", 1, 1, "invalid-value")],
    ),
    Case(
        "static-file-under-a-page",
        files(static__index_dot_html__evil_dot_txt="evil"),
        [("static/index.html/evil.txt", 1, 1, "unsafe-path")],
    ),
    Case(
        "static-file-named-like-a-folder",
        files(static__lessons="a file where the lessons/ folder goes"),
        [("static/lessons", 1, 1, "unsafe-path")],
    ),
    # -- kb check reports what kb build would
    Case(
        "static-collides-with-pages",
        both(files(static__404_dot_html="x", static__media__x="y", content__x="z"), lesson("![x](x)\n")),
        [("static/404.html", 1, 1, "unsafe-path"), ("static/media/x", 1, 1, "unsafe-path")],
    ),
    # -- site.yml and the content tree
    Case(
        "path-lists-a-lesson-thrice",
        config("authors:", PATHS_TWICE + "authors:"),
        [("site.yml", 14, 9, "invalid-value"), ("site.yml", 15, 9, "invalid-value")],
    ),
    Case(
        "loud-md-is-a-lesson",
        raw_lesson(b"---\ntitle: Loud\ndate: 2026-01-01\nsummary: S.\ntopics: [nope]\n---\n", "Loud.MD"),
        [("content/Loud.MD", 5, 10, "unknown-topic")],
    ),
    Case(
        "readme-in-any-case",
        both(
            lesson("[g](guide/) and [[guide]]\n"),
            lesson("Guide.\n", VALID.replace("T", "G"), "guide/Readme.md"),
        ),
        [],
    ),
    Case("heading-with-wiki-link", lesson("## Compare with [[first]]\n\n[x](#compare-with-first)\n"), []),
    Case(
        "raw-html-links",
        both(
            config("authors:", "markdown: {html: true}\nauthors:"),
            lesson('Text <a href="missing.md">m</a>\n\n<div>\n  <img src="nope.png" alt="n">\n</div>\n'),
        ),
        [("content/case.md", 7, 15, "broken-link"), ("content/case.md", 10, 13, "broken-link")],
    ),
    # -- positions
    Case(
        "code-span-and-title-over-two-lines",
        lesson(TWO_LINES),
        [("content/case.md", 8, 16, "broken-link"), ("content/case.md", 9, 18, "broken-link")],
    ),
    Case(
        "angle-bracket-destination",
        lesson("Read [d](<my file.md>).\n"),
        [("content/case.md", 7, 11, "broken-link")],
    ),
    Case(
        "reference-links-once-at-the-use",
        lesson("See [the doc][ref] and [again][ref].\n\n[ref]: missing.md\n"),
        [("content/case.md", 7, 5, "broken-link")],
    ),
    Case(
        "encoded-and-plain-spellings",
        lesson("[a](é.md) [c](%C3%A9.md)\n"),
        [("content/case.md", 7, 5, "broken-link"), ("content/case.md", 7, 15, "broken-link")],
    ),
    Case(
        "line-separator-in-a-quoted-title",
        lesson(
            "x\n",
            'title: "First \u2028 lesson"\ndate: 2026-01-01\nsummary: S.\ntopics: [testing]\nskills: [pytst]',
        ),
        [("content/case.md", 6, 10, "unknown-skill")],
    ),
    Case(
        "next-line-character",
        raw_lesson("---\ntitle: A\x85B\ndate: 2026-01-01\nsummary: S.\ntopics: [tsting]\n---\n".encode()),
        [("content/case.md", 5, 10, "unknown-topic")],
    ),
    Case(
        "bom-before-a-bad-byte",
        raw_lesson(b"\xef\xbb\xbf---\ntitle: caf\xc3\xa9 \xff\n---\n"),
        [("content/case.md", 2, 13, "encoding")],
    ),
    Case(
        "bad-byte-in-site-yml",
        files(
            site_dot_yml=b"title: Minimal\ndescription: caf\xc3\xa9 \xfe\nbase_url: https://example.org/\n"
        ),
        [("site.yml", 2, 19, "encoding")],
    ),
]


@pytest.mark.parametrize("case", CATALOG, ids=[case.id for case in CATALOG])
def test_catalog(site_copy: Callable[[str], Path], case: Case) -> None:
    site = site_copy("minimal")
    case.setup(site)
    checked, built = errors(site)
    assert checked == sorted(case.expected)
    assert built == checked  # CI's check step and build step agree


def messages(site: Path) -> list[str]:
    return [d.message for d in check_site(BuildOptions(site_dir=site)) if d.severity == "error"]


def test_messages_say_what_to_do(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("minimal")
    write_lesson(site, "no.md", "title: No\ndate: 2026-01-01\nsummary: S.\ntopics: [testing]")
    nfc = unicodedata.normalize("NFC", "café")
    write_lesson(site, f"{nfc}.md", VALID.replace("T", "Cafe"))
    write_lesson(site, "links.md", VALID.replace("T", "L"), "[a](cafe%CC%81.md)\n\n[r][x]\n\n[x]: gone.md\n")
    found = messages(site)
    assert "'title': expected text, but YAML read this value as the boolean false;" in found[2]
    assert "put it in quotes to keep it as text" in found[2]
    assert "differ in Unicode normalization" in found[0]
    assert found[1].endswith("(the reference is defined on line 11)")
    assert len(found) == 3


@pytest.mark.parametrize("when", ["at-start", "while-serving"])
def test_a_template_error_in_serve_is_an_overlay(site_copy: Callable[[str], Path], when: str) -> None:
    site = site_copy("minimal")
    if when == "at-start":
        template("home.html", "{% macro f() %}{{ f() }}{% endmacro %}\n{{ f() }}")(site)
    preview = Preview(site, search=False)
    try:
        if when == "while-serving":
            assert preview.rebuild()
            template("home.html", "{{ 1/0 }}")(site)
        assert not preview.rebuild()
        assert [(d.path, d.line, d.code) for d in preview.errors] == [(HOME, 2, CODE)]
        template("home.html", "{{ page.title }}")(site)
        assert preview.rebuild() and preview.errors == []
    finally:
        preview.stop.set()
        shutil.rmtree(preview.out_dir, ignore_errors=True)


# -- output


def test_feeds_and_sitemap_stay_well_formed(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("minimal")
    front = 'title: "Red \\x1b[31m \\x01 title"\ndate: 2026-01-01\nsummary: "S \\x0c."\ntopics: [testing]'
    write_lesson(site, "ansi.md", front, "Pasted \x1b[31mred\x1b[0m, a form feed \x0c and \x01 \ufffe.\n")
    assert build(BuildOptions(site_dir=site, search=False)).ok
    xml_files = sorted((site / "public").rglob("*.xml"))
    assert len(xml_files) >= 4
    for path in xml_files:
        ET.parse(path)  # raises on a character XML 1.0 forbids
    feed = (site / "public/feed.xml").read_text(encoding="utf-8")
    assert "Pasted [31mred[0m, a form feed  and  ." in feed
    assert "<title>Red [31m  title</title>" in feed


def test_asset_urls_are_percent_encoded(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("minimal")
    for name in ("a#b.png", "100%.png", "talk.pdf"):
        (site / "content" / name).write_bytes(b"x")
    write_lesson(site, "assets.md", VALID, "![a](a%23b.png) ![b](100%25.png) [slides](talk.pdf#page=12)\n")
    assert build(BuildOptions(site_dir=site, search=False)).ok
    page = soup(site / "public/lessons/assets/index.html")
    body = page.select_one("[data-pagefind-body]")
    assert body is not None
    assert [img["src"] for img in body.find_all("img")] == ["/media/a%23b.png", "/media/100%25.png"]
    assert [a["href"] for a in body.find_all("a") if a.get_text() == "slides"] == ["/media/talk.pdf#page=12"]
    assert (site / "public/media/a#b.png").is_file() and (site / "public/media/100%.png").is_file()


@pytest.mark.parametrize("tamper", ["remove", "overwrite-same-size", "overwrite"])
def test_an_output_changed_by_hand_is_restored(site_copy: Callable[[str], Path], tamper: str) -> None:
    site = site_copy("minimal")
    assert build(BuildOptions(site_dir=site, search=False)).ok
    page = site / "public/lessons/first/index.html"
    original = page.read_bytes()
    if tamper == "remove":
        page.unlink()
    elif tamper == "overwrite-same-size":
        page.write_bytes(original.replace(b"First lesson", b"Hacked!!!!!!"))
    else:
        page.write_bytes(b"defaced")
    result = build(BuildOptions(site_dir=site, search=False))
    assert result.ok and result.rendered > 0
    assert page.read_bytes() == original


# -- kb new writes only lessons kb check accepts


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


NEW_ACCEPTED = [
    ("dedupe-topics", ["Dup topics", "--topic", "testing", "--topic", "testing"], "topics: [testing]\n"),
    ("yaml-ids-quoted", ["Yaml ids", "--topic", "no", "--topic", "2024"], 'topics: ["no", "2024"]\n'),
    ("long-title", ["word " * 56, "--topic", "testing"], "summary: \"What a reader learns from 'word word"),
]


@pytest.mark.parametrize(
    ("argv", "expect"), [case[1:] for case in NEW_ACCEPTED], ids=[c[0] for c in NEW_ACCEPTED]
)
def test_kb_new_writes_lessons_check_accepts(
    capsys: pytest.CaptureFixture[str], site_copy: Callable[[str], Path], argv: list[str], expect: str
) -> None:
    site = site_copy("minimal")
    extra = '  "no": {title: "No", description: N.}\n  "2024": {title: Year, description: Y.}\nskills:'
    config("skills:", extra)(site)
    code, out, _ = run(capsys, "new", *argv, "--site", str(site))
    assert code == 0
    created = Path(out.strip())
    assert len(created.name) <= 104
    assert expect in created.read_text(encoding="utf-8")
    assert [d for d in check_site(BuildOptions(site_dir=site)) if d.severity == "error"] == []


NEW_REFUSED = [
    ("control-character", ["bad\x07title"], "control character"),
    ("readme", ["README"], "folder's own lesson"),
    ("ignored-folder", ["x", "--dir", "_drafts"], "are not built"),
    ("dir-is-a-file", ["x", "--dir", "first.md"], "is a file, not a folder"),
    ("slug-taken", ["First", "--dir", "sub"], "slug 'first' exists already"),
]


@pytest.mark.parametrize(
    ("argv", "reason"), [case[1:] for case in NEW_REFUSED], ids=[c[0] for c in NEW_REFUSED]
)
def test_kb_new_refuses_what_check_would_reject(
    capsys: pytest.CaptureFixture[str], site_copy: Callable[[str], Path], argv: list[str], reason: str
) -> None:
    site = site_copy("minimal")
    (site / "content/index.md").write_text(f"---\n{VALID.replace('T', 'Home')}\n---\nHome.\n")
    before = sorted(p.relative_to(site).as_posix() for p in (site / "content").rglob("*"))
    code, out, err = run(capsys, "new", *argv, "--site", str(site), "--topic", "testing")
    assert (code, out) == (2, "")
    assert reason in err
    assert sorted(p.relative_to(site).as_posix() for p in (site / "content").rglob("*")) == before


@pytest.mark.parametrize(
    "argv",
    [
        ["serve", "--port", "99999"],
        ["serve", "--port", "-1"],
        ["build", "--base-url", "foo"],
        ["build", "--base-url", "example.org/kb/"],
    ],
    ids=["port-too-big", "port-negative", "base-url-word", "base-url-no-scheme"],
)
def test_usage_errors_before_building(
    capsys: pytest.CaptureFixture[str], site_copy: Callable[[str], Path], argv: list[str]
) -> None:
    site = site_copy("minimal")
    code, out, err = run(capsys, *argv, "--site", str(site))
    assert (code, out) == (2, "")
    assert err.startswith(f"kb: {argv[1]} ")
    assert not (site / "public").exists()


# -- kb serve


@pytest.fixture
def preview_server(site_copy: Callable[[str], Path]) -> Iterator[tuple[Preview, int]]:
    site = site_copy("minimal")
    config("base_url: https://example.org/", "base_url: https://example.org/café kb/")(site)
    preview = Preview(site, search=False)
    assert preview.rebuild()
    with serving(preview.out_dir, preview.base_path) as server:
        server.routes = {EVENTS_PATH: preview.events}
        server.html_filter = preview.inject
        yield preview, int(server.server_address[1])
    preview.stop.set()
    shutil.rmtree(preview.out_dir, ignore_errors=True)


def request(port: int, method: str, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_serve_base_path_with_space_and_accent(preview_server: tuple[Preview, int]) -> None:
    _, port = preview_server
    status, body = request(port, "GET", "/caf%C3%A9%20kb/lessons/first/")
    assert status == 200 and b"First lesson" in body
    assert request(port, "GET", "/caf%C3%A9%20kb/")[0] == 200
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", "/caf%C3%A9%20kb")
    response = connection.getresponse()
    assert (response.status, response.getheader("Location")) == (301, "/caf%C3%A9%20kb/")
    connection.close()


def test_serve_file_url_with_a_trailing_slash_is_404(preview_server: tuple[Preview, int]) -> None:
    _, port = preview_server
    assert request(port, "GET", "/caf%C3%A9%20kb/lessons/first/index.html")[0] == 200
    assert request(port, "GET", "/caf%C3%A9%20kb/lessons/first/index.html/")[0] == 404


def test_serve_head_on_the_event_stream_has_no_body(preview_server: tuple[Preview, int]) -> None:
    _, port = preview_server
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(f"HEAD {EVENTS_PATH} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        answer = b""
        while chunk := connection.recv(65536):  # the server closes the connection after the headers
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and b"text/event-stream" in head
    assert body == b""


def test_serve_prints_the_base_path_url_and_the_real_url_after_a_fix(
    site_copy: Callable[[str], Path],
) -> None:
    site = site_copy("minimal")
    config("base_url: https://example.org/", "base_url: https://example.org/kb/")(site)
    first = site / "content/first.md"
    good = first.read_text()
    first.write_text(good.replace("topics: [testing]", "topics: [nope]"))
    process = subprocess.Popen(
        [sys.executable, "-m", "builder", "serve", "--site", str(site), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    try:
        printed = ""
        for line in process.stdout:
            printed += line
            if line.startswith("kb: serving"):
                break
        assert re.search(r"serving .* at http://127\.0\.0\.1:\d+/kb/ ", printed), printed
        first.write_text(good)
        for line in process.stdout:
            if "serving at" in line:
                assert re.fullmatch(r"kb: serving at http://127\.0\.0\.1:\d+/kb/\n", line)
                break
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


# -- the algorithmic pieces of the quadratic cases (their timings: benchmarks/pathological.py)


class CountingSet(set[str]):
    lookups = 0

    def __contains__(self, item: object) -> bool:
        CountingSet.lookups += 1
        return super().__contains__(item)


def test_unique_ids_try_each_suffix_once() -> None:
    CountingSet.lookups = 0
    unique = UniqueIds(CountingSet({"q-3"}))
    ids = [unique("q") for _ in range(2000)]
    assert ids[:5] == ["q", "q-1", "q-2", "q-4", "q-5"]
    assert len(set(ids)) == 2000
    assert CountingSet.lookups <= 2 * 2000 + 1  # the old way: about 2000 * 2000 / 2


def test_twenty_thousand_equal_headings_get_github_ids() -> None:
    body = render_markdown("## Q\n\n" * 20_000 + "## Q-1\n")
    ids = [heading.id for heading in body.headings]
    assert ids[:3] == ["q", "q-1", "q-2"] and ids[-2] == "q-19999" and ids[-1] == "q-1-1"


def test_wiki_link_close_search_is_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    searched: list[int] = []
    real = markdown._WIKI_STOP

    class Spy:
        def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
            searched.append(pos)
            return real.search(text, pos)

    monkeypatch.setattr(markdown, "_WIKI_STOP", Spy())
    state = SimpleNamespace(src="[[" + "x" * 50_000 + "]]")
    assert _wiki_end(state, 2) == 50_002
    assert all(_wiki_end(state, at) == 50_002 for at in range(3, 5_000))
    assert searched == [2]  # the old rule searched the rest of the line again at every '[['
    state = SimpleNamespace(src="[" * 5_000)
    assert all(_wiki_end(state, at) == -1 for at in range(2, 5_000))


def _upstream() -> MarkdownIt:
    md = MarkdownIt("commonmark")
    md.use(gfm_plugin)
    return md


def _linear() -> MarkdownIt:
    md = _upstream()
    md.use(linear_autolinks)
    return md


UPSTREAM, LINEAR = _upstream(), _linear()
PIECES = [
    "http",
    "https",
    "://",
    "mailto:",
    "xmpp:",
    "a",
    "b.c",
    "@",
    ".",
    "<",
    ">",
    " ",
    "\n",
    "(",
    ")",
    "_",
    "/",
    "x@y.z",
    "www.",
    "[",
    "]",
    "*",
    "&amp;",
    ";",
    ",",
    "~",
]


@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_linear_autolinks_match_upstream(text: str) -> None:
    assert LINEAR.render(text) == UPSTREAM.render(text)


def test_linear_autolinks_on_the_report_case() -> None:
    html = LINEAR.render("<http://a" * 20_000)
    assert "<a " not in html  # no link: '<' before a protocol is not a valid start
    assert LINEAR.render("see (http://a.b/c) and mailto:x@y.z") == UPSTREAM.render(
        "see (http://a.b/c) and mailto:x@y.z"
    )


def test_at_most_25_topics_and_skills_per_lesson(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("minimal")
    skills = "".join(f"  s{i}: {{title: S{i}, description: D.}}\n" for i in range(30))
    config("skills:\n", "skills:\n" + skills)(site)
    many = ", ".join(f"s{i}" for i in range(30))
    write_lesson(site, "many.md", f"{VALID}\nskills: [{many}]")
    found = [
        (d.path, d.line, d.col, d.code)
        for d in check_site(BuildOptions(site_dir=site))
        if d.severity == "error"
    ]
    assert found == [("content/many.md", 6, 9, "invalid-value")]


# -- positions, piece by piece


def test_source_cursor_counts_lines_of_its_block() -> None:
    cursor = SourceCursor("a `b\nc` [x](y.md)\n[z](w.md)", 10)
    assert cursor.find([("(y.md", 1)]) == (11, 8)
    assert cursor.find([("(w.md", 1)]) == (12, 5)
    assert cursor.find([("(nowhere", 1)]) == (12, 5)  # not found: the cursor's own place


def test_html_links_finds_values_as_written() -> None:
    html = "<p><A HREF='a.md'>x</A> <img alt=\"i\" src=b&amp;c.png> <a name=x>"
    assert [(html[s:e], value, image) for s, e, value, image in html_links(html)] == [
        ("a.md", "a.md", False),
        ("b&amp;c.png", "b&c.png", True),
    ]
