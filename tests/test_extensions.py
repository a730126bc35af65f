"""Extension points, on the example site tests/sites/extended: extra, template:, markdown.plugins, hooks."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.build import BuildOptions, BuildResult, build
from builder.cli import main
from tests.conftest import soup


def built(site: Path) -> BuildResult:
    return build(BuildOptions(site_dir=site, search=False))


def problems(result: BuildResult) -> list[str]:
    return [
        f"{d.path}:{d.line}:{d.col}: {d.code}: {d.message}"
        for d in result.diagnostics
        if d.severity == "error"
    ]


def test_every_extension_point_of_the_example_site(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("extended")
    result = built(site)
    assert result.ok, result.diagnostics
    out = site / "public"
    lesson = soup(out / "lessons/first/index.html")
    wide = lesson.select_one("div.wide")  # template: wide.html, which extends lesson.html
    assert wide["data-banner"] == "Read me first"  # lesson.extra
    assert wide["data-built-by"] == "hooks/glossary.py"  # on_page_context added a variable
    assert [h1.text for h1 in lesson.select("h1")] == ["First lesson"]
    assert lesson.select("hr.fancy")  # the site's Markdown plugin
    assert not soup(out / "lessons/second/index.html").select("div.wide")  # the default template
    glossary = soup(out / "glossary/index.html")  # on_graph_built added a page
    assert [li.text for li in glossary.select(".glossary li")] == ["First lesson", "Second lesson"]
    assert glossary.select_one(".tagline").text == "Notes from the test bench"  # site.extra
    assert "https://example.org/glossary/" in (out / "sitemap.xml").read_text()
    assert sys.modules["kb_hook_0"].seen == [
        "Extended",
        f"{result.pages} pages",
    ]  # config loaded, after build


def test_an_edited_extension_rebuilds_the_pages_it_changes(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("extended")
    assert built(site).ok
    plugin = site / "kb_plugins.py"
    plugin.write_text(plugin.read_text().replace('class="fancy"', 'class="plain"'))
    again = built(site)
    assert again.ok and again.rendered > 0
    assert soup(site / "public/lessons/first/index.html").select("hr.plain")
    hook = site / "hooks/glossary.py"
    hook.write_text(hook.read_text().replace('"Every title."', '"All the titles."'))
    assert built(site).ok
    description = soup(site / "public/glossary/index.html").select_one('meta[name="description"]')
    assert description["content"] == "All the titles."


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("content/first.md", "template: wide.html", "template: wider.html"),
            "content/first.md:8:11: invalid-value: 'template': the theme has no template 'wider.html'"
            " (did you mean 'wide.html'?)",
        ),
        (
            ("content/first.md", "template: wide.html", "template: ../secret.html"),
            "content/first.md:8:11: invalid-value: 'template': must be the file name of a template of the"
            " theme, such as 'wide.html'",
        ),
        (
            ("site.yml", "kb_plugins:fancy_rules", "kb_plugins:missing"),
            "site.yml:13:13: extension-error: cannot load Markdown plugin 'kb_plugins:missing':"
            " AttributeError: module 'kb_site_kb_plugins' has no attribute 'missing'",
        ),
        (
            ("site.yml", "kb_plugins:fancy_rules", "no-colon"),
            "site.yml:13:13: invalid-value: 'markdown.plugins.0': must be 'module:function', such as"
            " 'my_plugins:setup'",
        ),
        (
            ("site.yml", "hooks/glossary.py", "../outside.py"),
            "site.yml:14:9: extension-error: hook '../outside.py': no Python file of that name in the site folder",
        ),
        (
            ("hooks/glossary.py", "def on_page_context(", "def on_page_contxt("),
            "site.yml:14:9: extension-error: hook 'hooks/glossary.py': 'on_page_contxt' is not an event"
            " (did you mean 'on_page_context'?)",
        ),
        (
            (
                "hooks/glossary.py",
                'return {**event.context, "built_by"',
                'return {**event.contxt, "built_by"',
            ),
            "hooks/glossary.py:21:1: extension-error: on_page_context failed in 'hooks/glossary.py':"
            " AttributeError: 'PageContext' object has no attribute 'contxt'",
        ),
        (
            ("hooks/glossary.py", "seen: list[str] = []", "seen: list[str] = ["),
            "hooks/glossary.py:5:1: extension-error: cannot load hook in 'hooks/glossary.py':"
            " SyntaxError: '[' was never closed (glossary.py, line 5)",
        ),
        (
            ("kb_plugins.py", "lambda renderer, tokens", "lambda tokens"),
            "content/first.md:12:1: extension-error: Markdown plugin 'kb_plugins:fancy_rules' failed:"
            " TypeError: fancy_rules.<locals>.<lambda>() takes 4 positional arguments but 5 were given",
        ),
    ],
)
def test_a_failing_extension_is_a_diagnostic_at_its_line(
    site_copy: Callable[[str], Path], edit: tuple[str, str, str], expected: str
) -> None:
    site = site_copy("extended")
    name, old, new = edit
    target = site / name
    assert old in target.read_text()
    target.write_text(target.read_text().replace(old, new, 1))
    result = built(site)
    assert not result.ok
    assert problems(result) == [expected]


def test_a_hook_failure_reaches_the_author_without_a_traceback(
    site_copy: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    site = site_copy("extended")
    hook = site / "hooks/glossary.py"
    hook.write_text(hook.read_text().replace("seen.append(event.config.title)", "raise RuntimeError('boom')"))
    assert main(["build", "--site", str(site), "--no-search"]) == 1
    captured = capsys.readouterr()
    assert (
        "hooks/glossary.py:9:1: error[extension-error]: on_config_loaded failed in 'hooks/glossary.py':"
        " RuntimeError: boom" in captured.out + captured.err
    )
    assert "Traceback" not in captured.out + captured.err
