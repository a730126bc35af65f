"""Cold, warm and parallel builds give the same bytes; the cache is never trusted blindly."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import builder.theme as theme_module
import builder.writer as writer_module
from benchmarks.generate import generate, lesson_path
from builder.build import BuildOptions, SiteBuilder
from builder.cache import CACHE_DIR
from tests.conftest import snapshot


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # 420 lessons: enough for the forked parse and render workers to be used
    return generate(tmp_path_factory.mktemp("corpus") / "site", 420, seed=3)


def build(site: Path, out: Path, jobs: int = 2) -> SiteBuilder:
    builder = SiteBuilder(BuildOptions(site_dir=site, out_dir=out, jobs=jobs, search=False))
    result = builder.build()
    assert result.ok, result.diagnostics[:3]
    return builder


def test_cold_warm_and_single_job_builds_are_identical(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    shutil.copytree(corpus, site)
    out = tmp_path / "out"
    pools: list[int] = []
    choose = writer_module.workers

    def spy(jobs: int, tasks: int, minimum: int) -> int:
        pools.append(choose(jobs, tasks, minimum))
        return pools[-1]

    monkeypatch.setattr(writer_module, "workers", spy)
    # threads other tests of this worker left running (servers, the example runner's) would make kb keep
    # to one process, as it does in a threaded process such as kb serve's: this test is about a fresh `kb`
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    build(site, out)  # cold, two workers
    assert pools == [2, 2]  # parsing and rendering both ran in forked workers
    cold = snapshot(out)
    lesson_pages = [name for name in cold if name.startswith("lessons/lesson-") and name.endswith(".html")]
    # a few hundred generated lessons, linked relatively across folders: every link resolved, every page written
    assert len(lesson_pages) == 420
    assert len([name for name in cold if name.startswith("lessons/lesson-") and name.endswith(".md")]) == 420
    again = SiteBuilder(BuildOptions(site_dir=site, out_dir=out, jobs=2, search=False)).build()
    assert again.ok and again.rendered == 0  # warm, nothing changed: nothing done
    assert snapshot(out) == cold
    changed = site / lesson_path(5)
    changed.write_text(changed.read_text() + "\nOne more closing paragraph.\n")
    warm = SiteBuilder(BuildOptions(site_dir=site, out_dir=out, jobs=2, search=False)).build()
    assert warm.ok and 0 < warm.rendered < 30
    single = tmp_path / "single"
    shutil.copytree(site, single, ignore=shutil.ignore_patterns(CACHE_DIR))
    build(single, tmp_path / "single-out", jobs=1)
    assert snapshot(out) == snapshot(tmp_path / "single-out")
    assert "One more closing paragraph." in (out / "lessons/lesson-000005/index.html").read_text()


@pytest.mark.parametrize("damage", ["garbage", "foreign", "shard"])
def test_a_damaged_or_foreign_cache_is_ignored(
    site_copy: Callable[[str], Path], tmp_path: Path, damage: str
) -> None:
    site = site_copy("good")
    reference = tmp_path / "reference"
    SiteBuilder(BuildOptions(site_dir=site, out_dir=reference, search=False)).build(use_cache=False)
    build(site, tmp_path / "first")
    state = site / CACHE_DIR / "build.pickle"
    if damage == "garbage":
        state.write_bytes(b"not a cache at all")
    elif damage == "foreign":
        # a well-formed pickle that was not sealed with this user's key: never unpickled
        import pickle

        state.write_bytes(b"kb-cache-1\n" + b"\0" * 32 + pickle.dumps({"site": str(site.resolve())}))
    else:
        # a shard whose pickled HTML was tampered with: its seal no longer matches, so it is ignored
        shard = next(
            p for p in (site / CACHE_DIR).glob("bodies-*.pickle") if b"Pools bound" in p.read_bytes()
        )
        shard.write_bytes(shard.read_bytes().replace(b"Pools bound", b"<script>alert('tampered')</script>"))
    (site / CACHE_DIR / "fingerprint.pickle").unlink()
    lesson = site / "content/ops/connection-pools.md"
    lesson.write_text(lesson.read_text().replace("Pools bound", "Pools always bound"))
    (reference_site := tmp_path / "reference-site").mkdir()
    shutil.copytree(site, reference_site, dirs_exist_ok=True, ignore=shutil.ignore_patterns(CACHE_DIR))
    SiteBuilder(BuildOptions(site_dir=reference_site, out_dir=reference, search=False)).build(use_cache=False)
    build(site, tmp_path / "first")
    assert snapshot(tmp_path / "first") == snapshot(reference)
    assert "tampered" not in "".join(
        p.read_text(errors="ignore") for p in (tmp_path / "first").rglob("*.html")
    )


def test_an_edit_made_during_a_build_is_built_next_time(
    site_copy: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The "nothing changed" check compares the inputs as they were before the last build read them, so
    a save that lands while a build is running is not taken for built."""
    site = site_copy("good")
    lesson = site / "content/ops/connection-pools.md"
    write = SiteBuilder.write

    def save_while_writing(self: SiteBuilder, *args: Any) -> None:
        lesson.write_text(lesson.read_text().replace("Pools bound", "Pools saved mid-build bound"))
        write(self, *args)

    monkeypatch.setattr(SiteBuilder, "write", save_while_writing)
    assert SiteBuilder(BuildOptions(site_dir=site, search=False)).build().ok
    monkeypatch.undo()
    page = site / "public/lessons/connection-pools/index.html"
    assert "mid-build" not in page.read_text()
    again = SiteBuilder(BuildOptions(site_dir=site, search=False)).build()
    assert again.ok and again.rendered > 0
    assert "Pools saved mid-build bound" in page.read_text()


def test_templates_compiled_by_an_earlier_build_follow_template_edits(
    site_copy: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    site = site_copy("good")
    templates = site / "themes/default/templates"
    templates.mkdir(parents=True, exist_ok=True)
    (templates / "404.html").write_text("first version")
    assert SiteBuilder(BuildOptions(site_dir=site, search=False)).build().ok
    assert (site / CACHE_DIR / "templates.pickle").is_file()
    (templates / "404.html").write_text("second version")
    monkeypatch.setattr(theme_module._COMPILED, "compiled", {})  # as in a new process: only the saved ones
    assert SiteBuilder(BuildOptions(site_dir=site, search=False)).build().ok
    assert (site / "public/404.html").read_text() == "second version"
