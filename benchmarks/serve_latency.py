"""How long a one-lesson edit takes to reach an open page in `kb serve`: from the file write to the
server-sent "changed" event that names the lesson's page (the page is on disk before the event is sent).

Two kinds of edit, each its own series: a paragraph appended to the body (what an author does while
writing: kb's quick path re-parses the lesson and writes the pages showing its body), and a new title
(a front-matter edit: the site is analysed again, and every page showing the lesson's card is written).
Every edited lesson gets its original text back at the end.

    python -m benchmarks.serve_latency --site /tmp/corpus-10k --edits 15
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_server(process: subprocess.Popen[str], timeout: float) -> None:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    for line in process.stdout:
        if "serving" in line:
            return
        if time.monotonic() > deadline:
            break
    raise RuntimeError("kb serve did not start")


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
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "builder", "serve", "--site", str(site), "--port", str(port)]
        + ([] if search else ["--no-search"]),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for_server(process, timeout=900)
        time.sleep(3)  # let the first rebuild settle
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
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
        process.terminate()
        process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--site", type=Path, required=True)
    parser.add_argument("--edits", type=int, default=15)
    parser.add_argument("--no-search", action="store_true", help="serve without re-indexing for search")
    args = parser.parse_args()
    what = "without search" if args.no_search else "with search re-indexing in the background"
    for kind, seconds in measure(args.site, args.edits, not args.no_search).items():
        milliseconds = sorted(s * 1000 for s in seconds)
        print(
            f"kb serve ({what}), one-lesson {kind} edit to reload event, {len(seconds)} edits: "
            f"median {statistics.median(milliseconds):.0f} ms, min {milliseconds[0]:.0f} ms, "
            f"max {milliseconds[-1]:.0f} ms"
        )


if __name__ == "__main__":
    main()
