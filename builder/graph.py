"""All lessons -> resolved links, backlinks, term indexes, related lessons, paths and prerequisites.

Lessons refer to each other by slug; every cross-reference is computed once here, from data recorded
while the Markdown was rendered, and every problem becomes a Diagnostic at the link's own line.
"""

from __future__ import annotations

import dataclasses
import posixpath
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from builder.cache import Store
from builder.config import LoadedConfig
from builder.diagnostics import Diagnostic, Diagnostics, error
from builder.frontmatter import LessonSource
from builder.links import Resolver, lesson_url
from builder.markdown import RenderedBody
from builder.records import picklable
from builder.related import Relation, Term, related_lessons
from builder.taxonomy import Kind


@picklable
@dataclass(frozen=True, slots=True)
class LeftOut:
    path: str
    draft: bool  # else: the file has errors of its own


@picklable
@dataclass(frozen=True, slots=True)
class Lesson:
    source: LessonSource
    body: RenderedBody

    @property
    def slug(self) -> str:
        return self.source.slug

    @property
    def url(self) -> str:
        return lesson_url(self.slug)

    def terms(self) -> list[Term]:
        """The terms related lessons and co-occurrence count: skills, topics, then declared taxonomies'."""
        source = self.source
        terms = [(Kind.SKILLS, s) for s in source.meta.skills] + [
            (Kind.TOPICS, t) for t in source.meta.topics
        ]
        for kind, declared in source.declared:
            terms += [(kind, term) for term in declared]
        return terms


def lesson_image(lesson: Lesson) -> str | None:
    """The site-relative path of the image a lesson names in its front matter (image:), if any."""
    image = lesson.source.meta.image
    if image is None:
        return None
    return posixpath.normpath(posixpath.join(posixpath.dirname(lesson.source.path), image))


@picklable
@dataclass(frozen=True, slots=True)
class PathStep:
    path_id: str
    index: int  # 0-based
    steps: tuple[str, ...]


@dataclass(slots=True)
class SiteGraph:
    lessons: dict[str, Lesson]  # newest first, then by slug
    link_urls: dict[str, list[str]] = field(default_factory=dict)  # per lesson, per link: site-relative URL
    link_titles: dict[str, dict[int, str]] = field(default_factory=dict)
    backlinks: dict[str, tuple[str, ...]] = field(default_factory=dict)
    topics: dict[str, tuple[str, ...]] = field(default_factory=dict)
    skills: dict[str, tuple[str, ...]] = field(default_factory=dict)
    authors: dict[str, tuple[str, ...]] = field(default_factory=dict)
    declared: dict[Kind, dict[str, tuple[str, ...]]] = field(default_factory=dict)  # the site's taxonomies
    cooccurring: dict[Term, tuple[tuple[Term, int], ...]] = field(default_factory=dict)
    related: dict[str, tuple[Relation, ...]] = field(default_factory=dict)
    path_steps: dict[str, tuple[PathStep, ...]] = field(default_factory=dict)
    assets: tuple[str, ...] = ()
    aliases: dict[str, str] = field(default_factory=dict)  # old slug -> the lesson it redirects to

    def lessons_with(self, kind: Kind, term: str) -> tuple[str, ...]:
        return self.index(kind).get(term, ())

    def index(self, kind: Kind) -> dict[str, tuple[str, ...]]:
        """A taxonomy's lessons by term, newest first."""
        if kind is Kind.TOPICS:
            return self.topics
        if kind is Kind.SKILLS:
            return self.skills
        if kind is Kind.AUTHORS:
            return self.authors
        return self.declared[kind]  # KeyError: not a taxonomy of this site


def build_graph(
    loaded: LoadedConfig,
    lessons: Iterable[Lesson],
    assets: tuple[str, ...],
    folders: frozenset[str],
    left_out: Mapping[str, LeftOut] | None = None,
    store: Store | None = None,
) -> tuple[SiteGraph, list[Diagnostic]]:
    """link_site for a caller outside the build's stages: the graph and its problems."""
    report = Diagnostics()
    return link_site(loaded, lessons, assets, folders, report, left_out, store), report


