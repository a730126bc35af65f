"""Graph + theme -> every output file, as jobs (builder/jobs.py): the SiteRenderer that page types make
them with, and renders them; lesson bodies as templates receive them (BodyRef)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from jinja2 import Environment

from builder import cache, views
from builder.config import SiteConfig
from builder.diagnostics import Diagnostic, error
from builder.extensions import Extensions
from builder.graph import Lesson, SiteGraph
from builder.jobs import FeedSpec as FeedSpec  # re-exported: pages import them from here
from builder.jobs import PageJob as PageJob
from builder.markdown import RenderedBody, resolve_placeholders
from builder.records import picklable
from builder.theme import Theme, builtin_theme_dir, fingerprint

ASSETS_DIR = "assets"


class TemplateFailure(Exception):
    """A theme's template failed while rendering; args[0] is the Diagnostic saying where and why."""


def template_diagnostic(exc: Exception, template: str, site_dir: Path) -> Diagnostic:
    """Where a template failed: the template file and line, from the error or its traceback. Any exception
    raised while rendering (1/0, a recursive macro, a bad format string) is the theme's error, not kb's."""
    filename, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    if filename is None:
        frame = exc.__traceback__
        while frame is not None:
            code = frame.tb_frame.f_code.co_filename
            if code.endswith((".html", ".xml", ".txt")):
                filename, line = code, frame.tb_lineno
            frame = frame.tb_next
    shown = _relative_to(Path(filename), site_dir) if filename else f"themes/default/templates/{template}"
    message = str(getattr(exc, "message", None) or exc) or type(exc).__name__
    return error(shown, line or 1, 1, "template-error", f"{type(exc).__name__}: {message}")


def _relative_to(path: Path, site_dir: Path) -> str:
    for base in (site_dir.resolve(), builtin_theme_dir().parent.parent.resolve()):
        if path.resolve().is_relative_to(base):
            return path.resolve().relative_to(base).as_posix()
    return path.name


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """Text an XML 1.0 parser accepts: characters XML forbids (pasted terminal colours, form feeds) are
    dropped, so a feed or sitemap stays well-formed whatever a lesson holds."""
    return _NOT_XML.sub("", text)


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


@picklable
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
        hooks: Extensions | None = None,
        source_prefix: str = "",
        today: dt.date | None = None,
        card_memo: dict[str, tuple[Lesson, views.Card]] | None = None,
    ) -> None:
        """fingerprint_assets=False (the live preview) keeps asset URLs stable, so a stylesheet edit
        changes the stylesheet alone and the browser can swap it in without reloading the page."""
        self.config = config
        self.graph = graph
        self.body_cache: BodyCache = {} if body_cache is None else body_cache
        self.load_body = load_body
        self.site_dir = site_dir
        self.hooks = hooks
        self.source_prefix = source_prefix  # the site folder inside its repository, for edit links
        self.preview = not fingerprint_assets  # kb serve: no llms-full.txt, rewritten at every save
        # a build's lesson pages get their context where they are written (PageJob.make); kb serve
        # records what each job reads while planning, and hooks see every context as it is made
        self.defers = fingerprint_assets and not (hooks is not None and hooks.hooks)
        self.today = today or dt.date.today()  # what review dates count from (the maintenance page)
        self.env: Environment = theme.environment()
        self.templates = theme.digest()  # the template set (and assets) every page key includes
        self.static = theme.static_files()
        self.cards = _cards(graph, {} if card_memo is None else card_memo)
        self.lastmods = {slug: lastmod(lesson) for slug, lesson in graph.lessons.items()}
        self.reasons: dict[object, str] = {}  # related lessons' reasons, phrased once
        self._link_parts: dict[str, tuple[object, tuple[tuple[str, ...], tuple[tuple[int, str], ...]]]] = {}
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

    def render(self, job: PageJob) -> bytes:
        job = job.made()
        if job.data is not None:
            return job.data
        if job.produce is not None:
            return job.produce()
        assert job.template is not None
        try:
            text = self.env.get_template(job.template).render(**job.context)
        except cache.CacheCorrupt:  # a body the cache could not give back: kb rebuilds from scratch
            raise
        except Exception as exc:  # whatever a template raises is its error
            raise TemplateFailure(template_diagnostic(exc, job.template, self.site_dir)) from None
        if job.name.endswith(".xml"):
            text = xml_text(text)
        return text.encode("utf-8")

    def check_templates(self) -> list[Diagnostic]:
        """Compile every template the theme has, so syntax errors are reported before anything is written."""
        problems = []
        for name in sorted(set(self.env.list_templates())):
            try:
                self.env.get_template(name)
            except Exception as exc:  # a syntax error, or any failure compiling
                problems.append(template_diagnostic(exc, name, self.site_dir))
        return problems

    def page(
        self,
        template: str,
        page: Page,
        *,
        sitemap: str | None = None,
        feed: FeedSpec | None = None,
        **context: Any,
    ) -> PageJob:
        """A page at page.path; sitemap: its lastmod when the sitemap lists it; feed: the feed it heads."""
        return self.job(
            output_name(page.path), template, {"page": page, **context}, sitemap=sitemap, feed=feed
        )

    def job(self, name: str, template: str, context: dict[str, Any], **declared: Any) -> PageJob:
        """A templated page job, its context first passed through the site's page_context hooks."""
        if self.hooks is not None and self.hooks.hooks:
            page = context.get("page")
            context = self.hooks.page_context(
                page.path if isinstance(page, Page) else name, template, context
            )
        return PageJob(name, template, context, **declared)

    def _links(self, slug: str) -> tuple[tuple[str, ...], tuple[tuple[int, str], ...]]:
        """Where a lesson's links point and the titles its bare wiki links show: with its source, all
        that its body's final HTML depends on."""
        now = self.graph.link_titles.get(slug)  # kb serve replaces a lesson's titles when one changes
        known = self._link_parts.get(slug)
        if known is None or known[0] is not now:  # once: its page, Markdown copy and llms-full.txt share it
            titles = tuple(sorted(now.items())) if now else ()
            known = self._link_parts[slug] = (now, (tuple(self.graph.link_urls.get(slug, ())), titles))
        return known[1]

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
            if self.preview:  # kb serve keeps it for the next save; a build's workers would only pile them up
                self.body_cache[slug] = (ref.parts(), html)
            return html

        return BodyRef(lesson.body.digest, urls, titles, resolve)

    def path_view(self, key: str) -> views.PathView:
        path = self.config.paths[key]
        steps = tuple(self.cards[slug] for slug in path.lessons if slug in self.cards)
        return views.PathView(key, path.title, path.description, steps)

    def newest(self, slugs: tuple[str, ...]) -> str:
        """The latest date among these lessons, for the sitemap ("" for none)."""
        return max(map(self.lastmods.__getitem__, slugs), default="")


def _cards(graph: SiteGraph, memo: dict[str, tuple[Lesson, views.Card]]) -> dict[str, views.Card]:
    """Each lesson's card, the same object as last time while the lesson is the same object: pages
    that show unchanged cards then compare equal at once (PageJob.same_as)."""
    if len(memo) > 2 * len(graph.lessons) + 100:
        memo.clear()
    cards = {}
    for slug, lesson in graph.lessons.items():
        known = memo.get(slug)
        if known is None or known[0] is not lesson:
            known = memo[slug] = (lesson, views.card(lesson))
        cards[slug] = known[1]
    return cards


def lastmod(lesson: Lesson) -> str:
    meta = lesson.source.meta
    return (meta.updated or meta.date).isoformat()
