"""Property tests: any input gives a result or Diagnostics, never another exception."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from builder.config import load_config
from builder.frontmatter import Vocabulary, default_slug, read_lesson
from builder.graph import Lesson, build_graph
from builder.markdown import render_markdown
from builder.slugs import heading_id, is_slug, slugify
from tests.conftest import SITES

VOCABULARY = Vocabulary(frozenset({"testing"}), frozenset({"pytest"}), frozenset({"ada"}))
CODES = {
    "yaml-syntax",
    "frontmatter-missing",
    "missing-field",
    "unknown-field",
    "invalid-value",
    "unknown-topic",
    "unknown-skill",
    "unknown-author",
    "unknown-lesson",
    "duplicate-slug",
    "broken-link",
    "broken-anchor",
    "prerequisite-cycle",
    "encoding",
    "unsafe-path",
}
yaml_values = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.text(max_size=20), st.sampled_from(["2026-01-01", "x: y"])
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
keys = st.sampled_from(
    [
        "title",
        "date",
        "summary",
        "topics",
        "skills",
        "level",
        "slug",
        "draft",
        "updated",
        "prerequisites",
        "authors",
        "titel",
        "x",
    ]
)


def check(raw: bytes) -> None:
    source, diagnostics = read_lesson("content/case.md", raw, VOCABULARY)
    assert (source is None) == bool(diagnostics)
    for d in diagnostics:
        assert d.code in CODES and d.line >= 1 and d.col >= 1 and d.path == "content/case.md"


@given(st.binary(max_size=600))
def test_any_bytes(raw: bytes) -> None:
    check(raw)
    check(b"---\n" + raw + b"\n---\n")


@given(st.text(max_size=400))
def test_any_text_between_fences(text: str) -> None:
    check(f"---\n{text}\n---\nbody\n".encode())


@given(st.dictionaries(keys, yaml_values, max_size=8))
def test_any_mapping_of_likely_fields(fields: dict[str, object]) -> None:
    lines = [
        f"{key}: {value!r}" if not isinstance(value, str) else f"{key}: {value}"
        for key, value in fields.items()
    ]
    check(("---\n" + "\n".join(lines) + "\n---\n").encode())


link_target = st.text(alphabet="abc./\\#?%-_|[]: 09", max_size=30)


@given(st.lists(st.tuples(st.sampled_from(["md", "wiki", "image"]), link_target), max_size=8))
def test_any_links_resolve_or_are_reported(links: list[tuple[str, str]]) -> None:
    loaded, _ = load_config(SITES / "minimal")
    assert loaded is not None
    body = " ".join(
        f"[t]({target})" if kind == "md" else f"![i]({target})" if kind == "image" else f"[[{target}]]"
        for kind, target in links
    )
    raw = f"---\ntitle: T\ndate: 2026-01-01\nsummary: S.\ntopics: [testing]\n---\n{body}\n\n## Heading\n"
    source, problems = read_lesson("content/dir/case.md", raw.encode(), VOCABULARY)
    assert source is not None and problems == []
    lesson = Lesson(source, render_markdown(source.body, first_line=source.body_line))
    graph, diagnostics = build_graph(
        loaded, [lesson], ("content/dir/a.png",), frozenset({"content", "content/dir"})
    )
    for d in diagnostics:
        assert d.code in CODES | {"orphan-lesson", "no-related", "unused-term"}
        assert d.path in {"content/dir/case.md", "site.yml"}
    for url in graph.link_urls["case"]:
        assert ".." not in url.split("#")[0].split("/") and not url.startswith("/")


@given(st.text(max_size=60))
def test_slugs(text: str) -> None:
    slug = slugify(text)
    assert slug == "" or is_slug(slug)
    heading_id(text)
    derived = default_slug(f"content/{text.replace('/', '_') or 'x'}.md")
    assert derived == "" or is_slug(derived)


def test_generated_lessons_stay_inside(tmp_path: Path) -> None:
    assert is_slug(default_slug("content/a/README.md"))
