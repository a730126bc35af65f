"""kb serve's quick path: an edit that changes only what lessons say in their bodies is parsed and written
without analysing the site again (the pages showing those bodies, in place)."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from typing import TYPE_CHECKING

from builder import pages
from builder.gitinfo import dated
from builder.graph import Lesson
from builder.options import BuildResult
from builder.parse import ParsedFile, parse_lesson, vocabulary_of
from builder.records import content_digest
from builder.render import PageJob, SiteRenderer

if TYPE_CHECKING:
    from builder.build import SiteBuilder


def update_lessons(builder: SiteBuilder, paths: Collection[str]) -> BuildResult | None:
    """kb serve's quick path, for edits that change only what lessons say in their bodies: with the
    same front matter, headings and link targets nothing else in the graph can change, so only those
    lessons are parsed again and only the pages showing their bodies are written, in place, into the
    folder of the last full write. None when an edit is of another kind: the site must be analysed."""
    if builder.live is None or not paths:
        return None
    plan, target = builder.live
    renderer = plan.renderer
    updates: list[tuple[str, ParsedFile, str | None]] = []  # the new state of each file, its new HTML
    for path in sorted(paths):
        update = _reparse_body(builder, path, renderer)
        if update is None:
            return None
        updates.append((path, *update))
    jobs: dict[str, PageJob] = {}
    for path, parsed, html in updates:
        builder.store.set_file(path, parsed)
        if html is not None and parsed.lesson is not None:
            builder.store.bodies.add(parsed.lesson.body.digest, html)
            renderer.graph.lessons[parsed.lesson.slug] = dated(parsed.lesson, builder.git)
            jobs.update((job.name, job) for job in pages.body_jobs(renderer, parsed.lesson.slug, plan.jobs))
    result = BuildResult([], target, ok=True)
    keys = builder.store.page_keys
    keys.update(builder._write_jobs(list(jobs.values()), renderer, target, target, result))
    builder.written.update(jobs)
    result.pages = len(keys)
    return result


def _reparse_body(
    builder: SiteBuilder, path: str, renderer: SiteRenderer
) -> tuple[ParsedFile, str | None] | None:
    """A lesson file parsed again and its new HTML (None when its bytes are unchanged); None when it is
    not a published lesson whose body alone changed."""
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
    if lesson is None or tuple(problems) != known.diagnostics or not _same_outline(known.lesson, lesson):
        return None
    kept = dataclasses.replace(lesson, body=dataclasses.replace(lesson.body, html=""))
    return ParsedFile(stamp, digest, kept, known.diagnostics, known.guessed_slug), lesson.body.html


def _same_outline(old: Lesson, new: Lesson) -> bool:
    """Whether two versions of a lesson differ in the text of their bodies alone: the same front matter,
    headings and link targets (links may move: only their positions in the file would differ)."""

    def targets(lesson: Lesson) -> list[tuple[object, ...]]:
        return [(x.kind, x.target, x.fragment, x.wants_title, x.is_image) for x in lesson.body.links]

    return (
        dataclasses.replace(new.source, digest=old.source.digest) == old.source
        and new.body.headings == old.body.headings
        and targets(new) == targets(old)
    )
