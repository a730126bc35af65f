"""Learning paths: the index of paths and one page per path."""

from __future__ import annotations

from collections.abc import Iterator

from builder.pages import page_type
from builder.pages.cards import page_image
from builder.render import Page, PageJob, SiteRenderer


@page_type("paths", 50)
def paths_index(site: SiteRenderer) -> Iterator[PageJob]:
    config = site.config
    page = Page("paths/", "Learning paths", f"Learning paths of {config.title}.", "paths")
    paths = [site.path_view(key) for key in config.paths]
    yield site.page("paths.html", page, sitemap=site.newest(tuple(site.graph.lessons)), paths=paths)


@page_type("path", 70)
def path_pages(site: SiteRenderer) -> Iterator[PageJob]:
    for key in site.config.paths:
        path = site.path_view(key)
        steps = tuple(card.slug for card in path.steps)
        image = page_image(site, "paths", path.id)
        page = Page(f"paths/{path.id}/", path.title, path.description, "paths", *image)
        yield site.page("path.html", page, sitemap=site.newest(steps), path=path)
