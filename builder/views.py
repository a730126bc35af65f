"""Plain view objects that templates read: cards, term summaries, lesson pages. No logic in templates."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from builder.config import SiteConfig
from builder.graph import Lesson, PathStep, SiteGraph
from builder.markdown import Heading
from builder.related import Relation

WORDS_PER_MINUTE = 220


def date_text(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True, slots=True)
class Card:
    slug: str
    url: str
    title: str
    summary: str
    date: dt.date
    date_text: str
    level: str | None


def card(lesson: Lesson) -> Card:
    meta = lesson.source.meta
    return Card(
        lesson.slug, lesson.url, meta.title, meta.summary, meta.date, date_text(meta.date), meta.level
    )


@dataclass(frozen=True, slots=True)
class TermView:
    kind: str  # "topics" or "skills"
    id: str
    title: str
    description: str
    count: int


@dataclass(frozen=True, slots=True)
class AuthorView:
    name: str
    url: str | None


@dataclass(frozen=True, slots=True)
class PathNav:
    path_id: str
    title: str
    step: int
    total: int
    previous: Card | None
    next: Card | None


@dataclass(frozen=True, slots=True)
class PathView:
    id: str
    title: str
    description: str
    steps: tuple[Card, ...]


@dataclass(frozen=True, slots=True)
class RelatedView:
    card: Card
    reason: str


@dataclass(frozen=True, slots=True)
class LessonView:
    slug: str
    url: str
    title: str
    summary: str
    date: dt.date
    date_text: str
    updated: dt.date | None
    updated_text: str
    level: str | None
    reading_minutes: int
    authors: tuple[AuthorView, ...]
    topics: tuple[TermView, ...]
    skills: tuple[TermView, ...]
    toc: tuple[Heading, ...]
    body_html: str
    prerequisites: tuple[Card, ...]
    path_nav: tuple[PathNav, ...]
    related: tuple[RelatedView, ...]
    backlinks: tuple[Card, ...]
    reviewed: dt.date | None = None
    reviewed_text: str = ""
    source_path: str = ""  # site-relative: content/api/intro.md
    edit_url: str = ""  # with repo: in site.yml, the file on its branch
    history_url: str = ""  # and its commits
    feedback_url: str = ""  # with repo: a new issue about the lesson, pre-filled
    markdown_path: str = ""  # site-relative URL of its Markdown copy; "" for a draft (it has none)


def repo_links(config: SiteConfig, source_path: str, prefix: str) -> tuple[str, str]:
    """ "Edit this lesson" and "History" URLs of a source file, or empty strings without repo:."""
    if config.repo is None:
        return "", ""
    where = quote(f"{config.repo.branch}/{prefix}{source_path}", safe="/")
    return f"{config.repo.url}/edit/{where}", f"{config.repo.url}/commits/{where}"


FEEDBACK_LABEL = "lesson-feedback"
FEEDBACK_TEMPLATE = "lesson-feedback.md"  # in .github/ISSUE_TEMPLATE/


def feedback_url(config: SiteConfig, lesson: Lesson, source: str) -> str:
    """A link to a new GitHub issue about a lesson, pre-filled; empty without repo:. Nothing is sent
    anywhere until the reader submits the form on GitHub."""
    if config.repo is None:
        return ""
    meta = lesson.source.meta
    section = ", ".join(config.topics[topic].title for topic in meta.topics)
    body = (
        f"Lesson: {meta.title}\n"
        f"URL: {config.base_url}{lesson.url}\n"
        f"Source: {source}\n"
        f"Section: {section}\n\n"
        "What is wrong or out of date? (quote the sentence or name the heading)\n\n\n"
        "What would be right? (a link to a source helps)\n"
    )
    query = {
        "title": f"Lesson feedback: {meta.title}",
        "body": body,
        "labels": FEEDBACK_LABEL,
        "template": FEEDBACK_TEMPLATE,
    }
    return f"{config.repo.url}/issues/new?{urlencode(query, quote_via=quote)}"


def terms(config: SiteConfig, graph: SiteGraph, kind: str) -> list[TermView]:
    vocabulary = config.vocabulary(kind)
    return [
        TermView(kind, key, term.title, term.description, len(graph.lessons_with(kind, key)))
        for key, term in vocabulary.items()
    ]


def reason(relation: Relation, config: SiteConfig) -> str:
    """'shares skills: Pydantic, FastAPI · topic: API design'."""
    parts = []
    for kind, shared, vocabulary in (
        ("skill", relation.shared_skills, config.skills),
        ("topic", relation.shared_topics, config.topics),
    ):
        if shared:
            plural = "s" if len(shared) > 1 else ""
            parts.append(f"{kind}{plural}: " + ", ".join(vocabulary[key].title for key in shared))
    return "shares " + " · ".join(parts)


def lesson_view(
    lesson: Lesson,
    body_html: str,
    graph: SiteGraph,
    config: SiteConfig,
    cards: dict[str, Card],
    source_prefix: str = "",
) -> LessonView:
    meta = lesson.source.meta
    slug = lesson.slug
    edit_url, history_url = repo_links(config, lesson.source.path, source_prefix)
    return LessonView(
        slug=slug,
        url=lesson.url,
        title=meta.title,
        summary=meta.summary,
        date=meta.date,
        date_text=date_text(meta.date),
        updated=meta.updated,
        updated_text=date_text(meta.updated) if meta.updated else "",
        level=meta.level,
        reading_minutes=max(1, math.ceil(lesson.body.words / WORDS_PER_MINUTE)),
        authors=tuple(AuthorView(config.authors[a].name, config.authors[a].url) for a in meta.authors),
        topics=tuple(_term(config, "topics", key) for key in meta.topics),
        skills=tuple(_term(config, "skills", key) for key in meta.skills),
        toc=tuple(h for h in lesson.body.headings if h.level in (2, 3)),
        body_html=body_html,
        prerequisites=tuple(cards[p] for p in meta.prerequisites if p in cards),
        path_nav=tuple(_path_nav(step, config, cards) for step in graph.path_steps.get(slug, ())),
        related=tuple(RelatedView(cards[r.slug], reason(r, config)) for r in graph.related.get(slug, ())),
        backlinks=tuple(cards[s] for s in graph.backlinks.get(slug, ())),
        reviewed=meta.reviewed,
        reviewed_text=date_text(meta.reviewed) if meta.reviewed else "",
        source_path=lesson.source.path,
        edit_url=edit_url,
        history_url=history_url,
        feedback_url=feedback_url(config, lesson, source_prefix + lesson.source.path),
        markdown_path="" if meta.draft else lesson.url + "index.md",
    )


def _term(config: SiteConfig, kind: str, key: str) -> TermView:
    term = config.vocabulary(kind)[key]
    return TermView(kind, key, term.title, term.description, 0)


def _path_nav(step: PathStep, config: SiteConfig, cards: dict[str, Card]) -> PathNav:
    steps = step.steps
    return PathNav(
        step.path_id,
        config.paths[step.path_id].title,
        step.index + 1,
        len(steps),
        cards[steps[step.index - 1]] if step.index > 0 else None,
        cards[steps[step.index + 1]] if step.index + 1 < len(steps) else None,
    )


@dataclass(frozen=True, slots=True)
class FeedEntry:
    title: str
    url: str
    published: str
    updated: str
    authors: tuple[AuthorView, ...]
    categories: tuple[TermView, ...]
    summary: str
    content: str


@dataclass(frozen=True, slots=True)
class Feed:
    title: str
    subtitle: str
    page: str
    path: str
    updated: str
    entries: tuple[FeedEntry, ...]
