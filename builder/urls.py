"""URLs that come from site.yml or front matter: only http(s), mailto: and relative URLs reach a page."""

from __future__ import annotations

import re
from collections.abc import Iterator

from builder.diagnostics import Diagnostic, error
from builder.yamlsource import YamlDocument, YamlPath

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")
# what browsers drop before reading a scheme: leading C0 controls and spaces, tabs and newlines anywhere
_IGNORED_LEADING = "".join(chr(c) for c in range(0x21))
_IGNORED_ANYWHERE = str.maketrans("", "", "\t\n\r")
# characters a base URL must not hold: they would need escaping wherever the base path is written
# a plain space is allowed: a base path such as /café kb/ is served and linked as it is (issue 12)
_UNSAFE_IN_BASE = re.compile(r"[^\S ]|[\"'<>\\`{}|^\x00-\x1f\x7f]")


def unsafe_url(value: str) -> str | None:
    """Why value must not become a link (its scheme), or None for http(s), mailto: and relative URLs."""
    found = _SCHEME.match(value.translate(_IGNORED_ANYWHERE).lstrip(_IGNORED_LEADING))
    if found is None or found.group(1).lower() in SAFE_SCHEMES:
        return None
    return f"'{found.group(1).lower()}:' URLs are not allowed; use an http(s), mailto: or relative URL"


def unsafe_base_url(value: str) -> str | None:
    found = _UNSAFE_IN_BASE.search(value)
    if found is None:
        return None
    return (
        f"must not contain {found.group()!r}: quotes, '<', '>', '\\', tabs, line breaks and control"
        " characters are refused (percent-encode them)"
    )


def is_url_key(key: object) -> bool:
    """Whether a mapping key names a URL: url, href, or a name ending in _url / -url."""
    if not isinstance(key, str):
        return False
    name = key.lower()
    return name in {"url", "href", "link", "src"} or name.endswith(("_url", "-url"))


def url_problems(
    document: YamlDocument, path: str, *, skip: frozenset[YamlPath] = frozenset()
) -> list[Diagnostic]:
    """An invalid-value error at every URL-named field of the document whose scheme is not allowed."""
    problems: list[Diagnostic] = []
    for where, value in _url_fields(document.data, ()):
        reason = unsafe_url(value)
        if reason is None or where in skip:
            continue
        at = document.value_at(where)
        name = ".".join(str(part) for part in where)
        problems.append(error(path, at.line, at.col, "invalid-value", f"'{name}': {reason}"))
    return problems


def _url_fields(data: object, where: YamlPath) -> Iterator[tuple[YamlPath, str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, str) and is_url_key(key):
                yield (*where, key), value
            else:
                yield from _url_fields(value, (*where, key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _url_fields(item, (*where, index))
