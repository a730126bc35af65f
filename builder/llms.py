"""Lessons for LLM tools: each lesson's Markdown at /lessons/<slug>/index.md, /llms.txt and /llms-full.txt
(kb build only: kb serve would write every lesson's text again at each save). Drafts never appear.

A lesson's Markdown copy (llms_markdown.py) is keyed by what it is made of, so an unchanged copy is kept like
any unchanged page. llms-full.txt is those copies put together: the writer assembles it after them, from the
copies in the output (Assembled), so one changed lesson costs one lesson's Markdown, not every lesson's.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from builder.graph import Lesson
from builder.links import lesson_url
from builder.llms_markdown import escape_label, lesson_markdown, one_line, rewritten_body

if TYPE_CHECKING:
    from builder.render import PageJob, SiteRenderer

MARKDOWN_NAME = "index.md"
_HEADING = b"\n---\n\n# "  # where a Markdown copy's front matter ends and its title heading begins


def markdown_path(slug: str) -> str:
    """Site-relative URL of a lesson's Markdown copy."""
    return lesson_url(slug) + MARKDOWN_NAME


def published(renderer: SiteRenderer) -> list[Lesson]:
    """The lessons given to tools: never a draft, even in a build with --drafts."""
    return [lesson for lesson in renderer.graph.lessons.values() if not lesson.source.meta.draft]


def llms_jobs(renderer: SiteRenderer) -> Iterator[PageJob]:
    """Every lesson's Markdown copy, then llms.txt and llms-full.txt."""
    for lesson in published(renderer):
        yield markdown_job(renderer, lesson.slug)
    yield index_job(renderer)
    if not renderer.preview:
        yield full_job(renderer)


def index_job(renderer: SiteRenderer) -> PageJob:
    """llms.txt: every published lesson's line, listed under its topics. Its text is what it is made of
    (cheaper to make and key than every lesson's card, and kb serve makes it again at each title edit)."""
    from builder.render import PageJob

    text = llms_txt(renderer)
    return PageJob("llms.txt", None, {"text": text}, produce=partial(_encode, partial(str, text)))


def body_jobs(renderer: SiteRenderer, slug: str) -> list[PageJob]:
    """The files that show a lesson's Markdown body, for a rebuild after its body alone changed."""
    if renderer.graph.lessons[slug].source.meta.draft:
        return []
    jobs = [markdown_job(renderer, slug)]
    return jobs if renderer.preview else [*jobs, full_job(renderer)]


def _inputs(renderer: SiteRenderer, lesson: Lesson) -> object:
    source = lesson.source
    meta = source.meta
    return (source.digest, source.path, meta.updated, renderer._links(lesson.slug), renderer.config.base_url)


def markdown_job(renderer: SiteRenderer, slug: str) -> PageJob:
    from builder.render import PageJob

    lesson = renderer.graph.lessons[slug]
    make = partial(_encode, lambda: lesson_markdown(renderer, lesson))
    return PageJob(markdown_path(slug), None, {"inputs": _inputs(renderer, lesson)}, produce=make)


def full_job(renderer: SiteRenderer) -> PageJob:
    """llms-full.txt, keyed by every lesson's Markdown inputs in reading order."""
    from builder.render import PageJob

    lessons = _reading_order(renderer)
    inputs = tuple(_inputs(renderer, lesson) for lesson in lessons)
    return PageJob("llms-full.txt", None, {"inputs": inputs}, produce=FullText(renderer))


def _encode(make: Callable[[], str]) -> bytes:
    return make().encode("utf-8")


# -- the indexes ----------------------------------------------------------------------------------------


def _reading_order(renderer: SiteRenderer) -> list[Lesson]:
    """The lessons of the learning paths in order, then every other lesson, newest first."""
    lessons = {lesson.slug: lesson for lesson in published(renderer)}
    order: dict[str, None] = {}
    for learning_path in renderer.config.paths.values():
        order.update((slug, None) for slug in learning_path.lessons if slug in lessons)
    order.update((slug, None) for slug in lessons)
    return [lessons[slug] for slug in order]


