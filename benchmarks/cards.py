"""What social cards cost: the same corpus built with cards off and on, cold and warm, in one run.

    python -m benchmarks.cards --lessons 1000 10000

For each size: a cold build without cards (the peer), a cold build with cards, a warm build with nothing
changed, and a warm build after one lesson's title changed (one card drawn again). Ratios are against the
cold build without cards of the same run, since this machine's speed drifts.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.generate import generate, lesson_path


def _build(site: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "builder", "build", "--site", str(site), "--no-search"],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def _fresh(site: Path) -> None:
    shutil.rmtree(site / ".kb-cache", ignore_errors=True)
    shutil.rmtree(site / "public", ignore_errors=True)


def measure(lessons: int, workdir: Path) -> list[tuple[str, float]]:
    site = workdir / f"cards-{lessons}"
    shutil.rmtree(site, ignore_errors=True)
    generate(site, lessons)
    config = site / "site.yml"
    original = config.read_text()
    rows = []
    config.write_text(original + "cards: {enabled: false}\n")
    _fresh(site)
    rows.append(("cold, cards off", _build(site)))
    config.write_text(original)
    _fresh(site)
    rows.append(("cold, cards on", _build(site)))
    rows.append(("warm, nothing changed", _build(site)))
    lesson = site / lesson_path(0)
    lesson.write_text(lesson.read_text().replace("title: ", "title: Retitled ", 1))
    rows.append(("warm, one title changed", _build(site)))
    cards = len(list((site / "public" / "cards").rglob("*.png")))
    print(f"{lessons} lessons, {cards} cards")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lessons", type=int, nargs="+", default=[1000])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/kb-bench"))
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    print("| lessons | build | seconds | x cold without cards |")
    print("|---:|---|---:|---:|")
    for lessons in args.lessons:
        rows = measure(lessons, args.workdir)
        peer = rows[0][1]
        for name, seconds in rows:
            print(f"| {lessons} | {name} | {seconds:.2f} | {seconds / peer:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
