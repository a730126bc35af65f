"""All lessons -> resolved links, backlinks, term indexes, related lessons, paths and prerequisites.

Lessons refer to each other by slug; every cross-reference is computed once here, from data recorded
while the Markdown was rendered, and every problem becomes a Diagnostic at the link's own line.
"""

from __future__ import annotations

import posixpath
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from builder.config import LoadedConfig
from builder.diagnostics import Diagnostic, did_you_mean, error, warning
from builder.discover import CONTENT_DIR
from builder.frontmatter import LessonSource
from builder.markdown import LinkRef, RenderedBody
from builder.records import picklable
from builder.related import Relation, Term, related_lessons

FOLDER_INDEXES = ("README.md", "readme.md", "index.md")
Fail = Callable[[str, str], tuple[None, str, Diagnostic]]
DRAFT = "is a draft, which this build leaves out"


@picklable
@dataclass(frozen=True, slots=True)
class LeftOut:
    path: str
    draft: bool  # else: the file has errors of its own


def _invalid(left_out: Mapping[str, LeftOut], slug: str) -> bool:
    item = left_out.get(slug)
    return item is not None and not item.draft


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
        meta = self.source.meta
        return [("skills", s) for s in meta.skills] + [("topics", t) for t in meta.topics]


def lesson_url(slug: str) -> str:
    """Site-relative URL path of a lesson; the base path is added when rendering."""
    return f"lessons/{slug}/"


def lesson_image(lesson: Lesson) -> str | None:
    """The site-relative path of the image a lesson names in its front matter (image:), if any."""
    image = lesson.source.meta.image
    if image is None:
        return None
    return posixpath.normpath(posixpath.join(posixpath.dirname(lesson.source.path), image))


def asset_url(path: str) -> str:
    return "media/" + posixpath.relpath(path, CONTENT_DIR)


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
    cooccurring: dict[Term, tuple[tuple[Term, int], ...]] = field(default_factory=dict)
    related: dict[str, tuple[Relation, ...]] = field(default_factory=dict)
    path_steps: dict[str, tuple[PathStep, ...]] = field(default_factory=dict)
    assets: tuple[str, ...] = ()
    aliases: dict[str, str] = field(default_factory=dict)  # old slug -> the lesson it redirects to

    def lessons_with(self, kind: str, term: str) -> tuple[str, ...]:
        return (self.topics if kind == "topics" else self.skills).get(term, ())


def build_graph(
    loaded: LoadedConfig,
    lessons: Iterable[Lesson],
    assets: tuple[str, ...],
    folders: frozenset[str],
    left_out: Mapping[str, LeftOut] | None = None,
    memo: dict[str, Any] | None = None,
) -> tuple[SiteGraph, list[Diagnostic]]:
    """left_out: lessons by slug that exist but are not in this build: drafts, or files with errors.

    A link to a draft is an error that says so; a link to a file with its own errors is not reported twice.
    """
    left_out = left_out or {}
    config = loaded.config
    diagnostics: list[Diagnostic] = []
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
    resolver = _Resolver(
        graph, {lesson.source.path: lesson.slug for lesson in ordered}, set(assets), folders, left_out
    )
    inbound: dict[str, set[str]] = defaultdict(set)
    for lesson in ordered:
        urls, titles = [], {}
        for index, link in enumerate(lesson.body.links):
            target, url, problem = resolver.resolve(lesson, link)
            urls.append(url)
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
    weights = {"skills": config.related.weights.skills, "topics": config.related.weights.topics}
    # Term indexes and related lessons depend only on slugs, their order, terms and options: an edit
    # that keeps those (most edits) reuses the last answers from memo instead of recomputing them.
    signature = repr((list(terms.items()), weights, config.related.max))
    memo = {} if memo is None else memo
    if memo.get("terms-signature") != signature:
        _index_terms(graph)
        related = related_lessons(list(graph.lessons), terms, weights, config.related.max)
        memo["terms"] = (graph.topics, graph.skills, graph.cooccurring, related)
        memo["terms-signature"] = signature
    graph.topics, graph.skills, graph.cooccurring, graph.related = memo["terms"]
    diagnostics += _paths(graph, loaded, left_out)
    diagnostics += _prerequisites(graph, left_out)
    diagnostics += _quality_warnings(graph, loaded, inbound)
    return graph, diagnostics


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


