"""A lesson file's bytes -> its validated front matter and Markdown body, or Diagnostics."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, create_model

from builder.config import GitHubHandle
from builder.diagnostics import Diagnostic, did_you_mean, error
from builder.records import content_digest, picklable
from builder.schema import PATTERN_HINTS, validate
from builder.slugs import MAX_ID, SLUG_PATTERN, is_slug, slugify
from builder.taxonomy import AUTHORS, SKILLS, TOPICS, UNKNOWN_TERM, Kind
from builder.urls import url_problems
from builder.yamlsource import YamlDocument, decode_utf8, load_yaml

MAX_FRONT_MATTER_CHARS = 64_000
SUMMARY_MAX = 300
MAX_TERMS = 25  # topics, and skills, per lesson: the pages around a lesson list them all, pairwise in places
Level = Literal["beginner", "intermediate", "advanced"]
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _calendar_date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        raise ValueError("expected a date as YYYY-MM-DD, without a time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"'{value}' is not a real calendar date") from None
    raise ValueError("expected a date as YYYY-MM-DD")


CalendarDate = Annotated[dt.date, BeforeValidator(_calendar_date)]
PlainText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=MAX_ID)]


TEMPLATE_PATTERN = r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*\.html$"
PATTERN_HINTS[TEMPLATE_PATTERN] = "must be the file name of a template of the theme, such as 'wide.html'"


class FrontMatter(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    title: PlainText
    date: CalendarDate
    summary: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=SUMMARY_MAX)]
    topics: list[str] = Field(min_length=1, max_length=MAX_TERMS)
    skills: list[str] = Field(default=[], max_length=MAX_TERMS)
    level: Level | None = None
    authors: list[str] = []
    updated: CalendarDate | None = None
    slug: Slug | None = None
    draft: bool = False
    prerequisites: list[Slug] = []
    template: Annotated[str, StringConstraints(pattern=TEMPLATE_PATTERN)] | None = None
    extra: dict[str, Any] = {}  # free data for the theme: lesson.extra
    reviewed: CalendarDate | None = None  # the last sign-off that the lesson is still right
    aliases: list[Slug] = []  # old slugs whose URLs redirect here
    owners: list[GitHubHandle] = []  # who reviews this lesson, instead of its topics' owners
    image: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)] | None = None  # own card


@picklable
@dataclass(frozen=True, slots=True)
class LessonSource:
    """A lesson whose front matter passed validation."""

    path: str  # site-relative: content/api/intro.md
    digest: str  # of the file's bytes: stands for everything the lesson says about itself
    slug: str
    meta: FrontMatter
    body: str
    body_line: int  # 1-based line of the body's first line in the file
    positions: dict[str, tuple[int, int]]  # "slug", "prerequisites.0", ...: (line, col) of the value
    declared: tuple[tuple[Kind, tuple[str, ...]], ...] = ()  # terms of the site's own taxonomies

    def position(self, name: str) -> tuple[int, int]:
        return self.positions.get(name, (1, 1))

    def terms_of(self, kind: Kind) -> Sequence[str]:
        """The terms the lesson lists in a taxonomy, in its order."""
        if kind == TOPICS:
            return self.meta.topics
        if kind == SKILLS:
            return self.meta.skills
        if kind == AUTHORS:
            return self.meta.authors
        return next((terms for declared, terms in self.declared if declared == kind), ())


def read_lesson(
    path: str, raw: bytes, vocabulary: Vocabulary, digest: str | None = None
) -> tuple[LessonSource | None, list[Diagnostic]]:
    """digest: content_digest(raw), when the caller has it already."""
    text, problem = _decode(path, raw)
    if text is None:
        return None, [problem] if problem else []
    split = _split(path, text)
    if isinstance(split, Diagnostic):
        return None, [split]
    yaml_text, body, body_line = split
    document, diagnostics = load_yaml(yaml_text, path, line_offset=1, max_chars=MAX_FRONT_MATTER_CHARS)
    if document is None:
        return None, diagnostics
    if document.data is None:
        return None, [
            error(
                path,
                2,
                1,
                "missing-field",
                "the front matter is empty: title, date, summary and topics are required",
            )
        ]
    data = document.data
    declared, document, problems = _declared_terms(path, document, vocabulary)
    diagnostics += problems
    meta, problems = validate(FrontMatter, document, path)
    diagnostics += problems
    diagnostics += url_problems(document, path)
    if isinstance(data, dict):
        diagnostics += _check_vocabulary(path, data, document, vocabulary)
    if meta is None:
        return None, diagnostics
    if meta.updated is not None and meta.updated < meta.date:
        at = document.value_at(("updated",))
        diagnostics.append(
            error(path, at.line, at.col, "invalid-value", "'updated' must not be earlier than 'date'")
        )
    slug = meta.slug or default_slug(path)
    if not is_slug(slug):
        why = "cannot make a slug from this file name"
        if len(slug) > MAX_ID:
            why = f"the file name makes a slug longer than {MAX_ID} characters"
        diagnostics.append(error(path, 1, 1, "invalid-value", f"{why}; set 'slug:' in the front matter"))
    if diagnostics:
        return None, diagnostics
    positions = {
        ".".join(str(part) for part in at): (where.line, where.col)
        for at, where in document.values.items()
        if 0 < len(at) <= 2
    }
    digest = digest or content_digest(raw)
    return LessonSource(path, digest, slug, meta, body, body_line, positions, declared), []


def lesson_body(path: str, raw: bytes) -> tuple[str, int] | None:
    """A lesson file's Markdown body and the file line it starts on, without validating its front matter."""
    text, _ = _decode(path, raw)
    split = _split(path, text) if text is not None else None
    if split is None or isinstance(split, Diagnostic):
        return None
    return split[1], split[2]


