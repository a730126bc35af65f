"""builder/graph.py on its own: a small site built in code (site.yml in tmp_path, lessons from strings),
then the exact links, backlinks, term indexes, related lessons, path steps and diagnostics it records."""

from __future__ import annotations

import pytest

from builder.config import LoadedConfig, load_config
from builder.diagnostics import Diagnostic, format_text
from builder.frontmatter import Vocabulary, read_lesson
from builder.graph import LeftOut, Lesson, PathStep, SiteGraph, build_graph
from builder.markdown import render_markdown
from builder.related import Relation
from builder.taxonomy import Kind

SITE_YML = """\
title: Unit
base_url: https://example.org/kb/
topics:
  apis: {title: APIs, description: A.}
  data: {title: Data, description: D.}
  spare: {title: Spare, description: Used by no lesson.}
skills:
  python: {title: Python, description: P.}
  sql: {title: SQL, description: S.}
authors:
  ada: {name: Ada}
  bob: {name: Bob}
paths:
  start:
    title: Start
    description: First steps.
    lessons: [basics, queries, draft-one, missing, basics]
"""
VOCABULARY = Vocabulary(
    frozenset({"apis", "data", "spare"}), frozenset({"python", "sql"}), frozenset({"ada", "bob"})
)
LEFT_OUT = {
    "draft-one": LeftOut("content/draft-one.md", draft=True),
    "broken-one": LeftOut("content/broken-one.md", draft=False),
}


def make_lesson(path: str, front_matter: str, body: str) -> Lesson:
    source, problems = read_lesson(path, f"---\n{front_matter}\n---\n{body}".encode(), VOCABULARY)
    assert source is not None, problems
    return Lesson(source, render_markdown(source.body, first_line=source.body_line))


BASICS = make_lesson(
    "content/basics/README.md",
    "title: Basics\ndate: 2026-01-01\nsummary: S.\ntopics: [apis]\nskills: [python]\nauthors: [ada]\n"
    "prerequisites: [joins]",
    "Intro. See [[joins]].\n\n## Setup\n\nText.\n",
)
QUERIES = make_lesson(
    "content/queries.md",
    "title: Queries\ndate: 2026-03-01\nsummary: S.\ntopics: [data, apis]\nskills: [sql, python]\n"
    "authors: [ada, bob]\nprerequisites: [basics]",
    "See [[basics]], [the setup](basics/README.md#setup) and [[basics#nowhere]]. Then [[joins]].\n",
)
JOINS = make_lesson(
    "content/joins.md",
    "title: Joins\ndate: 2026-03-01\nsummary: S.\ntopics: [data]\nskills: [sql]\n"
    "prerequisites: [queries, draft-one, broken-one, nope]",
    "[[queries]] then [[draft-one]] and [[broken-one]], and [me](joins.md).\n",
)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> LoadedConfig:
    site = tmp_path_factory.mktemp("graph")
    (site / "site.yml").write_text(SITE_YML)
    loaded, problems = load_config(site)
    assert loaded is not None, problems
    return loaded


@pytest.fixture(scope="module")
def built(loaded: LoadedConfig) -> tuple[SiteGraph, list[Diagnostic]]:
    return build_graph(
        loaded, [BASICS, QUERIES, JOINS], (), frozenset({"content", "content/basics"}), LEFT_OUT
    )


def test_lessons_are_newest_first_then_by_slug(built: tuple[SiteGraph, list[Diagnostic]]) -> None:
    graph, _ = built
    assert list(graph.lessons) == ["joins", "queries", "basics"]
    assert graph.lessons["basics"] is BASICS


def test_links_resolve_to_site_relative_urls_with_wiki_titles(
    built: tuple[SiteGraph, list[Diagnostic]],
) -> None:
    graph, _ = built
    assert graph.link_urls == {
        "joins": ["lessons/queries/", "", "", "lessons/joins/"],
        "queries": ["lessons/basics/", "lessons/basics/#setup", "lessons/basics/#nowhere", "lessons/joins/"],
        "basics": ["lessons/joins/"],
    }
    assert graph.link_titles == {
        "joins": {0: "Queries"},
        "queries": {0: "Basics", 2: "Basics", 3: "Joins"},
        "basics": {0: "Joins"},
    }


def test_backlinks_newest_first_without_self_links(built: tuple[SiteGraph, list[Diagnostic]]) -> None:
    graph, _ = built
    assert graph.backlinks == {"basics": ("queries",), "queries": ("joins",), "joins": ("queries", "basics")}


