"""A page per lesson, and the index of every lesson, newest first, paginated."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from builder import views
from builder.pages import page_type
from builder.pages.cards import lesson_page_image
from builder.pagination import paginate
from builder.render import Page, PageJob, SiteRenderer, lastmod, output_name


def _replan_index(site: SiteRenderer, name: str) -> PageJob:
    return next(_index_pages(site, name))


@page_type("lessons-index", 20, replan=_replan_index)
def lessons_index(site: SiteRenderer) -> Iterator[PageJob]:
    yield from _index_pages(site)


def _index_pages(site: SiteRenderer, only: str | None = None) -> Iterator[PageJob]:
    """The pages of the list of every lesson (only: the one of that file name, when it is made again)."""
    config, graph = site.config, site.graph
    everything = tuple(graph.lessons)
    for pager, slugs in paginate("lessons/", everything, config.lists.page_size):
        if only is not None and output_name(pager.path) != only:
            continue
        title = "All lessons" if pager.number == 1 else f"All lessons · page {pager.number}"
        page = Page(pager.path, title, f"Every lesson of {config.title}.", "lessons")
        cards = [site.cards[slug] for slug in slugs]
        lastmod = site.newest(everything) if pager.number == 1 else None  # page 1 stands for the list
        yield site.page("lessons.html", page, sitemap=lastmod, lessons=cards, pager=pager)


def _replan_lesson(site: SiteRenderer, name: str) -> PageJob:
    return lesson_job(site, name.removeprefix("lessons/").removesuffix("/index.html"))


@page_type("lesson", 30, replan=_replan_lesson)
def lessons(site: SiteRenderer) -> Iterator[PageJob]:
    for slug in site.graph.lessons:
        yield lesson_job(site, slug)


def lesson_job(site: SiteRenderer, slug: str) -> PageJob:
    lesson = site.graph.lessons[slug]
    template = lesson.source.meta.template or "lesson.html"
    if not site.defers:
        return site.job(output_name(lesson.url), template, _context(site, slug), sitemap=lastmod(lesson))
    make = partial(_context, site, slug)
    meta = lesson.source.meta
    page = Page(lesson.url, meta.title, meta.summary, "lessons", *lesson_page_image(site, lesson))
    return PageJob(output_name(lesson.url), template, {"page": page}, sitemap=lastmod(lesson), make=make)


def _context(site: SiteRenderer, slug: str) -> dict[str, Any]:
    lesson = site.graph.lessons[slug]
    view = views.lesson_view(
        lesson, site.body_html(lesson), site.graph, site.config, site.cards, site.reasons, site.source_prefix
    )
    page = Page(lesson.url, view.title, view.summary, "lessons", *lesson_page_image(site, lesson))
    return {"page": page, "lesson": view, "json_ld": _json_ld(site, view)}


def _json_ld(site: SiteRenderer, view: views.LessonView) -> dict[str, Any]:
    absolute = site.config.base_url + view.url
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": view.title,
        "description": view.summary,
        "datePublished": view.date.isoformat(),
        "dateModified": (view.updated or view.date).isoformat(),
        "url": absolute,
        "mainEntityOfPage": absolute,
        "keywords": [t.title for t in (*view.topics, *view.skills)],
        "inLanguage": site.config.language,
    }
    if view.level:
        data["educationalLevel"] = view.level
    if view.authors:
        data["author"] = [
            {"@type": "Person", "name": a.name, **({"url": a.url} if a.url else {})} for a in view.authors
        ]
    return data