class _Resolver:
    def __init__(
        self,
        graph: SiteGraph,
        by_path: dict[str, str],
        assets: set[str],
        folders: frozenset[str],
        left_out: Mapping[str, LeftOut],
    ) -> None:
        self.graph = graph
        self.by_path = by_path
        self.assets = assets
        self.folders = folders
        self.left_out = left_out
        self.left_out_paths = {item.path: item for item in left_out.values()}

    def resolve(self, lesson: Lesson, link: LinkRef) -> tuple[str | None, str, Diagnostic | None]:
        """-> (target lesson slug or None, site-relative URL, problem)."""
        path = lesson.source.path

        def fail(code: str, message: str) -> tuple[None, str, Diagnostic]:
            return None, "", error(path, link.line, link.col, code, message)

        if link.kind == "anchor":
            return self._anchor(lesson, link, lesson.slug, fail)
        if link.kind == "wiki":
            if link.target in self.graph.lessons:
                return self._anchor(lesson, link, link.target, fail)
            if link.target in self.left_out:
                return self._left_out(self.left_out[link.target], f"[[{link.target}]]", fail)
            hint = did_you_mean(link.target, self.graph.lessons)
            return fail("broken-link", f"no lesson with slug '{link.target}'{hint}")
        if "\\" in link.target or link.target.startswith("/"):
            return fail(
                "unsafe-path",
                f"'{link.target}': link to other files with a relative path such as ../dir/file.md",
            )
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(path), link.target))
        if not joined.startswith(CONTENT_DIR + "/") and joined != CONTENT_DIR:
            return fail("unsafe-path", f"'{link.target}' points outside content/")
        if joined in self.folders or link.target.endswith("/"):
            index = next(
                (
                    f"{joined}/{name}"
                    for name in FOLDER_INDEXES
                    if f"{joined}/{name}" in self.by_path or f"{joined}/{name}" in self.left_out_paths
                ),
                None,
            )
            if index is None:
                return fail("broken-link", f"folder '{joined}' has no README.md or index.md lesson")
            joined = index
        if joined in self.by_path:
            return self._anchor(lesson, link, self.by_path[joined], fail)
        if joined in self.assets:
            return None, asset_url(joined), None
        if joined in self.left_out_paths:
            return self._left_out(self.left_out_paths[joined], f"'{link.target}'", fail)
        candidates = self.by_path if joined.endswith(".md") else self.assets
        hint = did_you_mean(joined, candidates)
        return fail("broken-link", f"'{link.target}' does not exist ({joined}){hint}")

    @staticmethod
    def _left_out(item: LeftOut, name: str, fail: Fail) -> tuple[str | None, str, Diagnostic | None]:
        return fail("broken-link", f"{name} {DRAFT}") if item.draft else (None, "", None)

    def _anchor(
        self, lesson: Lesson, link: LinkRef, target: str, fail: Fail
    ) -> tuple[str | None, str, Diagnostic | None]:
        target_lesson = self.graph.lessons[target]
        url = "" if link.kind == "anchor" else lesson_url(target)
        if not link.fragment:
            return target, url, None
        ids = [heading.id for heading in target_lesson.body.headings]
        if link.fragment in ids:
            return target, f"{url}#{link.fragment}", None
        where = "this lesson" if target == lesson.slug else f"'{target}'"
        _, _, problem = fail(
            "broken-anchor", f"{where} has no heading '#{link.fragment}'{did_you_mean(link.fragment, ids)}"
        )
        return target, f"{url}#{link.fragment}", problem


