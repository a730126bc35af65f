"""llms-full.txt is assembled from the lessons' Markdown copies once they are written: the same bytes as
made from the sources, and a rebuild after one lesson's edit makes one lesson's Markdown again."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from builder.build import BuildOptions, SiteBuilder
from builder.llms import FullText
from builder.render import SiteRenderer
from tests.conftest import snapshot, write_lesson


def _site(site_copy: Callable[[str], Path]) -> Path:
    site = site_copy("good")
    write_lesson(  # a title, summary and body that look like the markers the assembly looks for
        site,
        "ops/dashes.md",
        "title: '--- Dashes # and [brackets] ---'\ndate: 2026-05-02\nsummary: '# not a heading'\n"
        "topics: [databases]",
        "---\n\n# A heading\n\nSee [[connection-pools]] and [the basics](../basics/README.md).\n\n---\n",
    )
    write_lesson(
        site, "ops/empty.md", "title: Empty\ndate: 2026-05-03\nsummary: Nothing.\ntopics: [databases]", ""
    )
    return site


def _built(site_copy: Callable[[str], Path], tmp_path: Path) -> tuple[Path, Path, SiteBuilder]:
    """The site, the folder it was built into, and the builder that built it."""
    site = _site(site_copy)
    out = tmp_path / "out"
    builder = SiteBuilder(BuildOptions(site, out_dir=out, search=False))
    assert builder.build().ok
    return site, out, builder


def _renderer(builder: SiteBuilder) -> SiteRenderer:
    plan, _ = builder.check(builder.analyse())
    assert plan is not None
    return plan.renderer


def test_assembled_from_the_copies_is_what_the_sources_make(
    site_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    _, out, builder = _built(site_copy, tmp_path)
    full = (out / "llms-full.txt").read_bytes()
    from_sources = FullText(_renderer(builder))()
    assert full == from_sources
    assert b"\n# --- Dashes # and [brackets] ---\n\nURL: https://example.org/kb/lessons/dashes/\n" in full
    empty = (
        b"# Empty\n\nURL: https://example.org/kb/lessons/empty/\n"
        b"Markdown: https://example.org/kb/lessons/empty/index.md\nSummary: Nothing.\n"
    )
    assert empty + b"\n# " in full or full.endswith(empty)  # no body: the section ends with the summary
    # the copies are what is read: a changed one shows (kb never changes one without the other)
    copy = out / "lessons/connection-pools/index.md"
    copy.write_bytes(copy.read_bytes() + b"Read from the copy.\n")
    assert b"Read from the copy.\n" in FullText(_renderer(builder)).assemble(str(out))
    copy.write_bytes(copy.read_bytes().replace(b"Read from the copy.\n", b""))
    # a copy missing from the folder, or not a copy kb wrote, is made from its source instead
    (out / "lessons/dashes/index.md").write_bytes(b"something else")
    (out / "lessons/empty/index.md").unlink()
    assert FullText(_renderer(builder)).assemble(str(out)) == from_sources


def test_one_edit_makes_one_copy_again_and_the_same_bytes_as_a_cold_build(
    site_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    site, out, _ = _built(site_copy, tmp_path)
    lesson = site / "content/ops/dashes.md"
    lesson.write_text(lesson.read_text() + "\nA paragraph appended.\n")
    result = SiteBuilder(BuildOptions(site, out_dir=out, search=False)).build()
    assert result.ok
    assert {"lessons/dashes/index.md", "llms-full.txt"} <= set(result.changed)
    assert not {name for name in result.changed if name.endswith("/index.md")} - {"lessons/dashes/index.md"}
    assert b"\nA paragraph appended.\n" in (out / "llms-full.txt").read_bytes()
    cold = tmp_path / "cold"
    assert SiteBuilder(BuildOptions(site, out_dir=cold, search=False)).build(use_cache=False).ok
    assert snapshot(out) == snapshot(cold)
