"""Social cards: a 1200x630 PNG for every lesson, term and path page (builder/cards.py draws them), and
the og:image each of those pages names: its card, or a lesson's own `image:`."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from builder import cards
from builder.graph import Lesson, lesson_image
from builder.links import asset_url
from builder.pages import page_type
from builder.render import PageJob, SiteRenderer
from builder.taxonomy import Kind


def page_image(site: SiteRenderer, kind: Kind | str, key: str) -> tuple[str, str]:
    """The URL of a page's card and its alt text; empty when cards are off."""
    if not site.config.cards.enabled:
        return "", ""
    return cards.card_url(str(kind), key), f"{site.config.title}: {_title(site, kind, key)}"


def lesson_page_image(site: SiteRenderer, lesson: Lesson) -> tuple[str, str]:
    """A lesson's own image (front matter image:, a file published beside it), else its card."""
    own = lesson_image(lesson)
    if own is not None:
        return asset_url(own), lesson.source.meta.title
    return page_image(site, "lessons", lesson.slug)


def _title(site: SiteRenderer, kind: Kind | str, key: str) -> str:
    """kind: a taxonomy, or the pages "lessons" or "paths"."""
    if isinstance(kind, Kind):
        return site.config.vocabulary(kind)[key].title
    if kind == "lessons":
        return site.graph.lessons[key].source.meta.title
    return site.config.paths[key].title


def _subjects(site: SiteRenderer) -> Iterator[tuple[Kind | str, str, str]]:
    """(kind, key, what the page is) of every page that has a card."""
    config, graph = site.config, site.graph
    for slug, lesson in graph.lessons.items():
        if lesson_image(lesson) is None:
            meta = lesson.source.meta
            what = [config.topics[meta.topics[0]].title, *([meta.level] if meta.level else [])]
            yield "lessons", slug, " · ".join(["Lesson", *what])
    for taxonomy in config.all_taxonomies():
        kind = taxonomy.kind
        for key in config.vocabulary(kind):
            yield kind, key, f"{taxonomy.label} · {len(graph.lessons_with(kind, key))} lessons"
    for key, path in config.paths.items():
        yield "paths", key, f"Learning path · {len(path.lessons)} steps"


@page_type("social-cards", 96)
def social_cards(site: SiteRenderer) -> Iterator[PageJob]:
    """Drawn in the workers, and drawn again only when what a card shows changes (its spec is its key)."""
    config = site.config
    if not config.cards.enabled:
        return
    colours = config.cards
    for kind, key, kicker in _subjects(site):
        spec = cards.CardSpec(
            config.title,
            _title(site, kind, key),
            kicker,
            colours.background,
            colours.foreground,
            colours.accent,
        )
        yield PageJob(
            cards.card_url(str(kind), key), None, {"card": spec}, produce=partial(cards.draw_card, spec)
        )
