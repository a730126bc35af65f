"""Plain view objects that templates read: cards, term summaries, lesson pages. No logic in templates."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from builder.config import SiteConfig
from builder.graph import Lesson, PathStep, SiteGraph
from builder.markdown import Heading
from builder.records import picklable
from builder.related import Relation
from builder.repolinks import feedback_url as feedback_url
from builder.repolinks import repo_links as repo_links
from builder.taxonomy import Kind

WORDS_PER_MINUTE = 220


def date_text(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


@picklable
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


@picklable
@dataclass(frozen=True, slots=True)
class TermView:
    kind: Kind
    id: str
    title: str
    description: str
    count: int


@picklable
@dataclass(frozen=True, slots=True)
class TermGroup:
    """A lesson's terms in one of the site's own taxonomies: chips and search filters."""

    kind: Kind
    title: str  # the taxonomy's: "Languages"
    terms: tuple[TermView, ...]


@picklable
@dataclass(frozen=True, slots=True)
class AuthorView:
    name: str
    url: str | None
    id: str = ""
    page: str = ""  # the author's page on this site: its URL path


@picklable
@dataclass(frozen=True, slots=True)
class PathNav:
    path_id: str
    title: str
    step: int
    total: int
    previous: Card | None
    next: Card | None


@picklable
@dataclass(frozen=True, slots=True)
class PathView:
    id: str
    title: str
    description: str
    steps: tuple[Card, ...]


@picklable
@dataclass(frozen=True, slots=True)
class RelatedView:
    card: Card
    reason: str


@picklable
@dataclass(frozen=True, slots=True)
class TocEntry:
    heading: Heading
    children: tuple[Heading, ...]


def toc_tree(headings: tuple[Heading, ...]) -> tuple[TocEntry, ...]:
    """Sections (h2) with their subsections (h3); an h3 before any h2 stands on its own."""
    entries: list[tuple[Heading, list[Heading]]] = []
    for heading in headings:
        if heading.level == 3 and entries and entries[-1][0].level == 2:
            entries[-1][1].append(heading)
        else:
            entries.append((heading, []))
    return tuple(TocEntry(heading, tuple(children)) for heading, children in entries)


@picklable
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
    toc_tree: tuple[TocEntry, ...]
    body_html: object  # render.BodyRef: reads as the HTML
    has_code: bool  # load the highlighting stylesheet
    has_diagram: bool  # load Mermaid
    prerequisites: tuple[Card, ...]
    path_nav: tuple[PathNav, ...]
    related: tuple[RelatedView, ...]
    backlinks: tuple[Card, ...]
    extra: dict[str, Any]  # the lesson's front matter `extra:`, free data for the theme
    reviewed: dt.date | None = None
    reviewed_text: str = ""
    source_path: str = ""  # site-relative: content/api/intro.md
    edit_url: str = ""  # with repo: in site.yml, the file on its branch
    history_url: str = ""  # and its commits
    feedback_url: str = ""  # with repo: a new issue about the lesson, pre-filled
    markdown_path: str = ""  # site-relative URL of its Markdown copy; "" for a draft (it has none)
    taxonomies: tuple[TermGroup, ...] = ()  # its terms in the site's own taxonomies, as site.yml orders them


def terms(config: SiteConfig, graph: SiteGraph, kind: Kind) -> list[TermView]:
    vocabulary = config.vocabulary(kind)
    return [
        TermView(kind, key, term.title, term.description, len(graph.lessons_with(kind, key)))
        for key, term in vocabulary.items()
    ]


def reason(relation: Relation, config: SiteConfig, memo: dict[object, str] | None = None) -> str:
    """'shares skills: Pydantic, FastAPI · topic: API design'; memo: the reasons already phrased."""
    key = (relation.shared_skills, relation.shared_topics, relation.shared_declared)
    known = memo.get(key) if memo is not None else None
    if known is not None:
        return known
    parts = []
    for kind, shared, vocabulary in (
        ("skill", relation.shared_skills, config.skills),
        ("topic", relation.shared_topics, config.topics),
    ):
        if shared:
            plural = "s" if len(shared) > 1 else ""
            parts.append(f"{kind}{plural}: " + ", ".join(vocabulary[key].title for key in shared))
    for declared in dict.fromkeys(kind for kind, _ in relation.shared_declared):
        titles = [config.vocabulary(declared)[t].title for k, t in relation.shared_declared if k is declared]
        parts.append(f"{declared.singular}{'s' * (len(titles) > 1)}: " + ", ".join(titles))
    text = "shares " + " · ".join(parts)
    if memo is not None:
        memo[key] = text
    return text


def lesson_view(
    lesson: Lesson,
    body_html: object,
    graph: SiteGraph,
    config: SiteConfig,
    cards: dict[str, Card],
    reasons: dict[object, str] | None = None,
    source_prefix: str = "",
) -> LessonView:
    meta = lesson.source.meta
    slug = lesson.slug
    toc = tuple(h for h in lesson.body.headings if h.level in (2, 3))
    related = graph.related.get(slug, ())
    shown = {r.slug for r in related}
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
        authors=tuple(author_view(config, a) for a in meta.authors),
        topics=tuple(_term(config, Kind.TOPICS, key) for key in meta.topics),
        skills=tuple(_term(config, Kind.SKILLS, key) for key in meta.skills),
        toc=toc,
        toc_tree=toc_tree(toc),
        body_html=body_html,
        has_code=lesson.body.has_code,
        has_diagram=lesson.body.has_diagram,
        prerequisites=tuple(cards[p] for p in meta.prerequisites if p in cards),
        path_nav=tuple(_path_nav(step, config, cards) for step in graph.path_steps.get(slug, ())),
        related=tuple(RelatedView(cards[r.slug], reason(r, config, reasons)) for r in related),
        backlinks=tuple(cards[s] for s in graph.backlinks.get(slug, ()) if s not in shown),
        extra=meta.extra,
        reviewed=meta.reviewed,
        reviewed_text=date_text(meta.reviewed) if meta.reviewed else "",
        source_path=lesson.source.path,
        edit_url=edit_url,
        history_url=history_url,
        feedback_url=feedback_url(config, lesson, source_prefix + lesson.source.path),
        markdown_path="" if meta.draft else lesson.url + "index.md",
        taxonomies=tuple(
            TermGroup(kind, config.taxonomy(kind).title, tuple(_term(config, kind, key) for key in keys))
            for kind, keys in lesson.source.declared
        ),
    )


def author_view(config: SiteConfig, key: str) -> AuthorView:
    author = config.authors[key]
    return AuthorView(author.name, author.url, key, f"authors/{key}/")


def _term(config: SiteConfig, kind: Kind, key: str) -> TermView:
    return _terms(config)[kind, key]


_TERMS: list[tuple[SiteConfig, dict[tuple[Kind, str], TermView]]] = []


def _terms(config: SiteConfig) -> dict[tuple[Kind, str], TermView]:
    """A lesson's term chips, made once per config (it is immutable)."""
    if not _TERMS or _TERMS[0][0] is not config:
        made = {
            (kind, key): TermView(kind, key, term.title, term.description, 0)
            for kind in (t.kind for t in config.all_taxonomies() if t.kind is not Kind.AUTHORS)
            for key, term in config.vocabulary(kind).items()
        }
        _TERMS[:] = [(config, made)]
    return _TERMS[0][1]


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


@picklable
@dataclass(frozen=True, slots=True)
class FeedEntry:
    title: str
    url: str
    published: str
    updated: str
    authors: tuple[AuthorView, ...]
    categories: tuple[TermView, ...]
    summary: str
    content: object  # render.BodyRef: reads as the HTML


@picklable
@dataclass(frozen=True, slots=True)
class Feed:
    title: str
    subtitle: str
    page: str
    path: str
    updated: str
    entries: tuple[FeedEntry, ...]
