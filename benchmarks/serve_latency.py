"""How long a one-lesson edit takes to reach an open page in `kb serve`: from the file write to the
server-sent "changed" event that names the lesson's page (the page is on disk before the event is sent).

Two kinds of edit, each its own series: a paragraph appended to the body (what an author does while
writing: kb's quick path re-parses the lesson and writes the pages showing its body), and a new title
(a front-matter edit: only the pages that read the lesson are planned again and written).
Every edited lesson gets its original text back at the end.

    python -m benchmarks.serve_latency --site /tmp/corpus-10k --edits 15

--start N instead measures N starts of kb serve, one after the other: the seconds from launching it to the
first page it answers (the home page). kb serve keeps its folder and cache in the site's .kb-cache/, so
the first start after a `kb build` renders the preview's pages, and the next ones, with nothing changed,
serve what the last one kept.
"""

from __future__ import annotations

import argparse
import http.client
import json
import queue
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path


class Served:
    """kb serve in a subprocess on a port the system chooses; its printed lines read in a thread."""

    def __init__(self, site: Path, search: bool) -> None:
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "builder", "serve", "--site", str(site), "--port", "0"]
            + ([] if search else ["--no-search"]),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.port, self.base = 0, "/"

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put("")

    def line(self, timeout: float) -> str | None:
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            return None
        if line == "":
            raise RuntimeError(f"kb serve stopped ({self.process.wait()})")
        return line

    def wait_serving(self, timeout: float) -> None:
        """Until kb serve prints the address it serves at."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.line(deadline - time.monotonic())
            bound = re.match(r"kb: serving .* at http://[^:]+:(\d+)(/\S*)", line or "")
            if bound:
                self.port, self.base = int(bound.group(1)), bound.group(2)
                return
        raise RuntimeError("kb serve did not start")

    def wait_watching(self, timeout: float) -> None:
        """Until its watcher is ready (kb serve says so; a kb serve that does not gets `timeout`)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.line(max(0.0, deadline - time.monotonic()))
            if line is not None and line.startswith("kb: watching"):
                return

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=120)
        if self.process.stdout is not None:
            self.process.stdout.close()


def next_change(response: http.client.HTTPResponse) -> list[str]:
    event = ""
    while True:
        line = response.readline().decode().rstrip("\n")
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: ") and event == "changed":
            return list(json.loads(line[6:]))


def _append_paragraph(text: str, number: int) -> str:
    return text + f"\nAn edit numbered {number}.\n"


def _retitle(text: str, number: int) -> str:
    return text.replace("title: ", f"title: Edit {number} of ", 1)


EDITS: dict[str, Callable[[str, int], str]] = {"body": _append_paragraph, "title": _retitle}


def measure(site: Path, edits: int, search: bool) -> dict[str, list[float]]:
    served = Served(site, search)
    try:
        served.wait_serving(timeout=1800)
        served.wait_watching(timeout=3)
        connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=120)
        connection.request("GET", "/__kb/events")
        response = connection.getresponse()
        lessons = sorted((site / "content").rglob("*.md"))
        originals: dict[Path, str] = {}
        seconds: dict[str, list[float]] = {kind: [] for kind in EDITS}
        try:
            for kind, change in EDITS.items():
                for number in range(edits):
                    lesson = lessons[(number * 97) % len(lessons)]
                    page = f"lessons/{lesson.stem}/index.html"
                    text = lesson.read_text()
                    originals.setdefault(lesson, text)
                    started = time.perf_counter()
                    lesson.write_text(change(text, number))
                    while page not in next_change(response):
                        pass
                    seconds[kind].append(time.perf_counter() - started)
                    time.sleep(1.0)  # apart, so each edit is its own rebuild
        finally:
            for lesson, text in originals.items():
                lesson.write_text(text)
        connection.close()
        return seconds
    finally:
        served.stop()


def first_page(site: Path, search: bool) -> float:
    """Seconds from launching kb serve to its first answered page."""
    served = Served(site, search)
    try:
        served.wait_serving(timeout=1800)
        while True:
            connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=120)
            try:
                connection.request("GET", served.base)
                if connection.getresponse().status == 200:
                    return time.perf_counter() - served.started
            finally:
                connection.close()
            time.sleep(0.05)
    finally:
        served.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--site", type=Path, required=True)
    parser.add_argument("--edits", type=int, default=15)
    parser.add_argument("--start", type=int, default=0, help="measure this many starts instead")
    parser.add_argument("--no-search", action="store_true", help="serve without re-indexing for search")
    args = parser.parse_args()
    what = "without search" if args.no_search else "with search re-indexing in the background"
    if args.start:
        for number in range(1, args.start + 1):
            took = first_page(args.site, not args.no_search)
            print(f"kb serve ({what}), start {number}: first page after {took:.2f} s", flush=True)
        return
    for kind, seconds in measure(args.site, args.edits, not args.no_search).items():
        milliseconds = sorted(s * 1000 for s in seconds)
        print(
            f"kb serve ({what}), one-lesson {kind} edit to reload event, {len(seconds)} edits: "
            f"median {statistics.median(milliseconds):.0f} ms, min {milliseconds[0]:.0f} ms, "
            f"max {milliseconds[-1]:.0f} ms"
        )


if __name__ == "__main__":
    main()
