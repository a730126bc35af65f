"""How long `kb check --external` takes with an empty and a warm cache, without touching the internet.

    python -m benchmarks.external_links [--extra-links 200] [--hosts 20] [--latency-ms 80] [--repeat 3]

Copies the bundled site into a temporary folder, points every external link of its lessons at local HTTP
servers (one loopback address per original host, 127.0.0.2 and up, so kb's per-host limits apply as they
would on the internet), optionally adds a lesson with --extra-links more links spread over --hosts hosts,
and times `kb check` alone, then `kb check --external` with no cached results and again with the results
of the run before (best of --repeat).
The servers answer after --latency-ms: 200 for most paths, a permanent redirect or a 404 for a few.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from builder.linkcheck import RESULTS_FILE

ROOT = Path(__file__).parent.parent
URL = re.compile(r"https?://([^/\s)>\]`'\"]+)")  # links, bare URLs and any in code (never checked)


class Handler(BaseHTTPRequestHandler):
    latency = 0.08

    def _answer(self) -> None:
        time.sleep(self.latency)
        kind = zlib.crc32(self.path.encode()) % 20
        if kind == 0 and not self.path.endswith("/moved-here"):
            self.send_response(301)
            self.send_header("Location", self.path.rstrip("/") + "/moved-here")
        elif kind == 1:
            self.send_response(404)
        else:
            self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_HEAD = _answer
    do_GET = _answer

    def log_message(self, format: str, *args: object) -> None:
        return None


def serve(addresses: list[str], latency: float) -> tuple[int, list[ThreadingHTTPServer]]:
    Handler.latency = latency
    first = ThreadingHTTPServer((addresses[0], 0), Handler)
    port = first.server_address[1]
    servers = [first] + [ThreadingHTTPServer((address, port), Handler) for address in addresses[1:]]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    return port, servers


def prepare(site: Path, extra: int, hosts: int, port: int) -> tuple[int, int]:
    """Point every URL of the lessons at the local servers; -> (extra links, hosts used)."""
    addresses: dict[str, str] = {}

    def local(host: str) -> str:
        if host not in addresses:
            addresses[host] = f"127.0.0.{len(addresses) + 2}:{port}"
        return addresses[host]

    for path in sorted((site / "content").rglob("*.md")):
        text = path.read_text(encoding="utf-8")

        def rewrite(match: re.Match[str]) -> str:
            return f"http://{local(match[1])}/{match[1]}"

        path.write_text(URL.sub(rewrite, text), encoding="utf-8")
    if extra:
        lines = [f"- [reference {i}](http://{local(f'host{i % hosts}.test')}/page/{i})" for i in range(extra)]
        topic = re.search(r"^topics:\n  ([a-z0-9-]+):", (site / "site.yml").read_text(), re.MULTILINE)
        assert topic is not None
        front = f"title: Link farm\ndate: 2026-01-01\nsummary: Links for a benchmark.\ntopics: [{topic[1]}]"
        body = "\n".join(lines)
        (site / "content/zz-link-farm.md").write_text(f"---\n{front}\n---\n{body}\n", encoding="utf-8")
    return extra, len(addresses)


def run(site: Path, *options: str) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "builder", "check", *options, "--site", str(site)],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    counts = next((line for line in done.stderr.splitlines() if "external links" in line), done.stderr)
    return elapsed, counts.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--extra-links", type=int, default=0)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--latency-ms", type=float, default=80)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        site = Path(temp) / "site"
        site.mkdir()
        for name in ("content", "themes", "static"):
            if (ROOT / name).is_dir():
                shutil.copytree(ROOT / name, site / name)
        shutil.copy(ROOT / "site.yml", site / "site.yml")
        addresses = [f"127.0.0.{i + 2}" for i in range(args.hosts + 40)]  # the bundled hosts too
        port, servers = serve(addresses, args.latency_ms / 1000)
        try:
            extra, hosts = prepare(site, args.extra_links, args.hosts, port)
            print(f"bundled links + {extra} more, over {hosts} hosts, {args.latency_ms:g} ms a response")
            best = min(run(site)[0] for _ in range(args.repeat))
            print(f"kb check without --external: {best:.2f} s (best of {args.repeat})")
            cold, warm = [], []
            for _ in range(args.repeat):
                (site / ".kb-cache" / RESULTS_FILE).unlink(missing_ok=True)
                cold.append(run(site, "--external"))
                warm.append(run(site, "--external"))
            for label, runs in (("empty cache", cold), ("warm cache", warm)):
                seconds = min(seconds for seconds, _ in runs)
                print(f"kb check --external, {label}: {seconds:.2f} s (best of {args.repeat}; {runs[0][1]})")
        finally:
            for server in servers:
                server.shutdown()
                server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
