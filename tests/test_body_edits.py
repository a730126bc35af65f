"""A build after edits to lesson bodies alone keys only the pages showing those bodies, and its output is
still, byte for byte, a full build's, whatever the edits before it (builder/body_edits.py)."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest

from builder import output, pipeline
from builder.build import BuildOptions, BuildResult, SiteBuilder
from tests.conftest import snapshot
from tests.test_incremental import edit


def warm_build(site: Path) -> BuildResult:
    """kb build in a new process: the builder starts from what the last build left in .kb-cache/."""
    return SiteBuilder(BuildOptions(site_dir=site, search=False)).build()


def cold_build(site: Path, out: Path) -> tuple[BuildResult, dict[str, bytes]]:
    result = SiteBuilder(BuildOptions(site_dir=site, out_dir=out, search=False, force=True)).build(
        use_cache=False
    )
    return result, snapshot(out) if result.ok else {}


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_warm_builds_equal_full_builds_whatever_the_edits(
    site_copy: Callable[[str], Path], tmp_path: Path, seed: int
) -> None:
    site = site_copy("good")
    assert warm_build(site).ok
    rng = random.Random(seed)
    partial = 0
    for step in range(14):
        before = snapshot(site / "content")
        what = edit(site, rng, step)
        unchanged = snapshot(site / "content") == before  # an edit that found nothing to replace
        warm = warm_build(site)
        cold, expected = cold_build(site, tmp_path / f"cold-{step}")
        assert warm.ok == cold.ok, what
        assert warm.diagnostics == cold.diagnostics, what
        if not warm.ok:
            continue
        assert snapshot(site / "public") == expected, f"after step {step}: {what}"
        if warm.keyed < warm.pages:
            partial += 1
            assert what.startswith(("append", "prepend")) or unchanged, f"{what}: keyed {warm.keyed}"
    assert partial > 0  # every seed's edits include some to bodies alone


def test_a_body_edit_keys_its_page_its_copies_and_the_feeds_listing_it(
    site_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    site = site_copy("good")
    first = warm_build(site)
    assert first.ok and first.keyed == first.pages
    folder = (site / "public").stat().st_ino
    append(site / "content/ops/connection-pools.md", "\nPools also need a timeout on checkout.\n")
    second = warm_build(site)
    assert second.ok
    assert (site / "public").stat().st_ino == folder  # the changed files were moved into the output
    unchanged = warm_build(site)  # the output is recorded as this build left it: nothing to do
    assert unchanged.ok and (unchanged.keyed, unchanged.rendered, unchanged.changed) == (0, 0, [])
    shown = {
        "feed.xml",
        "lessons/connection-pools/index.html",
        "lessons/connection-pools/index.md",
        "llms-full.txt",
        "skills/postgresql/feed.xml",
        "skills/python/feed.xml",
        "topics/databases/feed.xml",
        "topics/reliability/feed.xml",
    }
    assert sorted(second.changed) == sorted(shown)
    assert second.graph is not None
    theme_files = [name for name in snapshot(site / "public") if name.startswith("assets/")]
    published = len(theme_files) + len(second.graph.assets)  # published as they are: always keyed
    assert second.keyed == len(shown) + published
    assert snapshot(site / "public") == cold_build(site, tmp_path / "cold")[1]


def test_every_page_is_keyed_when_more_than_a_body_changed(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("good")
    assert warm_build(site).ok
    lesson = site / "content/ops/connection-pools.md"
    lesson.write_text(lesson.read_text().replace("title: ", "title: Sized ", 1))
    retitled = warm_build(site)
    assert retitled.ok and retitled.keyed == retitled.pages
    append(lesson, "\nSee also [[http-basics]].\n")  # a new link: backlinks change elsewhere
    linked = warm_build(site)
    assert linked.ok and linked.keyed == linked.pages


def test_a_page_changed_in_the_output_is_written_again_after_a_body_edit(
    site_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    site = site_copy("good")
    assert warm_build(site).ok
    tampered = site / "public/lessons/http-basics/index.html"
    tampered.write_text("not what kb wrote")
    append(site / "content/ops/connection-pools.md", "\nOne more sentence.\n")
    again = warm_build(site)
    assert again.ok and again.keyed == again.pages  # the output is not what kb left: nothing is trusted
    assert snapshot(site / "public") == cold_build(site, tmp_path / "cold")[1]


def test_a_body_edit_that_fails_to_render_leaves_the_output_untouched(
    site_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    site = site_copy("good")
    templates = site / "themes/default/templates"
    templates.mkdir(parents=True)
    (templates / "lesson.html").write_text(
        '{{ lesson.title }}{% if "BOOM" in lesson.body_html|string %}{{ lesson.nothing.at_all }}{% endif %}'
    )
    assert warm_build(site).ok
    before = snapshot(site / "public")
    append(site / "content/ops/connection-pools.md", "\nWritten before the failure.\n")
    lesson = site / "content/basics/README.md"  # the oldest lesson: its page is written last
    append(lesson, "\nBOOM\n")
    failed = warm_build(site)
    assert not failed.ok
    assert [(d.path, d.code) for d in failed.diagnostics if d.severity == "error"] == [
        ("themes/default/templates/lesson.html", "template-error")
    ]
    assert snapshot(site / "public") == before
    assert sorted(p.name for p in site.iterdir() if p.name.startswith(".public")) == []
    lesson.write_text(lesson.read_text().replace("\nBOOM\n", "\nCalm again.\n"))
    assert warm_build(site).ok
    assert snapshot(site / "public") == cold_build(site, tmp_path / "cold")[1]


def test_a_build_killed_while_moving_its_files_in_is_completed_by_the_next(
    site_copy: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = site_copy("good")
    assert warm_build(site).ok
    append(site / "content/ops/connection-pools.md", "\nA sentence that reaches the output.\n")
    append(site / "content/basics/README.md", "\nA sentence that does not.\n")
    moved: list[str] = []

    def killed_after_one(overlay: Path, out_dir: Path, names: list[str]) -> None:
        output.apply_overlay(overlay, out_dir, names[:1])
        moved.extend(names[:1])
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "apply_overlay", killed_after_one)
    with pytest.raises(KeyboardInterrupt):
        warm_build(site)
    monkeypatch.undo()
    assert moved == ["lessons/connection-pools/index.html"]
    again = warm_build(site)
    assert again.ok and again.keyed == again.pages  # not the output kb recorded: every page is keyed
    assert snapshot(site / "public") == cold_build(site, tmp_path / "cold")[1]


def test_a_body_edit_takes_the_short_way_however_the_site_folder_is_named(
    site_copy: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    site = site_copy("good")
    assert warm_build(site).ok
    append(site / "content/ops/connection-pools.md", "\nNamed from inside the site.\n")
    monkeypatch.chdir(site)
    relative = SiteBuilder(BuildOptions(site_dir=Path("."), search=False, jobs=1)).build()
    assert relative.ok and relative.keyed < relative.pages and relative.rendered < 10
