"""`kb serve`: a live preview that rebuilds only what changed, reloads open pages, shows errors in them,
and never serves a half-built site (the server waits while a new build is written)."""

from __future__ import annotations

import dataclasses
import errno
import html
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import webbrowser
from collections.abc import Callable
from functools import partial
from http import HTTPStatus
from pathlib import Path

import watchfiles

from builder import serve_quick
from builder.build import BuildOptions, BuildResult, Progress, SiteBuilder
from builder.config import CONFIG_FILE
from builder.diagnostics import Diagnostic, format_text, summary
from builder.progress import Reporter
from builder.render import TemplateFailure
from builder.search import SearchIndexError, index_site
from builder.server import SiteRequestHandler, SiteServer

EVENTS_PATH = "/__kb/events"
SCRIPT_PATH = "/__kb/livereload.js"
SEARCH_DELAY = 1.0  # seconds of quiet before the search index is rebuilt
HEARTBEAT = 15.0
SOURCE_FOLDERS = {"content", "themes", "static"}


class Preview:
    """The state shared by the watcher, the builder and every open page's event stream."""

    def __init__(self, site_dir: Path, *, drafts: bool = False, search: bool = True) -> None:
        self.site_dir = site_dir
        self.out_dir = Path(tempfile.mkdtemp(prefix="kb-preview-"))
        options = BuildOptions(
            site_dir=site_dir, drafts=drafts, search=False, preview=True, jobs=os.cpu_count() or 1
        )
        self.builder = SiteBuilder(options)
        self.search = search
        self.lock = threading.RLock()  # the server holds it while reading a file
        self.changed = threading.Condition()
        self.version = 0
        self.last_changed: list[str] = []
        self.errors: list[Diagnostic] = []
        self.base_path = "/"
        self.server: SiteServer | None = None  # set once serving, so it follows base_url changes
        self.pending = threading.Event()
        self.edited: set[str] | None = set()  # files changed since the last build (None: not known)
        self.edited_lock = threading.Lock()
        self.stop = threading.Event()
        self.index_wanted = threading.Event()  # set after every change; the search loop re-indexes
        self.built_once = False
        self.log: Callable[[str], None] = lambda line: print(line, flush=True)

    # -- building -------------------------------------------------------------------------------------

    def rebuild(self, edited: set[str] | None = None, progress: Progress | None = None) -> bool:
        """Build once; on errors keep the last good output and publish the diagnostics. True if written.
        edited: the files changed since the last build, when known: edits to lessons' bodies alone then
        take the quick path, which writes only the pages showing those bodies."""
        started = time.perf_counter()
        if edited:
            try:
                with self.lock:
                    quick, how = self.builder.update_lessons(edited), " (lesson bodies only)"
                    if quick is None:
                        quick, how = serve_quick.update_front_matter(self.builder, edited), " (front matter)"
            except TemplateFailure as exc:
                return self._template_failed(exc)
            if quick is not None:
                self._written(quick, started, how)
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
        if not self.built_once and self.server is not None:  # the site builds at last, after a failed start
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

    def publish(self, changed: list[str], errors: list[Diagnostic]) -> None:
        with self.changed:
            self.version += 1
            self.last_changed = changed
            self.errors = errors
            self.changed.notify_all()

    def build_loop(self) -> None:
        while not self.stop.is_set():
            if not self.pending.wait(0.5):
                continue
            time.sleep(0.02)  # let a burst of saves land
            with self.edited_lock:
                self.pending.clear()
                edited, self.edited = self.edited, set()
            try:
                self.rebuild(edited)
            except Exception as exc:  # a bug must not kill the preview; say so and keep serving
                self.log(
                    f"kb: internal error while rebuilding ({type(exc).__name__}: {exc}); please report it"
                )

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
        """Watch the whole site folder (so folders created later count), keeping only its sources."""
        for changes in watchfiles.watch(
            self.site_dir,
            watch_filter=self.is_source,
            debounce=50,
            step=20,
            stop_event=self.stop,
            raise_interrupt=False,
            ignore_permission_denied=True,
        ):
            with self.edited_lock:
                for _, path in changes:
                    parts = self._site_parts(path)
                    if self.edited is not None and parts:
                        self.edited.add("/".join(parts))
                    else:
                        self.edited = None
                self.pending.set()

    def is_source(self, _change: watchfiles.Change, path: str) -> bool:
        parts = self._site_parts(path)
        if not parts or any(part.startswith(".") for part in parts):
            return False
        return parts[0] in SOURCE_FOLDERS or parts == (CONFIG_FILE,)

    def _site_parts(self, path: str) -> tuple[str, ...] | None:
        """The parts of a watched path relative to the site folder; None for a path outside it."""
        for base in (self.site_dir.resolve(), self.site_dir):
            try:
                return Path(path).relative_to(base).parts
            except ValueError:
                continue
        return None

    # -- serving --------------------------------------------------------------------------------------

    def events(self, handler: SiteRequestHandler) -> None:
        """Server-sent events: the current errors at once, then every change as it is published."""
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.send_header("Cache-Control", "no-cache")
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.close_connection = True
        if handler.command == "HEAD":  # the headers alone: no stream
            return
        with self.changed:
            seen = self.version
            errors = list(self.errors)
        if not handler.write(_event("errors", [dataclasses.asdict(d) for d in errors])):
            return
        while not self.stop.is_set():
            with self.changed:
                self.changed.wait_for(partial(self._moved_on, seen), timeout=HEARTBEAT)
                if self.version == seen:
                    message = b": keep-alive\n\n"
                else:
                    seen = self.version
                    message = _event("changed", self.last_changed) + _event(
                        "errors", [dataclasses.asdict(d) for d in self.errors]
                    )
            if not handler.write(message):
                return

    def _moved_on(self, seen: int) -> bool:
        return self.version != seen or self.stop.is_set()

    def script(self, handler: SiteRequestHandler) -> None:
        body = (Path(__file__).parent / "livereload.js").read_bytes()
        handler.send_file(HTTPStatus.OK, ".js", body, handler.command != "HEAD")

    def inject(self, page: bytes) -> bytes:
        base = html.escape(self.base_path, quote=True)
        tag = f'<script src="{SCRIPT_PATH}" data-base="{base}"></script>'.encode()
        at = page.rfind(b"</body>")
        return page[:at] + tag + page[at:] if at >= 0 else page + tag


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _event(name: str, data: object) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()


