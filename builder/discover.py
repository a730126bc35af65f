"""Find a site's source files: lessons (content/**/*.md), the other files published beside them, and the
files of static/. Only what lies, on its real path, inside its own folder is found (builder.reading)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from builder.diagnostics import Diagnostic, Diagnostics
from builder.reading import hidden, scan

CONTENT_DIR = "content"
STATIC_DIR = "static"
WELL_KNOWN = f"{STATIC_DIR}/.well-known"  # RFC 8615: the one hidden folder a site may publish


@dataclass(frozen=True, slots=True)
class Sources:
    lessons: tuple[str, ...]  # site-relative POSIX paths, sorted: "content/api/intro.md"
    assets: tuple[str, ...]
    folders: frozenset[str]  # every content folder, site-relative: "content/api"
    static: tuple[str, ...] = ()  # "static/robots.txt", copied to the output root


def _ignored(rel: str) -> bool:
    return rel.rpartition("/")[2].startswith((".", "_"))


def _not_published(rel: str) -> bool:
    return hidden(rel.rpartition("/")[2]) and rel != WELL_KNOWN


def discover(site_dir: Path) -> tuple[Sources, list[Diagnostic]]:
    """find_sources for a caller outside the build's stages: the sources and their problems."""
    report = Diagnostics()
    return find_sources(site_dir, report), report


def find_sources(site_dir: Path, report: Diagnostics) -> Sources:
    """The discover stage: the lessons, the files beside them and static/ (what cannot be read, reported)."""
    content = scan(site_dir, CONTENT_DIR, skip=_ignored)
    static = scan(site_dir, STATIC_DIR, skip=_not_published)
    lessons = tuple(path for path in content.files if path.lower().endswith(".md"))
    assets = tuple(path for path in content.files if not path.lower().endswith(".md"))
    report += [*content.problems, *static.problems]
    return Sources(lessons, assets, content.folders, static.files)


def static_files(site_dir: Path) -> tuple[str, ...]:
    """The files of static/ that are published (site-relative)."""
    return scan(site_dir, STATIC_DIR, skip=_not_published).files
