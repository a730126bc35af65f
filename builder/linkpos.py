"""Where the links of a Markdown block are in its source: file line and column, found in order.

markdown-it's inline tokens carry no offsets, so each link is looked up in its block's source text from
just after the previous one. Counting the block's own line breaks (rather than the soft breaks between
tokens) keeps positions right after a code span or a link title that spans two lines; searching for the
earliest of a link's spellings keeps `[a](é.md) [c](%C3%A9.md)` each at its own column.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import unescape

_TAG = re.compile(r"<(a|img)\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""\s(href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.IGNORECASE)


class SourceCursor:
    """A block's source text and a position in it that only moves forward."""

    def __init__(self, text: str, first_line: int) -> None:
        self.text = text
        self.pos = 0  # where the next search starts
        self.line = first_line  # the file line of offset `counted`
        self.line_start = 0
        self.counted = 0

    def find(self, needles: Sequence[tuple[str, int]]) -> tuple[int, int]:
        """The (line, col) of the earliest needle from the cursor on, plus its offset (where in the
        needle the reported column is); the cursor's own place when none is found."""
        best, best_offset = -1, 0
        for text, offset in needles:
            if not text:
                continue
            # only an occurrence before the best so far can win: no needle is searched past it
            stop = len(self.text) if best < 0 else best + len(text) - 1
            found = self.text.find(text, self.pos, stop)
            if found >= 0 and (best < 0 or found < best):
                best, best_offset = found, offset
        if best < 0:
            return self.where(self.pos)
        self.pos = best + 1
        return self.where(best + best_offset)

    def where(self, at: int) -> tuple[int, int]:
        """The file line and 1-based column of an offset of the text (counting only the new part)."""
        if at < self.counted:  # a step back within the last match: recount from the text's start
            self.line -= self.text.count("\n", at, self.counted)
            self.line_start = self.text.rfind("\n", 0, at) + 1
        else:
            breaks = self.text.count("\n", self.counted, at)
            if breaks:
                self.line += breaks
                self.line_start = self.text.rfind("\n", self.counted, at) + 1
        self.counted = at
        return self.line, at - self.line_start + 1


def html_links(html: str) -> list[tuple[int, int, str, bool]]:
    """The href of each <a> and the src of each <img> in raw HTML: (start, end) of the value as
    written, the value itself (entities decoded), and whether it is an image."""
    found = []
    for tag in _TAG.finditer(html):
        image = tag[1].lower() == "img"
        for attribute in _ATTRIBUTE.finditer(tag[0]):
            if attribute[1].lower() != ("src" if image else "href"):
                continue
            group = next(index for index in (2, 3, 4) if attribute[index] is not None)
            start, end = tag.start() + attribute.start(group), tag.start() + attribute.end(group)
            found.append((start, end, unescape(attribute[group]), image))
            break
    return found
