from __future__ import annotations

from pathlib import Path

from builder.config import load_config


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "site.yml").write_text(text, encoding="utf-8")
    return tmp_path


def problems(tmp_path: Path, text: str) -> list[tuple[int, int, str, str]]:
    loaded, diagnostics = load_config(write(tmp_path, text))
    assert loaded is None
    return [(d.line, d.col, d.code, d.message) for d in sorted(diagnostics)]


def test_repository_site_yml_is_valid() -> None:
    loaded, diagnostics = load_config(Path(__file__).parent.parent)
    assert diagnostics == []
    assert loaded is not None and loaded.config.base_path == "/kb/"


def test_defaults_and_base_path(tmp_path: Path) -> None:
    loaded, diagnostics = load_config(write(tmp_path, "title: T\nbase_url: https://example.org/docs\n"))
    assert diagnostics == [] and loaded is not None
    config = loaded.config
    assert config.base_url == "https://example.org/docs/" and config.base_path == "/docs/"
    assert (config.language, config.theme, config.output_dir) == ("en", "default", "public")
    assert (config.related.max, config.related.weights.skills, config.related.weights.topics) == (5, 2.0, 1.0)
    assert config.markdown.html is False


def test_every_error_points_at_its_line(tmp_path: Path) -> None:
    text = (
        "title: T\n"
        "base_url: ftp://example.org\n"
        "topcs: {}\n"
        "topics:\n"
        "  reliability: {title: R, descripton: D}\n"
        "  Bad_Id: {title: R, description: D}\n"
        "paths:\n"
        "  p: {title: P, description: D, lessons: []}\n"
        "related: {max: -1}\n"
    )
    assert problems(tmp_path, text) == [
        (
            2,
            11,
            "invalid-value",
            "'base_url': must be an absolute http(s) URL such as https://example.org/kb/",
        ),
        (3, 1, "unknown-field", "unknown field 'topcs' (did you mean 'topics'?)"),
        (5, 16, "missing-field", "missing required field 'topics.reliability.description'"),
        (
            5,
            27,
            "unknown-field",
            "unknown field 'topics.reliability.descripton' (did you mean 'description'?)",
        ),
        (
            6,
            3,
            "invalid-value",
            "'topics': 'Bad_Id' is not a valid id: use lowercase letters, digits and single hyphens",
        ),
        (
            8,
            42,
            "invalid-value",
            "'paths.p.lessons': List should have at least 1 item after validation, not 0",
        ),
        (9, 16, "invalid-value", "'related.max': Input should be greater than or equal to 0"),
    ]


def test_missing_required_and_unsafe_output(tmp_path: Path) -> None:
    assert problems(tmp_path, "description: x\noutput_dir: ../elsewhere\n") == [
        (1, 1, "missing-field", "missing required field 'base_url'"),
        (1, 1, "missing-field", "missing required field 'title'"),
        (2, 13, "invalid-value", "'output_dir': must be a folder inside the site folder, such as 'public'"),
    ]


def test_yaml_errors(tmp_path: Path) -> None:
    assert problems(tmp_path, "title: [oops\n") == [
        (2, 1, "yaml-syntax", "expected ',' or ']', but got '<stream end>' while parsing a flow sequence"),
    ]
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"
    assert problems(tmp_path, bomb) == [(2, 8, "yaml-syntax", "YAML aliases (*name) are not allowed here")]
    assert problems(tmp_path, "- a list\n") == [
        (1, 1, "invalid-value", "expected a mapping of keys to values")
    ]


def test_missing_file(tmp_path: Path) -> None:
    loaded, diagnostics = load_config(tmp_path)
    assert loaded is None and [d.code for d in diagnostics] == ["missing-field"]


def test_search_synonyms_are_groups_of_distinct_phrases(tmp_path: Path) -> None:
    loaded, diagnostics = load_config(Path(__file__).parent.parent)
    assert diagnostics == [] and loaded is not None
    assert ["zero downtime", "without downtime", "online migration", "no downtime"] in (
        loaded.config.search.synonyms
    )
    head = "title: T\nbase_url: https://example.org/\nsearch:\n  synonyms:\n"
    assert problems(tmp_path, head + "    - [retry, backoff]\n    - [throttling]\n") == [
        (
            6,
            7,
            "invalid-value",
            "'search.synonyms.1': List should have at least 2 items after validation, not 1",
        )
    ]
    assert problems(tmp_path, head + "    - [Rate-Limit, throttle]\n    - [ratelimit, limiter]\n") == [
        (
            5,
            5,
            "invalid-value",
            "'search.synonyms': group 2: 'ratelimit' is also in group 1; a phrase belongs to one group",
        )
    ]
    assert problems(tmp_path, head + "    - ['...', dots]\n") == [
        (5, 5, "invalid-value", "'search.synonyms': group 1: '...' has no letters or digits to search for")
    ]
