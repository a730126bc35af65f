"""Edits to the text of lesson bodies alone, and the pages they can change.

A lesson whose new version has the same front matter (and its positions), headings, link targets and
problems as the old differs only in its body's text, and nothing else in the graph can differ: its page,
the feeds that list it and its Markdown copies (with llms-full.txt) are the only pages that show that text.
kb serve writes just those after such an edit (serve_quick.update_lessons); a build keys just those when
nothing else of the site changed since the last build (its frame: kb's code, the options, the git commit,
the lesson, asset and static files there are), and takes every other page from the last output as it is.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from builder import cache, pages
from builder.discover import Sources
from builder.graph import Lesson
from builder.options import Analysis, BuildOptions
from builder.render import PageJob, SiteRenderer


def same_outline(old: Lesson, new: Lesson) -> bool:
    """Whether two versions of a lesson differ in the text of their bodies alone: the same front matter,
    headings and link targets (links may move: only their positions in the file would differ)."""
    return (
        dataclasses.replace(new.source, digest=old.source.digest) == old.source
        and new.body.headings == old.body.headings
        and targets(new) == targets(old)
    )


def targets(lesson: Lesson) -> list[tuple[object, ...]]:
    return [(x.kind, x.target, x.fragment, x.wants_title, x.is_image) for x in lesson.body.links]


def frame(options: BuildOptions, head: str, today: dt.date | None, sources: Sources) -> str:
    """What every page may depend on besides the lessons' contents and the plan's epoch (site.yml, the
    theme, extensions): kb's code, the options (folders by their real paths; not --jobs), the commit
    lesson dates come from, the review date, and which lesson, asset and static files there are."""
    out = options.out_dir.resolve() if options.out_dir is not None else None
    asked = dataclasses.replace(options, site_dir=options.site_dir.resolve(), out_dir=out, jobs=0)
    files = (sources.lessons, sources.assets, sorted(sources.folders), sources.static)
    return cache.digest(cache.code_digest(), repr(asked), head, today, files)


def pages_to_key(analysis: Analysis, renderer: SiteRenderer, jobs: list[PageJob]) -> set[str] | None:
    """The output files that may differ from the last build's when every edited lesson changed in its
    body's text alone (analysis.edited); None when some edit is of another kind."""
    graph = analysis.graph
    if graph is None or (analysis.extensions is not None and analysis.extensions.hooks):
        return None  # hooks may read anything a lesson says
    names: set[str] = set()
    for path, (old, new) in analysis.edited.items():
        if old is None or old.lesson is None or new.lesson is None:
            return None
        if new.diagnostics != old.diagnostics or not same_outline(old.lesson, new.lesson):
            return None
        shown = graph.lessons.get(new.lesson.slug)
        if shown is None or shown.source.path != path:
            return None  # a draft, or a slug another file took
        names.update(job.name for job in pages.body_jobs(renderer, new.lesson.slug, jobs))
    return names
