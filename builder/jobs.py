"""A planned output file (PageJob: a template and exactly what it receives, or ready bytes, or a function
making them) and the feed a page may head (FeedSpec). A job's key is a digest of everything its output
depends on, so a rebuild renders only the pages whose key changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from builder import cache


@dataclass(frozen=True, slots=True)
class FeedSpec:
    page: str  # the page the feed belongs to: its URL path; the feed is at page + "feed.xml"
    title: str
    subtitle: str
    slugs: tuple[str, ...]  # newest first; the feed shows the first FEED_SIZE


@dataclass(frozen=True, slots=True)
class PageJob:
    name: str  # the output file, relative to the output folder
    template: str | None
    context: dict[str, Any] = field(default_factory=dict)  # exactly what the template receives
    data: bytes | None = None  # ready bytes (theme assets), no template
    sitemap: str | None = None  # listed in the sitemap, with this lastmod ("" for none), when set
    feed: FeedSpec | None = None  # the feed this page heads, when it has one
    produce: Callable[[], bytes] | None = None  # makes the bytes without a template (the context keys it)
    # makes the full context where the page is written (a build's lesson pages: the parent then never
    # holds them all); context holds only its "page" until then
    make: Callable[[], dict[str, Any]] | None = None

    def made(self) -> PageJob:
        """The job with its full context."""
        return self if self.make is None else replace(self, context=self.make(), make=None)

    def same_as(self, other: PageJob) -> bool:
        """Whether two jobs receive equal inputs (compared in memory, which shared objects make quick)."""
        mine, theirs = self.made(), other.made()
        same = mine.template == theirs.template and mine.data == theirs.data
        return same and mine.context == theirs.context

    def key(self, templates: str = "") -> str:
        """A digest of what the page is made of: its ready bytes, or its template's name, the digest of
        the template set and the full context the template receives (bodies stand in by their digest)."""
        if self.data is not None:
            return cache.digest(self.data)
        return cache.digest(templates, self.template, sorted(self.made().context.items()))
