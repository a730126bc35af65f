"""builder/render.py on its own: what a PageJob's key follows, same_as, page() and the renderer's output,
and a failing template as a TemplateFailure naming the template's file and line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from builder.config import load_config
from builder.diagnostics import Diagnostic
from builder.frontmatter import Vocabulary, read_lesson
from builder.graph import Lesson, build_graph
from builder.markdown import render_markdown
from builder.render import BodyRef, FeedSpec, Page, PageJob, SiteRenderer, TemplateFailure
from builder.theme import Theme, builtin_theme_dir
from tests.test_theme_unit import own_theme as theme_with_files

PAGE = Page("lessons/x/", "X", "About x.")


def unresolvable(ref: BodyRef) -> str:
    raise AssertionError("a key must not need the body's HTML")


def test_a_key_follows_the_template_set_the_template_and_every_context_value() -> None:
    job = PageJob("a/index.html", "lesson.html", {"page": PAGE, "n": 1, "tags": ("a", "b")})
    key = job.key("set-1")
    assert job.key("set-1") == key
    assert (
        PageJob("elsewhere.html", "lesson.html", {"tags": ("a", "b"), "n": 1, "page": PAGE}).key("set-1")
        == key
    )
    assert job.key("set-2") != key
    assert PageJob("a/index.html", "term.html", job.context).key("set-1") != key
    for changed in (
        {"n": 2},
        {"tags": ("a",)},
        {"page": Page("lessons/x/", "X!", "About x.")},
        {"more": None},
    ):
        assert PageJob("a/index.html", "lesson.html", {**job.context, **changed}).key("set-1") != key


def test_a_key_of_ready_bytes_is_their_digest_alone() -> None:
    one = PageJob("assets/a.css", None, data=b"a {}")
    assert one.key("set-1") == one.key("set-2") == PageJob("other.css", None, data=b"a {}").key()
    assert PageJob("assets/a.css", None, data=b"b {}").key("set-1") != one.key("set-1")


def test_a_body_is_keyed_by_what_it_is_made_of_never_by_reading_it() -> None:
    body = BodyRef("digest-1", ("lessons/y/",), ((0, "Y"),), unresolvable)
    key = PageJob("x.html", "lesson.html", {"body": body}).key("t")
    same = BodyRef("digest-1", ("lessons/y/",), ((0, "Y"),), lambda ref: "<p>other</p>")
    assert same == body and hash(same) == hash(body)
    assert PageJob("x.html", "lesson.html", {"body": same}).key("t") == key
    for other in (
        BodyRef("digest-2", ("lessons/y/",), ((0, "Y"),), unresolvable),
        BodyRef("digest-1", ("lessons/z/",), ((0, "Y"),), unresolvable),
        BodyRef("digest-1", ("lessons/y/",), ((0, "Z"),), unresolvable),
    ):
        assert other != body
        assert PageJob("x.html", "lesson.html", {"body": other}).key("t") != key


def test_same_as_compares_template_bytes_and_context() -> None:
    job = PageJob("a.html", "lesson.html", {"n": 1})
    assert job.same_as(PageJob("a.html", "lesson.html", {"n": 1}, sitemap="2026-01-01"))
    assert not job.same_as(PageJob("a.html", "term.html", {"n": 1}))
    assert not job.same_as(PageJob("a.html", "lesson.html", {"n": 2}))
    assert not job.same_as(PageJob("a.html", "lesson.html", {"n": 1}, data=b"x"))


@pytest.fixture
def site(site_copy: Callable[[str], Path]) -> Path:
    return site_copy("minimal")


def renderer(site: Path, theme: Theme | None = None) -> SiteRenderer:
    """The site's lessons parsed and linked here (not by the build pipeline), with the built-in theme."""
    loaded, problems = load_config(site)
    assert loaded is not None, problems
    config = loaded.config
    vocabulary = Vocabulary(frozenset(config.topics), frozenset(config.skills), frozenset(config.authors))
    lessons = []
    for path in sorted((site / "content").glob("*.md")):
        source, problems = read_lesson(path.relative_to(site).as_posix(), path.read_bytes(), vocabulary)
        assert source is not None, problems
        lessons.append(Lesson(source, render_markdown(source.body, first_line=source.body_line)))
    graph, _ = build_graph(loaded, lessons, (), frozenset({"content"}))
    return SiteRenderer(config, graph, theme or Theme((builtin_theme_dir(),)), site_dir=site)


