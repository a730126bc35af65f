"""Graph + theme -> every output file, as jobs: a template and its context, or ready bytes.

Each job has a key, a digest of everything its output depends on, so a rebuild renders only the pages
whose key changed and is still byte-identical to a full build.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import pickle
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

from jinja2 import Environment, TemplateError

from builder import cards, views
from builder.config import SiteConfig
from builder.diagnostics import Diagnostic, error
from builder.graph import Lesson, SiteGraph, asset_url, lesson_image, lesson_url
from builder.markdown import RenderedBody, resolve_placeholders
from builder.theme import Theme, builtin_theme_dir, fingerprint

FEED_SIZE = 20
HOME_LATEST = 10
ASSETS_DIR = "assets"


class TemplateFailure(Exception):
    """A theme's template failed while rendering; args[0] is the Diagnostic saying where and why."""


def template_diagnostic(exc: TemplateError, template: str, site_dir: Path) -> Diagnostic:
    """Where a template error happened: the template file and line, from the error or its traceback."""
    filename, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    if filename is None:
        frame = exc.__traceback__
        while frame is not None:
            code = frame.tb_frame.f_code.co_filename
            if code.endswith((".html", ".xml", ".txt")):
                filename, line = code, frame.tb_lineno
            frame = frame.tb_next
    shown = _relative_to(Path(filename), site_dir) if filename else f"themes/default/templates/{template}"
    message = str(exc.message if hasattr(exc, "message") and exc.message else exc) or type(exc).__name__
    return error(shown, line or 1, 1, "template-error", f"{type(exc).__name__}: {message}")


def _relative_to(path: Path, site_dir: Path) -> str:
    for base in (site_dir.resolve(), builtin_theme_dir().parent.parent.resolve()):
        if path.resolve().is_relative_to(base):
            return path.resolve().relative_to(base).as_posix()
    return path.name


@dataclass(frozen=True, slots=True)
class PageJob:
    name: str  # the output file, relative to the output folder
    template: str | None
    context: dict[str, Any] = field(default_factory=dict)
    data: bytes | None = None  # ready bytes (theme assets), no template
    inputs: object = None  # when set: a small stand-in for the context, everything the page shows
    lazy_context: Callable[[], dict[str, Any]] | None = None  # builds the context when inputs is set

    def key(self) -> str:
        """A digest of the job's inputs; with the same templates and config, same key means same bytes."""
        if self.data is not None:
            return hashlib.blake2b(self.data, digest_size=16).hexdigest()
        inputs = self.inputs if self.inputs is not None else sorted(self.context.items())
        return hashlib.blake2b(_flat_pickle((self.template, inputs)), digest_size=16).hexdigest()

    def identity(self) -> object:
        """What key() digests, as the object itself: equal identities mean the same bytes (in memory)."""
        if self.data is not None:
            return self.data
        return (self.template, self.inputs if self.inputs is not None else sorted(self.context.items()))

    def full_context(self) -> dict[str, Any]:
        return self.lazy_context() if self.lazy_context is not None else self.context


