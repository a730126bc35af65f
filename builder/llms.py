"""Lessons for LLM tools: each lesson's Markdown at /lessons/<slug>/index.md, /llms.txt and /llms-full.txt
(kb build only: kb serve would write every lesson's text again at each save).

The Markdown is the author's own, re-read from the file, with its front matter reduced to what a reader
needs and every internal link, image and wiki link rewritten, at the position recorded when the body was
parsed, to the absolute URL the site resolved it to. Drafts never appear.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

import yaml
from markdown_it.helpers import parseLinkDestination

from builder.frontmatter import lesson_body
from builder.graph import Lesson
from builder.links import lesson_url
from builder.markdown import LinkRef

if TYPE_CHECKING:
    from builder.render import PageJob, SiteRenderer

MARKDOWN_NAME = "index.md"
_REFERENCE = re.compile(r"^ {0,3}\[(?:[^\]\\]|\\.)+\]:[ \t]*(<[^>\n]*>|\S+)")
_SPACES = re.compile(r"\s+")
_DUMPER: Any = getattr(
    yaml, "CSafeDumper", yaml.SafeDumper
)  # libyaml's, eight times quicker, where installed


def markdown_path(slug: str) -> str:
    """Site-relative URL of a lesson's Markdown copy."""
    return lesson_url(slug) + MARKDOWN_NAME


def published(renderer: SiteRenderer) -> list[Lesson]:
    """The lessons given to tools: never a draft, even in a build with --drafts."""
    return [lesson for lesson in renderer.graph.lessons.values() if not lesson.source.meta.draft]


def llms_jobs(renderer: SiteRenderer) -> Iterator[PageJob]:
    """Every lesson's Markdown copy, then llms.txt and llms-full.txt."""
    from builder.render import PageJob

    lessons = published(renderer)
    for lesson in lessons:
        yield markdown_job(renderer, lesson.slug)
    index_inputs = (
        renderer.config.base_url,
        tuple(renderer.cards[lesson.slug] for lesson in lessons),
    )
    make = partial(_encode, partial(llms_txt, renderer))
    yield PageJob("llms.txt", None, {"inputs": index_inputs}, produce=make)
    if not renderer.preview:
        yield full_job(renderer)


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
    from builder.render import PageJob

    lessons = _reading_order(renderer)
    inputs = tuple(_inputs(renderer, lesson) for lesson in lessons)
    pieces = partial(llms_full_pieces, renderer)
    return PageJob("llms-full.txt", None, {"inputs": inputs}, stream=lambda: (p.encode() for p in pieces()))


def _encode(make: Callable[[], str]) -> bytes:
    return make().encode("utf-8")


# -- one lesson -----------------------------------------------------------------------------------------


def lesson_markdown(renderer: SiteRenderer, lesson: Lesson) -> str:
    """The Markdown copy: reduced front matter, the title as a heading, the body with absolute links."""
    meta = lesson.source.meta
    front: dict[str, Any] = {"title": meta.title, "summary": meta.summary, "topics": list(meta.topics)}
    if meta.skills:
        front["skills"] = list(meta.skills)
    if meta.level:
        front["level"] = meta.level
    front["date"] = meta.date
    for name in ("updated", "reviewed"):
        if getattr(meta, name) is not None:
            front[name] = getattr(meta, name)
    front["url"] = renderer.config.base_url + lesson.url
    dumped = yaml.dump(
        front, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=10_000, default_flow_style=None
    )
    return f"---\n{dumped}---\n\n# {_one_line(meta.title)}\n\n{rewritten_body(renderer, lesson)}"


def rewritten_body(renderer: SiteRenderer, lesson: Lesson) -> str:
    """The lesson's Markdown body from its file, each internal link replaced by its absolute URL."""
    path = lesson.source.path
    found = lesson_body(path, (renderer.site_dir / path).read_bytes())
    if found is None:
        return ""
    body, first_line = found
    lines = body.split("\n")
    urls = renderer.graph.link_urls.get(lesson.slug, [])
    titles = renderer.graph.link_titles.get(lesson.slug, {})
    edits: dict[int, list[tuple[int, int, str]]] = {}  # line index -> (start, end, replacement)
    definitions_done: set[int] = set()
    for index, link in enumerate(lesson.body.links):
        if index >= len(urls) or not urls[index]:
            continue
        absolute = _absolute(renderer, lesson, urls[index])
        row = link.line - first_line
        line = lines[row] if 0 <= row < len(lines) else ""
        if link.kind == "wiki":
            span = _wiki_span(line, link) or _find_wiki(line, link, edits.get(row, []))
        else:
            span = _destination_span(line, link)
        if span is None:
            if link.kind != "wiki":
                _rewrite_definition(lines, link, absolute, edits, definitions_done)
            continue
        start, end, label = span
        if link.kind == "wiki":
            text = label or titles.get(index, link.target)
            replacement = f"[{_escape_label(text)}]({absolute})"
        else:
            replacement = absolute  # inside '(...)' or '<...>' as written
        edits.setdefault(row, []).append((start, end, replacement))
    for row, changes in edits.items():
        text = lines[row]
        for start, end, replacement in sorted(changes, reverse=True):
            text = text[:start] + replacement + text[end:]
        lines[row] = text
    return "\n".join(lines).strip("\n") + "\n"


