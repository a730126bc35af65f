from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.build import BuildOptions, BuildResult, Plan, SiteBuilder, build
from builder.output import (
    OLD_MARK,
    UnsafeOutputPath,
    clean_leftovers,
    safe_join,
    staging_dir,
    stamp,
    temporary_dir,
)
from tests.conftest import SITES, snapshot, write_lesson


def test_failed_build_leaves_previous_output_untouched(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("good")
    assert build(BuildOptions(site_dir=site, search=False)).ok
    before = snapshot(site / "public")
    write_lesson(site, "broken.md", "title: Broken\ndate: 2026-01-01\nsummary: S.\ntopics: [nope]")
    (site / "content/basics/README.md").write_text(
        "---\ntitle: [changed\nslug: http-basics\n---\n", encoding="utf-8"
    )
    result = build(BuildOptions(site_dir=site, search=False))
    assert not result.ok
    assert [d.code for d in result.diagnostics if d.severity == "error"] == ["yaml-syntax", "unknown-topic"]
    assert snapshot(site / "public") == before
    assert [p.name for p in site.iterdir() if p.name.startswith(".public")] == []


def test_two_builds_are_byte_identical_whatever_the_file_order(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    shutil.copytree(SITES / "good", first)
    # The second copy is created in reverse order, so directory listings come back differently.
    for source in sorted((SITES / "good").rglob("*"), reverse=True):
        target = second / source.relative_to(SITES / "good")
        if source.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    assert build(BuildOptions(site_dir=first, search=False)).ok
    assert build(BuildOptions(site_dir=second, search=False)).ok
    assert snapshot(first / "public") == snapshot(second / "public")
    assert len(snapshot(first / "public")) > 20


def test_rebuild_replaces_stale_pages(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("good")
    assert build(BuildOptions(site_dir=site, search=False)).ok
    (site / "content/ops/connection-pools.md").unlink()
    assert build(BuildOptions(site_dir=site, search=False)).ok
    assert not (site / "public/lessons/connection-pools").exists()


def test_leftovers_of_a_killed_build_are_cleaned(tmp_path: Path) -> None:
    out = tmp_path / "public"
    out.mkdir()
    (out / "index.html").write_text("old")
    stamp(out)
    stale = staging_dir(out)  # kb's staging folders carry a random token and the stamp
    (stale / "half.html").write_text("half")
    clean_leftovers(out)
    assert not stale.exists() and (out / "index.html").read_text() == "old"
    # A swap cut short between its two renames: the old output is put back.
    out.rename(temporary_dir(out, OLD_MARK))
    clean_leftovers(out)
    assert (out / "index.html").read_text() == "old"


@pytest.mark.parametrize("bad", ["../x.html", "/etc/passwd", "a/../../x", "a\\b", "", "a//b", "a/./b", "x\0"])
def test_writes_outside_the_output_folder_are_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(UnsafeOutputPath):
        safe_join(tmp_path, bad)


def test_the_same_file_twice_is_a_bug(tmp_path: Path) -> None:
    builder = SiteBuilder(BuildOptions(site_dir=SITES / "good", search=False))
    plan, _ = builder.check(builder.analyse())
    assert plan is not None
    twice = Plan([*plan.jobs, plan.jobs[-1]], plan.renderer, [], plan.epoch)
    with pytest.raises(ValueError, match="same file"):
        builder.write(twice, tmp_path, None, BuildResult([]))
