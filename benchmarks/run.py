"""Build one generated corpus with kb, Hugo and Pelican, and print the figures as one Markdown table.

    python -m benchmarks.run --lessons 1000 10000 [--skip-hugo] [--skip-pelican] [--workdir /tmp/kb-bench]

For each size: kb cold (no cache, no output), warm with nothing changed, warm after one lesson changed, all
with --no-search and social cards off, like the peers (they draw none); then kb cold again with the default
options (cards on), whose cost benchmarks/cards.py details; then Pagefind on kb's output; then each peer's
cold build of the same corpus. Every build runs in a fresh `python -c` wrapper, whose RUSAGE_CHILDREN peak RSS
is that of the build's largest process.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from benchmarks.generate import generate, lesson_path
from benchmarks.peers import Peer, PeerEnv, hugo, lesson_pages, peer_env, pelican, read_corpus
from builder.search import BUNDLE_DIR, pagefind_executable

SEED = 7
RAW = argparse.RawDescriptionHelpFormatter
CHANGED_LESSON = 0  # the lesson edited before the third kb build
KB_BUILDS = (("cold", False), ("warm, nothing changed", False), ("warm, one lesson changed", True))
NO_CARDS = "cards: {enabled: false}  # like the peers, which draw no social cards\n"
MEASURE = """\
import json, resource, subprocess, sys, time
with open(sys.argv[1], "w") as log:
    start = time.perf_counter()
    status = subprocess.run(sys.argv[2:], stdout=log, stderr=subprocess.STDOUT).returncode
    seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"status": status, "seconds": seconds, "peak_kib": peak}))
"""


class BuildFailed(Exception):
    pass


@dataclass(frozen=True)
class Measurement:
    seconds: float
    peak_mb: float


@dataclass(frozen=True)
class Row:
    lessons: int
    tool: str
    build: str
    run: Measurement
    output_mb: float
    pages: int | None  # lesson pages in the output; None where it means nothing (the search index)
    note: str = ""


def measure(command: list[str], log: Path, cwd: Path | None = None) -> Measurement:
    """Run one build in a fresh wrapper process: its wall time and the peak RSS of its largest process."""
    wrapper = [sys.executable, "-c", MEASURE, str(log), *command]
    done = subprocess.run(wrapper, cwd=cwd, capture_output=True, text=True, check=True)
    result = json.loads(done.stdout)
    if result["status"] != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
        raise BuildFailed(f"{' '.join(command)} exited {result['status']}; the end of {log}:\n{tail}")
    return Measurement(result["seconds"], result["peak_kib"] / 1024)


def folder_mb(folder: Path) -> float:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) / 2**20


def checked_pages(output: Path, lessons: int, tool: str) -> int:
    pages = lesson_pages(output)
    if pages != lessons:
        raise BuildFailed(f"{tool} wrote {pages} lesson pages into {output}, expected {lessons}")
    return pages


def _fresh(site: Path) -> None:
    for stale in (site / ".kb-cache", site / "public"):
        shutil.rmtree(stale, ignore_errors=True)


def bench_kb(site: Path, lessons: int, logs: Path) -> list[Row]:
    """kb's builds with cards off (like for like with the peers), then a cold one with the defaults."""
    config = site / "site.yml"
    defaults = config.read_text(encoding="utf-8")
    command = [sys.executable, "-m", "builder", "build", "--site", str(site), "--no-search"]
    rows = []
    builds = [(build, edit, NO_CARDS) for build, edit in KB_BUILDS] + [
        ("cold, cards on (default)", False, "")
    ]
    for index, (build, edit, extra) in enumerate(builds):
        if extra != config.read_text(encoding="utf-8").removeprefix(defaults):
            config.write_text(defaults + extra, encoding="utf-8")
        if build.startswith("cold"):
            _fresh(site)
        if edit:
            with (site / lesson_path(CHANGED_LESSON)).open("a", encoding="utf-8") as source:
                source.write("\nA paragraph appended for the incremental rebuild.\n")
        progress(f"kb {lessons}: {build}")
        run = measure(command, logs / f"kb-{index}.log")
        public = site / "public"
        rows.append(Row(lessons, "kb", build, run, folder_mb(public), checked_pages(public, lessons, "kb")))
    return rows


def bench_pagefind(site: Path, lessons: int, logs: Path) -> Row:
    public = site / "public"
    shutil.rmtree(public / BUNDLE_DIR, ignore_errors=True)
    command = [str(pagefind_executable()), "--site", str(public), "--output-subdir", BUNDLE_DIR, "--silent"]
    progress(f"pagefind {lessons}")
    run = measure(command, logs / "pagefind.log")
    tool = f"Pagefind {importlib.metadata.version('pagefind_bin')}"
    return Row(lessons, tool, "search index of kb's output", run, folder_mb(public / BUNDLE_DIR), None)


