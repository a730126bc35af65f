"""GFM's `http://`, `https://`, `mailto:` and `xmpp:` autolinks, in time linear in the text.

mdit-py-plugins' `gfm_autolink_protocol` rule runs at every ':'. For each one it searches all the text
pending since the last token with a regex anchored at the end (`(?:^|.)(https?|mailto|xmpp)$`, tried
at every position) and copies the whole rest of the paragraph, so a paragraph with many colons and few
tokens takes quadratic time (`"<http://a" * 20000` took 49 s). This rule gives the same links: the
protocol is read from the end of the pending text, and only the candidate URL is copied, which ends at
the first whitespace or `<` (GFM: "`<` immediately ends an autolink").
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.gfm_autolink._match import match_any_email, match_http
from mdit_py_plugins.gfm_autolink.index import _create_autolink, _preceding_ok

PROTOCOLS = ("https", "http", "mailto", "xmpp")  # "https" before "http": the longer name wins
_URL_END = re.compile("[ \t\r\n\x00\x0b\x0c<]")


def protocol_rule(state: StateInline, silent: bool) -> bool:
    """The inline rule at a ':' that ends a protocol name: a link from there to the URL's end."""
    if state.linkLevel > 0:
        return False
    pos, src = state.pos, state.src
    if src[pos] != ":" or state.posMax - pos < 4:
        return False
    proto = next((name for name in PROTOCOLS if state.pending.endswith(name)), None)
    if proto is None or not _preceding_ok(state, len(proto)):
        return False
    end = _URL_END.search(src, pos, state.posMax)
    remaining = src[pos : end.start() if end else state.posMax]
    if len(remaining) < 4:
        return False
    combined = proto + remaining
    if proto in ("mailto", "xmpp"):
        result = match_any_email(combined, len(proto) + 1, proto)
    else:
        result = match_http(combined)
    if result is None or silent:  # autolinks are made only when emitting tokens, as upstream
        return False
    url, length = result
    return _create_autolink(state, len(proto), length, url, combined[:length])


def linear_autolinks(md: MarkdownIt) -> None:
    """Replace the gfm plugin's protocol rule (use after gfm_plugin)."""
    md.inline.ruler.at("gfm_autolink_protocol", protocol_rule)