def _paths(graph: SiteGraph, loaded: LoadedConfig, left_out: Mapping[str, LeftOut]) -> list[Diagnostic]:
    found = []
    steps: dict[str, list[PathStep]] = defaultdict(list)
    for path_id, learning_path in loaded.config.paths.items():
        known = tuple(slug for slug in learning_path.lessons if slug in graph.lessons)
        for index, slug in enumerate(learning_path.lessons):
            if slug not in graph.lessons and not _invalid(left_out, slug):
                at = loaded.path_step_position(path_id, index)
                why = DRAFT if slug in left_out else "is not a lesson"
                hint = "" if slug in left_out else did_you_mean(slug, graph.lessons)
                found.append(
                    error(
                        "site.yml",
                        at.line,
                        at.col,
                        "unknown-lesson",
                        f"path '{path_id}': '{slug}' {why}{hint}",
                    )
                )
        for index, slug in enumerate(known):
            steps[slug].append(PathStep(path_id, index, known))
    graph.path_steps = {slug: tuple(value) for slug, value in steps.items()}
    return found


def _prerequisites(graph: SiteGraph, left_out: Mapping[str, LeftOut]) -> list[Diagnostic]:
    found = []
    edges: dict[str, list[str]] = {}
    for slug, lesson in graph.lessons.items():
        edges[slug] = []
        for index, prerequisite in enumerate(lesson.source.meta.prerequisites):
            line, col = lesson.source.position(f"prerequisites.{index}")
            if prerequisite in graph.lessons:
                edges[slug].append(prerequisite)
            elif not _invalid(left_out, prerequisite):  # a file with errors of its own is not reported twice
                hint = did_you_mean(prerequisite, graph.lessons)
                why = DRAFT if prerequisite in left_out else f"is not a lesson{hint}"
                message = f"prerequisite '{prerequisite}' {why}"
                found.append(error(lesson.source.path, line, col, "unknown-lesson", message))
    for cycle in _cycles(edges):
        first = graph.lessons[cycle[0]]
        index = list(first.source.meta.prerequisites).index(cycle[1])
        line, col = first.source.position(f"prerequisites.{index}")
        found.append(
            error(
                first.source.path,
                line,
                col,
                "prerequisite-cycle",
                "prerequisites form a cycle: " + " -> ".join(cycle),
            )
        )
    return found


def _cycles(edges: dict[str, list[str]]) -> list[list[str]]:
    """Each cycle once, starting at its smallest slug (iterative DFS, no recursion limit)."""
    cycles: set[tuple[str, ...]] = set()
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    for start in sorted(edges):
        if start in state:
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        trail: list[str] = [start]
        state[start] = 1
        while stack:
            node, next_edge = stack[-1]
            children = edges.get(node, [])
            if next_edge < len(children):
                stack[-1] = (node, next_edge + 1)
                child = children[next_edge]
                if state.get(child) == 1:
                    loop = trail[trail.index(child) :]
                    pivot = loop.index(min(loop))
                    rotated = loop[pivot:] + loop[:pivot]
                    cycles.add((*rotated, rotated[0]))
                elif child not in state:
                    state[child] = 1
                    trail.append(child)
                    stack.append((child, 0))
            else:
                state[node] = 2
                trail.pop()
                stack.pop()
    return [list(cycle) for cycle in sorted(cycles)]


def _quality_warnings(
    graph: SiteGraph, loaded: LoadedConfig, inbound: dict[str, set[str]]
) -> list[Diagnostic]:
    found = []
    for slug, lesson in graph.lessons.items():
        path = lesson.source.path
        if not inbound.get(slug) and slug not in graph.path_steps:
            found.append(
                warning(
                    path,
                    1,
                    1,
                    "orphan-lesson",
                    f"no lesson links to '{slug}' and no learning path includes it",
                )
            )
        if not graph.related.get(slug) and loaded.config.related.max > 0:
            found.append(
                warning(path, 1, 1, "no-related", f"'{slug}' shares no topic or skill with any other lesson")
            )
    for kind, used in (("topics", graph.topics), ("skills", graph.skills)):
        for term in loaded.config.vocabulary(kind):
            if term not in used:
                at = loaded.document.key_at((kind, term))
                found.append(
                    warning(
                        "site.yml", at.line, at.col, "unused-term", f"no lesson uses {kind[:-1]} '{term}'"
                    )
                )
    return found
