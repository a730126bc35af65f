"""The parse stage: lesson files -> Lessons (front matter + rendered Markdown) or Diagnostics, only for the
files whose bytes changed, in forked workers when there are many."""

from __future__ import annotations

import dataclasses
import multiprocessing as mp
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from builder import cache, writer
from builder.config import SiteConfig
from builder.diagnostics import Diagnostic
from builder.discover import Sources
from builder.extensions import Plugin, plugin_failure
from builder.frontmatter import Vocabulary, guess_slug, read_lesson
from builder.graph import Lesson
from builder.markdown import render_markdown
from builder.records import content_digest, picklable


@picklable
@dataclass(frozen=True, slots=True)
class ParsedFile:
    stamp: tuple[int, int]  # (mtime_ns, size)
    digest: str
    lesson: Lesson | None
    diagnostics: tuple[Diagnostic, ...]
    guessed_slug: str  # the lesson's slug, or a guess at it when the file has errors


def parse_lesson(
    path: str,
    raw: bytes,
    vocabulary: Vocabulary,
    html: bool,
    digest: str | None = None,
    plugins: tuple[tuple[str, Plugin], ...] = (),
) -> tuple[Lesson | None, list[Diagnostic]]:
    """One lesson file -> a Lesson with its rendered body, or its Diagnostics. Pure: safe in a worker."""
    source, diagnostics = read_lesson(path, raw, vocabulary, digest)
    if source is None:
        return None, diagnostics
    try:
        body = render_markdown(
            source.body, first_line=source.body_line, html=html, plugins=tuple(p for _, p in plugins)
        )
    except Exception as exc:  # only the site's own plugins can fail here
        return None, [plugin_failure(exc, path, source.body_line, plugins)]
    return Lesson(dataclasses.replace(source, body=""), body), diagnostics  # the Markdown is not needed again


_PLUGINS: tuple[tuple[str, Plugin], ...] = ()  # the site's Markdown plugins, inherited by forked workers

Job = tuple[str, str, Vocabulary, bool]  # the file to read, its path in the site, how to parse it
Parsed = tuple[str, Lesson | None, list[Diagnostic], str]  # digest, lesson, problems, (guessed) slug


def _parse_job(job: Job) -> Parsed:
    """Read and parse one file in the worker, so the parent never holds the site's Markdown."""
    file, path, vocabulary, html = job
    raw = Path(file).read_bytes()
    digest = content_digest(raw)
    lesson, problems = parse_lesson(path, raw, vocabulary, html, digest, plugins=_PLUGINS)
    return digest, lesson, problems, lesson.slug if lesson is not None else guess_slug(path, raw)


def vocabulary_of(config: SiteConfig) -> Vocabulary:
    declared = tuple(
        (taxonomy.kind, frozenset(config.vocabulary(taxonomy.kind)))
        for taxonomy in config.all_taxonomies()
        if not taxonomy.builtin
    )
    return Vocabulary(frozenset(config.topics), frozenset(config.skills), frozenset(config.authors), declared)


def parse_changed(
    store: cache.Store,
    site_dir: Path,
    sources: Sources,
    vocabulary: Vocabulary,
    html: bool,
    jobs: int,
    plugins: tuple[tuple[str, Plugin], ...],
    advance: Callable[[int], None] = writer.nothing,
) -> None:
    """Parse the lesson files whose bytes changed since the store last saw them, in forked workers;
    advance(n) as n more lessons are read (unchanged) or parsed."""
    files = store.files
    for gone in set(files) - set(sources.lessons):
        store.drop_file(gone)
    todo: list[tuple[str, tuple[int, int]]] = []
    prefix = f"{site_dir}{os.sep}"
    for path in sources.lessons:
        stat = os.stat(prefix + path)
        stamp = (stat.st_mtime_ns, stat.st_size)
        known = files.get(path)
        if known is not None and known.stamp == stamp:
            continue
        if known is not None and known.digest == content_digest((site_dir / path).read_bytes()):
            store.set_file(path, dataclasses.replace(known, stamp=stamp))  # touched, not changed
            continue
        todo.append((path, stamp))
    advance(len(sources.lessons) - len(todo))
    work = [(prefix + path, path, vocabulary, html) for path, _ in todo]
    shared: dict[frozenset[str], set[str]] = {}
    with cache.paused_gc():  # the lessons coming back are millions of objects, none in cycles
        for (path, stamp), (digest, lesson, problems, slug) in zip(
            todo, _parse_all(work, jobs, plugins, advance), strict=True
        ):
            if lesson is not None:  # the HTML goes to the body store as it comes: parsed files stay small
                store.bodies.add(lesson.body.digest, lesson.body.html)
                lesson = dataclasses.replace(lesson, body=dataclasses.replace(lesson.body, html=""))
                _share_field_names(lesson, shared)
            store.set_file(path, ParsedFile(stamp, digest, lesson, tuple(problems), slug))


def _share_field_names(lesson: Lesson, shared: dict[frozenset[str], set[str]]) -> None:
    """Front matter models that set the same fields share one set of their names: pydantic keeps a set per
    model (0.7 KB a lesson), and never changes it in a frozen model."""
    meta = lesson.source.meta
    names = meta.__pydantic_fields_set__
    object.__setattr__(meta, "__pydantic_fields_set__", shared.setdefault(frozenset(names), names))


def _parse_all(
    work: list[Job],
    jobs: int,
    plugins: tuple[tuple[str, Plugin], ...],
    advance: Callable[[int], None],
) -> Iterator[Parsed]:
    """What parsing each file gave, in order, as the workers finish them (never all held at once). The
    site's Markdown plugins are functions: the forked workers inherit them through _PLUGINS."""
    global _PLUGINS
    _PLUGINS = plugins
    try:
        workers = writer.workers(jobs, len(work), 64)
        if workers <= 1:
            yield from writer.counted(map(_parse_job, work), advance)
            return
        with mp.get_context("fork").Pool(workers, initializer=writer.quiet_worker) as pool:
            chunk = max(1, min(64, len(work) // (workers * 8)))
            yield from writer.counted(pool.imap(_parse_job, work, chunksize=chunk), advance)  # in order
    finally:
        _PLUGINS = ()
