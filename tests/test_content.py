"""Guards for the bundled knowledge base: every lesson valid, linked, and its Python examples compile."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from builder.build import BuildOptions, SiteBuilder, analyse
from builder.graph import SiteGraph
from tests.examples.blocks import lesson_blocks

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
    """Exempt blocks (norun) too: a fragment that is not Python is a typo, whatever the fence says."""
    failures = []
    for lesson in graph.lessons.values():
        for block in lesson_blocks(ROOT / lesson.source.path):
            if block.is_python:
                try:
                    ast.parse(block.code)
                except SyntaxError as exc:
                    failures.append(f"{lesson.source.path}:{block.line + (exc.lineno or 0)}: {exc.msg}")
    assert failures == []


def test_the_runner_sees_every_python_fence() -> None:
    """Every ```python / ```py fence line, attributes or not, is a block the example runner parses."""
    fences = 0
    for path in sorted((ROOT / "content").rglob("*.md")):
        lines = path.read_text(encoding="utf-8").split("\n")
        fences += sum(1 for line in lines if line.split(" ")[0] in {"```python", "```py"})
    parsed = sum(
        block.is_python for path in (ROOT / "content").rglob("*.md") for block in lesson_blocks(path)
    )
    assert parsed == fences > 60


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
