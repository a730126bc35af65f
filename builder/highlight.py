"""Fenced code: the info string's attributes, Pygments highlighting with CSS classes, and the light and
dark stylesheet (a file of its own, which only pages with code load).

Info string: the language first, then attributes in any order (see README, "Code blocks"):
``python title="retry.py" {3,5-7} linenums``. Attributes the theme does not know (``norun="..."``,
``requires="..."``, anything else) are ignored here: they are for other tools.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from html import escape

from pygments import highlight as pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

LIGHT_STYLE = "default"
DARK_STYLE = "github-dark"
_FORMATTER = HtmlFormatter(nowrap=True)
_ATTRIBUTE = re.compile(r'([A-Za-z_][\w-]*)="([^"]*)"|\{([^}]*)\}|(\S+)')
_RANGE = re.compile(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?")
_PLAIN = {"", "text", "plain", "plaintext", "txt"}
MAX_HIGHLIGHTED_LINE = 100_000


@dataclass(frozen=True, slots=True)
class FenceInfo:
    language: str = ""
    title: str = ""
    lines: frozenset[int] = frozenset()  # 1-based lines to highlight
    linenums: bool = False


def parse_info(info: str) -> FenceInfo:
    """'python title="a.py" {3,5-7} linenums norun="x"' -> FenceInfo; unknown attributes are ignored."""
    language, _, rest = info.strip().partition(" ")
    if "=" in language or language.startswith("{"):
        language, rest = "", info
    title, lines, linenums = "", set[int](), False
    for match in _ATTRIBUTE.finditer(rest):
        name, value, ranges, word = match.groups()
        if name == "title":
            title = value.strip()
        elif ranges is not None:
            lines |= _line_set(ranges)
        elif word == "linenums":
            linenums = True
    return FenceInfo(language, title, frozenset(lines), linenums)


def _line_set(ranges: str) -> set[int]:
    lines: set[int] = set()
    for part in ranges.split(","):
        match = _RANGE.fullmatch(part)
        if match is None:
            continue
        first = int(match[1])
        last = min(int(match[2] or first), first + MAX_HIGHLIGHTED_LINE)
        lines.update(range(first, last + 1))
    return lines


@lru_cache(maxsize=256)
def _lexer(language: str) -> Lexer | None:
    if language in _PLAIN:
        return None
    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


def highlight_code(code: str, language: str, _attrs: str = "") -> str:
    """A bare <pre> block (markdown-it's highlight hook); an unknown language is plain, escaped text."""
    return render_code(code, FenceInfo(language=language), bare=True)


def render_code(code: str, info: FenceInfo, *, bare: bool = False) -> str:
    """A code block: a header with the title and the language, then the <pre>. Line numbers are CSS
    counters: they are never selected or copied with the code."""
    language = info.language
    lexer = _lexer(language.lower())
    body = pygments_highlight(code, lexer, _FORMATTER) if lexer else escape(code, quote=False)
    if info.lines or info.linenums:
        body = _lines(body, info.lines)
    classes = "highlight linenums" if info.linenums else "highlight"
    code_class = f' class="language-{escape(language)}"' if language else ""
    label = f' data-lang="{escape(language)}"' if language else ""
    pre = f'<pre class="{classes}"{label} tabindex="0"><code{code_class}>{body}</code></pre>'
    if bare:
        return pre
    title = f'<span class="code-title">{escape(info.title)}</span>' if info.title else ""
    shown = "" if language.lower() in _PLAIN else escape(language)
    lang = f'<span class="code-lang">{shown}</span>' if shown else ""
    header = f'<div class="code-header">{title}{lang}</div>' if title or lang else ""
    kind = "code-block has-header" if header else "code-block"
    return f'<div class="{kind}">{header}{pre}</div>'


def _lines(body: str, marked: frozenset[int]) -> str:
    """One span per line (for marking and numbering); Pygments closes its spans at every line end."""
    lines = body.split("\n")
    ending = bool(lines) and lines[-1] == ""
    if ending:
        lines.pop()
    spans = [
        f'<span class="line hl">{line}</span>' if number in marked else f'<span class="line">{line}</span>'
        for number, line in enumerate(lines, start=1)
    ]
    return "\n".join(spans) + ("\n" if spans and ending else "")


def stylesheet() -> str:
    """Light rules by default; dark ones under [data-theme=dark] and, unless light is forced, the OS's.
    Dark rules are for screens only: paper always gets the light palette."""
    light = _rules(LIGHT_STYLE, ".highlight")
    dark_rules = _rules(DARK_STYLE, ":root[data-theme=dark] .highlight")
    dark_auto = _rules(DARK_STYLE, ":root:not([data-theme=light]) .highlight")
    return (
        f"{light}\n@media screen {{\n{dark_rules}\n}}\n"
        f"@media screen and (prefers-color-scheme: dark) {{\n{dark_auto}\n}}\n"
    )


def _rules(style: str, scope: str) -> str:
    return str(HtmlFormatter(style=style).get_style_defs(scope))  # type: ignore[no-untyped-call]
