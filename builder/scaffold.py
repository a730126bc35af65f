"""`kb new`: write a lesson that already passes `kb check`, never overwriting anything."""

from __future__ import annotations

import datetime as dt
import sys
import unicodedata
from pathlib import Path, PurePosixPath

import yaml

from builder.config import load_config
from builder.diagnostics import did_you_mean, format_text
from builder.discover import CONTENT_DIR, discover
from builder.frontmatter import MAX_FRONT_MATTER_CHARS, SUMMARY_MAX, guess_slug
from builder.slugs import MAX_ID, slugify

SUMMARY = "What a reader learns from '{title}' and why it matters."

TEMPLATE = """---
title: {title}
date: {date}
summary: {summary}
topics: [{topics}]
{skills}{level}---
Open with the failure this lesson prevents, in two or three sentences.

## How it shows up in production

Describe the symptoms a reader would see: errors, latencies, alerts.

## The fix

Show the change, with a small example that runs:

```python
def example() -> str:
    return "replace me"
```

## How to verify it

Say how a reader proves the fix works: a test, a query, a metric.
"""


def new_lesson(
    site_dir: Path, title: str, topics: list[str], skills: list[str], level: str | None, subdir: str = ""
) -> int:
    loaded, diagnostics = load_config(site_dir)
    if loaded is None:
        sys.stdout.write(format_text(diagnostics))
        return 1
    config = loaded.config
    topics, skills = list(dict.fromkeys(topics)), list(dict.fromkeys(skills))  # --topic x --topic x
    problems = [
        f"unknown {kind[:-1]} '{term}'{did_you_mean(term, config.vocabulary(kind))}; choose from: "
        + ", ".join(sorted(config.vocabulary(kind)))
        for kind, terms in (("topics", topics), ("skills", skills))
        for term in terms
        if term not in config.vocabulary(kind)
    ]
    title = title.strip()
    slug = _short_slug(title)
    folder = PurePosixPath(subdir.strip("/")) if subdir else PurePosixPath()
    if not slug:
        problems.append("the title needs at least one letter or digit")
    if any(unicodedata.category(char) in {"Cc", "Cs", "Zl", "Zp"} for char in title):
        problems.append("the title holds a control character; use plain text")
    problems += _folder_problems(site_dir, folder, subdir)
    target = site_dir / CONTENT_DIR / folder / f"{slug}.md"
    if slug in {"readme", "index"}:
        problems.append(f"'{title}' would name the folder's own lesson (README.md); choose another title")
    elif slug and not problems and not target.exists() and slug in _slugs_in_use(site_dir):
        problems.append(f"a lesson with slug '{slug}' exists already; choose another title")
    if problems:
        for problem in problems:
            print(f"kb new: {problem}", file=sys.stderr)
        return 2
    text = TEMPLATE.format(
        title=_yaml_string(title),
        date=dt.date.today().isoformat(),
        summary=_yaml_string(_summary(title)),
        topics=", ".join(map(_yaml_id, topics)),
        skills=f"skills: [{', '.join(map(_yaml_id, skills))}]\n" if skills else "",
        level=f"level: {level}\n" if level else "",
    )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        print(f"kb new: {target} already exists; it was left untouched", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"kb new: cannot write {target}: {exc.strerror}", file=sys.stderr)
        return 2
    print(target)
    return 0


def _short_slug(title: str) -> str:
    """The title's slug, cut at a hyphen to at most MAX_ID characters."""
    slug = slugify(title)
    if len(slug) <= MAX_ID:
        return slug
    cut = slug[: MAX_ID + 1]
    return cut[: cut.rfind("-")] if "-" in cut else cut[:MAX_ID]


def _summary(title: str) -> str:
    """A placeholder summary naming the title, within SUMMARY_MAX characters."""
    text = SUMMARY.format(title=title)
    if len(text) <= SUMMARY_MAX:
        return text
    room = SUMMARY_MAX - len(SUMMARY.format(title="")) - 1
    return SUMMARY.format(title=title[:room].rstrip() + "…")


def _folder_problems(site_dir: Path, folder: PurePosixPath, subdir: str) -> list[str]:
    if folder.is_absolute() or ".." in folder.parts or "\\" in subdir:
        return [f"--dir '{subdir}' must be a folder inside content/"]
    if any(part.startswith((".", "_")) for part in folder.parts):
        return [f"--dir '{subdir}': folders starting with '.' or '_' are not built; choose another"]
    path = site_dir / CONTENT_DIR
    for part in folder.parts:
        path = path / part
        if path.exists() and not path.is_dir():
            return [f"--dir '{subdir}': {path} is a file, not a folder"]
    return []


def _slugs_in_use(site_dir: Path) -> set[str]:
    """The slugs of the site's lessons (a guess for files with errors): a new lesson must not take one."""
    sources, _ = discover(site_dir)
    slugs = set()
    for path in sources.lessons:
        try:
            with (site_dir / path).open("rb") as handle:
                slugs.add(guess_slug(path, handle.read(MAX_FRONT_MATTER_CHARS)))
        except OSError:
            continue
    return slugs


def _yaml_string(text: str) -> str:
    """A double-quoted YAML scalar: safe whatever the text holds."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _yaml_id(term: str) -> str:
    """A term id as YAML reads it back: quoted when YAML would read another type (no, 2024, null)."""
    return term if yaml.safe_load(term) == term else f'"{term}"'
