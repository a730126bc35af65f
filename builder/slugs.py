"""Slugs of lessons and terms, and GitHub-compatible heading ids."""

from __future__ import annotations

import re
import unicodedata

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
MAX_ID = 100  # slugs and ids name folders of the output: well under any file system's name limit
_SLUG = re.compile(SLUG_PATTERN)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def is_slug(text: str) -> bool:
    return len(text) <= MAX_ID and bool(_SLUG.match(text))


def slugify(text: str) -> str:
    """'Async Python, Done Right!' -> 'async-python-done-right' (accents folded, anything else dropped)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NOT_SLUG.sub("-", folded.lower()).strip("-")


_HEADING_DROP = re.compile(r"[^\w\- ]")


def heading_id(text: str) -> str:
    """GitHub's rule: lowercase, punctuation dropped, each space becomes a hyphen."""
    return _HEADING_DROP.sub("", text.strip().lower()).replace(" ", "-")