def _absolute(renderer: SiteRenderer, lesson: Lesson, url: str) -> str:
    base = renderer.config.base_url
    if url.startswith("#"):
        return base + lesson.url + url
    return base + quote(url, safe="/#%-._~")


def _wiki_span(line: str, link: LinkRef) -> tuple[int, int, str] | None:
    """(start, end, label) of '[[target#heading|label]]' at the link's column."""
    start = link.col - 1
    if not line.startswith("[[", start):
        return None
    end = line.find("]]", start + 2)
    if end < 0:
        return None
    inner = line[start + 2 : end]
    target, _, label = inner.partition("|")
    if target.partition("#")[0].strip() != link.target:
        return None
    return start, end + 2, label.strip()


_WIKI = re.compile(r"\[\[([^\[\]\n]+)\]\]")


def _find_wiki(line: str, link: LinkRef, taken: list[tuple[int, int, str]]) -> tuple[int, int, str] | None:
    """A wiki link whose recorded column was a guess (one written as [[slug\\|text]] in a table): the first
    one on its line to the same target that is not rewritten yet."""
    for found in _WIKI.finditer(line):
        target, _, label = found[1].replace("\\|", "|").partition("|")
        free = all(found.end() <= start or found.start() >= end for start, end, _ in taken)
        if free and target.partition("#")[0].strip() == link.target:
            return found.start(), found.end(), label.strip()
    return None


def _destination_span(line: str, link: LinkRef) -> tuple[int, int, str] | None:
    """(start, end, "") of a link's destination as written, at the link's column: checked against the
    target recorded, so a position that was only a guess is never used."""
    start = link.col - 1
    if start < 1 or line[start - 1] not in "(<":
        return None
    if line[start - 1] == "<":
        result = parseLinkDestination(line, start - 1, len(line))
        end = result.pos - 1  # inside the closing '>'
    else:
        result = parseLinkDestination(line, start, len(line))
        end = result.pos
    if not result.ok or not _same_target(result.str, link):
        return None
    return start, end, ""


def _same_target(written: str, link: LinkRef) -> bool:
    if link.kind == "anchor":
        return written.startswith("#") and unquote(written[1:]) == link.fragment
    return unquote(written.split("?", 1)[0].split("#", 1)[0]) == link.target


def _rewrite_definition(
    lines: list[str],
    link: LinkRef,
    absolute: str,
    edits: dict[int, list[tuple[int, int, str]]],
    done: set[int],
) -> None:
    """A reference-style link: rewrite its '[label]: destination' definition line instead."""
    for row, line in enumerate(lines):
        found = _REFERENCE.match(line)
        if found is None or row in done:
            continue
        written = found[1][1:-1] if found[1].startswith("<") else found[1]
        if _same_target(written, link):
            edits.setdefault(row, []).append((found.start(1), found.end(1), absolute))
            done.add(row)


def _escape_label(text: str) -> str:
    for char in "\\[]":
        text = text.replace(char, "\\" + char)
    return text


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
    lines = [f"# {_one_line(config.title)}", ""]
    if config.description.strip():
        lines += [f"> {_one_line(config.description)}", ""]
    return lines


def _one_line(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _entry(renderer: SiteRenderer, lesson: Lesson) -> str:
    meta = lesson.source.meta
    url = renderer.config.base_url + markdown_path(lesson.slug)
    return f"- [{_escape_label(_one_line(meta.title))}]({url}): {_one_line(meta.summary)}"


def llms_txt(renderer: SiteRenderer) -> str:
    """llms.txt (llmstxt.org): the site, each learning path in order, then each topic's lessons."""
    config, graph = renderer.config, renderer.graph
    lessons = {lesson.slug: lesson for lesson in published(renderer)}
    lines = _header(renderer)
    lines += [
        f"Every lesson below links to its Markdown; its web page is the same address without"
        f" {MARKDOWN_NAME}. All lessons in one file: {config.base_url}llms-full.txt",
    ]
    sections: list[tuple[str, str, list[str]]] = [
        (f"Learning path: {path.title}", path.description, [s for s in path.lessons if s in lessons])
        for path in config.paths.values()
    ]
    sections += [
        (f"Topic: {topic.title}", topic.description, [s for s in graph.topics.get(key, ()) if s in lessons])
        for key, topic in config.topics.items()
    ]
    for title, description, slugs in sections:
        if not slugs:
            continue
        lines += ["", f"## {title}", "", _one_line(description), ""]
        lines += [_entry(renderer, lessons[slug]) for slug in slugs]
    return "\n".join(lines) + "\n"


def llms_full(renderer: SiteRenderer) -> str:
    """Every lesson's Markdown in one file: the learning paths' lessons first, in order."""
    return "".join(llms_full_pieces(renderer))


def llms_full_pieces(renderer: SiteRenderer) -> Iterator[str]:
    """llms-full.txt piece by piece, so a big site's copy is never held whole."""
    base = renderer.config.base_url
    yield "\n".join(_header(renderer)).rstrip("\n")
    for lesson in _reading_order(renderer):
        meta = lesson.source.meta
        about = [f"URL: {base}{lesson.url}", f"Markdown: {base}{markdown_path(lesson.slug)}"]
        about.append(f"Summary: {_one_line(meta.summary)}")
        part = f"# {_one_line(meta.title)}\n\n" + "\n".join(about) + "\n\n" + rewritten_body(renderer, lesson)
        yield "\n\n" + part.rstrip("\n")
    yield "\n"
