"""kb serve in a subprocess: edits show up, open pages hear about them, errors overlay, traversal refused."""

from __future__ import annotations

import codecs
import http.client
import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from builder.build import BuildOptions, SiteBuilder
from tests.conftest import write_lesson

WATCHING = "kb: watching for changes\n"


def start(command: list[str], timeout: float = 60) -> tuple[subprocess.Popen[str], int, str]:
    """kb serve started on a port the system chooses (--port 0), once it serves and its watcher sees
    every change: the process, the port it printed, and everything it printed so far (read from the pipe
    itself: a buffered reader would keep lines printed just after these from Served.output). No port is
    bound and released before."""
    process = subprocess.Popen(
        [*command, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    descriptor = process.stdout.fileno()
    decoder = codecs.getincrementaldecoder("utf-8")()
    deadline = time.monotonic() + timeout
    printed = ""
    while True:
        bound = re.search(r"^kb: serving .* at http://127\.0\.0\.1:(\d+)/", printed, re.MULTILINE)
        if bound and WATCHING in printed:
            return process, int(bound.group(1)), printed
        ready, _, _ = select.select([descriptor], [], [], max(0.0, deadline - time.monotonic()))
        assert ready, f"kb serve did not start: {printed}"
        chunk = os.read(descriptor, 65536)
        if not chunk:
            raise AssertionError(f"kb serve stopped: {process.wait()}: {printed}")
        printed += decoder.decode(chunk)


class Served:
    def __init__(self, site: Path, process: subprocess.Popen[str], port: int, printed: str = "") -> None:
        self.site = site
        self.process = process
        self.port = port
        self.url = f"http://127.0.0.1:{port}/kb/"
        self.printed = printed  # what start() read that output() should show

    def output(self) -> str:
        """What the server has printed since it said it was serving."""
        assert self.process.stdout is not None
        while True:
            try:
                chunk = os.read(self.process.stdout.fileno(), 65536)
            except BlockingIOError:
                return self.printed
            if not chunk:
                return self.printed
            self.printed += chunk.decode()

    def get(self, path: str) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    def wait_for(self, path: str, text: str, timeout: float = 15) -> str:
        deadline = time.monotonic() + timeout
        body = ""
        while time.monotonic() < deadline:
            _, body = self.get(path)
            if text in body:
                return body
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared at {path}")


@pytest.fixture
def served(site_copy: Callable[[str], Path]) -> Iterator[Served]:
    site = site_copy("good")
    process, port, started = start([sys.executable, "-m", "builder", "serve", "--site", str(site)])
    assert process.stdout is not None
    os.set_blocking(process.stdout.fileno(), False)
    yield Served(site, process, port, started[started.index("kb: serving") :])
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    process.stdout.close()


class EventStream:
    """Reads the server-sent events of the preview, as an open page does."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
        self.connection.request("GET", "/__kb/events")
        self.response = self.connection.getresponse()
        assert self.response.getheader("Content-Type") == "text/event-stream"

    def next(self, name: str) -> object:
        event = None
        while True:
            line = self.response.readline().decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == name:
                return json.loads(line[6:])

    def close(self) -> None:
        self.response.close()
        self.connection.close()


def test_edit_shows_up_and_the_reload_event_fires(served: Served) -> None:
    events = EventStream(served.port)
    assert events.next("errors") == []
    status, body = served.get("/kb/lessons/http-basics/")
    assert status == 200 and '<script src="/__kb/livereload.js" data-base="/kb/"></script></body>' in body
    readme = served.site / "content/basics/README.md"
    readme.write_text(readme.read_text().replace("An HTTP exchange", "A fresh HTTP exchange"))
    changed = events.next("changed")
    assert isinstance(changed, list) and "lessons/http-basics/index.html" in changed
    assert "lessons/error-contracts/index.html" not in changed  # nothing it shows has changed
    served.wait_for("/kb/lessons/http-basics/", "A fresh HTTP exchange")
    deadline = time.monotonic() + 10
    while "rendered in" not in served.output() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "rendered in" in served.output() and "(lesson bodies only)" in served.output()  # the quick path
    events.close()


def test_broken_edit_keeps_last_good_page_and_shows_errors(served: Served) -> None:
    events = EventStream(served.port)
    assert events.next("errors") == []
    lesson = served.site / "content/validation/error-contracts.md"
    good = lesson.read_text()
    lesson.write_text(
        good.replace("topics: [api-design]", "topics: [api-desing]").replace("Errors are", "Broken")
    )
    errors = events.next("errors")
    while errors == []:
        errors = events.next("errors")
    assert errors == [
        {
            "path": "content/validation/error-contracts.md",
            "line": 5,
            "col": 10,
            "severity": "error",
            "code": "unknown-topic",
            "message": "unknown topic 'api-desing' (did you mean 'api-design'?); see site.yml topics",
        }
    ]
    status, body = served.get("/kb/lessons/error-contracts/")
    assert status == 200 and "Errors are part of the API." in body
    lesson.write_text(good.replace("Errors are", "Fixed errors are"))
    assert events.next("errors") == []
    served.wait_for("/kb/lessons/error-contracts/", "Fixed errors are part of the API.")
    events.close()


def test_new_deleted_and_renamed_lessons(served: Served) -> None:
    write_lesson(
        served.site,
        "ops/brand-new.md",
        "title: Brand new\ndate: 2026-06-01\nsummary: New.\ntopics: [databases]",
    )
    served.wait_for("/kb/lessons/brand-new/", "Brand new")
    served.wait_for("/kb/topics/databases/", "Brand new")
    (served.site / "content/ops/brand-new.md").rename(served.site / "content/ops/renamed.md")
    served.wait_for("/kb/lessons/renamed/", "Brand new")
    deadline = time.monotonic() + 15
    while served.get("/kb/lessons/brand-new/")[0] != 404:
        assert time.monotonic() < deadline, "stale page was not removed"
        time.sleep(0.1)


@pytest.mark.parametrize(
    "path",
    [
        "/kb/../site.yml",
        "/kb/%2e%2e/site.yml",
        "/kb/%2E%2E%2Fsite.yml",
        "/kb/..%2f..%2fetc/passwd",
        "/kb/%252e%252e/site.yml",
        "/kb/..\\site.yml",
        "/kb//etc/passwd",
        "/etc/passwd",
        "/kb/%00",
    ],
)
def test_traversal_gets_404(served: Served, path: str) -> None:
    status, body = served.get(path)
    assert status == 404 and "Page not found" in body


def test_serving_details(served: Served) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    for path, kind in [
        ("/kb/", "text/html; charset=utf-8"),
        ("/kb/assets/style.css", "text/css; charset=utf-8"),
        ("/kb/feed.xml", "application/xml; charset=utf-8"),
        ("/kb/media/validation/img/flow.png", "image/png"),
    ]:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        assert (response.status, response.getheader("Content-Type")) == (200, kind)
    connection.request("GET", "/kb/lessons")
    response = connection.getresponse()
    response.read()
    assert (response.status, response.getheader("Location")) == (301, "/kb/lessons/")
    connection.close()
    # A client that disconnects mid-request does not take the server down.
    with socket.create_connection(("127.0.0.1", served.port)) as raw:
        raw.sendall(b"GET /kb/ HTTP/1.1\r\nHost: x\r\n")
    with socket.create_connection(("127.0.0.1", served.port)) as raw:
        raw.sendall(b"NONSENSE\r\n\r\n")
        raw.recv(100)
    assert served.get("/kb/")[0] == 200


def test_busy_port_is_a_clear_error(served: Served) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "builder", "serve", "--site", str(served.site), "--port", str(served.port)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert f"port {served.port} on 127.0.0.1 is already in use" in result.stderr


def test_search_is_served_and_reindexed_after_changes(served: Served) -> None:
    def pages() -> int:
        status, body = served.get("/kb/pagefind/pagefind-entry.json")
        return int(json.loads(body)["languages"]["en"]["page_count"]) if status == 200 else -1

    deadline = time.monotonic() + 30
    while pages() != 4:
        assert time.monotonic() < deadline, "the preview never served a search index"
        time.sleep(0.2)
    write_lesson(
        served.site,
        "ops/searchable.md",
        "title: Searchable\ndate: 2026-06-01\nsummary: New.\ntopics: [databases]",
    )
    deadline = time.monotonic() + 30
    while pages() != 5:
        assert time.monotonic() < deadline, "the search index was not rebuilt after a change"
        time.sleep(0.2)


def test_base_url_change_in_site_yml_moves_the_preview(served: Served) -> None:
    config = served.site / "site.yml"
    config.write_text(config.read_text().replace("https://example.org/kb/", "https://example.org/docs/"))
    body = served.wait_for("/docs/lessons/http-basics/", "HTTP basics")
    assert 'href="/docs/lessons/validate-at-the-edge/"' in body
    assert served.get("/kb/lessons/http-basics/")[0] == 404


def test_a_second_start_serves_the_kept_preview_at_once(served: Served) -> None:
    """kb serve keeps its folder and cache in .kb-cache/: started again with nothing changed, it serves
    them at once (no page rendered before serving), checks the site in the background, and edits
    take the usual quick paths; a change made while it was stopped is built before serving."""
    command = [sys.executable, "-m", "builder", "serve", "--site", str(served.site)]
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(timeout=30) == 0
    process, port, printed = start(command)
    again = Served(served.site, process, port, printed)
    try:
        assert process.stdout is not None
        os.set_blocking(process.stdout.fileno(), False)
        assert "nothing changed since the last preview" in printed
        assert "Pools bound concurrency" in again.wait_for("/kb/lessons/connection-pools/", "Pools")
        deadline = time.monotonic() + 30
        while "0 file(s) changed, 0 rendered" not in again.output():  # the check in the background
            assert time.monotonic() < deadline, again.output()
            time.sleep(0.05)
        lesson = served.site / "content/ops/connection-pools.md"
        lesson.write_text(lesson.read_text().replace("title: Connection pools", "title: Pooled connections"))
        again.wait_for("/kb/lessons/connection-pools/", "Pooled connections")
        again.wait_for("/kb/lessons/", "Pooled connections")
        while "(front matter)" not in again.output():
            assert time.monotonic() < deadline, again.output()
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        assert process.stdout is not None
        process.stdout.close()
    lesson.write_text(lesson.read_text().replace("Pools bound", "Pools always bound"))
    process, port, printed = start(command)
    third = Served(served.site, process, port, printed)
    try:
        assert process.stdout is not None
        assert "nothing changed" not in printed
        assert "Pools always bound" in third.get("/kb/lessons/connection-pools/")[1]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        process.stdout.close()


def test_the_first_start_after_a_build_serves_that_build_at_once(site_copy: Callable[[str], Path]) -> None:
    """With nothing changed since `kb build`, kb serve answers with the build's pages (their assets carry
    ?v= stamps) while it renders its own in the background, then serves those; edits then take the usual
    paths. An input changed since the build is rendered before serving, as any first start."""
    site = site_copy("good")
    assert SiteBuilder(BuildOptions(site_dir=site, search=False)).build().ok
    command = [sys.executable, "-m", "builder", "serve", "--site", str(site), "--no-search"]
    process, port, printed = start(command)
    first = Served(site, process, port, printed)
    try:
        assert process.stdout is not None
        os.set_blocking(process.stdout.fileno(), False)
        assert "nothing changed since the last build" in printed
        status, page = first.get("/kb/lessons/connection-pools/")
        assert status == 200 and "Pools bound concurrency" in page
        assert "style.css?v=" in page or "rendered" in first.output()  # the build's page, unless already done
        deadline = time.monotonic() + 30
        while "rendered" not in first.output():  # the preview's own pages, in the background
            assert time.monotonic() < deadline, first.output()
            time.sleep(0.05)
        status, page = first.get("/kb/lessons/connection-pools/")
        assert status == 200 and "style.css?v=" not in page and "style.css" in page
        lesson = site / "content/ops/connection-pools.md"
        lesson.write_text(lesson.read_text().replace("Pools bound", "Pools always bound"))
        first.wait_for("/kb/lessons/connection-pools/", "Pools always bound")
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        assert process.stdout is not None
        process.stdout.close()


def test_an_input_changed_since_the_build_is_rendered_before_serving(
    site_copy: Callable[[str], Path],
) -> None:
    site = site_copy("good")
    assert SiteBuilder(BuildOptions(site_dir=site, search=False)).build().ok
    lesson = site / "content/ops/connection-pools.md"
    built = (site / "public/lessons/connection-pools/index.html").read_text()
    assert "style.css?v=" in built
    command = [sys.executable, "-m", "builder", "serve", "--site", str(site), "--no-search"]
    lesson.write_text(lesson.read_text().replace("Pools bound", "Pools surely bound"))
    process, port, printed = start(command)  # an input changed since the build: rendered before serving
    try:
        assert "nothing changed since the last build" not in printed
        status, page = Served(site, process, port).get("/kb/lessons/connection-pools/")
        assert status == 200 and "Pools surely bound" in page and "style.css?v=" not in page
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        assert process.stdout is not None
        process.stdout.close()
