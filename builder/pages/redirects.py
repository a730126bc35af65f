"""A redirect page at each old URL a lesson lists in `aliases:` (meta refresh and canonical, noindex, in
neither the sitemap nor the search index)."""

from __future__ import annotations

from collections.abc import Iterator

from builder.links import lesson_url
from builder.pages import page_type
from builder.render import Page, PageJob, SiteRenderer


@page_type("redirects", 92)
def redirects(site: SiteRenderer) -> Iterator[PageJob]:
    for alias, slug in site.graph.aliases.items():
        title = site.graph.lessons[slug].source.meta.title
        page = Page(lesson_url(alias), title, f"This lesson has moved to {lesson_url(slug)}.")
        yield site.page("redirect.html", page, target=lesson_url(slug))
