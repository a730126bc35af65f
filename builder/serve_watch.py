"""What kb serve watches: the site's inputs only (content/, static/, themes/, site.yml, and the hook and
plugin files site.yml names), never its output or .kb-cache/. kb serve keeps its own folder in
.kb-cache/preview/ (a folder a lesson, tens of thousands on a large site): a recursive watch of the whole
site folder set up a watch on each of them and heard every page kb serve wrote.

Two watchers run: one on the site folder itself, not recursive (site.yml, hook files beside it, and the
input folders made, removed or renamed while serving), and one on the input folders, recursive. When the
first sees the set of input folders change, the second starts again on the new set, and reports that
anything may have changed (an edit made while it started again would be missed)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import watchfiles

from builder.config import CONFIG_FILE, load_config
from builder.extensions import site_files

SOURCE_FOLDERS = ("content", "static", "themes")
STEP = 10  # ms without a new event before a batch of changes is reported
DEBOUNCE = 50  # ms: the longest a batch of changes is held while events keep coming
Changed = Callable[[set[str] | None], None]  # site-relative paths that changed (None: anything may have)


@dataclass(frozen=True, slots=True)
class Inputs:
    """The site's inputs as site.yml names them now: folders watched recursively, files beside site.yml."""

    folders: frozenset[str]
    files: frozenset[str]


def inputs(site_dir: Path) -> Inputs:
    """The source folders, and the folders and top-level files holding the hooks and plugins site.yml names
    (none while site.yml does not load: its next edit is seen, and the inputs are found again)."""
    folders, files = set(SOURCE_FOLDERS), {CONFIG_FILE}
    loaded, _ = load_config(site_dir)
    if loaded is not None:
        output = Path(loaded.config.output_dir).parts[:1]
        for path in site_files(site_dir, loaded.config):
            parts = _relative(site_dir, path)
            if not parts or parts[0].startswith(".") or parts[:1] == output:
                continue
            (files if len(parts) == 1 else folders).add(parts[0])
    return Inputs(frozenset(folders), frozenset(files))


def _relative(site_dir: Path, path: Path) -> tuple[str, ...] | None:
    try:
        return path.relative_to(site_dir).parts
    except ValueError:
        return None


class _Either:
    """Set when either event is: how watchfiles is told to stop one watcher."""

    def __init__(self, *events: threading.Event) -> None:
        self.events = events

    def is_set(self) -> bool:
        return any(event.is_set() for event in self.events)


class SiteWatcher:
    """Reports each batch of changed inputs to `changed`, until `stop` is set."""

    def __init__(self, site_dir: Path, changed: Changed, stop: threading.Event) -> None:
        self.site_dir = site_dir
        self.bases = (site_dir.resolve(), site_dir)
        self.changed = changed
        self.stop = stop
        self.inputs = inputs(site_dir)
        self.again = threading.Event()  # the input folders changed: the recursive watcher starts again
        self._unready = 2  # watchers not yet set up
        self._ready_lock = threading.Lock()

    def run(self, ready: Callable[[], None]) -> None:
        """Watch until stopped; ready() once both watchers see every change from then on."""
        top = threading.Thread(target=self._watch_top, args=(ready,), daemon=True)
        top.start()
        first = True
        while not self.stop.is_set():
            self.again.clear()
            folders = sorted(name for name in self.inputs.folders if (self.site_dir / name).is_dir())
            for changes in self._batches([self.site_dir / name for name in folders], True, _is_input):
                if changes is not None:
                    self.changed(changes)
                elif first:
                    self._set_up(ready)
                    first = False
                else:
                    self.changed(None)
        top.join(timeout=5)

    def _set_up(self, ready: Callable[[], None]) -> None:
        with self._ready_lock:
            self._unready -= 1
            if self._unready == 0:
                ready()

    def _watch_top(self, ready: Callable[[], None]) -> None:
        for changes in self._batches([self.site_dir], False, _is_top):
            if changes is None:
                self._set_up(ready)
                continue
            now = inputs(self.site_dir)
            moved = now.folders != self.inputs.folders or not now.folders.isdisjoint(changes)
            self.inputs = now
            if moved:
                self.again.set()  # the recursive watcher starts again, then reports everything
            files = changes & now.files
            if files:
                self.changed(files)

    def _batches(
        self, folders: list[Path], recursive: bool, keep: Callable[[tuple[str, ...]], bool]
    ) -> Iterable[set[str] | None]:
        """Each batch of kept changes, as site-relative paths; None first, once the watcher is set up
        (an empty watch: once at once, then until it is told to stop)."""
        until = _Either(self.stop, self.again) if recursive else self.stop
        if not folders:
            yield None
            while not until.is_set():
                self.stop.wait(0.1)
            return
        first = True
        for changes in watchfiles.watch(
            *folders,
            watch_filter=None,
            debounce=DEBOUNCE,
            step=STEP,
            stop_event=until,
            rust_timeout=100,  # the watcher yields at once, empty, when it is set up
            yield_on_timeout=True,
            raise_interrupt=False,
            recursive=recursive,
            ignore_permission_denied=True,
        ):
            if first:
                first = False
                yield None
            kept = set()
            for _, path in changes:
                parts = self._parts(path)
                if parts is not None and keep(parts):
                    kept.add("/".join(parts))
            if kept:
                yield kept

    def _parts(self, path: str) -> tuple[str, ...] | None:
        """A watched path's parts relative to the site folder; None for one outside it."""
        for base in self.bases:
            try:
                return Path(path).relative_to(base).parts
            except ValueError:
                continue
        return None


def _is_input(parts: tuple[str, ...]) -> bool:
    """A file in an input folder: any in the source folders, Python files in the extensions' ones."""
    if len(parts) < 2 or any(part.startswith(".") for part in parts):
        return False
    return parts[0] in SOURCE_FOLDERS or parts[-1].endswith(".py")


def _is_top(parts: tuple[str, ...]) -> bool:
    """site.yml, a top-level hook or plugin file, or an input folder made or removed."""
    return len(parts) == 1 and not parts[0].startswith(".")