def test_page_names_its_file_and_passes_exactly_its_context(site: Path) -> None:
    site_renderer = renderer(site)
    feed = FeedSpec("lessons/x/", "X", "New in x", ("first",))
    job = site_renderer.page("lesson.html", PAGE, sitemap="2026-01-01", feed=feed, lesson="first", n=3)
    assert job == PageJob(
        "lessons/x/index.html",
        "lesson.html",
        {"page": PAGE, "lesson": "first", "n": 3},
        sitemap="2026-01-01",
        feed=feed,
    )
    assert site_renderer.page("home.html", Page("", "Home", "")).name == "index.html"
    assert site_renderer.page("feed.xml", Page("feed.xml", "Feed", "")).name == "feed.xml"
    assert site_renderer.page("home.html", Page("", "Home", "")).sitemap is None


def test_body_html_reads_as_the_lesson_html_with_its_links_filled_in(site: Path) -> None:
    (site / "content/second.md").write_text(
        "---\ntitle: Second\ndate: 2026-02-01\nsummary: S.\ntopics: [testing]\n---\n"
        "See [[first]] and [the heading](first.md#a-heading).\n"
    )
    config = site / "site.yml"
    config.write_text(config.read_text().replace("https://example.org/", "https://example.org/kb/"))
    site_renderer = renderer(site)
    body = site_renderer.body_html(site_renderer.graph.lessons["second"])
    assert body.urls == ("lessons/first/", "lessons/first/#a-heading") and body.titles == (
        (0, "First lesson"),
    )
    assert str(body) == (
        '<p>See <a href="/kb/lessons/first/">First lesson</a> and'
        ' <a href="/kb/lessons/first/#a-heading">the heading</a>.</p>\n'
    )


def test_render_templated_ready_and_produced_jobs(site: Path) -> None:
    theme = own_theme(site, {"note.html": "{{ url('x/') }} {{ text }}\n", "list.xml": "<t>{{ text }}</t>"})
    site_renderer = renderer(site, theme)
    assert site_renderer.render(PageJob("n.html", "note.html", {"text": "<b>"})) == b"/x/ &lt;b&gt;\n"
    assert site_renderer.render(PageJob("l.xml", "list.xml", {"text": "a\x1bb\x0c"})) == b"<t>ab</t>"
    assert site_renderer.render(PageJob("a.css", None, data=b"a {}")) == b"a {}"
    assert site_renderer.render(PageJob("p.md", None, {"n": 1}, produce=lambda: b"made")) == b"made"


def own_theme(site: Path, templates: dict[str, str]) -> Theme:
    """The site's theme 'custom' with these templates."""
    return theme_with_files(site, {f"templates/{name}": text for name, text in templates.items()})


@pytest.mark.parametrize(
    ("template", "line", "message"),
    [
        ("{# one #}\n\n{{ 1 // 0 }}\n", 3, "ZeroDivisionError: integer division or modulo by zero"),
        ("ok\n{{ nothing_here }}\n", 2, "UndefinedError: 'nothing_here' is undefined"),
        (
            "{% for x in items %}\n{{ x.__class__ }}\n{% endfor %}",
            2,
            "SecurityError: access to attribute '__class__' of 'int' object is unsafe.",
        ),
    ],
)
def test_a_failing_template_is_a_template_failure_at_its_line(
    site: Path, template: str, line: int, message: str
) -> None:
    site_renderer = renderer(site, own_theme(site, {"broken.html": template}))
    with pytest.raises(TemplateFailure) as failure:
        site_renderer.render(PageJob("b.html", "broken.html", {"items": [1]}))
    assert failure.value.args[0] == Diagnostic(
        "themes/custom/templates/broken.html", line, 1, "error", "template-error", message
    )


def test_check_templates_reports_a_syntax_error_before_anything_is_rendered(site: Path) -> None:
    site_renderer = renderer(site, own_theme(site, {"good.html": "fine", "bad.html": "a\n{% if %}\n"}))
    assert site_renderer.check_templates() == [
        Diagnostic(
            "themes/custom/templates/bad.html",
            2,
            1,
            "error",
            "template-error",
            "TemplateSyntaxError: Expected an expression, got 'end of statement block'",
        )
    ]
