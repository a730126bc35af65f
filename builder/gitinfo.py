"""What git knows about a site's sources: the last commit date of every lesson, read in one pass.

Outside a git checkout (or without git) everything here answers "nothing known", and the build goes on.
A shallow clone is detected, since its history would give wrong dates, and reported once as a warning.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from builder.diagnostics import Diagnostic, warning
from builder.graph import Lesson

_SEPARATOR = "\x1e"  # starts each commit in the log output; never part of a file name git prints raw


@dataclass(frozen=True, slots=True)
class GitInfo:
    head: str = ""  # the commit checked out; "" outside a checkout
    prefix: str = ""  # the site folder's path inside the repository: "" or "docs/"
    last_changed: dict[str, dt.date] = field(default_factory=dict)  # site-relative path -> commit date
    shallow: bool = False

    def diagnostics(self) -> list[Diagnostic]:
        if not self.shallow:
            return []
        message = (
            "this is a shallow git clone: lesson dates taken from history may be wrong"
            " (fetch the full history, e.g. actions/checkout with fetch-depth: 0)"
        )
        return [warning("site.yml", 1, 1, "shallow-clone", message)]


def _git(site_dir: Path, *args: str) -> str | None:
    if shutil.which("git") is None:
        return None
    try:
        done = subprocess.run(
            ["git", "-C", str(site_dir), *args],
            capture_output=True,
            check=False,
            timeout=120,
            env={"LC_ALL": "C", "GIT_OPTIONAL_LOCKS": "0", "PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", "surrogateescape")


def head_commit(site_dir: Path) -> str:
    """The checked-out commit, or "" outside a git checkout: cheap enough to decide whether to re-read."""
    out = _git(site_dir, "rev-parse", "--verify", "-q", "HEAD")
    return out.strip() if out else ""


def read_git_info(site_dir: Path, head: str | None = None) -> GitInfo:
    head = head_commit(site_dir) if head is None else head
    if not head:
        return GitInfo()
    prefix = repo_prefix(site_dir)
    shallow = (_git(site_dir, "rev-parse", "--is-shallow-repository") or "").strip() == "true"
    log = _git(
        site_dir,
        "-c",
        "core.quotepath=off",
        "log",
        f"--format={_SEPARATOR}%cs",
        "--name-only",
        "--no-renames",
        "--relative",
        "HEAD",
        "--",
        "content",
    )
    return GitInfo(head, prefix, parse_log(log or ""), shallow)


def parse_log(log: str) -> dict[str, dt.date]:
    """`git log --format=<sep>%cs --name-only` output (newest first) -> each file's newest date."""
    found: dict[str, dt.date] = {}
    for chunk in log.split(_SEPARATOR)[1:]:
        lines = chunk.split("\n")
        try:
            day = dt.date.fromisoformat(lines[0].strip())
        except ValueError:
            continue
        for name in lines[1:]:
            if name and name not in found:
                found[name] = day
    return found


def repo_prefix(site_dir: Path) -> str:
    """The site folder's path inside its git repository ("" at the top or outside git)."""
    return (_git(site_dir, "rev-parse", "--show-prefix") or "").strip()


def dated(lesson: Lesson, info: GitInfo) -> Lesson:
    """The lesson with the date of its last commit as 'updated', when it sets none and that is later."""
    meta = lesson.source.meta
    day = info.last_changed.get(lesson.source.path)
    if meta.updated is not None or day is None or day <= meta.date:
        return lesson
    source = dataclasses.replace(lesson.source, meta=meta.model_copy(update={"updated": day}))
    return dataclasses.replace(lesson, source=source)
