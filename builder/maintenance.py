"""The /maintenance/ page for editors: stale lessons, the review queue by owner, orphans, lessons without
related lessons and the oldest reviews. Not linked from the navigation, not in the sitemap or search, and
marked noindex."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from builder.freshness import last_checked
from builder.review import QueueItem, review_queue
from builder.views import Card

if TYPE_CHECKING:
    from builder.render import PageJob, SiteRenderer

OLDEST = 10


@dataclass(frozen=True, slots=True)
class Checked:
    card: Card
    last_checked: str  # ISO date
    edit_url: str


@dataclass(frozen=True, slots=True)
class MaintenanceView:
    today: str  # "" without a review policy: then nothing on the page depends on the date
    max_age_days: int | None
    stale: tuple[QueueItem, ...]
    queue: tuple[tuple[str, tuple[QueueItem, ...]], ...]  # (owner, lessons)
    orphans: tuple[Card, ...]
    unrelated: tuple[Card, ...]
    oldest: tuple[Checked, ...]


def maintenance_job(renderer: SiteRenderer) -> PageJob:
    from builder.render import Page
    from builder.views import repo_links

    config, graph, cards = renderer.config, renderer.graph, renderer.cards
    reviewing = config.review is not None
    queue = review_queue(graph, config, renderer.today, renderer.source_prefix)
    in_paths = set(graph.path_steps)
    by_age = sorted(graph.lessons.values(), key=lambda lesson: (last_checked(lesson), lesson.slug))
    view = MaintenanceView(
        today=renderer.today.isoformat() if reviewing else "",
        max_age_days=queue.max_age_days,
        stale=tuple(item for item in queue.items if item.days_left < 0),
        queue=tuple(queue.by_owner.items()),
        orphans=tuple(c for s, c in cards.items() if not graph.backlinks.get(s) and s not in in_paths),
        unrelated=tuple(cards[s] for s in graph.lessons if not graph.related.get(s)),
        oldest=tuple(
            Checked(
                cards[lesson.slug],
                last_checked(lesson).isoformat(),
                repo_links(config, lesson.source.path, renderer.source_prefix)[0],
            )
            for lesson in by_age[:OLDEST]
        ),
    )
    page = Page("maintenance/", "Maintenance", f"Upkeep of {config.title}: what needs an editor.")
    return renderer.page("maintenance.html", page, maintenance=view)  # not in the sitemap
