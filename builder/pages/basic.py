"""Pages with no data of their own: the theme's assets, search, 404 and robots.txt."""

from __future__ import annotations

from collections.abc import Iterator

from builder.pages import page_type
from builder.render import ASSETS_DIR, Page, PageJob, SiteRenderer


@page_type("assets", 0)
def assets(site: SiteRenderer) -> Iterator[PageJob]:
    for name, data in sorted(site.static.items()):
        yield PageJob(f"{ASSETS_DIR}/{name}", None, data=data)


@page_type("search", 60)
def search(site: SiteRenderer) -> Iterator[PageJob]:
    page = Page("search/", "Search", f"Search the lessons of {site.config.title}.", "search")
    yield site.page("search.html", page, sitemap="", facets=search_facets(site))


def search_facets(site: SiteRenderer) -> tuple[tuple[str, str], ...]:
    """The search page's filter groups, as (Pagefind filter name, legend): topic and skill, the site's own
    taxonomies in site.yml's order, then level. Lesson pages name their filters the same way."""
    declared = (
        (taxonomy.kind.singular, taxonomy.label)
        for taxonomy in site.config.all_taxonomies()
        if not taxonomy.builtin
    )
    return (("topic", "Topic"), ("skill", "Skill"), *declared, ("level", "Level"))


@page_type("not-found", 90)
def not_found(site: SiteRenderer) -> Iterator[PageJob]:
    yield site.page("404.html", Page("404.html", "Page not found", "There is no page at this address."))


@page_type("robots", 91)
def robots(site: SiteRenderer) -> Iterator[PageJob]:
    yield PageJob("robots.txt", "robots.txt")