def _flat_pickle(value: object) -> bytes:
    """Pickled without the memo, so equal values give equal bytes however they share objects: three
    times quicker than a repr, and just as faithful for the tuples, strings and records of page inputs."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, 5)
    pickler.fast = True
    pickler.dump(value)
    return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class Page:
    path: str  # site-relative URL path: "" for home, "lessons/x/" for a folder, "feed.xml" for a file
    title: str
    description: str
    section: str = ""
    image: str = ""  # site-relative URL of its social card (og:image), when it has one
    image_alt: str = ""


def output_name(url_path: str) -> str:
    return url_path + "index.html" if url_path == "" or url_path.endswith("/") else url_path


BodyCache = dict[str, tuple[object, tuple[str, ...], tuple[tuple[int, str], ...], str]]


class SiteRenderer:
    def __init__(
        self,
        config: SiteConfig,
        graph: SiteGraph,
        theme: Theme,
        body_cache: BodyCache | None = None,
        *,
        fingerprint_assets: bool = True,
        load_body: Callable[[RenderedBody], str] = lambda body: body.html,
        site_dir: Path = Path("."),
        source_prefix: str = "",
    ) -> None:
        """fingerprint_assets=False (the live preview) keeps asset URLs stable, so a stylesheet edit
        changes the stylesheet alone and the browser can swap it in without reloading the page."""
        self.config = config
        self.graph = graph
        self.body_cache: BodyCache = {} if body_cache is None else body_cache
        self.load_body = load_body
        self.site_dir = site_dir
        self.source_prefix = source_prefix  # the site folder inside its repository, for edit links
        self.env: Environment = theme.environment()
        self.static = theme.static_files()
        self.cards = {slug: views.card(lesson) for slug, lesson in graph.lessons.items()}
        self.card_keys = {slug: repr(card) for slug, card in self.cards.items()}
        base = config.base_path
        origin = config.base_url[: len(config.base_url) - len(base)]
        stamps = {
            name: f"?v={fingerprint(data)}" if fingerprint_assets else ""
            for name, data in self.static.items()
        }
        self.env.globals.update(
            site=config,
            url=lambda path: base + path,
            abs_url=lambda path: origin + base + path,
            asset=lambda name: f"{base}{ASSETS_DIR}/{name}{stamps[name]}",
        )

    def jobs(self) -> Iterator[PageJob]:
        for name, data in sorted(self.static.items()):
            yield PageJob(f"{ASSETS_DIR}/{name}", None, data=data)
        for slug in self.graph.lessons:
            yield self.lesson_job(slug)
        yield from self.index_jobs()

    def render(self, job: PageJob) -> bytes:
        if job.data is not None:
            return job.data
        if job.template == cards.TEMPLATE:
            return cards.draw_card(job.full_context()["card"])
        assert job.template is not None
        try:
            return self.env.get_template(job.template).render(**job.full_context()).encode("utf-8")
        except TemplateError as exc:
            raise TemplateFailure(template_diagnostic(exc, job.template, self.site_dir)) from None

    def check_templates(self) -> list[Diagnostic]:
        """Compile every template the theme has, so syntax errors are reported before anything is written."""
        problems = []
        for name in sorted(set(self.env.list_templates())):
            try:
                self.env.get_template(name)
            except TemplateError as exc:
                problems.append(template_diagnostic(exc, name, self.site_dir))
        return problems

    def _page(self, template: str, page: Page, inputs: object = None, **context: Any) -> PageJob:
        """A page job; inputs, when given, stands in for the context in the job's key (cheaper to compare)."""
        full = {"page": page, **context}
        if inputs is None:
            return PageJob(output_name(page.path), template, full)
        return PageJob(output_name(page.path), template, inputs=(page, inputs), lazy_context=lambda: full)

    def _cards_key(self, slugs: Iterable[str]) -> tuple[str, ...]:
        return tuple(self.card_keys[slug] for slug in slugs)

    def _links(self, slug: str) -> tuple[tuple[str, ...], tuple[tuple[int, str], ...]]:
        """Where a lesson's links point and the titles its bare wiki links show: with its source, all
        that its body's final HTML depends on."""
        titles = self.graph.link_titles.get(slug, {})
        return tuple(self.graph.link_urls.get(slug, ())), tuple(sorted(titles.items()))

    def body_html(self, lesson: Lesson) -> str:
        """The lesson's HTML with its links filled in; remembered until the body or its links change."""
        urls, titles = self._links(lesson.slug)
        cached = self.body_cache.get(lesson.slug)
        if cached is not None and cached[0] is lesson.body and cached[1] == urls and cached[2] == titles:
            return cached[3]
        base = self.config.base_path
        by_index = dict(titles)
        html = resolve_placeholders(
            self.load_body(lesson.body),
            lambda index: escape(urls[index] if urls[index].startswith("#") else base + urls[index]),
            lambda index: escape(by_index.get(index, "")),
        )
        self.body_cache[lesson.slug] = (lesson.body, urls, titles, html)
        return html

    def lesson_job(self, slug: str) -> PageJob:
        """A lesson page, keyed by what it shows (its own text and the cards of the lessons around it)
        rather than by its full context, which is only built when the page must be rendered."""
        lesson, graph, cards = self.graph.lessons[slug], self.graph, self.card_keys
        inputs = (
            lesson.source.digest,
            lesson.source.meta.updated,  # may come from git history rather than the file
            self._links(slug),
            tuple((cards[r.slug], r.shared_skills, r.shared_topics) for r in graph.related.get(slug, ())),
            tuple(cards[s] for s in graph.backlinks.get(slug, ())),
            tuple(cards.get(p) for p in lesson.source.meta.prerequisites),
            tuple(
                (
                    step.path_id,
                    step.index,
                    len(step.steps),
                    cards[step.steps[step.index - 1]] if step.index else None,
                    cards[step.steps[step.index + 1]] if step.index + 1 < len(step.steps) else None,
                )
                for step in graph.path_steps.get(slug, ())
            ),
        )
        return PageJob(
            output_name(lesson.url),
            "lesson.html",
            inputs=inputs,
            lazy_context=partial(self._lesson_context, slug),
        )

    def _lesson_context(self, slug: str) -> dict[str, Any]:
        lesson = self.graph.lessons[slug]
        view = views.lesson_view(
            lesson, self.body_html(lesson), self.graph, self.config, self.cards, self.source_prefix
        )
        page = Page(lesson.url, view.title, view.summary, "lessons", *self._lesson_image(lesson))
        return {"page": page, "lesson": view, "json_ld": self._json_ld(view)}

    def _json_ld(self, view: views.LessonView) -> dict[str, Any]:
        absolute = self.config.base_url + view.url
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "Article",
            "headline": view.title,
            "description": view.summary,
            "datePublished": view.date.isoformat(),
            "dateModified": (view.updated or view.date).isoformat(),
            "url": absolute,
            "mainEntityOfPage": absolute,
            "keywords": [t.title for t in (*view.topics, *view.skills)],
            "inLanguage": self.config.language,
        }
        if view.level:
            data["educationalLevel"] = view.level
        if view.authors:
            data["author"] = [
                {"@type": "Person", "name": a.name, **({"url": a.url} if a.url else {})} for a in view.authors
            ]
        return data

    def index_jobs(self) -> Iterator[PageJob]:
        config, graph = self.config, self.graph
        all_cards = list(self.cards.values())
        topics = views.terms(config, graph, "topics")
        skills = views.terms(config, graph, "skills")
        paths = [self._path_view(key) for key in config.paths]
        yield self._page(
            "home.html",
            Page("", config.title, config.description or config.title),
            latest=all_cards[:HOME_LATEST],
            lesson_count=len(all_cards),
            topics=topics,
            skills=skills,
            paths=paths,
        )
        yield self._page(
            "lessons.html",
            Page("lessons/", "All lessons", f"Every lesson of {config.title}.", "lessons"),
            inputs=tuple(self.card_keys.values()),
            lessons=all_cards,
        )
        for kind, label, items in (("topics", "Topic", topics), ("skills", "Skill", skills)):
            yield self._page(
                "terms.html",
                Page(f"{kind}/", kind.title(), f"{label}s of {config.title}.", kind),
                kind=kind,
                terms=items,
            )
            for term in items:
                yield self._term_page(kind, label, term)
        yield self._page(
            "paths.html",
            Page("paths/", "Learning paths", f"Learning paths of {config.title}.", "paths"),
            paths=paths,
        )
        for path in paths:
            yield self._page(
                "path.html",
                Page(
                    f"paths/{path.id}/", path.title, path.description, "paths", *self._card("paths", path.id)
                ),
                path=path,
            )
        for feed in self._feeds():
            yield self._feed(*feed)
        yield self._page(
            "search.html", Page("search/", "Search", f"Search the lessons of {config.title}.", "search")
        )
        yield self._page("404.html", Page("404.html", "Page not found", "There is no page at this address."))
        yield self._sitemap()
        yield PageJob("robots.txt", "robots.txt")
        for alias, slug in self.graph.aliases.items():
            title = self.graph.lessons[slug].source.meta.title
            page = Page(lesson_url(alias), title, f"This lesson has moved to {lesson_url(slug)}.")
            yield self._page("redirect.html", page, target=lesson_url(slug))
        yield from self._card_jobs()

    def _card(self, kind: str, key: str) -> tuple[str, str]:
        """The URL of a page's social card and its alt text; empty when cards are off."""
        if not self.config.cards.enabled:
            return "", ""
        return cards.card_url(kind, key), f"{self.config.title}: {self._card_title(kind, key)}"

    def _card_title(self, kind: str, key: str) -> str:
        if kind == "lessons":
            return self.graph.lessons[key].source.meta.title
        if kind == "paths":
            return self.config.paths[key].title
        return self.config.vocabulary(kind)[key].title

    def _lesson_image(self, lesson: Lesson) -> tuple[str, str]:
        """A lesson's own image (front matter image:, an asset beside it), else its card."""
        own = lesson_image(lesson)
        if own is not None:
            return asset_url(own), lesson.source.meta.title
        return self._card("lessons", lesson.slug)

    def _card_jobs(self) -> Iterator[PageJob]:
        """A card per lesson (unless it brings its own image), term and path page: drawn in the workers,
        and drawn again only when what it shows changes (the job's key is its CardSpec)."""
        config = self.config
        if not config.cards.enabled:
            return
        pages: list[tuple[str, str, str]] = []
        for slug, lesson in self.graph.lessons.items():
            if lesson_image(lesson) is None:
                meta = lesson.source.meta
                what = [config.topics[meta.topics[0]].title, *([meta.level] if meta.level else [])]
                pages.append(("lessons", slug, " · ".join(["Lesson", *what])))
        for kind, label in (("topics", "Topic"), ("skills", "Skill")):
            for key in config.vocabulary(kind):
                pages.append((kind, key, f"{label} · {len(self.graph.lessons_with(kind, key))} lessons"))
        for key, path in config.paths.items():
            pages.append(("paths", key, f"Learning path · {len(path.lessons)} steps"))
        colours = config.cards
        for kind, key, kicker in pages:
            spec = cards.CardSpec(
                config.title,
                self._card_title(kind, key),
                kicker,
                colours.background,
                colours.foreground,
                colours.accent,
            )
            yield PageJob(cards.card_url(kind, key), cards.TEMPLATE, {"card": spec})

    def _term_page(self, kind: str, label: str, term: views.TermView) -> PageJob:
        cooccurring = [
            {
                "kind": other_kind,
                "id": other,
                "count": count,
                "title": self.config.vocabulary(other_kind)[other].title,
            }
            for (other_kind, other), count in self.graph.cooccurring.get((kind, term.id), ())
        ]
        slugs = self.graph.lessons_with(kind, term.id)
        search_query = f"{kind[:-1]}={quote_plus(term.title)}"
        return self._page(
            "term.html",
            Page(f"{kind}/{term.id}/", term.title, term.description, kind, *self._card(kind, term.id)),
            inputs=(kind, term, cooccurring, search_query, self._cards_key(slugs)),
            kind=kind,
            kind_label=label,
            term=term,
            lessons=[self.cards[slug] for slug in slugs],
            cooccurring=cooccurring,
            search_query=search_query,
        )

    def _path_view(self, key: str) -> views.PathView:
        path = self.config.paths[key]
        steps = tuple(self.cards[slug] for slug in path.lessons if slug in self.cards)
        return views.PathView(key, path.title, path.description, steps)

    def body_jobs(self, slug: str) -> list[PageJob]:
        """The jobs of the pages that show a lesson's body: its own page and the feeds that list it."""
        feeds = [self._feed(*feed) for feed in self._feeds() if slug in feed[3][:FEED_SIZE]]
        return [self.lesson_job(slug), *feeds]

    def _feeds(self) -> Iterator[tuple[str, str, str, tuple[str, ...]]]:
        """Each feed's page, title, subtitle and lessons: the site's, then each topic's and skill's."""
        config, graph = self.config, self.graph
        yield "", config.title, config.description, tuple(graph.lessons)
        for kind in ("topics", "skills"):
            for key, term in config.vocabulary(kind).items():
                title = f"{term.title} · {config.title}"
                yield f"{kind}/{key}/", title, term.description, graph.lessons_with(kind, key)

    def _feed(self, page_path: str, title: str, subtitle: str, slugs: tuple[str, ...]) -> PageJob:
        """An Atom feed of the newest lessons, keyed by their sources and links (not their HTML)."""
        newest = slugs[:FEED_SIZE]
        graph = self.graph
        entries = tuple(
            (graph.lessons[s].source.digest, graph.lessons[s].source.meta.updated, self._links(s))
            for s in newest
        )
        inputs = (title, subtitle, page_path, entries)

        def context() -> dict[str, Any]:
            entries = [self._feed_entry(graph.lessons[slug]) for slug in newest]
            feed = views.Feed(
                title=title,
                subtitle=subtitle,
                page=page_path,
                path=page_path + "feed.xml",
                updated=max((e.updated for e in entries), default=_timestamp(dt.date(2000, 1, 1))),
                entries=tuple(entries),
            )
            return {"feed": feed}

        return PageJob(page_path + "feed.xml", "feed.xml", inputs=inputs, lazy_context=context)

    def _feed_entry(self, lesson: Lesson) -> views.FeedEntry:
        meta = lesson.source.meta
        return views.FeedEntry(
            title=meta.title,
            url=lesson.url,
            published=_timestamp(meta.date),
            updated=_timestamp(meta.updated or meta.date),
            authors=tuple(
                views.AuthorView(self.config.authors[a].name, self.config.authors[a].url)
                for a in meta.authors
            ),
            categories=tuple(
                views.TermView("topics", t, self.config.topics[t].title, "", 0) for t in meta.topics
            ),
            summary=meta.summary,
            content=self.body_html(lesson),
        )

    def _sitemap(self) -> PageJob:
        config, graph = self.config, self.graph
        lastmod = {slug: _lastmod(lesson) for slug, lesson in graph.lessons.items()}

        def newest(slugs: tuple[str, ...]) -> str:
            return max((lastmod[s] for s in slugs), default="")

        everything = tuple(graph.lessons)
        entries = [
            {"path": "", "lastmod": newest(everything)},
            {"path": "lessons/", "lastmod": newest(everything)},
        ]
        entries += [{"path": lesson.url, "lastmod": _lastmod(lesson)} for lesson in graph.lessons.values()]
        for kind in ("topics", "skills"):
            entries.append({"path": f"{kind}/", "lastmod": newest(everything)})
            for key in config.vocabulary(kind):
                entries.append({"path": f"{kind}/{key}/", "lastmod": newest(graph.lessons_with(kind, key))})
        entries.append({"path": "paths/", "lastmod": newest(everything)})
        entries.append({"path": "search/", "lastmod": ""})
        for key, path in config.paths.items():
            steps = tuple(s for s in path.lessons if s in graph.lessons)
            entries.append({"path": f"paths/{key}/", "lastmod": newest(steps)})
        return PageJob("sitemap.xml", "sitemap.xml", {"entries": entries})


def _timestamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _lastmod(lesson: Lesson) -> str:
    meta = lesson.source.meta
    return (meta.updated or meta.date).isoformat()
