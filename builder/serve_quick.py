"""kb serve's quick paths, which write only the pages an edit can change, without analysing the site again:

- an edit to what lessons say in their bodies (the same front matter, headings and link targets): those
  lessons are parsed again and the pages showing their bodies are written, in place;
- an edit to the free fields of their front matter (title, summary, date, level, extra...), the site's
  structure kept (slugs, terms, links, headings, paths, prerequisites, the lessons' order): the lessons
  are updated in the graph and only the pages that read them are planned again (builder/replan.py).

Any other edit returns None: the site must be analysed again."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from typing import TYPE_CHECKING

from builder import pages, views
from builder.body_edits import same_outline, targets
from builder.frontmatter import FrontMatter
from builder.gitinfo import dated
from builder.graph import Lesson, SiteGraph
from builder.options import BuildResult
from builder.parse import ParsedFile, parse_lesson, vocabulary_of
from builder.records import content_digest
from builder.render import PageJob, SiteRenderer, lastmod
from builder.replan import replan

if TYPE_CHECKING:
    from builder.build import SiteBuilder

Update = tuple[str, ParsedFile, str | None]  # a file, its new state, its body's new HTML (None: same bytes)
# front matter that changes what pages show of a lesson, never which pages there are or how they link
FREE_FIELDS = frozenset({"title", "summary", "date", "updated", "level", "extra", "reviewed", "owners"})


def update(builder: SiteBuilder, paths: Collection[str]) -> tuple[BuildResult, str] | None:
    """kb serve's quick paths, the edited files parsed once: the body path when only what the lessons
    say in their bodies changed, else the front-matter path; the result and which path, or None."""
    updates = _reparse_all(builder, paths)
    if updates is None:
        return None
    if _outlines_kept(builder, updates):
        bodies = _update_bodies(builder, updates)
        return None if bodies is None else (bodies, " (lesson bodies only)")
    result = _update_front_matter(builder, updates)
    return None if result is None else (result, " (front matter)")


def update_lessons(builder: SiteBuilder, paths: Collection[str]) -> BuildResult | None:
    """kb serve's quick path, for edits that change only what lessons say in their bodies: with the
    same front matter, headings and link targets nothing else in the graph can change, so only those
    lessons are parsed again and only the pages showing their bodies are written, in place, into the
    folder of the last full write. None when an edit is of another kind: the site must be analysed."""
    updates = _reparse_all(builder, paths)
    if updates is None or not _outlines_kept(builder, updates):
        return None
    return _update_bodies(builder, updates)


def update_front_matter(builder: SiteBuilder, paths: Collection[str]) -> BuildResult | None:
    """kb serve's second quick path, for edits to the free fields of lessons' front matter (and their
    bodies' text): the lessons are replaced in the graph, and the pages that read them planned again."""
    updates = _reparse_all(builder, paths)
    return None if updates is None else _update_front_matter(builder, updates)


def _outlines_kept(builder: SiteBuilder, updates: list[Update]) -> bool:
    """Whether the updates change the text of the lessons' bodies alone (before they are applied)."""
    for path, parsed, _ in updates:
        known = builder.store.files[path].lesson
        if known is None or parsed.lesson is None or not same_outline(known, parsed.lesson):
            return False
    return True


def _update_bodies(builder: SiteBuilder, updates: list[Update]) -> BuildResult | None:
    if builder.live is None:
        return None
    plan, _ = builder.live
    renderer = plan.renderer
    jobs: dict[str, PageJob] = {}
    for path, parsed, html in updates:
        builder.store.set_file(path, parsed)
        if html is not None and parsed.lesson is not None:
            builder.store.bodies.add(parsed.lesson.body.digest, html)
            renderer.graph.lessons[parsed.lesson.slug] = dated(parsed.lesson, builder.git)
            jobs.update((job.name, job) for job in pages.body_jobs(renderer, parsed.lesson.slug, plan.jobs))
    return _write(builder, jobs)


def _update_front_matter(builder: SiteBuilder, updates: list[Update]) -> BuildResult | None:
    if builder.live is None:
        return None
    plan, _ = builder.live
    renderer, reads = plan.renderer, plan.reads
    if reads is None or (renderer.hooks is not None and renderer.hooks.hooks):
        return None  # hooks may read anything, their pages anything: the whole site is planned again
    graph = renderer.graph
    edited = {
        parsed.lesson.slug: dated(parsed.lesson, builder.git)
        for _, parsed, html in updates
        if html is not None and parsed.lesson is not None
    }
    if not _same_order(graph, edited):
        return None
    for path, parsed, html in updates:
        builder.store.set_file(path, parsed)
        if html is not None and parsed.lesson is not None:
            builder.store.bodies.add(parsed.lesson.body.digest, html)
    for slug, lesson in edited.items():
        graph.lessons[slug] = lesson
        card = views.card(lesson)
        builder.cards[slug] = (lesson, card)
        renderer.cards[slug] = card
        renderer.lastmods[slug] = lastmod(lesson)
    changed = set(edited) | _retitled(graph, edited)
    again = replan(renderer, reads, builder.written, changed) if changed else {}
    if again is None:
        builder.live = None  # cannot happen while the structure is the same; the site is analysed again
        return None
    result = _write(builder, again)
    builder.live = (dataclasses.replace(plan, jobs=list(builder.written.values())), builder.live[1])
    return result


def _write(builder: SiteBuilder, jobs: dict[str, PageJob]) -> BuildResult:
    """Write jobs in place into the folder of the last full write, as the writer does for any page."""
    assert builder.live is not None
    plan, target = builder.live
    result = BuildResult([], target, ok=True)
    keys = builder.store.page_keys
    keys.update(builder._write_jobs(list(jobs.values()), plan.renderer, target, target, result))
    builder.written.update(jobs)
    result.pages = len(keys)
    return result


def _retitled(graph: SiteGraph, edited: dict[str, Lesson]) -> set[str]:
    """Update the titles that bare wiki links show of the edited lessons: the lessons whose changed."""
    changed = set()
    for slug in sorted(edited):
        for source in sorted({slug, *graph.backlinks.get(slug, ())}):
            titles = graph.link_titles.get(source, {})
            urls = graph.link_urls.get(source, [])
            fresh = {index: graph.lessons[_target(urls[index], source)].source.meta.title for index in titles}
            if fresh != titles:
                graph.link_titles[source] = fresh
                changed.add(source)
    return changed


def _target(url: str, source: str) -> str:
    """The lesson a resolved link to a lesson points to: its URL is lessons/<slug>/, or #x for its own."""
    page = url.partition("#")[0]
    return page.removeprefix("lessons/").removesuffix("/") if page else source


def _same_order(graph: SiteGraph, edited: dict[str, Lesson]) -> bool:
    """Whether the lessons keep their places, newest first then by slug, with their new dates."""
    if not edited:
        return True
    order = list(graph.lessons)

    def rank(slug: str) -> tuple[int, str]:
        lesson = edited.get(slug) or graph.lessons[slug]
        return -lesson.source.meta.date.toordinal(), slug

    for slug in edited:
        at = order.index(slug)
        if at > 0 and not rank(order[at - 1]) < rank(slug):
            return False
        if at + 1 < len(order) and not rank(slug) < rank(order[at + 1]):
            return False
    return True


def _reparse_all(builder: SiteBuilder, paths: Collection[str]) -> list[Update] | None:
    """The edited files parsed again; None unless each is a published lesson whose new version keeps the
    site's structure (_same_structure)."""
    if builder.live is None or not paths:
        return None
    renderer = builder.live[0].renderer
    updates: list[Update] = []
    for path in sorted(paths):
        update = _reparse(builder, path, renderer)
        if update is None:
            return None
        updates.append((path, *update))
    return updates


def _reparse(builder: SiteBuilder, path: str, renderer: SiteRenderer) -> tuple[ParsedFile, str | None] | None:
    """A lesson file parsed again and its new HTML (None when its bytes are unchanged); None when it is
    not a published lesson, or its new version changes the site's structure."""
    known: ParsedFile | None = builder.store.files.get(path)
    source = builder.options.site_dir / path
    if known is None or known.lesson is None or source.is_symlink():
        return None
    shown = renderer.graph.lessons.get(known.lesson.slug)
    if shown is None or shown.source.path != path:
        return None  # a draft, or a slug taken by another file
    try:
        stat = source.stat()
        raw = source.read_bytes()
    except OSError:
        return None
    stamp = (stat.st_mtime_ns, stat.st_size)
    digest = content_digest(raw)
    if digest == known.digest:
        return dataclasses.replace(known, stamp=stamp), None
    config = renderer.config
    plugins = renderer.hooks.plugins if renderer.hooks is not None else ()
    lesson, problems = parse_lesson(path, raw, vocabulary_of(config), config.markdown.html, digest, plugins)
    if lesson is None or tuple(problems) != known.diagnostics or not _same_structure(known.lesson, lesson):
        return None
    kept = dataclasses.replace(lesson, body=dataclasses.replace(lesson.body, html=""))
    return ParsedFile(stamp, digest, kept, known.diagnostics, known.guessed_slug), lesson.body.html


def _same_structure(old: Lesson, new: Lesson) -> bool:
    """Whether two versions of a lesson differ only in the free fields of their front matter and the
    text of their bodies: the same fixed fields, positions, headings and link targets."""
    fixed = [name for name in FrontMatter.model_fields if name not in FREE_FIELDS]
    return (
        (new.source.path, new.source.slug, new.source.body_line, new.source.positions)
        == (old.source.path, old.source.slug, old.source.body_line, old.source.positions)
        and all(getattr(new.source.meta, name) == getattr(old.source.meta, name) for name in fixed)
        and new.body.headings == old.body.headings
        and targets(new) == targets(old)
    )
