"""kb serve's map from lessons to the pages that show them, and re-planning from it.

While kb serve plans every page, the four mappings through which page types read what lessons say (the
graph's lessons and link titles, the renderer's cards and lastmods) are swapped for recording ones: each
job is noted with the lessons read while it was made (between its type's previous job and it; reading
all the values of a mapping counts as reading every lesson). After an edit that changes what some lessons
say but not the site's structure (the same slugs in the same order, the same terms, links, paths), only
the jobs that read those lessons are made again: one by one through their type's replanner, or by running
their type again. Derived types (feeds, sitemap) run again when a job they are made from changed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from builder import pages
from builder.render import PageJob, SiteRenderer

ALL = "\0every lesson"  # read by a job that went through every value of a mapping


class _Recorded(dict[str, Any]):
    """A mapping by slug that notes which slugs are read; membership, length and key order are not
    what a lesson says (they stay the same on the edits re-planned), so they are not noted."""

    __slots__ = ("reads",)

    def __init__(self, values: dict[str, Any], reads: set[str]) -> None:
        super().__init__(values)
        self.reads = reads

    def __getitem__(self, key: str) -> Any:
        self.reads.add(key)
        return dict.__getitem__(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        self.reads.add(key)
        return dict.get(self, key, default)

    def values(self) -> Any:
        self.reads.add(ALL)
        return dict.values(self)

    def items(self) -> Any:
        self.reads.add(ALL)
        return dict.items(self)


@dataclass(slots=True)
class PlanReads:
    """Which jobs read which lessons, and which type made each job."""

    readers: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # slug (or ALL) -> jobs
    type_of: dict[str, str] = field(default_factory=dict)  # job name -> its page type
    names: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # page type -> its jobs

    def note(self, kind: str, name: str, slugs: Iterable[str]) -> None:
        self.type_of[name] = kind
        self.names[kind].add(name)
        for slug in slugs:
            self.readers[slug].add(name)

    def readers_of(self, slugs: Iterable[str]) -> set[str]:
        found = set(self.readers.get(ALL, ()))
        for slug in slugs:
            found |= self.readers.get(slug, set())
        return found


def recorded_site_jobs(renderer: SiteRenderer, extra: list[PageJob]) -> tuple[list[PageJob], PlanReads]:
    """pages.site_jobs, noting what each job read."""
    reads: set[str] = set()
    record = PlanReads()

    def each(kind: str, jobs: Iterable[PageJob]) -> Iterator[PageJob]:
        for job in jobs:
            record.note(kind, job.name, reads)
            reads.clear()
            yield job
        reads.clear()

    graph = renderer.graph
    plain = graph.lessons, graph.link_titles, renderer.cards, renderer.lastmods
    graph.lessons = _Recorded(graph.lessons, reads)
    graph.link_titles = _Recorded(graph.link_titles, reads)
    renderer.cards = _Recorded(renderer.cards, reads)
    renderer.lastmods = _Recorded(renderer.lastmods, reads)
    try:
        jobs = pages.site_jobs(renderer, extra, each)
    finally:
        graph.lessons, graph.link_titles, renderer.cards, renderer.lastmods = plain
    for job in extra:
        record.note("", job.name, [ALL])  # hooks' pages: serve_quick re-plans nothing on a site with hooks
    return jobs, record


def replan(
    renderer: SiteRenderer, record: PlanReads, current: dict[str, PageJob], changed: set[str]
) -> dict[str, PageJob] | None:
    """The jobs made again after the lessons in changed were updated in the renderer's graph, by name;
    current: every job as last written, in the plan's order. None when a type makes other files than
    before (the caller then plans the whole site)."""
    types = {kind.name: kind for kind in pages.page_types()}
    derived = [name for name, _ in pages.derived_types()]
    again: dict[str, PageJob] = {}
    rerun: set[str] = set()
    for name in sorted(record.readers_of(changed)):
        kind = record.type_of.get(name, "")
        unit = types.get(kind)
        if unit is not None and unit.replan is not None:
            again[name] = unit.replan(renderer, name)
        else:
            rerun.add(kind)
    for kind in sorted(rerun - set(derived)):
        unit = types.get(kind)
        if unit is None:
            return None
        made = {job.name: job for job in unit.unit(renderer)}
        if made.keys() != record.names.get(kind, set()):
            return None
        again.update(made)
    declared = any(_declares(current[name]) != _declares(job) for name, job in again.items())
    merged = {**current, **again}
    for position, (kind, unit_of) in enumerate(pages.derived_types()):
        if not (declared or kind in rerun):
            continue
        later = set(derived[position:])
        before = [job for name, job in merged.items() if record.type_of.get(name) not in later]
        made = {job.name: job for job in unit_of(renderer, before)}
        if made.keys() != record.names.get(kind, set()):
            return None
        again.update(made)
        merged.update(made)
    return again


def _declares(job: PageJob) -> tuple[object, object]:
    """What derived types read of a job: its sitemap entry and its feed."""
    return job.sitemap, job.feed
