"""Small files that used to take quadratic time: seconds to parse before and after the fixes of #12.

    python -m benchmarks.pathological            # the sizes of the issue (the "before" column takes minutes)
    python -m benchmarks.pathological --scale 0.25

"Before" is the parser as it was: mdit-py-plugins' anchors plugin for heading ids, its GFM protocol
autolink rule, and a wiki-link rule that searched for "]]" from every "[[". "After" is kb's parser.
Each case is also timed at half size: a ratio near 2 is linear, near 4 quadratic.
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.gfm import gfm_plugin

from builder.markdown import _parser
from builder.slugs import heading_id

CASES: list[tuple[str, Callable[[int], str], int]] = [
    ("'## Q' headings", lambda n: "## Q\n\n" * n, 20_000),
    ("'<http://a' repeated", lambda n: "<http://a" * n, 20_000),
    ("'[' repeated", lambda n: "[" * n, 100_000),
    ("'(http://a<' repeated", lambda n: "(http://a<" * n, 10_000),
    ("' mailto:' repeated", lambda n: " mailto:" * n, 20_000),
]


def _old_wikilinks(md: MarkdownIt) -> None:
    def wikilink(state: StateInline, silent: bool) -> bool:
        start = state.pos
        if not state.src.startswith("[[", start):
            return False
        end = state.src.find("]]", start + 2)
        inner = state.src[start + 2 : end] if end >= 0 else ""
        if not inner.strip() or "\n" in inner or "[" in inner or "]" in inner:
            return False
        state.pos = end + 2
        return True

    md.inline.ruler.before("link", "wikilink", wikilink)


def before() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False})
    md.use(gfm_plugin)
    md.use(anchors_plugin, min_level=1, max_level=6, slug_func=heading_id)
    md.use(_old_wikilinks)
    return md


def seconds(md: MarkdownIt, text: str) -> float:
    started = time.perf_counter()
    md.parse(text)
    return time.perf_counter() - started


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--scale", type=float, default=1.0, help="multiply every size (default 1)")
    options.add_argument("--no-before", action="store_true", help="time kb's parser only")
    args = options.parse_args()
    gc.set_threshold(50_000, 20, 100)  # as kb's command line does: fewer passes over many live tokens
    old, new = before(), _parser(False)
    print(f"{'case':24} {'size':>8} {'before s':>9} {'(half)':>8} {'after s':>8} {'(half)':>8}")
    for name, make, size in CASES:
        n = max(2, int(size * args.scale))
        text, half = make(n), make(n // 2)
        if args.no_before:
            old_full = old_half = "-"
        else:
            old_half = f"{seconds(old, half):.2f}"
            old_full = f"{seconds(old, text):.2f}"
        new_half, new_full = seconds(new, half), seconds(new, text)
        print(f"{name:24} {n:>8} {old_full:>9} {old_half:>8} {new_full:>8.2f} {new_half:>8.2f}", flush=True)


if __name__ == "__main__":
    main()
