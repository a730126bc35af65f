"""`kb new`: write a lesson that already passes `kb check`, never overwriting anything."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path, PurePosixPath

from builder.config import load_config
from builder.diagnostics import did_you_mean, format_text
from builder.discover import CONTENT_DIR
from builder.slugs import slugify
from builder.taxonomy import Kind

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
    problems = [
        f"unknown {kind.singular} '{term}'{did_you_mean(term, config.vocabulary(kind))}; choose from: "
        + ", ".join(sorted(config.vocabulary(kind)))
        for kind, terms in ((Kind.TOPICS, topics), (Kind.SKILLS, skills))
        for term in terms
        if term not in config.vocabulary(kind)
    ]
    slug = slugify(title)
    folder = PurePosixPath(subdir.strip("/")) if subdir else PurePosixPath()
    if not title.strip() or not slug:
        problems.append("the title needs at least one letter or digit")
    if folder.is_absolute() or ".." in folder.parts or "\\" in subdir:
        problems.append(f"--dir '{subdir}' must be a folder inside content/")
    if problems:
        for problem in problems:
            print(f"kb new: {problem}", file=sys.stderr)
        return 2
    target = site_dir / CONTENT_DIR / folder / f"{slug}.md"
    text = TEMPLATE.format(
        title=_yaml_string(title.strip()),
        date=dt.date.today().isoformat(),
        summary=_yaml_string(f"What a reader learns from '{title.strip()}' and why it matters."),
        topics=", ".join(topics),
        skills=f"skills: [{', '.join(skills)}]\n" if skills else "",
        level=f"level: {level}\n" if level else "",
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with target.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        print(f"kb new: {target} already exists; it was left untouched", file=sys.stderr)
        return 1
    print(target)
    return 0


def _yaml_string(text: str) -> str:
    """A double-quoted YAML scalar: safe whatever the text holds."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
