from __future__ import annotations

from bs4 import BeautifulSoup

from builder.markdown import render_markdown, resolve_placeholders
from builder.slugs import heading_id


def html_of(body: str, *, html: bool = False) -> BeautifulSoup:
    rendered = render_markdown(body, html=html)
    filled = resolve_placeholders(rendered.html, lambda i: f"/resolved/{i}/", lambda i: f"Title {i}")
    return BeautifulSoup(filled, "html.parser")


def test_github_heading_ids_are_unique() -> None:
    rendered = render_markdown("# Intro\n\n## Setup & Install!\n\n## Setup & Install!\n\n### `code` here\n")
    assert [(h.level, h.id, h.text) for h in rendered.headings] == [
        (1, "intro", "Intro"),
        (2, "setup--install", "Setup & Install!"),
        (2, "setup--install-1", "Setup & Install!"),
        (3, "code-here", "code here"),
    ]
    assert heading_id("What's new in 3.12?") == "whats-new-in-312"
    assert heading_id("Ünïcode stays") == "ünïcode-stays"


def test_gfm_extensions() -> None:
    page = html_of(
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~\n\n- [x] done\n- [ ] todo\n\nNote[^1].\n\n[^1]: Here.\n"
    )
    assert [td.text for td in page.select("td")] == ["1", "2"]
    assert page.select_one("s") is not None and page.select_one("s").text == "gone"
    boxes = page.select("input[type=checkbox]")
    assert [box.has_attr("checked") for box in boxes] == [True, False]
    assert page.select_one("section.footnotes li").get("id") == "fn1"


def test_code_is_highlighted_and_unknown_languages_fall_back() -> None:
    page = html_of("```python\ndef f(): pass\n```\n\n```no-such-lang\n<b>x</b>\n```\n\n```\nplain\n```\n")
    blocks = page.select("pre.highlight")
    assert len(blocks) == 3
    assert blocks[0].select_one("span.k") is not None and blocks[0].select_one("span.k").text == "def"
    assert blocks[1].code.text == "<b>x</b>\n" and blocks[1].select_one("span") is None
    assert blocks[2].code.text == "plain\n"


def test_links_are_recorded_with_lines_and_columns() -> None:
    body = "Intro [[other]] and [[other#setup|the setup]].\nSee [x](../a/b.md#sec-1) and\n![img](img/a%20b.png?x=1)\n"
    body += "[ext](https://example.org) [same](#intro) <https://auto.example>\n"
    rendered = render_markdown(body, first_line=10)
    assert [
        (lk.kind, lk.target, lk.fragment, lk.line, lk.col, lk.wants_title, lk.is_image)
        for lk in rendered.links
    ] == [
        ("wiki", "other", "", 10, 7, True, False),
        ("wiki", "other", "setup", 10, 21, False, False),
        ("path", "../a/b.md", "sec-1", 11, 9, False, False),
        ("path", "img/a b.png", "", 12, 8, False, True),
        ("anchor", "", "intro", 13, 35, False, False),
    ]
    page = BeautifulSoup(
        resolve_placeholders(rendered.html, lambda i: f"/u{i}/", lambda i: f"Title {i}"), "html.parser"
    )
    assert [a["href"] for a in page.select("a")] == [
        "/u0/",
        "/u1/",
        "/u2/",
        "https://example.org",
        "/u4/",
        "https://auto.example",
    ]
    assert page.select("a")[0].text == "Title 0" and page.select("a")[1].text == "the setup"
    assert page.select_one("img")["src"] == "/u3/"


def test_wiki_links_inside_code_are_left_alone() -> None:
    rendered = render_markdown("`[[not-a-link]]`\n\n```\n[[nor-this]]\n```\n")
    assert rendered.links == ()


def test_raw_html_is_escaped_by_default() -> None:
    page = html_of('<script>alert(1)</script>\n\n<b onclick="x">bold</b> {{ var }} {% tag %}\n')
    assert page.select("script, b") == []
    assert "<script>alert(1)</script>" in page.text
    assert "{{ var }} {% tag %}" in page.text


def test_raw_html_is_sanitized_when_enabled() -> None:
    body = (
        '<b onclick="steal()">bold</b> <a href="javascript:alert(1)">js</a> <img src="data:image/png;base64,AA">\n'
        '<script>alert(1)</script><style>body{}</style><p style="color:red">styled</p>\n\n[ok](other.md)\n'
    )
    page = html_of(body, html=True)
    assert page.select_one("b") is not None and not page.select_one("b").attrs
    assert page.select("script, style") == []
    assert [a.get("href") for a in page.select("a")] == [None, "/resolved/0/"]
    assert page.select_one("img") is None or not page.select_one("img").get("src")
    assert not any(tag.get("style") for tag in page.find_all(True))


def test_word_count() -> None:
    assert render_markdown("one two three\n\n## four\n").words == 4
