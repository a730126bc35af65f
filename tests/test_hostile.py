"""Hostile and broken input: every case is a Diagnostic with an exact code, file and line, or is harmless."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from benchmarks.generate import generate
from builder.build import BuildOptions, SiteBuilder, analyse, build
from builder.discover import discover
from tests.conftest import snapshot, soup, write_lesson

VALID = "title: T\ndate: 2026-01-01\nsummary: S.\ntopics: [testing]"


def diagnostics(site: Path) -> list[tuple[str, int, str]]:
    return [
        (d.path, d.line, d.code)
        for d in sorted(analyse(BuildOptions(site_dir=site)).diagnostics)
        if d.severity == "error"
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"---\ntitle: T\ndate: 2026-01-01\n", [("content/case.md", 1, "frontmatter-missing")]),
        (b"---\ntitle: 'unclosed\n---\n", [("content/case.md", 2, "yaml-syntax")]),
        (b"---\n[1, 2]\n---\n", [("content/case.md", 2, "invalid-value")]),
        (
            b"---\ntitle: [x]\ndate: 5\nsummary: S.\ntopics: [testing]\n---\n",
            [("content/case.md", 2, "invalid-value"), ("content/case.md", 3, "invalid-value")],
        ),
        (
            b"---\ntitle: T\ndate: 2026-02-29\nsummary: S.\ntopics: [testing]\n---\n",
            [("content/case.md", 3, "invalid-value")],
        ),
        (
            b"---\ntitle: T\ndate: 2026-01-01\nsummary: S.\ntopics: [testing]\nslug: ../../etc\n---\n",
            [("content/case.md", 6, "invalid-value")],
        ),
        (
            b"---\ntitle: T\ndate: 2026-01-01\nsummary: S.\ntopics: [testing]\n---\n[x](../../../etc/passwd)\n",
            [("content/case.md", 7, "unsafe-path")],
        ),
        (
            b"---\ntitle: T\ndate: 2026-01-01\nsummary: S.\ntopics: [testing]\n---\n![x](/etc/passwd)\n",
            [("content/case.md", 7, "unsafe-path")],
        ),
        (
            b"---\ntitle: T\ndate: 2026-01-01\nsummary: S.\ntopics: [testing]\n---\n[x](..\\\\first.md)\n",
            [("content/case.md", 7, "unsafe-path")],
        ),
        (b"---\ntitle: caf\xe9\n---\n", [("content/case.md", 2, "encoding")]),
        (b"", [("content/case.md", 1, "frontmatter-missing")]),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00binary", [("content/case.md", 1, "encoding")]),
        (
            b"---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
            b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n---\n",
            [("content/case.md", 3, "yaml-syntax")],
        ),
        (b"---\ntitle: " + b"[" * 5000 + b"\n---\n", [("content/case.md", 2, "yaml-syntax")]),
        (
            b"---\n" + b"".join(b" " * i + b"- \n" for i in range(0, 200, 2)) + b"---\n",
            [("content/case.md", 42, "yaml-syntax")],
        ),
        (b"---\ntitle: T\n" + b"x: " + b"y" * 70_000 + b"\n---\n", [("content/case.md", 2, "yaml-syntax")]),
    ],
    ids=[
        "not-closed",
        "yaml-syntax",
        "not-a-mapping",
        "wrong-types",
        "impossible-date",
        "climbing-slug",
        "climbing-link",
        "absolute-image",
        "backslash-link",
        "not-utf8",
        "empty",
        "binary",
        "alias-bomb",
        "deep-flow",
        "deep-block",
        "huge-front-matter",
    ],
)
def test_broken_lesson_catalog(
    site_copy: Callable[[str], Path], content: bytes, expected: list[tuple[str, int, str]]
) -> None:
    site = site_copy("minimal")
    (site / "content/case.md").write_bytes(content)
    assert diagnostics(site) == expected


def test_bom_and_crlf_are_accepted(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("minimal")
    (site / "content/case.md").write_bytes(
        ("\ufeff---\r\n" + VALID.replace("\n", "\r\n") + "\r\n---\r\nBody.\r\n").encode()
    )
    assert diagnostics(site) == []


def test_multi_megabyte_lesson_and_deep_nesting_build(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("minimal")
    paragraphs = "\n\n".join(
        f"Paragraph {i} with some words to make it longer than a line." for i in range(50_000)
    )
    write_lesson(site, "big.md", VALID, paragraphs + "\n")
    write_lesson(
        site,
        "deep.md",
        VALID.replace("title: T", "title: Deep"),
        "> " * 3000 + "quote\n\n" + "".join("  " * i + "- item\n" for i in range(2000)),
    )
    assert (site / "content/big.md").stat().st_size > 3_000_000
    result = build(BuildOptions(site_dir=site, search=False))
    assert result.ok, result.diagnostics
    assert "Paragraph 49999" in (site / "public/lessons/big/index.html").read_text()
    assert (site / "public/lessons/deep/index.html").is_file()


def test_symlinks_out_of_the_site_are_refused(site_copy: Callable[[str], Path], tmp_path: Path) -> None:
    site = site_copy("minimal")
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "leak.md").write_text(f"---\n{VALID}\n---\nleak\n")
    (site / "content/secret.txt").symlink_to(secret)
    (site / "content/linked").symlink_to(outside)
    sources, problems = discover(site)
    assert [(d.path, d.line, d.code) for d in problems] == [
        ("content/linked", 1, "unsafe-path"),
        ("content/secret.txt", 1, "unsafe-path"),
    ]
    assert "content/secret.txt" not in sources.assets and not any("leak" in p for p in sources.lessons)
    assert not build(BuildOptions(site_dir=site, search=False)).ok


HOSTILE_TITLE = "</script><script>alert(\"t\")</script> {{ 7*7 }} & 'quotes'"


def test_titles_and_names_are_escaped_everywhere(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("minimal")
    config = site / "site.yml"
    config.write_text(config.read_text().replace("name: Ada", 'name: "Ada <img src=x onerror=alert(1)>"'))
    write_lesson(
        site,
        "evil.md",
        f'title: {json.dumps(HOSTILE_TITLE)}\ndate: 2026-02-01\nsummary: "<b>bold</b> {{% raw %}}"\n'
        "topics: [testing]\nskills: [pytest]\nauthors: [ada]",
        "{{ config }} {% for x in range(3) %}loop{% endfor %}\n\n[[first]]\n",
    )
    result = build(BuildOptions(site_dir=site, search=False))
    assert result.ok, result.diagnostics
    page = soup(site / "public/lessons/evil/index.html")
    assert page.h1.text == HOSTILE_TITLE
    assert page.select_one("meta[property='og:title']")["content"] == HOSTILE_TITLE
    assert page.select("img") == []
    scripts = [(s.get("type"), s.get("src", "inline").split("?")[0]) for s in page.select("script")]
    assert scripts == [  # the theme's own, nothing from the lesson
        (None, "inline"),  # the saved theme choice
        (None, "/assets/theme.js"),
        ("application/ld+json", "inline"),
        (None, "/assets/reading.js"),
        ("module", "/assets/search-box.js"),
        (None, "/assets/copy-markdown.js"),
    ]
    ld = json.loads(page.select_one("script[type='application/ld+json']").string)
    assert ld["headline"] == HOSTILE_TITLE and ld["author"][0]["name"] == "Ada <img src=x onerror=alert(1)>"
    body = page.select_one("[data-pagefind-body]")
    assert "{{ config }} {% for x in range(3) %}loop{% endfor %}" in body.text
    assert body.select_one("[data-pagefind-meta^='title:']")["data-pagefind-meta"] == f"title:{HOSTILE_TITLE}"
    feed = ET.parse(site / "public/feed.xml").getroot()
    titles = [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert HOSTILE_TITLE in titles
    assert page.select_one(".lede").text == "<b>bold</b> {% raw %}"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "access to attribute '__class__' of 'str' object"),
        # kb's own objects, whose public fields the sandbox reads by a shortcut
        ("{{ page.__class__ }}", "access to attribute '__class__' of 'Page' object"),
        ("{{ site.__init__.__globals__ }}", "access to attribute '__init__' of 'SiteConfig' object"),
        ("{{ site.topics.clear() }}", "access to attribute 'clear' of 'dict' object"),
        ("{{ page.title.__class__ }}", "access to attribute '__class__' of 'str' object"),
    ],
)
def test_a_theme_cannot_reach_python_internals(
    site_copy: Callable[[str], Path], template: str, message: str
) -> None:
    site = site_copy("minimal")
    templates = site / "themes/default/templates"
    templates.mkdir(parents=True)
    (templates / "404.html").write_text(template)
    result = build(BuildOptions(site_dir=site, search=False))
    assert not result.ok and not (site / "public").exists()
    assert [(d.path, d.line, d.code) for d in result.diagnostics if d.severity == "error"] == [
        ("themes/default/templates/404.html", 1, "template-error"),
    ]
    assert [d.message for d in result.diagnostics if d.code == "template-error"] == [
        f"SecurityError: {message} is unsafe.",
    ]


def test_sigkill_mid_build_leaves_previous_output_intact(tmp_path: Path) -> None:
    site = generate(tmp_path / "site", 400, seed=5)
    out = site / "public"
    assert SiteBuilder(BuildOptions(site_dir=site, search=False, jobs=1)).build().ok
    before = snapshot(out)
    for lesson in sorted((site / "content").rglob("*.md")):
        lesson.write_text(lesson.read_text() + "\nChanged for the killed build.\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "builder", "build", "--site", str(site), "--no-search", "--jobs", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # kill once the staging folder is half written
        staged = [p for p in site.glob(".public.staging-*/lessons/*/index.html")]
        if len(staged) > 100:
            break
        time.sleep(0.005)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert snapshot(out) == before
    leftovers = [p.name for p in site.iterdir() if p.name.startswith(".public.staging-")]
    assert leftovers, "the kill came too late to test anything"
    assert SiteBuilder(BuildOptions(site_dir=site, search=False, jobs=1)).build().ok
    assert [p.name for p in site.iterdir() if p.name.startswith(".public.staging-")] == []
    first = sorted((site / "content").rglob("*.md"))[0].stem
    assert "Changed for the killed build." in (out / f"lessons/{first}/index.html").read_text()
