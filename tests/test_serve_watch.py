"""kb serve's watcher: the site's inputs only (never its output or .kb-cache/), folders made later too."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from builder.serve_watch import Inputs, SiteWatcher, inputs

Batch = set[str] | None


class Watching:
    def __init__(self, site: Path) -> None:
        self.batches: queue.Queue[Batch] = queue.Queue()
        self.stop = threading.Event()
        ready = threading.Event()
        self.watcher = SiteWatcher(site, self.batches.put, self.stop)
        self.thread = threading.Thread(target=self.watcher.run, args=(ready.set,), daemon=True)
        self.thread.start()
        assert ready.wait(10), "the watcher never said it was ready"

    def heard(self, until: Callable[[set[str]], bool], timeout: float = 10) -> tuple[set[str], bool]:
        """Every path reported until `until` holds of them, and whether a batch said "anything"."""
        paths: set[str] = set()
        anything = False
        deadline = time.monotonic() + timeout
        while not until(paths):
            try:
                batch = self.batches.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"heard only {paths}") from None
            if batch is None:
                anything = True
            else:
                paths |= batch
        return paths, anything

    def silent(self, seconds: float = 0.5) -> list[Batch]:
        time.sleep(seconds)
        heard = []
        while not self.batches.empty():
            heard.append(self.batches.get())
        return heard


@pytest.fixture
def extended(site_copy: Callable[[str], Path]) -> Iterator[tuple[Path, Watching]]:
    site = site_copy("extended")
    (site / ".kb-cache/preview/lessons/a").mkdir(parents=True)
    (site / "public/lessons/a").mkdir(parents=True)
    watching = Watching(site)
    yield site, watching
    watching.stop.set()
    watching.thread.join(timeout=10)
    assert not watching.thread.is_alive()


def test_the_inputs_are_the_source_folders_and_the_extension_files(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("extended")
    assert inputs(site) == Inputs(
        frozenset({"content", "static", "themes", "hooks"}), frozenset({"site.yml", "kb_plugins.py"})
    )
    (site / "site.yml").write_text("title: [")  # a broken site.yml: the source folders and itself
    assert inputs(site) == Inputs(frozenset({"content", "static", "themes"}), frozenset({"site.yml"}))


def test_output_and_cache_are_not_watched(extended: tuple[Path, Watching]) -> None:
    site, watching = extended
    for folder in (".kb-cache/preview/lessons/a", ".kb-cache/preview/lessons/b", "public/lessons/a"):
        (site / folder).mkdir(parents=True, exist_ok=True)
        (site / folder / "index.html").write_text("<p>written by kb</p>")
    (site / "hooks/__pycache__").mkdir()
    (site / "hooks/__pycache__/glossary.cpython-311.pyc").write_bytes(b"\0")
    (site / "notes.txt").write_text("not an input")
    assert watching.silent() == []


def test_every_input_is_heard(extended: tuple[Path, Watching]) -> None:
    site, watching = extended
    lesson = next((site / "content").rglob("*.md"))
    wanted = {
        lesson.relative_to(site).as_posix(),
        "site.yml",
        "hooks/glossary.py",
        "kb_plugins.py",
        "themes/default/templates/404.html",
    }
    lesson.write_text(lesson.read_text() + "\nMore.\n")
    for name in ("site.yml", "hooks/glossary.py", "kb_plugins.py"):
        (site / name).write_text((site / name).read_text() + "\n# edited\n")
    (site / "themes/default/templates").mkdir(parents=True, exist_ok=True)
    (site / "themes/default/templates/404.html").write_text("gone")
    paths, anything = watching.heard(lambda paths: wanted <= paths)
    assert paths == wanted and not anything


def test_a_source_folder_made_later_is_watched(extended: tuple[Path, Watching]) -> None:
    site, watching = extended
    assert not (site / "static").exists()
    (site / "static").mkdir()
    deadline = time.monotonic() + 10
    while watching.batches.get(timeout=max(0.0, deadline - time.monotonic())) is not None:
        pass  # the recursive watcher starts again, on static/ too, then says anything may have changed
    (site / "static/robots.txt").write_text("User-agent: *\n")
    paths, _ = watching.heard(lambda paths: "static/robots.txt" in paths)
    assert paths == {"static/robots.txt"}


def test_an_edit_made_before_the_watcher_was_set_up_is_built(site_copy: Callable[[str], Path]) -> None:
    """kb serve compares the inputs once its watcher is set up with the inputs at its start: an edit made
    during the first build, or just after it, is not missed."""
    from builder.preview import Preview

    site = site_copy("good")
    preview = Preview(site, search=False)
    preview.log = lambda line: None
    assert not preview.warm_start() and preview.rebuild()
    preview._watching()
    assert not preview.pending.is_set() and preview.edited == set()  # nothing changed since the start
    lesson = site / "content/ops/connection-pools.md"
    lesson.write_text(lesson.read_text() + "\nWritten while kb serve started.\n")
    preview._watching()
    assert preview.pending.is_set() and preview.edited is None  # the whole site is checked
    preview.close()