def bench_peer(peer: Peer, env: PeerEnv, site: Path, project: Path, lessons: int, logs: Path) -> Row:
    progress(f"{peer.name} {lessons}: converting the corpus")
    peer.write(read_corpus(site), project)
    for stale in (peer.output, *peer.scratch):
        shutil.rmtree(project / stale, ignore_errors=True)
    progress(f"{peer.name} {lessons}: cold")
    run = measure(peer.command(project, env), logs / f"{peer.name.lower()}.log", cwd=project)
    output = project / peer.output
    pages = checked_pages(output, lessons, peer.name)
    return Row(lessons, peer.label(env), "cold", run, folder_mb(output), pages)


def bench_size(lessons: int, workdir: Path, peers: list[Peer], env: PeerEnv) -> list[Row]:
    root = workdir / str(lessons)
    logs = root / "logs"
    site = root / "kb"
    progress(f"generating {lessons} lessons into {site}")
    generate(site, lessons, SEED)
    logs.mkdir(parents=True, exist_ok=True)
    # The peers convert the corpus first: kb's third build edits one lesson.
    peer_rows = [bench_peer(peer, env, site, root / peer.name.lower(), lessons, logs) for peer in peers]
    rows = [*bench_kb(site, lessons, logs), bench_pagefind(site, lessons, logs)]
    return rows + [with_ratio(row, rows[0], rows[len(KB_BUILDS)]) for row in peer_rows]


def with_ratio(peer: Row, kb_cold: Row, kb_default: Row) -> Row:
    """kb's cold build (cards off) over the peer's; and with the defaults (cards on)."""
    time = kb_cold.run.seconds / peer.run.seconds
    memory = kb_cold.run.peak_mb / peer.run.peak_mb
    default = kb_default.run.seconds / peer.run.seconds
    name = peer.tool.split()[0]
    note = f"kb/{name}: time {time:.2f}, memory {memory:.2f} (cards on: time {default:.2f})"
    return replace(peer, note=note)


def with_scaling(rows: list[Row]) -> list[Row]:
    """Note on each larger kb cold build its time over the smallest size's."""
    cold = [row for row in rows if row.tool == "kb" and row.build == "cold"]
    if not cold:
        return rows
    base = min(cold, key=lambda row: row.lessons)

    def noted(row: Row) -> Row:
        if row not in cold or row.lessons == base.lessons:
            return row
        ratio = row.run.seconds / base.run.seconds
        return replace(row, note=f"{row.lessons}/{base.lessons} lessons: time {ratio:.2f}")

    return [noted(row) for row in rows]


def table(rows: list[Row]) -> str:
    head = "| lessons | tool | build | wall s | peak MB | output MB | lesson pages | ratio |"
    lines = [head, "|---:|---|---|---:|---:|---:|---:|---|"]
    for row in rows:
        pages = "" if row.pages is None else str(row.pages)
        lines.append(
            f"| {row.lessons} | {row.tool} | {row.build} | {row.run.seconds:.2f} | {row.run.peak_mb:.0f} "
            f"| {row.output_mb:.1f} | {pages} | {row.note} |"
        )
    return "\n".join(lines)


def warn_if_busy() -> None:
    """Checked once, before any build: the load average then still counts the builds just finished."""
    load = os.getloadavg()[0]
    if load > 0.5 * (os.cpu_count() or 1):
        progress(f"warning: the machine is busy (1-minute load {load:.1f}), the timings will be noisy")


def progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=RAW)
    parser.add_argument("--lessons", type=int, nargs="+", default=[1000], metavar="N")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/kb-bench"))
    parser.add_argument("--skip-hugo", action="store_true")
    parser.add_argument("--skip-pelican", action="store_true")
    args = parser.parse_args(argv)
    chosen = ((hugo.PEER, args.skip_hugo), (pelican.PEER, args.skip_pelican))
    peers = [peer for peer, skip in chosen if not skip]
    workdir = args.workdir.resolve()
    warn_if_busy()
    env = peer_env(workdir / "peers-venv", peers)
    try:
        rows = [row for lessons in sorted(args.lessons) for row in bench_size(lessons, workdir, peers, env)]
    except BuildFailed as failure:
        print(f"bench: {failure}", file=sys.stderr)
        return 1
    print(table(with_scaling(rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
