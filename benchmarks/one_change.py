"""kb's warm build after one lesson changed, with this checkout's code and another's, alternately.

    python -m benchmarks.one_change --site /tmp/kb-bench/10000/kb --baseline /work/main [--repeat 3]
    python -m benchmarks.one_change --built SITE_A SITE_B --baseline /work/main   # copies built before

Both builds get their own copy of the site (under --workdir), built cold once; then, --repeat times, each
copy gets a paragraph appended to the same lesson and is built again (kb build --no-search), one right after
the other, so a busy machine slows both alike. Prints each build's wall time and CPU time (the build and its
workers), and the ratio of the medians.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.generate import lesson_path

RAW = argparse.RawDescriptionHelpFormatter
HERE = Path(__file__).resolve().parent.parent


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def build(site: Path, code: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one `kb build` of site, with the builder package found in code."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    command = [sys.executable, "-m", "builder", "build", "--site", str(site), "--no-search", "--quiet"]
    cpu, started = _children_cpu(), time.perf_counter()
    subprocess.run(command, env=env, cwd=site, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started, _children_cpu() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=RAW)
    parser.add_argument("--site", type=Path, help="a generated corpus (benchmarks.generate) to copy twice")
    parser.add_argument("--baseline", type=Path, required=True, help="another checkout of kb")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/kb-one-change"))
    parser.add_argument(
        "--built", type=Path, nargs=2, metavar="SITE", help="two copies already built by each code: no copy"
    )
    args = parser.parse_args(argv)
    if args.built is None and args.site is None:
        parser.error("give --site (a corpus to copy and build) or --built (two copies already built)")
    codes = {"this checkout": HERE, "baseline": args.baseline.resolve()}
    sites = dict(zip(codes, args.built or [args.workdir / f"site-{i}" for i in range(2)], strict=True))
    for name, site in sites.items():
        if args.built:
            continue
        shutil.rmtree(site, ignore_errors=True)
        site.mkdir(parents=True)
        shutil.copytree(args.site / "content", site / "content")
        shutil.copy(args.site / "site.yml", site / "site.yml")
        print(f"{name}: cold build {build(site, codes[name])[0]:.2f} s", file=sys.stderr)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in codes}
    for round_ in range(args.repeat):
        for name, code in codes.items():
            with (sites[name] / lesson_path(0)).open("a", encoding="utf-8") as source:
                source.write(f"\nA paragraph appended for the incremental rebuild {round_}.\n")
            times[name].append(build(sites[name], code))
    print("| code | wall s (each run) | median wall s | median CPU s |")
    print("|---|---|---:|---:|")
    for name, runs in times.items():
        walls = ", ".join(f"{wall:.2f}" for wall, _ in runs)
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(f"| {name} ({codes[name]}) | {walls} | {wall:.2f} | {cpu:.2f} |")
    ours, base = (statistics.median(w for w, _ in times[name]) for name in codes)
    print(f"\nthis checkout / baseline, median wall: {ours / base:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
