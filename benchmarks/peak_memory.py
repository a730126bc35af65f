"""Peak memory of a cold `kb build --no-search`: the parent's and its workers' peak resident size apart.

    python -m benchmarks.peak_memory --site DIR [--code CHECKOUT] [--repeat N]

The site's public/ and .kb-cache/ are deleted first. --code runs the build with another checkout of kb on
PYTHONPATH (a clean checkout of main, say), so two versions are compared on the same machine in one run.
The build runs in a fresh Python that reads resource.getrusage: RUSAGE_SELF is the parent (parsing's
results, the graph, the plan), RUSAGE_CHILDREN the largest of its forked workers (parse, write, cards).
benchmarks/run.py's "peak MB" is the larger of the two as seen from outside.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

BUILD = """\
import json, resource, sys, time
from builder.cli import main
start = time.perf_counter()
status = main(["build", "--site", sys.argv[1], "--no-search", "--quiet"])
seconds = time.perf_counter() - start
mib = lambda who: resource.getrusage(who).ru_maxrss / 1024
print(json.dumps({"status": status, "seconds": seconds, "parent": mib(resource.RUSAGE_SELF),
                  "workers": mib(resource.RUSAGE_CHILDREN), "code": __import__("builder").__file__}))
"""


def measure(site: Path, code: Path | None) -> dict[str, float | str]:
    shutil.rmtree(site / "public", ignore_errors=True)
    shutil.rmtree(site / ".kb-cache", ignore_errors=True)
    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = str(code.resolve())
    done = subprocess.run(
        [sys.executable, "-c", BUILD, str(site)], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"the build failed:\n{done.stdout}{done.stderr}")
    figures: dict[str, float | str] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--site", type=Path, required=True)
    parser.add_argument("--code", type=Path, default=None, help="a checkout of kb to run instead")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    print("| code | wall s | parent MB | largest worker MB |")
    print("|---|---:|---:|---:|")
    for _ in range(args.repeat):
        got = measure(args.site, args.code)
        code = Path(str(got["code"])).parent.parent
        print(f"| {code} | {got['seconds']:.1f} | {got['parent']:.0f} | {got['workers']:.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