def _header(renderer: SiteRenderer) -> list[str]:
    config = renderer.config
    lines = [f"# {one_line(config.title)}", ""]
    if config.description.strip():
        lines += [f"> {one_line(config.description)}", ""]
    return lines


_ENTRIES: dict[tuple[str, str], tuple[object, str]] = {}  # each lesson's line, while its front matter is


def _entry(renderer: SiteRenderer, lesson: Lesson) -> str:
    """A lesson's line in llms.txt; kept while its front matter is the same object (kb serve writes the
    file again after every edit to a title)."""
    meta = lesson.source.meta
    key = (renderer.config.base_url, lesson.slug)
    known = _ENTRIES.get(key)
    if known is not None and known[0] is meta:
        return known[1]
    url = renderer.config.base_url + markdown_path(lesson.slug)
    line = f"- [{escape_label(one_line(meta.title))}]({url}): {one_line(meta.summary)}"
    _ENTRIES[key] = (meta, line)
    return line


def llms_txt(renderer: SiteRenderer) -> str:
    """llms.txt (llmstxt.org): the site, each learning path in order, then each topic's lessons."""
    config, graph = renderer.config, renderer.graph
    entries = {lesson.slug: _entry(renderer, lesson) for lesson in published(renderer)}
    lines = _header(renderer)
    lines += [
        f"Every lesson below links to its Markdown; its web page is the same address without"
        f" {MARKDOWN_NAME}. All lessons in one file: {config.base_url}llms-full.txt",
    ]
    sections: list[tuple[str, str, list[str]]] = [
        (f"Learning path: {path.title}", path.description, [s for s in path.lessons if s in entries])
        for path in config.paths.values()
    ]
    sections += [
        (f"Topic: {topic.title}", topic.description, [s for s in graph.topics.get(key, ()) if s in entries])
        for key, topic in config.topics.items()
    ]
    for title, description, slugs in sections:
        if not slugs:
            continue
        lines += ["", f"## {title}", "", one_line(description), ""]
        lines += [entries[slug] for slug in slugs]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class FullText:
    """llms-full.txt: every lesson's Markdown in one file, the learning paths' lessons first, in order.
    Each lesson's section is its title heading, where it lives, its summary and its Markdown body."""

    renderer: SiteRenderer

    def __call__(self) -> bytes:
        """Made from the sources alone."""
        return self.assemble()

    def assemble(self, *folders: str) -> bytes:
        return b"".join(self.pieces(folders))

    def pieces(self, folders: Sequence[str]) -> Iterator[bytes]:
        """Made from the Markdown copies written into the folders, each read from the first that has it
        (the writer calls this once they all are), piece by piece so that a big site's text is never held
        whole; a lesson whose copy is in none is made from its source."""
        renderer = self.renderer
        base = renderer.config.base_url
        yield "\n".join(_header(renderer)).encode("utf-8").rstrip(b"\n")
        for lesson in _reading_order(renderer):
            meta = lesson.source.meta
            about = [f"URL: {base}{lesson.url}", f"Markdown: {base}{markdown_path(lesson.slug)}"]
            about.append(f"Summary: {one_line(meta.summary)}")
            heading, _, body = self._titled_body(folders, lesson).partition(b"\n\n")
            part = b"%s\n\n%s\n\n%s" % (heading, "\n".join(about).encode("utf-8"), body)
            yield b"\n\n" + part.rstrip(b"\n")
        yield b"\n"

    def _titled_body(self, folders: Sequence[str], lesson: Lesson) -> bytes:
        """'# title' and the Markdown body, as its copy ends (after the front matter)."""
        title = f"# {one_line(lesson.source.meta.title)}\n\n".encode()
        for folder in folders:
            try:
                with open(os.path.join(folder, markdown_path(lesson.slug)), "rb") as copy:
                    data = copy.read()
            except OSError:
                continue
            # YAML indents every continuation line, so '\n---\n' ends the front matter
            end = data.find(_HEADING)
            if data.startswith(b"---\n") and end >= 0 and data.startswith(title, end + 6):
                return data[end + 6 :]
            break  # the first copy found decides: not one made for this title, the source is read
        return title + rewritten_body(self.renderer, lesson).encode("utf-8")
