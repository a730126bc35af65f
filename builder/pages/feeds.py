"""Atom feeds, derived: every page that declares a feed (FeedSpec) gets one, of its newest lessons."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from builder import views
from builder.graph import Lesson
from builder.pages import derived_type
from builder.render import FeedSpec, PageJob, SiteRenderer
from builder.taxonomy import Kind

FEED_SIZE = 20


@derived_type("feeds", 0)
def feeds(site: SiteRenderer, jobs: list[PageJob]) -> Iterator[PageJob]:
    for job in jobs:
        if job.feed is not None:
            yield feed_job(site, job.feed)


def feed_job(site: SiteRenderer, spec: FeedSpec) -> PageJob:
    entries = [_entry(site, site.graph.lessons[slug]) for slug in spec.slugs[:FEED_SIZE]]
    feed = views.Feed(
        title=spec.title,
        subtitle=spec.subtitle,
        page=spec.page,
        path=spec.page + "feed.xml",
        updated=max((e.updated for e in entries), default=_timestamp(dt.date(2000, 1, 1))),
        entries=tuple(entries),
    )
    return PageJob(spec.page + "feed.xml", "feed.xml", {"feed": feed})


def shows(spec: FeedSpec, slug: str) -> bool:
    return slug in spec.slugs[:FEED_SIZE]


def _entry(site: SiteRenderer, lesson: Lesson) -> views.FeedEntry:
    meta, config = lesson.source.meta, site.config
    return views.FeedEntry(
        title=meta.title,
        url=lesson.url,
        published=_timestamp(meta.date),
        updated=_timestamp(meta.updated or meta.date),
        authors=tuple(views.author_view(config, a) for a in meta.authors),
        categories=tuple(views.TermView(Kind.TOPICS, t, config.topics[t].title, "", 0) for t in meta.topics),
        summary=meta.summary,
        content=site.body_html(lesson),
    )


def _timestamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"
