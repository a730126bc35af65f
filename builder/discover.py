"""Find a site's source files: lessons (content/**/*.md) and the other files published beside them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from builder.diagnostics import Diagnostic, error

CONTENT_DIR = "content"


@dataclass(frozen=True, slots=True)
class Sources:
    lessons: tuple[str, ...]  # site-relative POSIX paths, sorted: "content/api/intro.md"
    assets: tuple[str, ...]
    folders: frozenset[str]  # every content folder, site-relative: "content/api"


def _ignored(name: str) -> bool:
    return name.startswith((".", "_"))


def discover(site_dir: Path) -> tuple[Sources, list[Diagnostic]]:
    root = site_dir.resolve()
    lessons: list[str] = []
    assets: list[str] = []
    folders: set[str] = set()
    diagnostics: list[Diagnostic] = []
    if not (site_dir / CONTENT_DIR).is_dir():
        return Sources((), (), frozenset()), diagnostics
    pending = [CONTENT_DIR]  # site-relative POSIX folders still to read
    while pending:
        folder = pending.pop()
        folders.add(folder)
        with os.scandir(site_dir / folder) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
        for entry in entries:
            if _ignored(entry.name):
                continue
            rel = f"{folder}/{entry.name}"
            if not utf8_name(entry.name):
                message = "the file name is not valid UTF-8; rename it"
                diagnostics.append(error(printable(rel), 1, 1, "encoding", message))
                continue
            if entry.is_symlink():
                path = site_dir / rel
                try:
                    refused = entry.is_dir() or not _inside(path, root)
                except OSError:  # a symlink loop
                    message = "symlink loop: this link leads back to itself; remove it"
                    diagnostics.append(error(rel, 1, 1, "unsafe-path", message))
                    continue
                if refused:
                    diagnostics.append(_refused_link(site_dir, path, root))
                    continue
            if entry.is_dir(follow_symlinks=False):
                pending.append(rel)
            elif entry.is_file():
                (lessons if entry.name.lower().endswith(".md") else assets).append(rel)
    return Sources(tuple(sorted(lessons)), tuple(sorted(assets)), frozenset(folders)), diagnostics


def utf8_name(name: str) -> bool:
    """Whether a file name read from the disk is valid UTF-8 (Python keeps other bytes as surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def printable(name: str) -> str:
    """A file name that is not valid UTF-8, shown with U+FFFD in place of its bad bytes."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def _refused_link(site_dir: Path, path: Path, root: Path) -> Diagnostic:
    rel = path.relative_to(site_dir).as_posix()
    if _inside(path, root):
        return error(
            rel, 1, 1, "unsafe-path", "symlinked folders are not followed; move the files into content/"
        )
    return error(rel, 1, 1, "unsafe-path", "symlink points outside the site folder; it is not published")
