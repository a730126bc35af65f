"""What open pages of kb serve hear: a version counter bumped at every published change, the server-sent
event stream that tells each page about it, and the live-reload script injected into every page."""

from __future__ import annotations

import dataclasses
import html
import json
import threading
from functools import partial
from http import HTTPStatus
from pathlib import Path

from builder.diagnostics import Diagnostic
from builder.server import SiteRequestHandler

EVENTS_PATH = "/__kb/events"
SCRIPT_PATH = "/__kb/livereload.js"
HEARTBEAT = 15.0


class Broadcast:
    """The last change and the current errors, and every open page's event stream."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.version = 0
        self.last_changed: list[str] = []
        self.errors: list[Diagnostic] = []
        self.base_path = "/"
        self.stop = threading.Event()

    def publish(self, changed: list[str], errors: list[Diagnostic]) -> None:
        with self.changed:
            self.version += 1
            self.last_changed = changed
            self.errors = errors
            self.changed.notify_all()

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

    def wake(self) -> None:
        """Let every event stream see that the preview stops."""
        with self.changed:
            self.changed.notify_all()

    def script(self, handler: SiteRequestHandler) -> None:
        body = (Path(__file__).parent / "livereload.js").read_bytes()
        handler.send_file(HTTPStatus.OK, ".js", body, handler.command != "HEAD")

    def inject(self, page: bytes) -> bytes:
        base = html.escape(self.base_path, quote=True)
        tag = f'<script src="{SCRIPT_PATH}" data-base="{base}"></script>'.encode()
        at = page.rfind(b"</body>")
        return page[:at] + tag + page[at:] if at >= 0 else page + tag


def _event(name: str, data: object) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()
