"""The benchmark's peers: the generated kb corpus converted into a Hugo site and into a Pelican project.

The converters know the generated corpus (benchmarks/generate.py), not every kb site: a lesson's slug is its
file name, and its links are `[text](path/lesson-N.md#anchor)` or `[[lesson-N]]`.
"""

from __future__ import annotations

import datetime as dt
import json
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
class PeerEnv:
    """The peers' virtual environment, apart from kb's: Pelican pins an older Pygments than kb gets."""

    root: Path
    versions: dict[str, str]  # distribution -> installed version

    @property
    def python(self) -> Path:
        return self.root / "bin" / "python"


@dataclass(frozen=True)
class Peer:
    """One peer generator: how to lay out its project, build it, and find its output."""

    name: str
    packages: tuple[tuple[str, str], ...]  # (distribution, required version prefix, "" for any)
    write: Callable[[Corpus, Path], None]
    command: Callable[[Path, PeerEnv], list[str]]
    output: str  # the output folder, relative to the project
    scratch: tuple[str, ...]  # folders deleted before a cold build, besides the output

    def label(self, env: PeerEnv) -> str:
        return f"{self.name} {env.versions[self.packages[0][0]]}"


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


VERSIONS = """\
import importlib.metadata as m, json, sys
found = {}
for dist in sys.argv[1:]:
    try:
        found[dist] = m.version(dist)
    except m.PackageNotFoundError:
        pass
print(json.dumps(found))
"""


def peer_env(root: Path, peers: list[Peer]) -> PeerEnv:
    """The peers' virtual environment at root, created and pip-installed into where anything is missing."""
    packages = [package for peer in peers for package in peer.packages]
    if not packages:
        return PeerEnv(root, {})
    if not (root / "bin" / "python").is_file():
        print(f"bench: creating {root}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(root)], check=True)
    env = PeerEnv(root, _versions(root, [dist for dist, _ in packages]))
    missing = [_requirement(dist, prefix) for dist, prefix in packages if not _fits(env, dist, prefix)]
    if missing:
        print(f"bench: installing {' '.join(missing)} into {root}", file=sys.stderr)
        pip = [str(env.python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *missing]
        subprocess.run(pip, check=True, stdout=sys.stderr)
        env = PeerEnv(root, _versions(root, [dist for dist, _ in packages]))
    return env


def _versions(root: Path, dists: list[str]) -> dict[str, str]:
    command = [str(root / "bin" / "python"), "-c", VERSIONS, *dists]
    found: dict[str, str] = json.loads(subprocess.run(command, check=True, capture_output=True).stdout)
    return found


def _fits(env: PeerEnv, dist: str, prefix: str) -> bool:
    version = env.versions.get(dist)
    return version is not None and (not prefix or version.startswith(prefix + "."))


def _requirement(dist: str, prefix: str) -> str:
    return f"{dist}=={prefix}.*" if prefix else dist
