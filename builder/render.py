"""Graph + theme -> every output file, as jobs: a template and its context, or ready bytes.

Each job has a key, a digest of everything its output depends on, so a rebuild renders only the pages
whose key changed and is still byte-identical to a full build.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

from jinja2 import Environment, TemplateError

from builder import cache, views
from builder.config import SiteConfig
from builder.diagnostics import Diagnostic, error
from builder.graph import Lesson, SiteGraph
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
    context: dict[str, Any] = field(default_factory=dict)  # exactly what the template receives
    data: bytes | None = None  # ready bytes (theme assets), no template

    def key(self, templates: str = "") -> str:
        """A digest of what the page is made of: its ready bytes, or its template's name, the digest of
        the template set and the full context the template receives (bodies stand in by their digest)."""
        if self.data is not None:
            return cache.digest(self.data)
        return cache.digest(templates, self.template, sorted(self.context.items()))


class BodyRef:
    """A lesson's final body HTML as templates receive it: it reads as the HTML (str()), and is digested
    as what that HTML is made of (the body's digest, its link URLs and wiki-link titles)."""

    __slots__ = ("_resolve", "digest", "titles", "urls")

    def __init__(
        self,
        digest: str,
        urls: tuple[str, ...],
        titles: tuple[tuple[int, str], ...],
        resolve: Callable[[BodyRef], str],
    ) -> None:
        self.digest, self.urls, self.titles, self._resolve = digest, urls, titles, resolve

    def __str__(self) -> str:
        return self._resolve(self)

    def __reduce__(self) -> tuple[object, ...]:
        return BodyRef, (self.digest, self.urls, self.titles, _unresolved)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BodyRef) and self.parts() == other.parts()

    def __hash__(self) -> int:
        return hash(self.parts())

    def parts(self) -> tuple[str, tuple[str, ...], tuple[tuple[int, str], ...]]:
        return self.digest, self.urls, self.titles


def _unresolved(ref: BodyRef) -> str:
    raise RuntimeError("a BodyRef read back from a pickle has no HTML")  # keys only pickle it


@dataclass(frozen=True, slots=True)
class Page:
    path: str  # site-relative URL path: "" for home, "lessons/x/" for a folder, "feed.xml" for a file
    title: str
    description: str
    section: str = ""


def output_name(url_path: str) -> str:
    return url_path + "index.html" if url_path == "" or url_path.endswith("/") else url_path


BodyCache = dict[str, tuple[tuple[str, tuple[str, ...], tuple[tuple[int, str], ...]], str]]  # by slug


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
    ) -> None:
        """fingerprint_assets=False (the live preview) keeps asset URLs stable, so a stylesheet edit
        changes the stylesheet alone and the browser can swap it in without reloading the page."""
        self.config = config
        self.graph = graph
        self.body_cache: BodyCache = {} if body_cache is None else body_cache
        self.load_body = load_body
        self.site_dir = site_dir
        self.env: Environment = theme.environment()
        self.templates = theme.digest()  # the template set (and assets) every page key includes
        self.static = theme.static_files()
        self.cards = {slug: views.card(lesson) for slug, lesson in graph.lessons.items()}
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
        assert job.template is not None
        try:
            return self.env.get_template(job.template).render(**job.context).encode("utf-8")
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

    def _page(self, template: str, page: Page, **context: Any) -> PageJob:
        return PageJob(output_name(page.path), template, {"page": page, **context})

    def _links(self, slug: str) -> tuple[tuple[str, ...], tuple[tuple[int, str], ...]]:
        """Where a lesson's links point and the titles its bare wiki links show: with its source, all
        that its body's final HTML depends on."""
        titles = self.graph.link_titles.get(slug, {})
        return tuple(self.graph.link_urls.get(slug, ())), tuple(sorted(titles.items()))

    def body_html(self, lesson: Lesson) -> BodyRef:
        """The lesson's HTML with its links filled in, read when a template shows it."""
        urls, titles = self._links(lesson.slug)
        slug = lesson.slug

        def resolve(ref: BodyRef) -> str:
            cached = self.body_cache.get(slug)
            if cached is not None and cached[0] == ref.parts():
                return cached[1]
            base = self.config.base_path
            by_index = dict(titles)
            html = resolve_placeholders(
                self.load_body(lesson.body),
                lambda index: escape(urls[index] if urls[index].startswith("#") else base + urls[index]),
                lambda index: escape(by_index.get(index, "")),
            )
            self.body_cache[slug] = (ref.parts(), html)
            return html

        return BodyRef(lesson.body.digest, urls, titles, resolve)

    def lesson_job(self, slug: str) -> PageJob:
        return PageJob(output_name(self.graph.lessons[slug].url), "lesson.html", self._lesson_context(slug))

    def _lesson_context(self, slug: str) -> dict[str, Any]:
        lesson = self.graph.lessons[slug]
        view = views.lesson_view(lesson, self.body_html(lesson), self.graph, self.config, self.cards)
        page = Page(lesson.url, view.title, view.summary, "lessons")
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
                "path.html", Page(f"paths/{path.id}/", path.title, path.description, "paths"), path=path
            )
        for feed in self._feeds():
            yield self._feed(*feed)
        yield self._page(
            "search.html", Page("search/", "Search", f"Search the lessons of {config.title}.", "search")
        )
        yield self._page("404.html", Page("404.html", "Page not found", "There is no page at this address."))
        yield self._sitemap()
        yield PageJob("robots.txt", "robots.txt")

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
            Page(f"{kind}/{term.id}/", term.title, term.description, kind),
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
        """An Atom feed of the newest lessons."""
        entries = [self._feed_entry(self.graph.lessons[slug]) for slug in slugs[:FEED_SIZE]]
        feed = views.Feed(
            title=title,
            subtitle=subtitle,
            page=page_path,
            path=page_path + "feed.xml",
            updated=max((e.updated for e in entries), default=_timestamp(dt.date(2000, 1, 1))),
            entries=tuple(entries),
        )
        return PageJob(page_path + "feed.xml", "feed.xml", {"feed": feed})

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
