"""Pagefind indexing of a built site folder, run on the staged output before it is swapped in."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

BUNDLE_DIR = "pagefind"
VOCABULARY_FILE = "kb-vocabulary.json"
TIMEOUT_SECONDS = 900

# What a reader searches by: headings and the title/summary/terms block of lesson.html.
_HEADING = re.compile(r"<h[1-6][^>]*>(.*?)</h[1-6]>", re.DOTALL)
_SEARCH_TERMS = re.compile(r'<div data-pagefind-weight="\d+">(.*?)</div>', re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[^\W\d_]{4,}")


class SearchIndexError(Exception):
    """Pagefind is missing or failed: an environment problem, reported without a traceback."""


def pagefind_executable() -> Path:
    """The Pagefind binary from the pagefind-bin wheel, or KB_PAGEFIND when set."""
    override = os.environ.get("KB_PAGEFIND")
    if override:
        return Path(override)
    try:
        import pagefind_bin
    except ImportError:
        raise SearchIndexError("Pagefind is not installed: pip install 'pagefind[bin]'") from None
    try:
        return Path(pagefind_bin.get_executable())
    except FileNotFoundError as exc:
        raise SearchIndexError(f"the Pagefind binary is missing ({exc}); reinstall 'pagefind[bin]'") from None


def index_site(site_root: Path, bundle: Path | None = None) -> None:
    """Write the search bundle (into site_root/pagefind/ unless told) from the data-pagefind-* markup."""
    executable = pagefind_executable()
    bundle = bundle or site_root / BUNDLE_DIR
    command = [str(executable), "--site", str(site_root), "--output-path", str(bundle.resolve()), "--silent"]
    try:
        completed = subprocess.run(
            command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
        )
    except FileNotFoundError:
        raise SearchIndexError(f"the Pagefind binary {executable} does not exist") from None
    except PermissionError:
        raise SearchIndexError(f"the Pagefind binary {executable} cannot be run") from None
    except subprocess.TimeoutExpired:
        raise SearchIndexError(f"Pagefind did not finish within {TIMEOUT_SECONDS} s") from None
    except OSError as exc:
        raise SearchIndexError(f"Pagefind could not start: {exc}") from None
    if completed.returncode != 0:
        detail = " ".join((completed.stderr or completed.stdout).strip().splitlines()[-3:])
        raise SearchIndexError(f"Pagefind failed with exit status {completed.returncode}: {detail}")
    if not (bundle / "pagefind.js").is_file():
        raise SearchIndexError("Pagefind ran but wrote no pagefind.js")
    write_vocabulary(site_root.rglob("*.html"), bundle / VOCABULARY_FILE)


def vocabulary(page: str) -> set[str]:
    """The words of an indexed page's headings, title, summary and terms (the typo pass corrects to these)."""
    if "data-pagefind-body" not in page:
        return set()
    words: set[str] = set()
    for pattern in (_HEADING, _SEARCH_TERMS):
        for match in pattern.finditer(page):
            text = html.unescape(_TAG.sub(" ", match.group(1)))
            words.update(word.casefold() for word in _WORD.findall(text))
    return words


def write_vocabulary(pages: Iterable[Path], target: Path) -> None:
    words: set[str] = set()
    for page in pages:
        words |= vocabulary(page.read_text(encoding="utf-8", errors="replace"))
    target.write_text(json.dumps(sorted(words), separators=(",", ":")), encoding="utf-8")
