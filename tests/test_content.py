"""Guards for the bundled knowledge base: every lesson valid, linked, and its Python examples compile."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from builder.build import BuildOptions, SiteBuilder, analyse
from builder.graph import SiteGraph

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def builder() -> SiteBuilder:
    return SiteBuilder(BuildOptions(site_dir=ROOT))


@pytest.fixture(scope="module")
def graph(builder: SiteBuilder) -> SiteGraph:
    analysis = builder.analyse()
    assert [f"{d.path}:{d.line}: {d.code}: {d.message}" for d in analysis.diagnostics] == []
    assert analysis.graph is not None
    return analysis.graph


def python_blocks(body: str) -> list[tuple[int, str]]:
    blocks: list[tuple[int, str]] = []
    current: list[str] | None = None
    start = 0
    for number, line in enumerate(body.split("\n"), 1):
        stripped = line.strip()
        if current is None and stripped in {"```python", "```py"}:
            current, start = [], number
        elif current is not None and stripped.startswith("```"):
            blocks.append((start, "\n".join(current)))
            current = None
        elif current is not None:
            current.append(line)
    return blocks


def test_at_least_24_published_lessons(graph: SiteGraph) -> None:
    assert len(graph.lessons) >= 24
    assert not [slug for slug, lesson in graph.lessons.items() if lesson.source.meta.draft]


def test_every_lesson_meets_the_writing_standard(graph: SiteGraph, builder: SiteBuilder) -> None:
    problems = []
    for slug, lesson in graph.lessons.items():
        meta, body = lesson.source.meta, lesson.body
        if not 700 <= body.words <= 1800:
            problems.append(f"{slug}: {body.words} words")
        if meta.level is None:
            problems.append(f"{slug}: no level")
        targets = {url for url in graph.link_urls[slug] if url.startswith("lessons/")}
        if len({t.split("#")[0] for t in targets} - {f"lessons/{slug}/"}) < 2:
            problems.append(f"{slug}: links to fewer than two other lessons")
        if "<pre" not in builder.bodies.get(body.digest):
            problems.append(f"{slug}: no code or config example")
    assert problems == []


def test_every_python_example_compiles(graph: SiteGraph) -> None:
    failures = []
    for lesson in graph.lessons.values():
        lines = (ROOT / lesson.source.path).read_text(encoding="utf-8").split("\n")
        body = "\n".join(lines[lesson.source.body_line - 1 :])
        for line, code in python_blocks(body):
            try:
                ast.parse(code)
            except SyntaxError as exc:
                failures.append(f"{lesson.source.path}:{lesson.source.body_line + line}: {exc.msg}")
    assert failures == []


def test_vocabulary_is_used_and_paths_exist(graph: SiteGraph) -> None:
    analysis = analyse(BuildOptions(site_dir=ROOT))
    assert analysis.loaded is not None
    config = analysis.loaded.config
    assert 10 <= len(config.topics) <= 14 and 25 <= len(config.skills) <= 40
    assert set(config.topics) == set(graph.topics)
    assert set(config.skills) == set(graph.skills)
    assert len(config.paths) >= 3
    for path in config.paths.values():
        assert 5 <= len(path.lessons) <= 9
        assert all(step in graph.lessons for step in path.lessons)