def link_site(
    loaded: LoadedConfig,
    lessons: Iterable[Lesson],
    assets: tuple[str, ...],
    folders: frozenset[str],
    diagnostics: Diagnostics,
    left_out: Mapping[str, LeftOut] | None = None,
    store: Store | None = None,
) -> SiteGraph:
    """The graph stage. left_out: lessons by slug that exist but are not in this build: drafts, or files
    with errors. A link to a draft is an error that says so; a link to a file with its own errors is not
    reported twice.
    """
    left_out = left_out or {}
    config = loaded.config
    by_slug: dict[str, Lesson] = {}
    for lesson in sorted(lessons, key=lambda item: item.source.path):
        first = by_slug.get(lesson.slug)
        if first is not None:
            line, col = lesson.source.position("slug")
            diagnostics.append(
                error(
                    lesson.source.path,
                    line,
                    col,
                    "duplicate-slug",
                    f"slug '{lesson.slug}' is already used by {first.source.path}",
                )
            )
            continue
        by_slug[lesson.slug] = lesson
    ordered = sorted(by_slug.values(), key=lambda item: (-item.source.meta.date.toordinal(), item.slug))
    graph = SiteGraph({lesson.slug: lesson for lesson in ordered}, assets=assets)
    graph.aliases, problems = _aliases(by_slug)
    diagnostics += problems
    diagnostics += _images(ordered, set(assets))
    resolver = Resolver(
        graph, {lesson.source.path: lesson.slug for lesson in ordered}, set(assets), folders, left_out
    )
    inbound: dict[str, set[str]] = defaultdict(set)
    for lesson in ordered:
        urls, titles = [], {}
        definitions: set[int] = set()  # reference definitions already reported: each once, at its first use
        for index, link in enumerate(lesson.body.links):
            target, url, problem = resolver.resolve(lesson, link)
            urls.append(url)
            if problem and link.defined:
                if link.defined in definitions:
                    problem = None
                else:
                    definitions.add(link.defined)
                    where = f"{problem.message} (the reference is defined on line {link.defined})"
                    problem = dataclasses.replace(problem, message=where)
            if problem:
                diagnostics.append(problem)
            if target is not None:
                if link.wants_title:
                    titles[index] = graph.lessons[target].source.meta.title
                if target != lesson.slug:
                    inbound[target].add(lesson.slug)
        graph.link_urls[lesson.slug] = urls
        graph.link_titles[lesson.slug] = titles
    rank = {slug: index for index, slug in enumerate(graph.lessons)}
    graph.backlinks = {
        slug: tuple(sorted(sources, key=rank.__getitem__)) for slug, sources in inbound.items()
    }
    terms = {slug: lesson.terms() for slug, lesson in graph.lessons.items()}
    weights = config.related_weights()

    # Term indexes and related lessons depend only on slugs, their order, terms and options: an edit
    # that keeps those (most edits) reuses the last answers instead of recomputing them.
    def compute() -> tuple[Any, ...]:
        _index_terms(graph)
        related = related_lessons(list(graph.lessons), terms, weights, config.related.max)
        return graph.topics, graph.skills, graph.cooccurring, related

    parts = (list(terms.items()), weights, config.related.max)
    answer = compute() if store is None else store.memo("terms", parts, compute)
    graph.topics, graph.skills, graph.cooccurring, graph.related = answer
    graph.authors = _index(graph, Kind.AUTHORS)
    graph.declared = {t.kind: _index(graph, t.kind) for t in config.all_taxonomies() if not t.builtin}
    from builder import checks  # checks reads the graph's records

    checks.paths(graph, loaded, left_out, diagnostics)
    checks.prerequisites(graph, left_out, diagnostics)
    checks.quality_warnings(graph, loaded, inbound, diagnostics)
    return graph


def _aliases(by_slug: Mapping[str, Lesson]) -> tuple[dict[str, str], list[Diagnostic]]:
    """Old slugs that redirect to a lesson: none may be a lesson's slug or another lesson's alias."""
    aliases: dict[str, str] = {}
    problems = []
    for slug, lesson in sorted(by_slug.items(), key=lambda item: item[1].source.path):
        for index, alias in enumerate(lesson.source.meta.aliases):
            owner = by_slug[alias].source.path if alias in by_slug else None
            if owner is None and alias in aliases and aliases[alias] != slug:
                owner = by_slug[aliases[alias]].source.path
            if owner is not None:
                line, col = lesson.source.position(f"aliases.{index}")
                message = f"alias '{alias}' is already the slug or an alias of {owner}"
                problems.append(error(lesson.source.path, line, col, "duplicate-slug", message))
                continue
            aliases[alias] = slug
    return dict(sorted(aliases.items())), problems


def _images(lessons: Iterable[Lesson], assets: set[str]) -> list[Diagnostic]:
    """A lesson's own social image must be a PNG, JPEG, GIF or WebP file published beside the lessons."""
    problems = []
    for lesson in lessons:
        image = lesson_image(lesson)
        if image is None:
            continue
        suffix = posixpath.splitext(image)[1].lower()
        if image not in assets or suffix not in {".png", ".jpg", ".jpeg", ".gif", ".webp"}:
            line, col = lesson.source.position("image")
            message = (
                f"'image': no image at {image}; name a .png, .jpg, .gif or .webp file under content/,"
                " relative to this lesson"
            )
            problems.append(error(lesson.source.path, line, col, "invalid-value", message))
    return problems


def _index(graph: SiteGraph, kind: Kind) -> dict[str, tuple[str, ...]]:
    """A taxonomy's lessons by term, newest first."""
    found: dict[str, list[str]] = defaultdict(list)
    for slug, lesson in graph.lessons.items():
        for term in lesson.source.terms_of(kind):
            found[term].append(slug)
    return {key: tuple(value) for key, value in found.items()}


def _index_terms(graph: SiteGraph) -> None:
    topics: dict[str, list[str]] = defaultdict(list)
    skills: dict[str, list[str]] = defaultdict(list)
    together: dict[Term, Counter[Term]] = defaultdict(Counter)
    for slug, lesson in graph.lessons.items():
        for topic in lesson.source.meta.topics:
            topics[topic].append(slug)
        for skill in lesson.source.meta.skills:
            skills[skill].append(slug)
        terms = lesson.terms()
        for term in terms:
            together[term].update(other for other in terms if other != term)
    graph.topics = {key: tuple(value) for key, value in topics.items()}
    graph.skills = {key: tuple(value) for key, value in skills.items()}
    graph.cooccurring = {
        term: tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:8])
        for term, counts in together.items()
    }
