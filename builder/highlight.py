"""Pygments highlighting for fenced code, with CSS classes and a light and a dark stylesheet."""

from __future__ import annotations

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


@lru_cache(maxsize=256)
def _lexer(language: str) -> Lexer | None:
    if not language or language in {"text", "plain", "plaintext", "txt"}:
        return None
    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


def highlight_code(code: str, language: str, _attrs: str = "") -> str:
    """A complete <pre> block; an unknown language falls back to plain, escaped text."""
    lexer = _lexer(language.lower())
    body = pygments_highlight(code, lexer, _FORMATTER) if lexer else escape(code, quote=False)
    language_class = f' class="language-{escape(language)}"' if language else ""
    label = f' data-lang="{escape(language)}"' if language else ""
    return f'<pre class="highlight"{label} tabindex="0"><code{language_class}>{body}</code></pre>'


def stylesheet() -> str:
    """Light rules by default; dark ones under [data-theme=dark] and, unless light is forced, the OS's."""
    light = _rules(LIGHT_STYLE, ".highlight")
    dark_rules = _rules(DARK_STYLE, ":root[data-theme=dark] .highlight")
    dark_auto = _rules(DARK_STYLE, ":root:not([data-theme=light]) .highlight")
    return f"{light}\n{dark_rules}\n@media (prefers-color-scheme: dark) {{\n{dark_auto}\n}}\n"


def _rules(style: str, scope: str) -> str:
    return str(HtmlFormatter(style=style).get_style_defs(scope))  # type: ignore[no-untyped-call]
