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
            yield "lessons", slug, _lesson_kicker(site, lesson)
    for taxonomy in config.all_taxonomies():
        kind = taxonomy.kind
        for key in config.vocabulary(kind):
            yield kind, key, f"{taxonomy.label} · {len(graph.lessons_with(kind, key))} lessons"
    for key, path in config.paths.items():
        yield "paths", key, f"Learning path · {len(path.lessons)} steps"


def _lesson_kicker(site: SiteRenderer, lesson: Lesson) -> str:
    meta = lesson.source.meta
    what = [site.config.topics[meta.topics[0]].title, *([meta.level] if meta.level else [])]
    return " · ".join(["Lesson", *what])


def _card_job(site: SiteRenderer, kind: Kind | str, key: str, kicker: str) -> PageJob:
    colours = site.config.cards
    spec = cards.CardSpec(
        site.config.title,
        _title(site, kind, key),
        kicker,
        colours.background,
        colours.foreground,
        colours.accent,
    )
    return PageJob(
        cards.card_url(str(kind), key), None, {"card": spec}, produce=partial(cards.draw_card, spec)
    )


def _replan_card(site: SiteRenderer, name: str) -> PageJob:
    """A card again by its file name (kb serve); a lesson's, or any other from the list of them all."""
    kind, key = name.removeprefix("cards/").removesuffix(".png").split("/", 1)
    if kind == "lessons":
        return _card_job(site, kind, key, _lesson_kicker(site, site.graph.lessons[key]))
    return next(
        _card_job(site, *subject)
        for subject in _subjects(site)
        if (str(subject[0]), subject[1]) == (kind, key)  # a taxonomy's Kind is named by its URL segment
    )


@page_type("social-cards", 96, replan=_replan_card)
def social_cards(site: SiteRenderer) -> Iterator[PageJob]:
    """Drawn in the workers, and drawn again only when what a card shows changes (its spec is its key)."""
    if not site.config.cards.enabled:
        return
    for kind, key, kicker in _subjects(site):
        yield _card_job(site, kind, key, kicker)
