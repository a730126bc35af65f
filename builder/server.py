"""A small HTTP server for a built site: the base_url sub-path honoured, no way out of the output folder."""

from __future__ import annotations

import mimetypes
import posixpath
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".svg": "image/svg+xml",
    ".wasm": "application/wasm",
}
NOT_FOUND = b"<!doctype html><title>Not found</title><h1>Not found</h1>"
Route = Callable[["SiteRequestHandler"], None]


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], root: Path, base_path: str = "/") -> None:
        super().__init__(address, SiteRequestHandler)
        self.root = root
        self.base_path = base_path if base_path.endswith("/") else base_path + "/"
        self.routes: dict[str, Route] = {}  # extra endpoints by path, such as the live-reload events
        self.html_filter: Callable[[bytes], bytes] = lambda page: page
        self.lock = threading.RLock()  # held while a new build is swapped in, so no half-built page is served

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}{quote(unquote(self.base_path))}"


class SiteRequestHandler(BaseHTTPRequestHandler):
    server: SiteServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_HEAD(self) -> None:
        self.serve(send_body=False)

    def do_GET(self) -> None:
        self.serve(send_body=True)

    def serve(self, *, send_body: bool) -> None:
        try:
            path = unquote(urlsplit(self.path).path, errors="strict")  # the base path may be "/café kb/"
        except (ValueError, UnicodeDecodeError):
            self.send_error(HTTPStatus.BAD_REQUEST)
            return
        route = self.server.routes.get(path)
        if route is not None:
            route(self)
            return
        base = unquote(self.server.base_path)
        if path + "/" == base:
            self.redirect(base)
            return
        if not path.startswith(base):
            self.not_found(send_body)
            return
        with self.server.lock:
            target = self.resolve(path[len(base) :])
            if target is None or (path.endswith("/") and not target.is_dir()):
                self.not_found(send_body)
                return
            if target.is_dir():
                if not path.endswith("/"):
                    self.redirect(path + "/")
                    return
                target = target / "index.html"
                if not target.is_file():
                    self.not_found(send_body)
                    return
            body = target.read_bytes()
        self.send_file(HTTPStatus.OK, target.suffix, body, send_body)

    def resolve(self, relative: str) -> Path | None:
        """A file or folder inside the site root, or None: no '..', no backslashes, no symlinks out."""
        if "\x00" in relative or "\\" in relative:
            return None
        parts = [p for p in relative.split("/") if p not in ("", ".")]
        if any(p == ".." for p in parts) or posixpath.isabs(relative.lstrip("/")):
            return None
        root = self.server.root.resolve()
        target = root.joinpath(*parts)
        try:
            real = target.resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        return real if real.is_relative_to(root) else None

    def send_file(self, status: HTTPStatus, suffix: str, body: bytes, send_body: bool) -> None:
        kind = TYPES.get(suffix) or mimetypes.guess_type("x" + suffix)[0] or "application/octet-stream"
        if suffix == ".html":
            body = self.server.html_filter(body)
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if send_body:
            self.write(body)

    def write(self, data: bytes) -> bool:
        """Send data; False when the client has gone away (never an exception)."""
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError, OSError):
            self.close_connection = True
            return False
        return True

    def not_found(self, send_body: bool) -> None:
        page = self.server.root / "404.html"
        body = (
            page.read_bytes()
            if page.is_file()
            else b"<!doctype html><title>Not found</title><h1>Not found</h1>"
        )
        self.send_file(HTTPStatus.NOT_FOUND, ".html", body, send_body)

    def redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", quote(location))
        self.send_header("Content-Length", "0")
        self.end_headers()
