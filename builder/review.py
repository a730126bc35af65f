"""`kb review`: the lessons due for review and due soon, grouped by owner, as text, Markdown or JSON.

Owners come from the lesson's `owners:`, else from the `owners:` of its topics in site.yml; a lesson with
none is listed under "unowned". The JSON is for bots (see SCHEMA) and its bytes are stable: sorted keys,
lessons most overdue first, then by slug.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from builder.config import SiteConfig
from builder.freshness import DUE_SOON_DAYS, review_states
from builder.graph import Lesson, SiteGraph
from builder.views import repo_links

UNOWNED = "unowned"
SCHEMA_VERSION = 1
SCHEMA = """\
{
  "version": 1,
  "today": "YYYY-MM-DD",             the date the queue was computed for (--today)
  "max_age_days": 365,               review.max_age_days of site.yml, null without a review policy
  "due_soon_days": 30,
  "counts": {"overdue": N, "due_soon": N},
  "owners": {"HANDLE": [LESSON, ...]},  one entry per GitHub handle with lessons in the queue
  "unowned": [LESSON, ...]
}
LESSON = {"slug", "title", "source" (site-relative path), "url" (absolute), "edit_url" ("" without repo:),
          "last_checked" (reviewed, else updated, else date), "due", "days_left" (negative: overdue),
          "status" ("overdue" | "due-soon"), "owners" [handles]}
"""


@dataclass(frozen=True, slots=True)
class QueueItem:
    slug: str
    title: str
    source: str
    url: str
    edit_url: str
    last_checked: dt.date
    due: dt.date
    days_left: int
    owners: tuple[str, ...]

    @property
    def status(self) -> str:
        return "overdue" if self.days_left < 0 else "due-soon"

    @property
    def when(self) -> str:
        days = abs(self.days_left)
        plural = "" if days == 1 else "s"
        if self.days_left < 0:
            return f"overdue by {days} day{plural}"
        return "due today" if days == 0 else f"due in {days} day{plural}"

    def as_json(self) -> dict[str, object]:
        return {
            "slug": self.slug,
            "title": self.title,
            "source": self.source,
            "url": self.url,
            "edit_url": self.edit_url,
            "last_checked": self.last_checked.isoformat(),
            "due": self.due.isoformat(),
            "days_left": self.days_left,
            "status": self.status,
            "owners": list(self.owners),
        }


@dataclass(frozen=True, slots=True)
class ReviewQueue:
    today: dt.date
    max_age_days: int | None
    by_owner: dict[str, tuple[QueueItem, ...]]  # handles in alphabetical order, UNOWNED last

    @property
    def items(self) -> list[QueueItem]:
        """Each lesson of the queue once, most overdue first."""
        unique = {item.slug: item for items in self.by_owner.values() for item in items}
        return sorted(unique.values(), key=lambda item: (item.days_left, item.slug))


def owners_of(lesson: Lesson, config: SiteConfig) -> tuple[str, ...]:
    """The lesson's own owners, else those of its topics, in the order they are named."""
    meta = lesson.source.meta
    if meta.owners:
        return tuple(dict.fromkeys(meta.owners))
    return tuple(dict.fromkeys(o for topic in meta.topics for o in config.topics[topic].owners))


def review_queue(graph: SiteGraph, config: SiteConfig, today: dt.date, prefix: str = "") -> ReviewQueue:
    """Lessons overdue or due within DUE_SOON_DAYS; prefix is the site folder inside its repository."""
    grouped: dict[str, list[QueueItem]] = {}
    for state in review_states(graph, config, today):
        if state.days_left > DUE_SOON_DAYS:
            continue
        lesson = graph.lessons[state.slug]
        owners = owners_of(lesson, config)
        edit_url, _ = repo_links(config, lesson.source.path, prefix)
        item = QueueItem(
            state.slug,
            lesson.source.meta.title,
            lesson.source.path,
            config.base_url + lesson.url,
            edit_url,
            state.last,
            state.due,
            state.days_left,
            owners,
        )
        for owner in owners or (UNOWNED,):
            grouped.setdefault(owner, []).append(item)
    order = sorted(grouped, key=lambda owner: (owner == UNOWNED, owner.lower(), owner))
    max_age = config.review.max_age_days if config.review is not None else None
    return ReviewQueue(today, max_age, {owner: tuple(grouped[owner]) for owner in order})


def format_json(queue: ReviewQueue) -> str:
    items = queue.items
    data = {
        "version": SCHEMA_VERSION,
        "today": queue.today.isoformat(),
        "max_age_days": queue.max_age_days,
        "due_soon_days": DUE_SOON_DAYS,
        "counts": {
            "overdue": sum(item.days_left < 0 for item in items),
            "due_soon": sum(item.days_left >= 0 for item in items),
        },
        "owners": {
            owner: [item.as_json() for item in owned]
            for owner, owned in queue.by_owner.items()
            if owner != UNOWNED
        },
        "unowned": [item.as_json() for item in queue.by_owner.get(UNOWNED, ())],
    }
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _heading(owner: str) -> str:
    return "Unowned" if owner == UNOWNED else f"@{owner}"


def format_text(queue: ReviewQueue) -> str:
    if queue.max_age_days is None:
        return "No review policy: set review: {max_age_days: N} in site.yml to have lessons come due.\n"
    lines = [
        f"Review queue on {queue.today.isoformat()}: lessons last checked more than"
        f" {queue.max_age_days} days ago, or within {DUE_SOON_DAYS} days of it."
    ]
    if not queue.by_owner:
        lines.append("Nothing is due.")
    for owner, items in queue.by_owner.items():
        lines.append("")
        lines.append(f"{_heading(owner)} ({len(items)})")
        for item in items:
            lines.append(f"  {item.title} ({item.source}): {item.when}, last checked {item.last_checked}")
            if item.edit_url:
                lines.append(f"    edit: {item.edit_url}")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell and link label."""
    for char in "\\|[]*_`<>":
        text = text.replace(char, "\\" + char)
    return text


def format_markdown(queue: ReviewQueue) -> str:
    if queue.max_age_days is None:
        return "No review policy is set in site.yml (`review: {max_age_days: N}`).\n"
    lines = [
        f"# Lessons due for review on {queue.today.isoformat()}",
        "",
        f"Lessons last checked more than {queue.max_age_days} days ago, or due within {DUE_SOON_DAYS}"
        " days. Read each one, fix what is out of date, and set `reviewed:` to today's date.",
    ]
    if not queue.by_owner:
        lines += ["", "Nothing is due."]
    for owner, items in queue.by_owner.items():
        lines += [
            "",
            f"## {_heading(owner)}",
            "",
            "| Lesson | Status | Last checked | Edit |",
            "|---|---|---|---|",
        ]
        for item in items:
            edit = f"[edit]({item.edit_url})" if item.edit_url else ""
            row = f"| [{_cell(item.title)}]({item.url}) | {item.when} | {item.last_checked} | {edit} |"
            lines.append(row)
    return "\n".join(lines) + "\n"


FORMATS = {"text": format_text, "json": format_json, "markdown": format_markdown}
