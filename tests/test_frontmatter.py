from __future__ import annotations

import datetime as dt

import pytest

from builder.diagnostics import Diagnostic
from builder.frontmatter import LessonSource, Vocabulary, default_slug, read_lesson

VOCABULARY = Vocabulary(
    topics=frozenset({"api-design", "reliability"}),
    skills=frozenset({"pydantic", "fastapi"}),
    authors=frozenset({"ada"}),
)
VALID = "title: T\ndate: 2026-03-14\nsummary: S.\ntopics: [api-design]\n"


def read(text: str | bytes, path: str = "content/x.md") -> tuple[LessonSource | None, list[Diagnostic]]:
    raw = text.encode() if isinstance(text, str) else text
    return read_lesson(path, raw, VOCABULARY)


def problems(text: str | bytes) -> list[tuple[int, int, str, str]]:
    return [(d.line, d.col, d.code, d.message) for d in read(text)[1]]


def test_valid_lesson_parses_with_defaults() -> None:
    source, diagnostics = read_lesson(
        "content/api/Validate At Edge.md", f"---\n{VALID}---\nBody\n".encode(), VOCABULARY
    )
    assert diagnostics == []
    assert source is not None
    assert source.slug == "validate-at-edge"
    assert source.meta.date == dt.date(2026, 3, 14)
    assert source.meta.skills == [] and source.meta.draft is False and source.meta.level is None
    assert source.body == "Body\n" and source.body_line == 7


def test_every_field_accepted() -> None:
    text = (
        "---\ntitle: T\ndate: 2026-03-14\nsummary: S.\ntopics: [api-design, reliability]\nskills: [pydantic]\n"
        "level: advanced\nauthors: [ada]\nupdated: 2026-04-01\nslug: my-slug\ndraft: true\n"
        "prerequisites: [other-lesson]\n---\n"
    )
    source, diagnostics = read(text)
    assert diagnostics == []
    assert source is not None


def test_missing_and_unknown_fields_are_reported_together() -> None:
    assert problems("---\ntitel: T\ndate: 2026-03-14\nsummary: S.\ntopics: [api-design]\n---\n") == [
        (2, 1, "missing-field", "missing required field 'title'"),
        (2, 1, "unknown-field", "unknown field 'titel' (did you mean 'title'?)"),
    ]


def test_wrong_types_point_at_the_value() -> None:
    assert problems("---\ntitle: [a, b]\ndate: 20260314\nsummary: S.\ntopics: api-design\n---\n") == [
        (2, 8, "invalid-value", "'title': Input should be a valid string"),
        (3, 7, "invalid-value", "'date': expected a date as YYYY-MM-DD"),
        (5, 9, "invalid-value", "'topics': Input should be a valid list"),
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-02-30", "'date': '2026-02-30' is not a real calendar date"),
        ("2026-13-01", "'date': '2026-13-01' is not a real calendar date"),
        ("2026-03-14 10:00:00", "'date': expected a date as YYYY-MM-DD, without a time"),
        ("yesterday", "'date': expected a date as YYYY-MM-DD"),
    ],
)
def test_impossible_dates(value: str, message: str) -> None:
    text = f"---\ntitle: T\ndate: {value}\nsummary: S.\ntopics: [api-design]\n---\n"
    assert problems(text) == [(3, 7, "invalid-value", message)]


def test_quoted_date_is_accepted() -> None:
    source, diagnostics = read('---\ntitle: T\ndate: "2026-03-14"\nsummary: S.\ntopics: [api-design]\n---\n')
    assert diagnostics == [] and source is not None


def test_unknown_vocabulary_with_suggestions() -> None:
    text = "---\ntitle: T\ndate: 2026-03-14\nsummary: S.\ntopics: [api-desing]\nskills: [pydantik, rust]\nauthors: [adda]\n---\n"
    assert problems(text) == [
        (
            5,
            10,
            "unknown-topic",
            "unknown topic 'api-desing' (did you mean 'api-design'?); see site.yml topics",
        ),
        (6, 10, "unknown-skill", "unknown skill 'pydantik' (did you mean 'pydantic'?); see site.yml skills"),
        (6, 20, "unknown-skill", "unknown skill 'rust'; see site.yml skills"),
        (7, 11, "unknown-author", "unknown author 'adda' (did you mean 'ada'?); see site.yml authors"),
    ]


def test_summary_limit_slug_format_level_and_updated() -> None:
    text = (
        f"---\ntitle: T\ndate: 2026-03-14\nsummary: {'x' * 301}\ntopics: [api-design]\n"
        "level: expert\nslug: Not_A_Slug\nupdated: 2026-01-01\n---\n"
    )
    assert [(line, code) for line, _, code, _ in problems(text)] == [
        (4, "invalid-value"),
        (6, "invalid-value"),
        (7, "invalid-value"),
    ]
    text = "---\ntitle: T\ndate: 2026-03-14\nsummary: S.\ntopics: [api-design]\nupdated: 2026-01-01\n---\n"
    assert problems(text) == [(6, 10, "invalid-value", "'updated' must not be earlier than 'date'")]


def test_empty_topics_and_duplicates() -> None:
    assert problems("---\ntitle: T\ndate: 2026-03-14\nsummary: S.\ntopics: []\n---\n") == [
        (5, 9, "invalid-value", "'topics': List should have at least 1 item after validation, not 0"),
    ]
    text = "---\ntitle: T\ndate: 2026-03-14\nsummary: S.\ntopics: [api-design, api-design]\n---\n"
    assert problems(text) == [(5, 22, "invalid-value", "'api-design' is listed twice in 'topics'")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", (1, 1, "frontmatter-missing")),
        ("Just a body\n", (1, 1, "frontmatter-missing")),
        ("---\ntitle: T\n", (1, 1, "frontmatter-missing")),
        ("---\ntitle: [unclosed\n---\n", (2, 17, "yaml-syntax")),
        ("---\n- a\n- b\n---\n", (2, 1, "invalid-value")),
        ("---\n---\nbody\n", (2, 1, "missing-field")),
        (
            "---\ntitle: T\ntitle: U\ndate: 2026-03-14\nsummary: S.\ntopics: [api-design]\n---\n",
            (3, 1, "yaml-syntax"),
        ),
        ("---\na: &x [1]\nb: *x\n---\n", (3, 4, "yaml-syntax")),
    ],
)
def test_broken_front_matter(text: str, expected: tuple[int, int, str]) -> None:
    found = read(text)[1]
    assert found, "expected a diagnostic"
    assert (found[0].line, found[0].col, found[0].code) == expected


def test_bom_and_crlf_are_accepted() -> None:
    text = ("\ufeff---\r\n" + VALID.replace("\n", "\r\n") + "---\r\nBody\r\n").encode()
    source, diagnostics = read(text)
    assert diagnostics == []
    assert source is not None and source.body == "Body\n"


def test_not_utf8_and_binary() -> None:
    assert problems(b"---\ntitle: caf\xe9\n") == [
        (2, 11, "encoding", "not valid UTF-8 (byte 0xe9); save the file as UTF-8"),
    ]
    assert problems(b"\x89PNG\r\n\x1a\n\x00\x00") == [
        (1, 1, "encoding", "binary file: a lesson must be UTF-8 text")
    ]


def test_default_slug_of_folder_index() -> None:
    assert default_slug("content/databases/README.md") == "databases"
    assert default_slug("content/api/index.md") == "api"
    assert default_slug("content/index.md") == "index"
    assert default_slug("content/Déjà Vu!.md") == "deja-vu"
