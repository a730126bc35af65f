"""The home page: latest lessons, terms with counts, learning paths; it heads the site's feed."""

from __future__ import annotations

from collections.abc import Iterator

from builder import views
from builder.pages import page_type
from builder.render import FeedSpec, Page, PageJob, SiteRenderer
from builder.taxonomy import Kind

HOME_LATEST = 10


@page_type("home", 10)
def home(site: SiteRenderer) -> Iterator[PageJob]:
    config, graph = site.config, site.graph
    cards = list(site.cards.values())
    yield site.page(
        "home.html",
        Page("", config.title, config.description or config.title),
        sitemap=site.newest(tuple(graph.lessons)),
        feed=FeedSpec("", config.title, config.description, tuple(graph.lessons)),
        latest=cards[:HOME_LATEST],
        lesson_count=len(cards),
        topics=views.terms(config, graph, Kind.TOPICS),
        skills=views.terms(config, graph, Kind.SKILLS),
        paths=[site.path_view(key) for key in config.paths],
    )
