"""`kb serve`: a live preview that rebuilds only what changed, reloads open pages, shows errors in them,
and never serves a half-built site (the server waits while a new build is written).

It keeps its folder in .kb-cache/preview/ for the next start: when nothing changed since, that folder is
served at once while the site is analysed in the background (builder/preview.py). It prints the address it
listens on (`--port 0`: a free port the system chose) and, once its watcher sees every change, says so."""

from __future__ import annotations

import errno
import signal
import sys
import threading
import webbrowser
from pathlib import Path

from builder.preview import Preview
from builder.progress import Reporter
from builder.serve_events import EVENTS_PATH, SCRIPT_PATH
from builder.server import SiteServer

__all__ = ["EVENTS_PATH", "SCRIPT_PATH", "Preview", "serve"]


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


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
    preview = Preview(site_dir, drafts=drafts, search=search, keep=True)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)  # save the cache (or clean up) on a plain kill too
    try:
        if preview.warm_start():
            preview.log("kb: nothing changed since the last preview: serving it while checking the site")
        elif preview.serve_build_first():
            preview.log("kb: nothing changed since the last build: serving it while the preview renders")
        else:
            with Reporter(sys.stderr, quiet=quiet) as reporter:  # progress for the first build only
                preview.rebuild(progress=reporter)
        if not preview.built_once and preview.serving is None:
            print("kb: fix the errors above; the preview starts serving once the site builds", flush=True)
        try:
            server = SiteServer((host, port), preview.serving or preview.out_dir, preview.base_path)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                print(
                    f"kb: port {port} on {host} is already in use; choose another with --port",
                    file=sys.stderr,
                )
                return 2
            print(f"kb: cannot listen on {host}:{port}: {exc.strerror}", file=sys.stderr)
            return 2
        server.lock = preview.lock if preview.serving is None else threading.RLock()  # a build: never written
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
            preview.wake()
            server.server_close()
            for thread in threads[:2]:  # the builder finishes what it writes before the cache is saved
                thread.join(timeout=60)
        return 0
    finally:
        preview.stop.set()
        preview.close()
