"""Search relevance on the bundled knowledge base, measured in a real browser.

Builds the repository's site with its Pagefind index, serves it on a loopback port, and runs every query
of benchmarks/search_queries.yml through the search layer readers use (themes/default/static/search-core.js
over Pagefind's JS API), reporting the rank of the expected lesson and the mean reciprocal rank. `--raw`
also reports Pagefind alone (its own search of the query as typed: no normalising, synonyms, fallback or
re-scoring) for comparison; `--ranking JSON` tries other Pagefind ranking options on both.

    python -m benchmarks.search_quality [--raw] [--check] [--ranking '{"termSaturation": 1.0}']

--check exits with status 1 unless every expected lesson is in the top 3 and the MRR is at least 0.9.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml
from playwright.sync_api import Page, sync_playwright

from builder.build import BuildOptions, build
from builder.server import SiteServer

ROOT = Path(__file__).resolve().parent.parent
QUERIES = Path(__file__).with_name("search_queries.yml")
CHROMIUM = "/usr/bin/chromium"
TOP = 3
TARGET_MRR = 0.9

# Runs in the search page: the slugs of the ranked lessons for each query, in order.
_RANK_JS = """async ([queries, raw, ranking]) => {
  const form = document.querySelector("form.header-search");
  const core = await import(form.dataset.core);
  const pagefind = await core.openIndex(form.dataset.bundle, form.dataset.base, ranking ? { ranking } : {});
  const engine = new core.LessonSearch(pagefind, {
    synonyms: JSON.parse(form.dataset.synonyms || "[]"),
    vocabularyUrl: form.dataset.bundle + "kb-vocabulary.json",
  });
  const slug = async (result) => (await result.data()).url.split("/").filter(Boolean).pop();
  const out = [];
  for (const query of queries) {
    if (raw) {
      const found = await pagefind.search(query);
      out.push(await Promise.all(found.results.slice(0, 10).map(slug)));
    } else {
      const found = await engine.search(query);
      out.push(await Promise.all(found.results.slice(0, 10).map((hit) => slug(hit.result))));
    }
  }
  return out;
}"""


@dataclass(frozen=True, slots=True)
class Case:
    query: str
    expect: str


@dataclass(frozen=True, slots=True)
class Outcome:
    case: Case
    ranked: list[str]

    @property
    def rank(self) -> int | None:
        return self.ranked.index(self.case.expect) + 1 if self.case.expect in self.ranked else None


def load_cases(path: Path = QUERIES) -> list[Case]:
    return [Case(str(item["query"]), str(item["expect"])) for item in yaml.safe_load(path.read_text())]


def mrr(outcomes: list[Outcome]) -> float:
    return sum(1 / o.rank for o in outcomes if o.rank) / len(outcomes)


@contextmanager
def served_site(out: Path) -> Iterator[str]:
    result = build(BuildOptions(site_dir=ROOT, out_dir=out, search=True))
    if not result.ok:
        raise SystemExit(f"the bundled site did not build: {result.failure or result.diagnostics[:3]}")
    server = SiteServer(("127.0.0.1", 0), out, "/kb/")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.url
    finally:
        server.shutdown()
        server.server_close()


def rank_all(
    page: Page, url: str, cases: list[Case], *, raw: bool, ranking: dict[str, object] | None = None
) -> list[Outcome]:
    page.goto(url + "search/")
    ranked = page.evaluate(_RANK_JS, [[case.query for case in cases], raw, ranking])
    return [Outcome(case, list(slugs)) for case, slugs in zip(cases, ranked, strict=True)]


def report(title: str, outcomes: list[Outcome]) -> str:
    lines = [title, f"{'rank':>4}  {'query':<40} expected (first result when it is not)"]
    for o in outcomes:
        first = "" if o.rank == 1 or not o.ranked else f"  <- {o.ranked[0]}"
        lines.append(f"{o.rank or '-':>4}  {o.case.query:<40} {o.case.expect}{first}")
    top = sum(1 for o in outcomes if o.rank and o.rank <= TOP)
    firsts = sum(1 for o in outcomes if o.rank == 1)
    lines.append(
        f"{len(outcomes)} queries: first {firsts}, top {TOP} {top}, MRR {mrr(outcomes):.3f}"
        f" (target: all in top {TOP}, MRR >= {TARGET_MRR})"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--raw", action="store_true", help="also rank with Pagefind alone, for comparison")
    parser.add_argument(
        "--ranking",
        type=json.loads,
        help="Pagefind ranking options to try instead of search-core.js's, e.g. '{\"termSaturation\": 1.0}'",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is not met")
    args = parser.parse_args(argv)
    cases = load_cases()
    with (
        tempfile.TemporaryDirectory() as scratch,
        served_site(Path(scratch) / "public") as url,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        if args.raw:
            alone = rank_all(page, url, cases, raw=True, ranking=args.ranking)
            print(report("Pagefind alone:", alone), end="\n\n")
        outcomes = rank_all(page, url, cases, raw=False, ranking=args.ranking)
        browser.close()
    print(report("kb search (search-core.js over Pagefind):", outcomes))
    met = all(o.rank and o.rank <= TOP for o in outcomes) and mrr(outcomes) >= TARGET_MRR
    return 0 if met or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