def test_term_indexes_newest_first_and_cooccurring_terms(built: tuple[SiteGraph, list[Diagnostic]]) -> None:
    graph, _ = built
    assert graph.topics == {"data": ("joins", "queries"), "apis": ("queries", "basics")}
    assert graph.skills == {"sql": ("joins", "queries"), "python": ("queries", "basics")}
    assert graph.authors == {"ada": ("queries", "basics"), "bob": ("queries",)}
    assert graph.lessons_with(Kind.TOPICS, "apis") == ("queries", "basics")
    assert graph.lessons_with(Kind.SKILLS, "spare") == ()
    sql, python = (Kind.SKILLS, "sql"), (Kind.SKILLS, "python")
    data, apis = (Kind.TOPICS, "data"), (Kind.TOPICS, "apis")
    assert graph.cooccurring == {
        sql: ((data, 2), (python, 1), (apis, 1)),
        data: ((sql, 2), (python, 1), (apis, 1)),
        python: ((apis, 2), (sql, 1), (data, 1)),
        apis: ((python, 2), (sql, 1), (data, 1)),
    }


def test_related_lessons_with_their_reasons(built: tuple[SiteGraph, list[Diagnostic]]) -> None:
    graph, _ = built
    assert graph.related == {
        "joins": (Relation("queries", ("sql",), ("data",)),),
        "queries": (Relation("joins", ("sql",), ("data",)), Relation("basics", ("python",), ("apis",))),
        "basics": (Relation("queries", ("python",), ("apis",)),),
    }


def test_path_steps_skip_what_is_not_published(built: tuple[SiteGraph, list[Diagnostic]]) -> None:
    graph, _ = built
    steps = ("basics", "queries")
    assert graph.path_steps == {
        "basics": (PathStep("start", 0, steps),),
        "queries": (PathStep("start", 1, steps),),
    }


def test_diagnostics_at_their_lines(built: tuple[SiteGraph, list[Diagnostic]]) -> None:
    """A link or a prerequisite to a draft says so; one to a file with errors of its own says nothing."""
    _, diagnostics = built
    assert format_text(diagnostics).splitlines() == [
        "content/joins.md:9:18: error[broken-link]: [[draft-one]] is a draft, which this build leaves out",
        "content/queries.md:10:57: error[broken-anchor]: 'basics' has no heading '#nowhere'",
        "site.yml:17:32: error[unknown-lesson]: path 'start': 'draft-one' is a draft, which this build leaves out",
        "site.yml:17:43: error[unknown-lesson]: path 'start': 'missing' is not a lesson",
        "site.yml:17:52: error[invalid-value]: path 'start': 'basics' is already step 1 of this path",
        "content/joins.md:7:26: error[unknown-lesson]: prerequisite 'draft-one' is a draft, which this build leaves out",
        "content/joins.md:7:49: error[unknown-lesson]: prerequisite 'nope' is not a lesson",
        "content/basics/README.md:8:17: error[prerequisite-cycle]: prerequisites form a cycle: basics -> joins -> queries -> basics",
        "site.yml:6:3: warning[unused-term]: no lesson uses topic 'spare'",
    ]


def test_duplicate_slug_and_alias(loaded: LoadedConfig) -> None:
    """The first file by path keeps a slug; an alias may not take a slug or another lesson's alias."""
    twin = make_lesson(
        "content/zz/basics.md",
        "title: Twin\ndate: 2026-02-01\nsummary: S.\ntopics: [apis]\nslug: basics\naliases: [intro]",
        "[[basics]]\n",
    )
    renamed = make_lesson(
        "content/renamed.md",
        "title: Renamed\ndate: 2026-02-01\nsummary: S.\ntopics: [apis]\naliases: [old, basics, old]",
        "[[basics]]\n",
    )
    graph, diagnostics = build_graph(loaded, [twin, BASICS, renamed], (), frozenset({"content"}))
    assert list(graph.lessons) == ["renamed", "basics"]
    assert graph.aliases == {"old": "renamed"}
    assert graph.backlinks == {"basics": ("renamed",)}
    assert [d for d in diagnostics if d.severity == "error"][:2] == [
        Diagnostic(
            "content/zz/basics.md",
            6,
            7,
            "error",
            "duplicate-slug",
            "slug 'basics' is already used by content/basics/README.md",
        ),
        Diagnostic(
            "content/renamed.md",
            6,
            16,
            "error",
            "duplicate-slug",
            "alias 'basics' is already the slug or an alias of content/basics/README.md",
        ),
    ]
