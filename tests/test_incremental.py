"""Incremental builds (what kb serve does after each save) give the bytes of a full build, whatever the edits."""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.build import BuildOptions, BuildResult, SiteBuilder
from tests.conftest import snapshot, write_lesson


def full_build(site: Path, target: Path) -> dict[str, bytes] | None:
    shutil.rmtree(target, ignore_errors=True)
    builder = SiteBuilder(BuildOptions(site_dir=site, search=False, preview=True))
    plan, _ = builder.check(builder.analyse())
    if plan is None:
        return None
    target.mkdir(parents=True)
    builder.write(plan, target, None, BuildResult([]))
    return snapshot(target)


def edit(site: Path, rng: random.Random, step: int) -> str:
    lessons = sorted((site / "content").rglob("*.md"))
    choice = rng.randrange(9)
    target = rng.choice(lessons)
    text = target.read_text()
    if choice == 0:
        target.write_text(text + f"\nAnother paragraph {step}.\n")
        return f"append to {target.name}"
    if choice == 1:
        target.write_text(text.replace("title: ", f"title: Retitled {step} ", 1))
        return f"retitle {target.name}"
    if choice == 2:
        slug = f"new-{step}"
        topics = rng.choice(["[databases]", "[api-design, reliability]", "[reliability]"])
        body = (
            f"New lesson linking [[http-basics]] and [[{rng.choice(['error-contracts', 'http-basics'])}]].\n"
        )
        write_lesson(
            site,
            f"extra/{slug}.md",
            f"title: New {step}\ndate: 2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}\nsummary: S.\ntopics: {topics}\nskills: [python]",
            body,
        )
        return f"add {slug}"
    if choice == 3 and len(lessons) > 4 and "extra" in str(target):
        target.unlink()
        return f"delete {target.name}"
    if choice == 4:
        target.rename(target.with_name(f"renamed-{step}.md"))
        return f"rename {target.name}"
    if choice == 5:
        target.write_text(text.replace("topics: [", "topics: [nope, ", 1))
        return f"break {target.name}"
    if choice == 6:
        config = site / "site.yml"
        config.write_text(
            config.read_text().replace("max: 3", f"max: {rng.randint(1, 4)}").replace("max: 1\n", "max: 2\n")
        )
        return "site.yml related.max"
    if choice == 7:
        templates = site / "themes/default/templates"
        templates.mkdir(parents=True, exist_ok=True)
        (templates / "404.html").write_text(f"not found {step}")
        return "template"
    target.write_text(text.replace("date: 2026-0", "date: 2026-1", 1))
    return f"redate {target.name}"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_output_equals_a_full_build(
    site_copy: Callable[[str], Path], tmp_path: Path, seed: int
) -> None:
    site = site_copy("good")
    rng = random.Random(seed)
    live = tmp_path / "live"
    live.mkdir()
    builder = SiteBuilder(BuildOptions(site_dir=site, search=False, preview=True))
    for step in range(14):
        what = edit(site, rng, step)
        plan, _ = builder.check(builder.analyse())
        expected = full_build(site, tmp_path / "full")
        if plan is None:
            assert expected is None, what
            continue
        builder.write(plan, live, live, BuildResult([]))
        assert snapshot(live) == expected, f"after step {step}: {what}"


def test_one_edit_re_renders_only_what_it_touches(site_copy: Callable[[str], Path], tmp_path: Path) -> None:
    site = site_copy("good")
    builder = SiteBuilder(BuildOptions(site_dir=site, search=False, preview=True))
    first = BuildResult([])
    plan, _ = builder.check(builder.analyse())
    assert plan is not None
    builder.write(plan, tmp_path, tmp_path, first)
    assert first.rendered == first.pages
    lesson = site / "content/ops/connection-pools.md"
    lesson.write_text(lesson.read_text().replace("Pools bound", "Pools always bound"))
    second = BuildResult([])
    plan, _ = builder.check(builder.analyse())
    assert plan is not None
    builder.write(plan, tmp_path, tmp_path, second)
    assert sorted(second.changed) == [
        "feed.xml",
        "lessons/connection-pools/index.html",
        "skills/postgresql/feed.xml",
        "skills/python/feed.xml",
        "topics/databases/feed.xml",
        "topics/reliability/feed.xml",
    ]
    assert second.rendered == len(second.changed)
