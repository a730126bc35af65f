"""`kb diff BASE HEAD`: what a change does to the published site, from two build manifests.

Pages are grouped the way a reviewer reads them: lessons first, then term, path and index pages, then the
rest (feeds, assets, the search index) as counts. Lessons whose related lessons or backlinks moved, the
diagnostics a change introduced or resolved, and lesson URLs that disappear without a redirect are listed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Category = Literal["lessons", "terms", "paths", "indexes", "other"]
CATEGORIES: tuple[Category, ...] = ("lessons", "terms", "paths", "indexes", "other")
_HEADINGS = {
    "lessons": "Lesson pages",
    "terms": "Term pages",
    "paths": "Learning path pages",
    "indexes": "Index pages",
    "other": "Other files",
}


@dataclass(slots=True)
class PageChanges:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


@dataclass(frozen=True, slots=True)
class LessonChange:
    slug: str
    title: str
    what: tuple[str, ...]  # "text", "title", "topics", "skills", "related", "backlinks", "aliases", ...


@dataclass(frozen=True, slots=True)
class MissingRedirect:
    old_slug: str
    new_slug: str  # "" when the lesson is gone, not renamed


@dataclass(slots=True)
class Report:
    pages: dict[Category, PageChanges]
    lessons_added: list[tuple[str, str]]  # (slug, title)
    lessons_removed: list[tuple[str, str]]
    lessons_changed: list[LessonChange]
    missing_redirects: list[MissingRedirect]
    diagnostics_introduced: list[dict[str, Any]]
    diagnostics_resolved: list[dict[str, Any]]

    @property
    def summary(self) -> str:
        """One line saying what the change does."""
        pages = sum(len(c.added) + len(c.removed) + len(c.changed) for c in self.pages.values())
        if (
            [c.what for c in self.lessons_changed] == [("text",)]
            and not self.lessons_added
            and not self.lessons_removed
            and not self.diagnostics_introduced
            and not self.diagnostics_resolved
        ):
            change = self.lessons_changed[0]
            own = f"lessons/{change.slug}/index.html"
            showing = sum(len(c.changed) for name, c in self.pages.items() if name != "other") - (
                own in self.pages["lessons"].changed
            )
            also = f" ({_count(showing, 'other page', 'show')} its card)" if showing else ""
            return f"Only the text of one lesson changed: {change.title} (lessons/{change.slug}/){also}."
        if pages == 0 and not self.diagnostics_introduced and not self.diagnostics_resolved:
            return "No change to the published site."
        parts = [
            _count(len(self.lessons_added), "lesson", "added"),
            _count(len(self.lessons_removed), "lesson", "removed"),
            _count(len(self.lessons_changed), "lesson", "changed"),
            _count(pages, "output file", "differ"),
        ]
        if self.diagnostics_introduced or self.diagnostics_resolved:
            parts.append(
                f"diagnostics: {len(self.diagnostics_introduced)} introduced,"
                f" {len(self.diagnostics_resolved)} resolved"
            )
        if self.missing_redirects:
            parts.append(_count(len(self.missing_redirects), "lesson URL", "lost without a redirect"))
        return "; ".join(p for p in parts if p) + "."


def _count(n: int, noun: str, verb: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)} {verb}" if n else ""


def category(path: str) -> Category:
    parts = path.split("/")
    if not path.endswith(".html"):
        return "other"
    if parts[0] == "lessons" and len(parts) == 3 and parts[1] != "page":
        return "lessons"
    if parts[0] in {"topics", "skills", "authors"} and len(parts) >= 3:
        return "terms"
    if parts[0] == "paths" and len(parts) >= 3:
        return "paths"
    return "indexes"


def diff_manifests(base: Mapping[str, Any], head: Mapping[str, Any]) -> Report:
    pages = {name: PageChanges() for name in CATEGORIES}
    base_files: Mapping[str, str] = base["files"]
    head_files: Mapping[str, str] = head["files"]
    for path in sorted(set(base_files) | set(head_files)):
        before, after = base_files.get(path), head_files.get(path)
        changes = pages[category(path)]
        if before is None:
            changes.added.append(path)
        elif after is None:
            changes.removed.append(path)
        elif before != after:
            changes.changed.append(path)
    old: Mapping[str, Mapping[str, Any]] = base["lessons"]
    new: Mapping[str, Mapping[str, Any]] = head["lessons"]
    lessons_changed = []
    for slug in sorted(set(old) & set(new)):
        fields = ("title", "source", "topics", "skills", "related", "backlinks", "aliases")
        what = [key for key in fields if old[slug].get(key) != new[slug].get(key)]
        edited = old[slug].get("digest") != new[slug].get("digest")
        if edited and not {"title", "topics", "skills", "aliases"} & set(what):
            what.insert(0, "text")  # the file changed, and not in what the other entries name
        if what:
            lessons_changed.append(LessonChange(slug, str(new[slug]["title"]), tuple(what)))
    return Report(
        pages=pages,
        lessons_added=[(s, str(new[s]["title"])) for s in sorted(set(new) - set(old))],
        lessons_removed=[(s, str(old[s]["title"])) for s in sorted(set(old) - set(new))],
        lessons_changed=lessons_changed,
        missing_redirects=_missing_redirects(old, new),
        diagnostics_introduced=_diagnostics_minus(head["diagnostics"], base["diagnostics"]),
        diagnostics_resolved=_diagnostics_minus(base["diagnostics"], head["diagnostics"]),
    )


def _missing_redirects(
    old: Mapping[str, Mapping[str, Any]], new: Mapping[str, Mapping[str, Any]]
) -> list[MissingRedirect]:
    """Lesson URLs of the base that the head neither publishes nor redirects (an alias names them)."""
    aliased = {alias for record in new.values() for alias in record.get("aliases", ())}
    by_source = {str(record["source"]): slug for slug, record in new.items()}
    return [
        MissingRedirect(slug, by_source.get(str(old[slug]["source"]), ""))
        for slug in sorted(set(old) - set(new))
        if slug not in aliased
    ]


def _identity(d: Mapping[str, Any]) -> tuple[str, str, str, str]:
    # lines move with every edit above them; a diagnostic is the same one when all else is equal
    return (str(d["path"]), str(d["severity"]), str(d["code"]), str(d["message"]))


def _diagnostics_minus(these: list[dict[str, Any]], those: list[dict[str, Any]]) -> list[dict[str, Any]]:
    known = {_identity(d) for d in those}
    return [d for d in these if _identity(d) not in known]


# -- formats ----------------------------------------------------------------------------------------


def _where(d: Mapping[str, Any]) -> str:
    return f"{d['path']}:{d['line']}:{d['col']}: {d['severity']}[{d['code']}]: {d['message']}"


def _redirect_line(m: MissingRedirect) -> str:
    if m.new_slug:
        return (
            f"lessons/{m.old_slug}/ was renamed to lessons/{m.new_slug}/ without a redirect:"
            f" add `aliases: [{m.old_slug}]` to its front matter"
        )
    return f"lessons/{m.old_slug}/ is gone and no lesson lists '{m.old_slug}' in its aliases"


def format_text(report: Report) -> str:
    lines = [report.summary]
    for slug, title in report.lessons_added:
        lines.append(f"  + lesson {slug}: {title}")
    for slug, title in report.lessons_removed:
        lines.append(f"  - lesson {slug}: {title}")
    for change in report.lessons_changed:
        lines.append(f"  ~ lesson {change.slug}: {', '.join(change.what)}")
    for name in CATEGORIES:
        changes = report.pages[name]
        if not changes:
            continue
        if name == "other":
            lines.append(f"{_HEADINGS[name]}: {_counts(changes)}")
            continue
        lines.append(f"{_HEADINGS[name]}:")
        lines += [f"  + {p}" for p in changes.added]
        lines += [f"  - {p}" for p in changes.removed]
        lines += [f"  ~ {p}" for p in changes.changed]
    lines += [f"missing redirect: {_redirect_line(m)}" for m in report.missing_redirects]
    lines += [f"introduced: {_where(d)}" for d in report.diagnostics_introduced]
    lines += [f"resolved: {_where(d)}" for d in report.diagnostics_resolved]
    return "\n".join(lines) + "\n"


def _counts(changes: PageChanges) -> str:
    return f"{len(changes.added)} added, {len(changes.removed)} removed, {len(changes.changed)} changed"


def format_markdown(report: Report) -> str:
    out = ["## What this change does to the site", "", report.summary, ""]
    if report.lessons_added or report.lessons_removed or report.lessons_changed:
        out += ["### Lessons", "", "| lesson | change |", "|---|---|"]
        out += [f"| `{s}` {_md(t)} | added |" for s, t in report.lessons_added]
        out += [f"| `{s}` {_md(t)} | removed |" for s, t in report.lessons_removed]
        out += [f"| `{c.slug}` {_md(c.title)} | {', '.join(c.what)} |" for c in report.lessons_changed]
        out.append("")
    if report.missing_redirects:
        out += ["### Lesson URLs lost without a redirect", ""]
        out += [f"- {_redirect_line(m)}" for m in report.missing_redirects]
        out.append("")
    if report.diagnostics_introduced or report.diagnostics_resolved:
        out += ["### Diagnostics", ""]
        out += [f"- introduced: `{_where(d)}`" for d in report.diagnostics_introduced]
        out += [f"- resolved: `{_where(d)}`" for d in report.diagnostics_resolved]
        out.append("")
    rows = [name for name in CATEGORIES if report.pages[name]]
    if rows:
        out += ["### Output files", "", "| kind | added | removed | changed |", "|---|---:|---:|---:|"]
        for name in rows:
            c = report.pages[name]
            out.append(f"| {_HEADINGS[name]} | {len(c.added)} | {len(c.removed)} | {len(c.changed)} |")
        out.append("")
        listed = [(name, report.pages[name]) for name in CATEGORIES if name != "other" and report.pages[name]]
        if listed:
            out += ["<details><summary>Pages</summary>", ""]
            for _name, c in listed:
                out += [f"- added `{p}`" for p in c.added]
                out += [f"- removed `{p}`" for p in c.removed]
                out += [f"- changed `{p}`" for p in c.changed]
            out += ["", "</details>", ""]
    return "\n".join(out)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def format_json(report: Report) -> str:
    data = asdict(report)
    data["summary"] = report.summary
    return json.dumps(data, indent=2, sort_keys=True) + "\n"