@dataclass(frozen=True, slots=True)
class Vocabulary:
    topics: frozenset[str]
    skills: frozenset[str]
    authors: frozenset[str]
    # the site's own taxonomies and their terms, as site.yml orders them
    declared: tuple[tuple[Kind, frozenset[str]], ...] = ()

    def fields(self) -> list[tuple[Kind, frozenset[str], str, str]]:
        """(kind, known terms, diagnostic code, where site.yml declares them)."""
        found = [
            (TOPICS, self.topics, "unknown-topic", "topics"),
            (SKILLS, self.skills, "unknown-skill", "skills"),
            (AUTHORS, self.authors, "unknown-author", "authors"),
        ]
        for kind, known in self.declared:
            found.append((kind, known, UNKNOWN_TERM, f"taxonomies.{kind.name}.terms"))
        return found


@lru_cache(maxsize=16)
def _declared_model(names: tuple[str, ...]) -> type[BaseModel]:
    """The front matter fields of declared taxonomies: lists of term ids, as topics and skills are."""
    fields: dict[str, Any] = {
        f"t{index}": (list[str], Field(default=[], max_length=MAX_TERMS, alias=name))
        for index, name in enumerate(names)
    }
    config = ConfigDict(extra="ignore", frozen=True, strict=True)
    return create_model("DeclaredTerms", __config__=config, **fields)


def _declared_terms(
    path: str, document: YamlDocument, vocabulary: Vocabulary
) -> tuple[tuple[tuple[Kind, tuple[str, ...]], ...], YamlDocument, list[Diagnostic]]:
    """The declared taxonomies' terms, their problems, and the document without their fields (which
    FrontMatter does not know)."""
    data = document.data
    if not vocabulary.declared or not isinstance(data, dict):
        return (), document, []
    names = tuple(kind.name for kind, _ in vocabulary.declared)
    own = {name: data[name] for name in names if name in data}
    rest = dataclasses.replace(document, data={key: value for key, value in data.items() if key not in own})
    _, problems = validate(_declared_model(names), dataclasses.replace(document, data=own), path)
    if problems:
        return (), rest, problems
    terms = tuple((kind, tuple(own[kind.name])) for kind, _ in vocabulary.declared if own.get(kind.name))
    return terms, rest, []


def _check_vocabulary(
    path: str, data: dict[str, Any], document: YamlDocument, vocabulary: Vocabulary
) -> list[Diagnostic]:
    found = []
    for kind, known, code, where in vocabulary.fields():
        field = kind.name
        seen: set[str] = set()
        values = data.get(field)
        if not isinstance(values, list):
            continue
        for index, value in enumerate(values):
            if not isinstance(value, str):
                continue
            at = document.value_at((field, index))
            if value in seen:
                found.append(
                    error(path, at.line, at.col, "invalid-value", f"'{value}' is listed twice in '{field}'")
                )
            elif value not in known:
                hint = did_you_mean(value, known)
                message = f"unknown {kind.singular} '{value}'{hint}; see site.yml {where}"
                found.append(error(path, at.line, at.col, code, message))
            seen.add(value)
    return found


_SLUG_LINE = re.compile(r"^slug:[ \t]*[\"']?([a-z0-9]+(?:-[a-z0-9]+)*)[\"']?[ \t]*$", re.MULTILINE)


def guess_slug(path: str, raw: bytes) -> str:
    """The slug a lesson that failed validation most likely has, so links to it are not reported twice."""
    found = _SLUG_LINE.search(raw[:MAX_FRONT_MATTER_CHARS].decode("utf-8", "replace"))
    return found[1] if found else default_slug(path)


def default_slug(path: str) -> str:
    """The file name, slugified; README.md and index.md take their folder's name."""
    source = PurePosixPath(path)
    if source.stem.lower() in {"readme", "index"}:
        return slugify(source.parent.name) if len(source.parts) > 2 else "index"
    return slugify(source.stem)


def _decode(path: str, raw: bytes) -> tuple[str | None, Diagnostic | None]:
    if b"\x00" in raw[:8192]:
        return None, error(path, 1, 1, "encoding", "binary file: a lesson must be UTF-8 text")
    return decode_utf8(path, raw)


def _split(path: str, text: str) -> tuple[str, str, int] | Diagnostic:
    """'---\\nyaml\\n---\\nbody' -> (yaml, body, body's first line)."""
    lines = text.split("\n")
    if not text.strip():
        return error(
            path,
            1,
            1,
            "frontmatter-missing",
            "empty file: a lesson starts with front matter between '---' lines",
        )
    if lines[0].rstrip() != "---":
        return error(
            path,
            1,
            1,
            "frontmatter-missing",
            "a lesson must start with a '---' line opening its front matter",
        )
    for index in range(1, len(lines)):
        if lines[index].rstrip() in {"---", "..."}:
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2
    return error(
        path, 1, 1, "frontmatter-missing", "the front matter is not closed: add a '---' line after it"
    )
