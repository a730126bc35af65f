"""kb serve's state: the site builder, the folder it writes, the loops that watch the sources, rebuild and
re-index, and what a later start reuses (its folder and the record of what is in it, in .kb-cache/)."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from builder import cache, serve_quick
from builder.build import BuildOptions, BuildResult, Progress, SiteBuilder
from builder.diagnostics import format_text, summary
from builder.kept import KEPT, RECORD, last_build, lock
from builder.pipeline import Fingerprint, _fingerprint
from builder.render import TemplateFailure
from builder.sealed import SHARDS
from builder.search import SearchIndexError, index_site
from builder.serve_events import Broadcast
from builder.serve_watch import SiteWatcher
from builder.server import SiteServer
from builder.theme import compiled_templates, reuse_compiled

SEARCH_DELAY = 1.0  # seconds of quiet before the search index is rebuilt


class Preview(Broadcast):
    """The state shared by the watcher, the builder and every open page's event stream."""

    def __init__(
        self, site_dir: Path, *, drafts: bool = False, search: bool = True, keep: bool = False
    ) -> None:
        super().__init__()
        self.site_dir = site_dir
        options = BuildOptions(
            site_dir=site_dir, drafts=drafts, search=False, preview=True, jobs=os.cpu_count() or 1
        )
        self.builder = SiteBuilder(options)
        self.lock_file: IO[bytes] | None = lock(site_dir) if keep else None
        if self.lock_file is not None:  # kept for the next start: .kb-cache/preview/
            self.out_dir = site_dir / cache.CACHE_DIR / KEPT
            self.out_dir.mkdir(exist_ok=True)
        else:
            self.out_dir = Path(tempfile.mkdtemp(prefix="kb-preview-"))
        self.search = search
        self.lock = threading.RLock()  # the server holds it while reading a file
        self.server: SiteServer | None = None  # set once serving, so it follows base_url changes
        self.pending = threading.Event()
        self.edited: set[str] | None = set()  # files changed since the last build (None: not known)
        self.edited_lock = threading.Lock()
        self.index_wanted = threading.Event()  # set after every change; the search loop re-indexes
        self.watching = threading.Event()  # set once the watcher sees every change from then on
        self.built_once = False
        self.recorded = False  # whether .kb-cache/ says the kept folder is what its inputs give
        self.unread = False  # a warm start served the kept folder before reading the cache
        self.inputs_at_start: Fingerprint | None = None  # the inputs' fingerprint at the start
        self.serving: Path | None = None  # the last build's output, served until the first rebuild
        self.shards_unread = list(range(SHARDS))  # sealed shards of bodies not yet read (_read_bodies)
        self.log: Callable[[str], None] = lambda line: print(line, flush=True)

    # -- starting and stopping ------------------------------------------------------------------------

    def warm_start(self) -> bool:
        """Take up what the last preview (or build) left in .kb-cache/; True when nothing changed since
        the last preview wrote its kept folder: it is served at once, and the cache is read and the site
        analysed in the background (the first rebuild)."""
        self.inputs_at_start = _fingerprint(self.builder)  # compared once the watcher is set up
        if self.lock_file is None:
            return False
        record = self.builder.store.get(RECORD)
        self.recorded = isinstance(record, dict)
        now = self.inputs_at_start if isinstance(record, dict) else None
        if not isinstance(record, dict) or now is None or record.get("fingerprint") != now[0]:
            self._restore()
            return False
        self.base_path = str(record["base_path"])
        self.built_once = True
        self.unread = True
        with self.edited_lock:
            self.edited = None  # the first rebuild analyses the whole site, as a start would
            self.pending.set()
        return True

    def serve_build_first(self) -> bool:
        """Serve the last `kb build`'s output at once, with its own lock, while the first rebuild renders
        the preview's pages (they differ only in their assets' ?v= stamps), when that build wrote what the
        site's inputs give now (kept.last_build); whether it is served so."""
        found = None if self.lock_file is None else last_build(self.builder, self.inputs_at_start)
        if found is None:
            return False
        self.serving, self.base_path = found
        with self.edited_lock:
            self.edited = None  # the first rebuild analyses the whole site
            self.pending.set()
        return True

    def _restore(self) -> None:
        """The builder's cache as the last preview saved it, else the lessons the last build parsed."""
        self.unread = False
        store = self.builder.store
        store.restore(self.out_dir, reuse_compiled, KEPT)
        if not store.files:
            store.restore(self.out_dir, reuse_compiled)
        if not self.recorded:  # the kept folder may hold anything: it is written anew
            store.page_keys = {}
            shutil.rmtree(self.out_dir, ignore_errors=True)
            self.out_dir.mkdir()

    def close(self) -> None:
        """Remove a temporary folder; or save the builder's cache and the record of the kept folder."""
        if self.lock_file is None:
            shutil.rmtree(self.out_dir, ignore_errors=True)
            return
        try:
            with self.lock:
                if not self.built_once or self.unread:  # unread: the kept folder and cache are as they were
                    return
                self.builder.store.save(self.out_dir, compiled_templates(), KEPT)
                now = _fingerprint(self.builder)
                if now is not None and not self.pending.is_set() and self.edited == set():
                    self.builder.store.put(RECORD, {"fingerprint": now[0], "base_path": self.base_path})
        finally:
            self.lock_file.close()

    def _writing(self) -> None:
        """The kept folder is about to change: until it is saved again, it is not what the record says."""
        if self.recorded:
            (self.site_dir / cache.CACHE_DIR / RECORD.file).unlink(missing_ok=True)
            self.recorded = False

    # -- building -------------------------------------------------------------------------------------

    def rebuild(self, edited: set[str] | None = None, progress: Progress | None = None) -> bool:
        """Build once; on errors keep the last good output and publish the diagnostics. True if written.
        edited: the files changed since the last build, when known: edits to lessons' bodies alone, or
        to the free fields of their front matter, then take a quick path (serve_quick.py)."""
        started = time.perf_counter()
        if self.unread:
            self._restore()
        if edited:
            try:
                with self.lock:
                    self._writing()
                    quick = serve_quick.update(self.builder, edited)
            except TemplateFailure as exc:
                return self._template_failed(exc)
            if quick is not None:
                self._written(quick[0], started, quick[1])
                return True
        progress = progress or Progress()
        analysis = self.builder.analyse(progress)
        if self.pending.is_set() and self.built_once:
            return False  # a newer change arrived while parsing: that build will supersede this one
        base_path = analysis.loaded.config.base_path if analysis.loaded is not None else self.base_path
        plan, result = self.builder.check(analysis)
        problems = [d for d in result.diagnostics if d.severity == "error"]
        if plan is None:
            self._follow_base_path(base_path)  # base_url may have changed, even if lessons have errors
            self.publish([], problems or result.diagnostics)
            self.log(f"kb: build failed ({summary(result.diagnostics)}); still serving the last good build")
            sys.stdout.write(format_text(result.diagnostics))
            return False
        try:
            with self.lock:
                self._writing()
                self.builder.write(plan, self.out_dir, self.out_dir, result, progress)
                moved = self._switch_base_path(base_path)  # with the pages that link under it, not before
        except TemplateFailure as exc:
            return self._template_failed(exc)
        if moved:
            self._said_where()
        self._written(result, started)
        return True

    def _follow_base_path(self, base_path: str) -> None:
        """Serve under site.yml's base path, and say where when it changes while serving."""
        with self.lock:
            moved = self._switch_base_path(base_path)
        if moved:
            self._said_where()

    def _switch_base_path(self, base_path: str) -> bool:
        """Serve under base_path from now on (the caller holds the lock); whether it changed."""
        if base_path == self.base_path:
            return False
        self.base_path = base_path
        if self.server is not None:
            self.server.base_path = base_path
        return True

    def _said_where(self) -> None:
        if self.server is not None and self.built_once:  # else said once the site builds
            self.log(f"kb: now serving at {self.server.url}")

    def _written(self, result: BuildResult, started: float, how: str = "") -> None:
        switched = self.serving is not None and self.server is not None
        if switched and self.server is not None:  # the preview's own pages from now on
            with self.lock:
                self.server.root, self.server.lock, self.serving = self.out_dir, self.lock, None
        if not self.built_once and self.server is not None and not switched:  # builds after a failed start
            self.log(f"kb: serving at {self.server.url}")
        self.built_once = True
        self.publish(result.changed, [])
        milliseconds = (time.perf_counter() - started) * 1000
        count = f"{len(result.changed)} file(s) changed, {result.rendered} rendered"
        self.log(f"kb: {count} in {milliseconds:.0f} ms{how}")
        if self.search and result.changed:
            self.index_wanted.set()

    def _template_failed(self, exc: TemplateFailure) -> bool:
        """Some pages may be half-updated: the builder rewrites them all once the template is fixed."""
        self.publish([], [exc.args[0]])
        self.log(f"kb: template error: {format_text([exc.args[0]]).strip()}")
        return False

    def reindex(self) -> None:
        """Pagefind into a scratch folder, then swapped in under the lock: search is never half-written."""
        scratch = Path(tempfile.mkdtemp(prefix="kb-search-"))
        try:
            # Pagefind reads the live folder (every file in it is replaced atomically) and writes its
            # bundle aside; the bundle is then swapped in under the lock.
            index_site(self.out_dir, scratch / "pagefind")
            with self.lock:
                target = self.out_dir / "pagefind"
                old = self.out_dir / ".pagefind-old"
                if target.exists():
                    target.rename(old)
                (scratch / "pagefind").rename(target)
                shutil.rmtree(old, ignore_errors=True)
            self.publish(["pagefind/pagefind.js"], self.errors)
        except (SearchIndexError, OSError) as exc:
            self.log(f"kb: search index not updated: {exc}")
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    # -- the loops ------------------------------------------------------------------------------------

    def build_loop(self) -> None:
        while not self.stop.is_set():
            if not self.pending.wait(0.5):
                continue
            with self.edited_lock:
                self.pending.clear()
                edited, self.edited = self.edited, set()
            try:
                self.rebuild(edited)
                self._read_bodies()
            except Exception as exc:  # a bug must not kill the preview; say so and keep serving
                self.log(
                    f"kb: internal error while rebuilding ({type(exc).__name__}: {exc}); please report it"
                )

    def _read_bodies(self) -> None:
        """Read the lessons' bodies the cache keeps sealed into this process's scratch file, a shard at a
        time while no edit waits, once the site is built: after a warm start, the first edits would
        otherwise each wait for a shard (60 ms at 10,000 lessons)."""
        while self.shards_unread and not self.pending.is_set() and self.built_once and not self.unread:
            self.builder.store.bodies.read_shard(self.shards_unread.pop())

    def search_loop(self) -> None:
        """Re-index for search once changes have been quiet for SEARCH_DELAY, apart from the builds: a
        large site takes Pagefind many seconds, and edits must not wait for it."""
        while not self.stop.is_set():
            if not self.index_wanted.wait(0.5):
                continue
            while self.index_wanted.is_set() and not self.stop.is_set():
                self.index_wanted.clear()
                time.sleep(SEARCH_DELAY)
            if not self.stop.is_set():
                self.reindex()

    def watch_loop(self) -> None:
        """Watch the site's inputs (serve_watch.py); say once every change from then on is seen."""
        SiteWatcher(self.site_dir, self._changed, self.stop).run(self._watching)

    def _watching(self) -> None:
        """The watcher sees every change from now on; one made since the start (while the first build
        ran, or before the watcher was set up) is built now."""
        if _fingerprint(self.builder) != self.inputs_at_start:
            self._changed(None)
        self.watching.set()
        self.log("kb: watching for changes")

    def _changed(self, paths: set[str] | None) -> None:
        """Note the site-relative paths of changed inputs (None: anything may have changed)."""
        with self.edited_lock:
            if paths is None or self.edited is None:
                self.edited = None
            else:
                self.edited |= paths
            self.pending.set()