def serve(
    site_dir: Path,
    host: str,
    port: int,
    *,
    drafts: bool = False,
    open_browser: bool = False,
    search: bool = True,
    quiet: bool = False,
) -> int:
    preview = Preview(site_dir, drafts=drafts, search=search)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)  # clean up the preview folder on a plain kill too
    try:
        with Reporter(sys.stderr, quiet=quiet) as reporter:  # progress for the first build only
            preview.rebuild(progress=reporter)
        if not preview.built_once:
            print("kb: fix the errors above; the preview starts serving once the site builds", flush=True)
        try:
            server = SiteServer((host, port), preview.out_dir, preview.base_path)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                print(
                    f"kb: port {port} on {host} is already in use; choose another with --port",
                    file=sys.stderr,
                )
                return 2
            print(f"kb: cannot listen on {host}:{port}: {exc.strerror}", file=sys.stderr)
            return 2
        server.lock = preview.lock
        preview.server = server
        server.routes = {EVENTS_PATH: preview.events, SCRIPT_PATH: preview.script}
        server.html_filter = preview.inject
        threads = [
            threading.Thread(target=loop, daemon=True)
            for loop in (preview.build_loop, preview.watch_loop, preview.search_loop)
        ]
        for thread in threads:
            thread.start()
        if preview.search and preview.built_once:
            preview.index_wanted.set()
        print(f"kb: serving {site_dir.resolve()} at {server.url} (Ctrl+C to stop)", flush=True)
        if open_browser:
            webbrowser.open(server.url)
        try:
            server.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            print("kb: stopped", flush=True)
        finally:
            preview.stop.set()
            with preview.changed:
                preview.changed.notify_all()
            server.server_close()
        return 0
    finally:
        preview.stop.set()
        shutil.rmtree(preview.out_dir, ignore_errors=True)
