#!/usr/bin/env python3
"""One GitHub issue per owner from `kb review --format json`: run by .github/workflows/review-reminders.yml.

    python scripts/review_issues.py QUEUE.json [--dry-run]

For each owner with lessons due, the open issue labelled `lesson-review` and titled
"Lessons due for review: @OWNER" gets its body replaced, or is opened (assigned to the owner when GitHub
allows it). An owner's open issue with nothing due any more is closed with a comment. Lessons without an
owner share the issue "Lessons due for review: no owner". It talks to GitHub only through the `gh` command
(GH_TOKEN and GH_REPO in the environment); --dry-run prints the `gh` commands instead of running them.
Standard library only, so the workflow needs nothing but kb installed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LABEL = "lesson-review"
TITLE_PREFIX = "Lessons due for review: "
UNOWNED = ""  # the owner key of lessons nobody owns


@dataclass(frozen=True)
class Action:
    kind: str  # "create", "edit" or "close"
    title: str
    body: str = ""
    number: int = 0  # of the issue to edit or close
    assignee: str = ""


def issue_title(owner: str) -> str:
    return TITLE_PREFIX + (f"@{owner}" if owner else "no owner")


def _cell(text: str) -> str:
    for char in "\\|[]*_`<>":
        text = text.replace(char, "\\" + char)
    return text


def _when(days_left: int) -> str:
    days = abs(days_left)
    plural = "" if days == 1 else "s"
    if days_left < 0:
        return f"overdue by {days} day{plural}"
    return "due today" if days == 0 else f"due in {days} day{plural}"


def issue_body(owner: str, lessons: list[dict[str, Any]], queue: dict[str, Any]) -> str:
    who = f"@{owner}, these" if owner else "These"
    lines = [
        f"{who} lessons were last checked more than {queue['max_age_days']} days ago, or will be within"
        f" {queue['due_soon_days']} days (as of {queue['today']}).",
        "",
        "For each: read it, fix what is out of date, and set `reviewed:` in its front matter to the date"
        " of your review. This issue is updated by the review-reminders workflow; it closes itself when"
        " nothing is due.",
        "",
        "| Lesson | Status | Last checked | Source |",
        "|---|---|---|---|",
    ]
    for lesson in lessons:
        source = (
            f"[{_cell(lesson['source'])}]({lesson['edit_url']})" if lesson["edit_url"] else lesson["source"]
        )
        title = f"[{_cell(lesson['title'])}]({lesson['url']})"
        lines.append(f"| {title} | {_when(lesson['days_left'])} | {lesson['last_checked']} | {source} |")
    return "\n".join(lines) + "\n"


def plan(queue: dict[str, Any], open_issues: list[dict[str, Any]]) -> list[Action]:
    """What to do, given the queue and the open `lesson-review` issues (number and title of each)."""
    groups: dict[str, list[dict[str, Any]]] = dict(queue["owners"])
    if queue["unowned"]:
        groups[UNOWNED] = queue["unowned"]
    existing = {str(issue["title"]): int(issue["number"]) for issue in open_issues}
    actions = []
    wanted = set()
    for owner in sorted(groups):
        title = issue_title(owner)
        wanted.add(title)
        body = issue_body(owner, groups[owner], queue)
        if title in existing:
            actions.append(Action("edit", title, body, existing[title]))
        else:
            actions.append(Action("create", title, body, assignee=owner))
    for title, number in sorted(existing.items()):
        if title.startswith(TITLE_PREFIX) and title not in wanted:
            actions.append(Action("close", title, number=number))
    return actions


def commands(action: Action) -> list[list[str]]:
    """The `gh` command lines of an action; the body goes on standard input."""
    if action.kind == "edit":
        return [["gh", "issue", "edit", str(action.number), "--body-file", "-"]]
    if action.kind == "close":
        comment = "Nothing is due for review any more: closing."
        return [["gh", "issue", "close", str(action.number), "--comment", comment]]
    create = ["gh", "issue", "create", "--title", action.title, "--label", LABEL, "--body-file", "-"]
    if action.assignee:  # assigning fails for someone without access: then open it unassigned
        return [[*create, "--assignee", action.assignee], create]
    return [create]


def run(actions: list[Action], dry_run: bool) -> int:
    if dry_run:
        for action in actions:
            print(" ".join(commands(action)[0]))
        return 0
    label = ["gh", "label", "create", LABEL, "--force", "--description", "Lessons due for review"]
    subprocess.run(label, check=True)
    failures = 0
    for action in actions:
        for attempt in commands(action):
            done = subprocess.run(attempt, input=action.body, text=True, check=False)
            if done.returncode == 0:
                break
        else:
            failures += 1
            print(f"could not {action.kind} '{action.title}'", file=sys.stderr)
    return 1 if failures else 0


def open_review_issues() -> list[dict[str, Any]]:
    listing = ["gh", "issue", "list", "--label", LABEL, "--state", "open", "--limit", "500"]
    found = subprocess.run([*listing, "--json", "number,title"], capture_output=True, text=True, check=True)
    issues: list[dict[str, Any]] = json.loads(found.stdout)
    return issues


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("queue", type=Path, help="the output of kb review --format json")
    parser.add_argument("--dry-run", action="store_true", help="print the gh commands, run nothing")
    parser.add_argument("--open-issues", type=Path, help="the open issues as JSON, instead of asking gh")
    args = parser.parse_args(argv)
    queue = json.loads(args.queue.read_text(encoding="utf-8"))
    if queue.get("version") != 1:
        print(f"unknown kb review format version {queue.get('version')!r}", file=sys.stderr)
        return 2
    issues = json.loads(args.open_issues.read_text()) if args.open_issues else open_review_issues()
    return run(plan(queue, issues), args.dry_run)


if __name__ == "__main__":
    sys.exit(main())
