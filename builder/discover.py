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
    content = site_dir / CONTENT_DIR
    lessons: list[str] = []
    assets: list[str] = []
    folders: set[str] = set()
    diagnostics: list[Diagnostic] = []
    if not content.is_dir():
        return Sources((), (), frozenset()), diagnostics
    for folder, dirnames, filenames in os.walk(content, followlinks=False):
        here = Path(folder)
        rel_folder = here.relative_to(site_dir).as_posix()
        folders.add(rel_folder)
        kept_dirs = []
        for name in sorted(dirnames):
            if _ignored(name):
                continue
            if (here / name).is_symlink():
                diagnostics.append(_refused_link(site_dir, here / name, root))
                continue
            kept_dirs.append(name)
        dirnames[:] = kept_dirs
        for name in sorted(filenames):
            if _ignored(name):
                continue
            path = here / name
            rel = path.relative_to(site_dir).as_posix()
            if path.is_symlink() and not _inside(path, root):
                diagnostics.append(_refused_link(site_dir, path, root))
                continue
            if not path.is_file():
                continue
            (lessons if name.endswith(".md") else assets).append(rel)
    return Sources(tuple(sorted(lessons)), tuple(sorted(assets)), frozenset(folders)), diagnostics


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
