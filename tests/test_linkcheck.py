"""kb check --external against a local server on 127.0.0.1 that answers as the web does: no test here
touches the internet."""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from builder.build import BuildOptions, analyse
from builder.cli import main
from builder.linkcheck import CheckOptions, check_external, skipped
from tests.conftest import write_lesson


class Web(BaseHTTPRequestHandler):
    """/ok 200 · /old 301 -> /new · /temp 302 -> /ok · /gone 404 · /busy 429 once, then 200 ·
    /nohead 405 to HEAD, 200 to GET · /slow answers after 4 s · /reset drops the connection."""

    hits: ClassVar[Counter[str]] = Counter()
    lock = threading.Lock()
    in_flight = 0
    most_in_flight = 0

    def log_message(self, format: str, *args: object) -> None:
        return None

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def do_GET(self) -> None:
        self._answer(head=False)

    def _answer(self, *, head: bool) -> None:
        with self.lock:
            Web.hits[f"{self.command} {self.path}"] += 1
            busy_seen = Web.hits["HEAD /busy"]
            Web.in_flight += 1
            Web.most_in_flight = max(Web.most_in_flight, Web.in_flight)
        try:
            self._respond(head, busy_seen)
        finally:
            with self.lock:
                Web.in_flight -= 1

    def _respond(self, head: bool, busy_seen: int) -> None:
        path = self.path
        if path == "/reset":
            # RST instead of an answer: SO_LINGER with a zero timeout, then close
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        if path.startswith("/slow"):
            time.sleep(4 if path == "/slow" else 0.3)
        if path == "/busy" and busy_seen == 1:
            self._send(429, {"Retry-After": "1"})
        elif path == "/old":
            self._send(301, {"Location": "/new"})
        elif path == "/temp":
            self._send(302, {"Location": "/ok"})
        elif path == "/gone":
            self._send(404)
        elif path == "/nohead" and head:
            self._send(405)
        else:
            self._send(200)

    def _send(self, code: int, headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def web() -> Iterator[str]:
    Web.hits = Counter()
    Web.in_flight = Web.most_in_flight = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), Web)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def linked_site(site_copy: Callable[[str], Path], web: str) -> Path:
    site = site_copy("minimal")
    body = "\n".join(
        [
            f"Fine: [ok]({web}/ok) and [temp]({web}/temp).",
            f"Moved: [old]({web}/old).",
            f"Gone: [gone]({web}/gone)",
            f"Busy: [busy]({web}/busy), [no head]({web}/nohead).",
            f"Slow: [slow]({web}/slow) and [reset]({web}/reset).",
            "Skipped: [skip](https://skipped.example/page).",
            "",
        ]
    )
    write_lesson(
        site,
        "links.md",
        "title: Links\ndate: 2026-01-02\nsummary: Links.\ntopics: [testing]\nskills: [pytest]",
        body,
    )
    return site


FAST = CheckOptions(max_age_days=7, skip=("skipped.example",), delay=0.05, timeout=2.0, retries=1, max_wait=5)


def test_each_kind_of_answer_is_reported_at_its_link(linked_site: Path, web: str) -> None:
    graph = analyse(BuildOptions(linked_site)).graph
    diagnostics, counts = check_external(linked_site, graph, FAST)
    found = [(d.line, d.col, d.code, d.message) for d in diagnostics]
    assert found[:3] == [
        (9, 14, "moved-link", f"{web}/old has moved permanently to {web}/new: link to the new address"),
        (10, 14, "dead-link", f"{web}/gone: the server answered 404 Not Found"),
        (12, 14, "dead-link", f"{web}/slow: no answer within 2 s (2 tries)"),
    ]
    line, col, code, message = found[3]
    assert (line, col, code) == (12, 33 + len(web), "dead-link")
    assert message.startswith(f"{web}/reset: the connection failed (") and message.endswith(" (2 tries)")
    assert len(found) == 4
    assert all(d.path == "content/links.md" and d.severity == "warning" for d in diagnostics)
    assert counts == {"links": 9, "checked": 8, "cached": 0, "skipped": 1}
    assert Web.hits["HEAD /busy"] == 2  # 429, waited Retry-After, then 200
    assert Web.hits["HEAD /nohead"] == 1 and Web.hits["GET /nohead"] == 1
    assert (
        Web.hits["HEAD /temp"] == 1 and Web.hits["HEAD /ok"] == 2
    )  # a temporary redirect is followed, not reported


def test_a_warm_cache_asks_only_about_what_failed_to_answer(linked_site: Path) -> None:
    graph = analyse(BuildOptions(linked_site)).graph
    first, _ = check_external(linked_site, graph, FAST)
    asked = sum(Web.hits.values())
    second, counts = check_external(linked_site, graph, FAST)
    assert [d.code for d in second] == [d.code for d in first]
    assert counts == {"links": 9, "checked": 2, "cached": 6, "skipped": 1}  # slow and reset are asked again
    assert sum(Web.hits.values()) - asked == 4  # the two of them, twice each
    _, counts = check_external(linked_site, graph, FAST, now=time.time() + 8 * 86_400)
    assert counts["checked"] == 8


def test_requests_to_one_host_are_at_most_two_at_a_time(site_copy: Callable[[str], Path], web: str) -> None:
    site = site_copy("minimal")
    body = " ".join(f"[s{i}]({web}/slow/{i})" for i in range(8)) + "\n"
    write_lesson(site, "many.md", "title: Many\ndate: 2026-01-02\nsummary: S.\ntopics: [testing]", body)
    graph = analyse(BuildOptions(site)).graph
    diagnostics, _ = check_external(site, graph, CheckOptions(delay=0.0, timeout=5.0, retries=0))
    assert diagnostics == []
    assert Web.most_in_flight == 2  # eight slow answers asked for at once, never more than two in flight


@pytest.mark.parametrize(
    ("url", "skip"),
    [
        ("https://example.org/a", True),
        ("https://docs.example.org/a", True),
        ("https://notexample.org/a", False),
        ("https://other.net/private/x", True),
        ("https://other.net/public/x", False),
        ("http://127.0.0.1:8/slow", True),
    ],
)
def test_skip_patterns(url: str, skip: bool) -> None:
    assert skipped(url, ["example.org", "https://other.net/private/*", "*/slow"]) is skip


def test_the_command_reports_warnings_and_fails_only_under_strict(
    linked_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (linked_site / "site.yml").write_text(
        (linked_site / "site.yml").read_text() + "links: {skip: [skipped.example, '*/slow', '*/reset']}\n"
    )
    assert main(["check", "--site", str(linked_site), "--external"]) == 0
    captured = capsys.readouterr()
    assert [line.split(": ", 2)[1] for line in captured.out.splitlines() if "-link]" in line] == [
        "warning[moved-link]",
        "warning[dead-link]",
    ]
    assert "9 external links: 6 checked, 0 from the cache, 3 skipped" in captured.err
    assert main(["check", "--site", str(linked_site), "--external", "--strict"]) == 1
    assert "6 from the cache" in capsys.readouterr().err
