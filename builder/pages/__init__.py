"""The page-type registry. A page type is one unit, a function decorated with @page_type, that yields
its pages (PageJob: output file, template, exactly what the template receives) from the site, and
declares for each whether the sitemap lists it and which feed it heads. The feeds and the sitemap are
derived from those declarations. Adding a page type is one module here plus its template."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from builder.render import PageJob, SiteRenderer

PageUnit = Callable[[SiteRenderer], Iterable[PageJob]]
DerivedUnit = Callable[[SiteRenderer, list[PageJob]], Iterable[PageJob]]
Replanner = Callable[[SiteRenderer, str], PageJob]  # one of the type's jobs made again, by its file name


@dataclass(frozen=True, slots=True)
class PageType:
    name: str
    order: int  # the sitemap lists pages in this order
    unit: PageUnit
    # kb serve re-plans one job of a type with a replanner; without one, the whole type runs again.
    # A replanner must read each job's lessons while making that job (builder/replan.py records it).
    replan: Replanner | None = None


_TYPES: dict[str, PageType] = {}
_DERIVED: dict[str, tuple[int, DerivedUnit]] = {}


def page_type(name: str, order: int, replan: Replanner | None = None) -> Callable[[PageUnit], PageUnit]:
    def register(unit: PageUnit) -> PageUnit:
        _TYPES[name] = PageType(name, order, unit, replan)
        return unit

    return register


def derived_type(name: str, order: int) -> Callable[[DerivedUnit], DerivedUnit]:
    """A page type made from the other pages' declarations (feeds, the sitemap)."""

    def register(unit: DerivedUnit) -> DerivedUnit:
        _DERIVED[name] = (order, unit)
        return unit

    return register


def _load() -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


def page_types() -> list[PageType]:
    _load()
    return sorted(_TYPES.values(), key=lambda t: (t.order, t.name))


def derived_types() -> list[tuple[str, DerivedUnit]]:
    _load()
    return [(name, unit) for name, (_, unit) in sorted(_DERIVED.items(), key=lambda i: (i[1][0], i[0]))]


def site_jobs(
    renderer: SiteRenderer,
    extra: Iterable[PageJob] = (),
    each: Callable[[str, Iterable[PageJob]], Iterable[PageJob]] = lambda _name, jobs: jobs,
) -> list[PageJob]:
    """Every page of the site: each type's in order, then extra pages (hooks), then the derived ones.
    each(type name, its jobs) may watch the jobs as each type makes them (kb serve records what they read)."""
    jobs = [job for kind in page_types() for job in each(kind.name, kind.unit(renderer))]
    jobs += extra
    for name, unit in derived_types():
        jobs += each(name, unit(renderer, list(jobs)))
    return jobs


def body_jobs(renderer: SiteRenderer, slug: str, jobs: list[PageJob]) -> list[PageJob]:
    """The pages that show a lesson's body: its own page, the feeds, declared by jobs, that list it, and
    its Markdown copies (for LLM tools)."""
    from builder import llms
    from builder.pages import feeds, lessons

    shown = [feeds.feed_job(renderer, job.feed) for job in jobs if job.feed and feeds.shows(job.feed, slug)]
    return [lessons.lesson_job(renderer, slug), *shown, *llms.body_jobs(renderer, slug)]
