"""Markdown body -> HTML, headings and outgoing links, recorded as data while the tokens are walked.

Internal links cannot be resolved until every lesson is known, so their URLs (and the text of wiki links
without a label) are left as placeholders that `resolve_placeholders` fills in later: the HTML of a body
depends on its own source alone, which is what makes it cacheable and renderable in parallel.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal
from urllib.parse import unquote

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.gfm import gfm_plugin

from builder.anchors import heading_ids_plugin
from builder.autolink import linear_autolinks
from builder.highlight import highlight_code
from builder.html_rules import add_render_rules, plain_text
from builder.linkpos import SourceCursor, html_links
from builder.records import content_digest, picklable
from builder.slugs import heading_id

LinkKind = Literal["path", "wiki", "anchor"]
_URL_OPEN, _TEXT_OPEN, _CLOSE = "\ue000", "\ue002", "\ue001"
_PLACEHOLDER = re.compile(f"([{_URL_OPEN}{_TEXT_OPEN}])(\\d+){_CLOSE}")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_WORD = re.compile(r"\w+")


@picklable
@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    id: str
    text: str


@picklable
@dataclass(frozen=True, slots=True)
class LinkRef:
    kind: LinkKind
    target: str  # a relative path or a slug, decoded, without query or fragment
    fragment: str
    line: int
    col: int
    wants_title: bool  # a wiki link without text shows its target's title
    is_image: bool
    defined: int = 0  # a reference-style link: the file line of its definition


@picklable
@dataclass(frozen=True, slots=True)
class RenderedBody:
    html: str  # with placeholders for internal links
    headings: tuple[Heading, ...]
    links: tuple[LinkRef, ...]
    words: int
    digest: str  # of html: stands for the body when deciding whether a page must be rendered again
    has_code: bool = False  # the page needs the highlighting stylesheet
    has_diagram: bool = False  # the page needs Mermaid


_WIKI_STOP = re.compile(r"[\[\]\n]")


def _wiki_end(state: StateInline, at: int) -> int:
    """Where the `]]` closing a wiki link opened before `at` is, or -1: a wiki link holds no brackets
    and no line break, so it closes at the first of those after `at`, if that is `]]`. The search is
    remembered on the state: on a line of 100,000 '[' each is looked at once, not once per '[['."""
    memo: tuple[int, int] | None = getattr(state, "_kb_wiki_stop", None)
    if memo is not None and memo[0] <= at and (memo[1] < 0 or memo[1] >= at):
        stop = memo[1]
    else:
        found = _WIKI_STOP.search(state.src, at)
        stop = found.start() if found else -1
        state._kb_wiki_stop = (at, stop)  # type: ignore[attr-defined]
    return stop if stop >= 0 and state.src.startswith("]]", stop) else -1


def wikilinks_plugin(md: MarkdownIt) -> None:
    """[[slug]], [[slug#heading]], [[slug|text]] become links marked as wiki links."""

    def wikilink(state: StateInline, silent: bool) -> bool:
        start = state.pos
        if not state.src.startswith("[[", start):
            return False
        end = _wiki_end(state, start + 2)
        inner = state.src[start + 2 : end] if end >= 0 else ""
        if not inner.strip() or "\n" in inner or "[" in inner or "]" in inner:
            return False
        if state.src.startswith("(", end + 2):
            return False  # [[1]](url): a plain link reading "[1]", GitHub's citation style
        if not silent:
            target, _, text = inner.partition("|")
            link = state.push("link_open", "a", 1)
            link.attrs = {"href": target.strip()}
            link.meta = {"wiki": True, "raw": state.src[start : end + 2]}
            label = state.push("text", "", 0)
            label.content = text.strip()
            state.push("link_close", "a", -1)
        state.pos = end + 2
        return True

    md.inline.ruler.before("link", "wikilink", wikilink)


@lru_cache(maxsize=4)
def _parser(html: bool, plugins: tuple[Callable[[MarkdownIt], None], ...] = ()) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": html, "highlight": highlight_code, "store_labels": True})
    md.use(gfm_plugin)
    md.use(linear_autolinks)
    md.use(wikilinks_plugin)
    md.use(heading_ids_plugin, heading_id)
    add_render_rules(md)
    for plugin in plugins:  # the site's markdown.plugins, in order
        plugin(md)
    return md


def render_markdown(
    body: str,
    *,
    first_line: int = 1,
    html: bool = False,
    plugins: tuple[Callable[[MarkdownIt], None], ...] = (),
) -> RenderedBody:
    """Render a lesson body; first_line is the file line the body starts on, for link positions."""
    body = body.replace(_URL_OPEN, "").replace(_TEXT_OPEN, "").replace(_CLOSE, "")
    md = _parser(html, plugins)
    env: dict[str, Any] = {}
    tokens = md.parse(body, env)
    lines = body.split("\n")
    links = _Links(env.get("references", {}), first_line)
    headings: list[Heading] = []
    cursor = SourceCursor("", first_line)
    for index, token in enumerate(tokens):
        if token.map is not None and (token.children or token.type == "html_block"):
            cursor = SourceCursor("\n".join(lines[token.map[0] : token.map[1]]), token.map[0] + first_line)
        if token.type == "heading_open":
            headings.append(
                Heading(int(token.tag[1]), str(token.attrGet("id") or ""), plain_text(tokens[index + 1]))
            )
        if token.children:
            links.record(token.children, cursor, html)
        elif html and token.type == "html_block":
            token.content = links.raw_html(token.content, cursor)
    rendered = md.renderer.render(tokens, md.options, env)  # the fence rules note has_code in env
    if html:
        rendered = sanitize(rendered)
    words = len(_WORD.findall(body))
    return RenderedBody(
        rendered,
        tuple(headings),
        tuple(links.found),
        words,
        content_digest(rendered.encode()),
        has_code=env.get("has_code", False),
        has_diagram=env.get("has_diagram", False),
    )


class _Links:
    """Records a body's internal links, in order, replacing each URL by a placeholder."""

    def __init__(self, references: dict[str, Any], first_line: int) -> None:
        self.found: list[LinkRef] = []
        self.references = references  # reference definitions by label, with their lines
        self.first_line = first_line

    def record(self, children: list[Token], cursor: SourceCursor, html: bool) -> None:
        for position, child in enumerate(children):
            if html and child.type == "html_inline":
                child.content = self.raw_html(child.content, cursor)
                continue
            attr = "src" if child.type == "image" else "href" if child.type == "link_open" else None
            if attr is None:
                continue
            raw = str(child.attrGet(attr) or "")
            wiki = bool(child.meta.get("wiki"))
            if not raw or (not wiki and (_SCHEME.match(raw) or raw.startswith("//"))):
                continue
            label = child.meta.get("label")
            defined = 0
            if wiki:  # at "[["
                line, col = cursor.find([(child.meta["raw"], 0)])
            elif label is not None:  # a reference link: at its "[", naming where it is defined
                text = children[position + 1].content if child.type == "link_open" else child.content
                line, col = cursor.find([(f"[{text}]", 0), ("[", 0)])
                mapped = self.references.get(label, {}).get("map")
                defined = mapped[0] + self.first_line if mapped else 0
            else:  # at the target
                decoded = unquote(raw)
                needles = [(f"({raw}", 1), (f"({decoded}", 1), (f"(<{raw}", 2), (f"(<{decoded}", 2)]
                line, col = cursor.find([*needles, (f"<{raw}", 1)])
            wants_title = wiki and not children[position + 1].content
            index = self._add(raw, wiki, line, col, child.type == "image", wants_title, defined)
            child.attrSet(attr, f"{_URL_OPEN}{index}{_CLOSE}")
            if wants_title:
                children[position + 1].content = f"{_TEXT_OPEN}{index}{_CLOSE}"

    def raw_html(self, content: str, cursor: SourceCursor) -> str:
        """Raw HTML (markdown.html: true) with the internal href of each <a> and src of each <img>
        recorded like a Markdown link, at the value's own position, and replaced by a placeholder."""
        parts: list[str] = []
        done = 0
        for start, end, value, image in html_links(content):
            if not value or _SCHEME.match(value) or value.startswith("//"):
                continue
            line, col = cursor.find([(content[start:end], 0)])
            index = self._add(value, False, line, col, image, False, 0)
            parts += [content[done:start], f"{_URL_OPEN}{index}{_CLOSE}"]
            done = end
        return "".join(parts) + content[done:] if parts else content

    def _add(
        self, raw: str, wiki: bool, line: int, col: int, image: bool, wants_title: bool, defined: int
    ) -> int:
        target = raw if wiki else unquote(raw.split("?", 1)[0].split("#", 1)[0])
        fragment = raw.partition("#")[2] if "#" in raw else ""
        if wiki:
            target = target.partition("#")[0].strip()
        kind: LinkKind = "wiki" if wiki else "anchor" if raw.startswith("#") else "path"
        self.found.append(LinkRef(kind, target, unquote(fragment), line, col, wants_title, image, defined))
        return len(self.found) - 1


def external_links(body: str, *, first_line: int = 1) -> list[tuple[str, int, int]]:
    """Every link and image with a scheme (http:, mailto: ...) in a body: (URL, file line, column)."""
    found: list[tuple[str, int, int]] = []
    lines = body.split("\n")
    for token in _parser(False).parse(body):
        if not token.children or token.map is None:
            continue
        line = token.map[0]
        searched_to = 0
        for child in token.children:
            if child.type in {"softbreak", "hardbreak"}:
                line, searched_to = line + 1, 0
                continue
            attr = "src" if child.type == "image" else "href" if child.type == "link_open" else None
            url = str(child.attrGet(attr) or "") if attr else ""
            if not _SCHEME.match(url):
                continue
            source_line = lines[line] if line < len(lines) else ""
            at = source_line.find(url, searched_to)
            searched_to = max(searched_to, at + 1)
            found.append((url, line + first_line, at + 1 if at >= 0 else 1))
    return found


def resolve_placeholders(html: str, url: Callable[[int], str], title: Callable[[int], str]) -> str:
    """Fill each link placeholder with its URL (already escaped for HTML) or its target's title."""
    return _PLACEHOLDER.sub(lambda m: (url if m[1] == _URL_OPEN else title)(int(m[2])), html)


_ALLOWED_ATTRIBUTES = {
    "*": {"id", "class", "title", "lang", "dir"},
    "div": {"role", "tabindex", "aria-label", "data-pagefind-ignore"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "input": {"type", "checked", "disabled", "aria-label"},
    "pre": {"tabindex", "data-lang"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
}


def sanitize(html: str) -> str:
    """Keep safe markup only: no scripts, event handlers, inline styles, javascript: or data: URLs."""
    tags = set(nh3.ALLOWED_TAGS) | {"input", "section", "aside", "details", "summary", "mark"}
    return nh3.clean(
        html,
        tags=tags,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
    )
