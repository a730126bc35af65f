"""Freshness: lessons whose last review (or, if never reviewed, last update) is too long ago."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from builder.config import SiteConfig
from builder.diagnostics import Diagnostic, warning
from builder.graph import Lesson, SiteGraph

DUE_SOON_DAYS = 30


@dataclass(frozen=True, slots=True)
class ReviewState:
    slug: str
    last: dt.date  # reviewed, else updated, else date
    due: dt.date
    days_left: int  # negative: overdue


def last_checked(lesson: Lesson) -> dt.date:
    meta = lesson.source.meta
    return meta.reviewed or meta.updated or meta.date


def review_states(graph: SiteGraph, config: SiteConfig, today: dt.date) -> list[ReviewState]:
    """Every lesson's review state, most overdue first; empty when site.yml sets no review policy."""
    if config.review is None:
        return []
    span = dt.timedelta(days=config.review.max_age_days)
    states = []
    for slug, lesson in graph.lessons.items():
        last = last_checked(lesson)
        states.append(ReviewState(slug, last, last + span, (last + span - today).days))
    return sorted(states, key=lambda s: (s.days_left, s.slug))


def stale_warnings(graph: SiteGraph, config: SiteConfig, today: dt.date) -> list[Diagnostic]:
    found = []
    for state in review_states(graph, config, today):
        if state.days_left >= 0:
            continue
        lesson = graph.lessons[state.slug]
        meta = lesson.source.meta
        what = "reviewed" if meta.reviewed else "updated" if meta.updated else "written"
        field = "reviewed" if meta.reviewed else "updated" if meta.updated else "date"
        line, col = lesson.source.position(field)
        assert config.review is not None
        message = (
            f"last {what} {state.last.isoformat()}, more than {config.review.max_age_days} days ago:"
            f" check it is still right and set 'reviewed: {today.isoformat()}'"
        )
        found.append(warning(lesson.source.path, line, col, "stale-lesson", message))
    return found
