"""Heading ids by GitHub's rules, in linear time, with wiki links counted as the text they show.

mdit-py-plugins' anchors plugin finds a free id by trying `q`, `q-1`, `q-2`, ... from 1 for every
heading, so 20,000 `## Q` headings took quadratic time; and it reads only text and code, so
`## Compare with [[first]]` lost the link's text. Here each base id remembers the next suffix to try.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token


class UniqueIds:
    """Hands out ids, adding -1, -2, ... to repeats; each suffix is tried at most once per base."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = taken
        self.next_suffix: dict[str, int] = {}

    def __call__(self, base: str) -> str:
        found, suffix = base, self.next_suffix.get(base, 0)
        if suffix:
            found = f"{base}-{suffix}"
        while found in self.taken:
            suffix += 1
            found = f"{base}-{suffix}"
        self.next_suffix[base] = suffix + 1
        self.taken.add(found)
        return found


def heading_text(children: Sequence[Token] | None, *, raw_wiki: bool = False) -> str:
    """The text of a heading: its text and code, and for a wiki link its label, else its target (or,
    with raw_wiki, the link as written, `[[first]]`, which is what GitHub builds the id from)."""
    parts: list[str] = []
    wiki: Token | None = None
    for child in children or ():
        if child.type == "link_open" and child.meta.get("wiki"):
            wiki = child
            if raw_wiki:
                parts.append(str(child.meta.get("raw", "")))
        elif child.type == "link_close":
            wiki = None
        elif raw_wiki and wiki is not None:
            continue
        elif child.type in {"text", "code_inline"}:
            parts.append(child.content or (str(wiki.attrGet("href") or "") if wiki is not None else ""))
    return "".join(parts)


def heading_ids_plugin(md: MarkdownIt, slug: Callable[[str], str]) -> None:
    def heading_ids(state: StateCore) -> None:
        tokens = state.tokens
        taken = {str(t.attrGet("id")) for t in tokens if t.type == "heading_open" and t.attrGet("id")}
        unique = UniqueIds(taken)
        for index, token in enumerate(tokens):
            if token.type == "heading_open" and not token.attrGet("id"):
                token.attrSet("id", unique(slug(heading_text(tokens[index + 1].children, raw_wiki=True))))

    md.core.ruler.push("heading_ids", heading_ids)
