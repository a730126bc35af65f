"""Markdown body -> HTML, headings and outgoing links, recorded as data while the tokens are walked.

Internal links cannot be resolved until every lesson is known, so their URLs (and the text of wiki links
without a label) are left as placeholders that `resolve_placeholders` fills in later: the HTML of a body
depends on its own source alone, which is what makes it cacheable and renderable in parallel.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal
from urllib.parse import unquote

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.gfm import gfm_plugin

from builder.highlight import highlight_code
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


@picklable
@dataclass(frozen=True, slots=True)
class RenderedBody:
    html: str  # with placeholders for internal links
    headings: tuple[Heading, ...]
    links: tuple[LinkRef, ...]
    words: int
    digest: str  # of html: stands for the body when deciding whether a page must be rendered again


def wikilinks_plugin(md: MarkdownIt) -> None:
    """[[slug]], [[slug#heading]], [[slug|text]] become links marked as wiki links."""

    def wikilink(state: StateInline, silent: bool) -> bool:
        start = state.pos
        if not state.src.startswith("[[", start):
            return False
        end = state.src.find("]]", start + 2)
        inner = state.src[start + 2 : end] if end >= 0 else ""
        if not inner.strip() or "\n" in inner or "[" in inner or "]" in inner:
            return False
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


def _task_list_item(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """A task-list checkbox with an accessible name, which markdown-it's own lacks."""
    token = tokens[idx]
    result = renderer.renderToken(tokens, idx, options, env)
    if token.meta and "checked" in token.meta:
        checked, name = (' checked=""', "done") if token.meta["checked"] else ("", "to do")
        box = f'type="checkbox"{checked} aria-label="{name}"'
        result += f'<input class="task-list-item-checkbox" disabled="" {box}> '
    return result


@lru_cache(maxsize=4)
def _parser(html: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": html, "highlight": highlight_code})
    md.use(gfm_plugin)
    md.use(anchors_plugin, min_level=1, max_level=6, slug_func=heading_id)
    md.use(wikilinks_plugin)
    md.add_render_rule("list_item_open", _task_list_item)
    return md


def render_markdown(body: str, *, first_line: int = 1, html: bool = False) -> RenderedBody:
    """Render a lesson body; first_line is the file line the body starts on, for link positions."""
    body = body.replace(_URL_OPEN, "").replace(_TEXT_OPEN, "").replace(_CLOSE, "")
    md = _parser(html)
    tokens = md.parse(body)
    lines = body.split("\n")
    links: list[LinkRef] = []
    headings: list[Heading] = []
    block_line = 0
    for index, token in enumerate(tokens):
        if token.map is not None:
            block_line = token.map[0]
        if token.type == "heading_open":
            headings.append(
                Heading(int(token.tag[1]), str(token.attrGet("id") or ""), _plain(tokens[index + 1]))
            )
        if token.children:
            _record_links(token.children, block_line, lines, first_line, links)
    rendered = md.renderer.render(tokens, md.options, {})
    if html:
        rendered = sanitize(rendered)
    words = len(_WORD.findall(body))
    return RenderedBody(rendered, tuple(headings), tuple(links), words, content_digest(rendered.encode()))


def _plain(inline: Token) -> str:
    return "".join(c.content for c in inline.children or () if c.type in {"text", "code_inline"}).strip()


def _record_links(
    children: list[Token], line: int, lines: list[str], first_line: int, out: list[LinkRef]
) -> None:
    searched_to = (
        0  # where the previous link of this line was found, so a repeated target gets its own column
    )
    for position, child in enumerate(children):
        if child.type in {"softbreak", "hardbreak"}:
            line += 1
            searched_to = 0
            continue
        attr = "src" if child.type == "image" else "href" if child.type == "link_open" else None
        if attr is None:
            continue
        raw = str(child.attrGet(attr) or "")
        wiki = bool(child.meta.get("wiki"))
        if not raw or (not wiki and (_SCHEME.match(raw) or raw.startswith("//"))):
            continue
        target = raw if wiki else unquote(raw.split("?", 1)[0].split("#", 1)[0])
        fragment = raw.partition("#")[2] if "#" in raw else ""
        if wiki:
            target = target.partition("#")[0].strip()
        kind: LinkKind = "wiki" if wiki else "anchor" if raw.startswith("#") else "path"
        source_line = lines[line] if line < len(lines) else ""
        needles = [child.meta["raw"]] if wiki else [f"({raw}", f"({unquote(raw)}", f"<{raw}"]
        found = max(source_line.find(n, searched_to) for n in needles)
        searched_to = max(searched_to, found + 1)
        col = 1 if found < 0 else found + 1 if wiki else found + 2  # wiki: at "[[", else at the target
        wants_title = wiki and not children[position + 1].content
        out.append(
            LinkRef(
                kind, target, unquote(fragment), line + first_line, col, wants_title, child.type == "image"
            )
        )
        index = len(out) - 1
        child.attrSet(attr, f"{_URL_OPEN}{index}{_CLOSE}")
        if wants_title:
            children[position + 1].content = f"{_TEXT_OPEN}{index}{_CLOSE}"


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
