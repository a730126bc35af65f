"""Read only inside the site: every file kb reads resolves, on its real path, inside its own source root.

A source root (content/, static/, a theme's folder, the site folder for site.yml) must be a real folder of
the site, not a symlink; a symlinked file is read only when its target lies inside the same root and is not
hidden; symlinked folders are never followed; hidden files and folders are never read.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from builder.diagnostics import Diagnostic, error


@dataclass(frozen=True, slots=True)
class Scan:
    files: tuple[str, ...]  # site-relative POSIX paths, sorted
    folders: frozenset[str]  # the root and every folder below it that was read
    problems: tuple[Diagnostic, ...]


def hidden(name: str) -> bool:
    return name.startswith(".")


def outside_reason(path: Path, root: Path, site_dir: Path) -> str | None:
    """Why the file at path may not be read as part of root (a folder of site_dir, or site_dir itself):
    its real path leaves root, or lands on a hidden file. None when it may be read."""
    real_site = Path(os.path.realpath(site_dir))
    real_root = real_site / root.relative_to(site_dir) if root != site_dir else real_site
    real = Path(os.path.realpath(path))
    shown = _shown(root, site_dir)
    if not real.is_relative_to(real_root):
        return f"resolves outside {shown}"
    if any(hidden(part) for part in real.relative_to(real_root).parts):
        return f"resolves to a hidden file ({real.relative_to(real_site).as_posix()})"
    return None


def symlinked_root(site_dir: Path, root: str) -> str | None:
    """The first part of root (site-relative) that is a symlink, or None."""
    parts = PurePosixPath(root).parts
    for end in range(1, len(parts) + 1):
        prefix = "/".join(parts[:end])
        if (site_dir / prefix).is_symlink():
            return prefix
    return None


def scan(site_dir: Path, root: str, *, skip: Callable[[str], bool] = lambda rel: False) -> Scan:
    """Every file under site_dir/root that kb may read, and an unsafe-path error for each it may not.
    skip(rel) leaves an entry out silently (hidden files, ignored names)."""
    linked = symlinked_root(site_dir, root)
    if linked is not None:
        message = f"{linked}/ is a symlink; kb reads only real folders inside the site"
        return Scan((), frozenset(), (error(linked, 1, 1, "unsafe-path", message),))
    base = site_dir / root
    if not base.is_dir():
        return Scan((), frozenset(), ())
    files: list[str] = []
    folders: set[str] = set()
    problems: list[Diagnostic] = []
    pending = [root]
    while pending:
        folder = pending.pop()
        folders.add(folder)
        with os.scandir(site_dir / folder) as entries:
            ordered = sorted(entries, key=lambda entry: entry.name)
        for entry in ordered:
            rel = f"{folder}/{entry.name}"
            if skip(rel):
                continue
            if not utf8_name(entry.name):
                message = "the file name is not valid UTF-8; rename it"
                problems.append(error(printable(rel), 1, 1, "encoding", message))
                continue
            if entry.is_symlink():
                reason = _link_reason(site_dir, rel, base, root)
                if reason is not None:
                    problems.append(error(rel, 1, 1, "unsafe-path", reason))
                    continue
            if entry.is_dir(follow_symlinks=False):
                pending.append(rel)
            elif entry.is_file():
                files.append(rel)
    return Scan(tuple(sorted(files)), frozenset(folders), tuple(problems))


def _link_reason(site_dir: Path, rel: str, base: Path, root: str) -> str | None:
    path = site_dir / rel
    try:
        path.stat()
    except OSError:  # a symlink loop, or a link to nothing
        return "symlink loop or dangling link: it leads nowhere readable; remove it"
    if path.is_dir():
        return f"symlinked folders are not followed; move the files into {root}/"
    outside = outside_reason(path, base, site_dir)
    if outside is not None:
        return f"symlink {outside}; it is not read"
    return None


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


def _shown(root: Path, site_dir: Path) -> str:
    return "the site folder" if root == site_dir else f"{root.relative_to(site_dir).as_posix()}/"
