"""The benchmark's peers: the generated kb corpus converted into a Hugo site and into a Pelican project.

The converters know the generated corpus (benchmarks/generate.py), not every kb site: a lesson's slug is its
file name, and its links are `[text](path/lesson-N.md#anchor)` or `[[lesson-N]]`.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.metadata
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# A relative link to a lesson file, optionally with a folder and an anchor: ](../area-01/lesson-000001.md#x)
MD_LINK = re.compile(r"\]\((?![a-z][a-z0-9+.-]*:)(?:[^)\s#]*/)?([^)/\s#]+)\.md(#[^)\s]*)?\)")
# [[slug]], [[slug#anchor]], [[slug|text]]
WIKI_LINK = re.compile(r"\[\[([^\]|#]+)(#[^\]|]*)?(?:\|([^\]]*))?\]\]")


@dataclass(frozen=True)
class Lesson:
    slug: str
    front_text: str  # the YAML between the two --- lines, as written
    front: dict[str, Any]
    body: str


@dataclass(frozen=True)
class Corpus:
    title: str
    base_url: str
    terms: dict[str, dict[str, str]]  # "topics" / "skills" -> id -> title
    lessons: list[Lesson]

    def titles(self) -> dict[str, str]:
        return {lesson.slug: str(lesson.front["title"]) for lesson in self.lessons}


@dataclass(frozen=True)
class Peer:
    """One peer generator: how to lay out its project, build it, and find its output."""

    name: str
    packages: tuple[tuple[str, str], ...]  # (distribution, required version prefix, "" for any)
    write: Callable[[Corpus, Path], None]
    command: Callable[[Path], list[str]]
    output: str  # the output folder, relative to the project
    scratch: tuple[str, ...]  # folders deleted before a cold build, besides the output

    def version(self) -> str:
        return importlib.metadata.version(self.packages[0][0])


def read_corpus(site: Path) -> Corpus:
    config = yaml.safe_load((site / "site.yml").read_text(encoding="utf-8"))
    terms = {
        kind: {key: str(value["title"]) for key, value in config.get(kind, {}).items()}
        for kind in ("topics", "skills")
    }
    lessons = [_read_lesson(path) for path in sorted((site / "content").rglob("*.md"))]
    return Corpus(str(config["title"]), str(config["base_url"]), terms, lessons)


def _read_lesson(path: Path) -> Lesson:
    _, front_text, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return Lesson(path.stem, front_text, yaml.safe_load(front_text), body)


def plain_links(body: str, titles: dict[str, str]) -> str:
    """Lesson links as relative URLs between /lessons/SLUG/ pages; wiki links titled like kb titles them."""

    def wiki(match: re.Match[str]) -> str:
        slug, anchor, text = match.group(1), match.group(2) or "", match.group(3)
        return f"[{text or titles.get(slug, slug)}](../{slug}/{anchor})"

    body = MD_LINK.sub(lambda m: f"](../{m.group(1)}/{m.group(2) or ''})", body)
    return WIKI_LINK.sub(wiki, body)


def iso_date(value: object) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def lesson_pages(public: Path) -> int:
    """Pages written at lessons/SLUG/index.html: one per lesson in every generator's output here."""
    return sum(1 for _ in public.glob("lessons/*/index.html"))


def ensure_installed(peers: list[Peer]) -> None:
    """pip install the peers' packages that are missing or of another version series."""
    wanted = [_requirement(dist, prefix) for peer in peers for dist, prefix in peer.packages]
    missing = [req for req, ok in wanted if not ok]
    if missing:
        print(f"installing {' '.join(missing)}", file=sys.stderr)
        pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *missing]
        subprocess.run(pip, check=True, stdout=sys.stderr)
        importlib.invalidate_caches()


def _requirement(dist: str, prefix: str) -> tuple[str, bool]:
    requirement = f"{dist}=={prefix}.*" if prefix else dist
    try:
        version = importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return requirement, False
    return requirement, not prefix or version.startswith(prefix + ".")
