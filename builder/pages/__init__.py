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


@dataclass(frozen=True, slots=True)
class PageType:
    name: str
    order: int  # the sitemap lists pages in this order
    unit: PageUnit


_TYPES: dict[str, PageType] = {}
_DERIVED: dict[str, tuple[int, DerivedUnit]] = {}


def page_type(name: str, order: int) -> Callable[[PageUnit], PageUnit]:
    def register(unit: PageUnit) -> PageUnit:
        _TYPES[name] = PageType(name, order, unit)
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


def site_jobs(renderer: SiteRenderer, extra: Iterable[PageJob] = ()) -> list[PageJob]:
    """Every page of the site: each type's in order, then extra pages (hooks), then the derived ones."""
    jobs = [job for kind in page_types() for job in kind.unit(renderer)]
    jobs += extra
    for _, unit in sorted(_DERIVED.items(), key=lambda item: (item[1][0], item[0])):
        jobs += unit[1](renderer, list(jobs))
    return jobs


def body_jobs(renderer: SiteRenderer, slug: str, jobs: list[PageJob]) -> list[PageJob]:
    """The pages that show a lesson's body: its own page, the feeds, declared by jobs, that list it, and
    its Markdown copies (for LLM tools)."""
    from builder import llms
    from builder.pages import feeds, lessons

    shown = [feeds.feed_job(renderer, job.feed) for job in jobs if job.feed and feeds.shows(job.feed, slug)]
    return [lessons.lesson_job(renderer, slug), *shown, *llms.body_jobs(renderer, slug)]
