"""Errors as values: every problem found in a site, with where it is and what to do about it."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal

from builder.records import picklable

Severity = Literal["error", "warning"]


@picklable
@dataclass(frozen=True, slots=True, order=True)
class Diagnostic:
    path: str
    line: int
    col: int
    severity: Severity
    code: str
    message: str


def error(path: str, line: int, col: int, code: str, message: str) -> Diagnostic:
    return Diagnostic(path, max(line, 1), max(col, 1), "error", code, message)


def warning(path: str, line: int, col: int, code: str, message: str) -> Diagnostic:
    return Diagnostic(path, max(line, 1), max(col, 1), "warning", code, message)


class Diagnostics(list[Diagnostic]):
    """The collector every stage of a build reports to: config, extensions, discover, parse, graph and its
    checks append to the analysis's one collector, the plan stage to its own. A list, in the order the
    problems were found (output sorts them), so anything that reads a list of diagnostics reads it."""

    def error(self, path: str, line: int, col: int, code: str, message: str) -> None:
        self.append(error(path, line, col, code, message))

    def warning(self, path: str, line: int, col: int, code: str, message: str) -> None:
        self.append(warning(path, line, col, code, message))

    def since(self, mark: int) -> bool:
        """Whether anything was reported after mark (a len() taken before a stage ran)."""
        return len(self) > mark


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ' (did you mean 'x'?)' suffix when one of the choices is close to the word, else ''."""
    close = difflib.get_close_matches(word, sorted(set(choices)), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def has_errors(diagnostics: Iterable[Diagnostic], *, strict: bool = False) -> bool:
    return any(d.severity == "error" or strict for d in diagnostics)


def format_text(diagnostics: list[Diagnostic]) -> str:
    return "".join(f"{d.path}:{d.line}:{d.col}: {d.severity}[{d.code}]: {d.message}\n" for d in diagnostics)


def _github_escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def format_github(diagnostics: list[Diagnostic], prefix: str = "") -> str:
    """GitHub workflow commands; prefix: the site folder's path in the repository, so that GitHub can
    place each annotation on its file when the site is not at the repository's top."""
    lines = []
    for d in diagnostics:
        props = ",".join(
            f"{key}={_github_escape(str(value), prop=True)}"
            for key, value in (("file", prefix + d.path), ("line", d.line), ("col", d.col), ("title", d.code))
        )
        lines.append(f"::{d.severity} {props}::{_github_escape(d.message)}\n")
    return "".join(lines)


def format_json(diagnostics: list[Diagnostic]) -> str:
    return json.dumps([asdict(d) for d in diagnostics], indent=2) + "\n"


def summary(diagnostics: list[Diagnostic]) -> str:
    errors = sum(d.severity == "error" for d in diagnostics)
    warnings = len(diagnostics) - errors
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
