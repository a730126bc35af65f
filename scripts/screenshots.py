"""Screenshots of the reading pages at a phone and a desk width, for docs/screenshots/.

    python scripts/screenshots.py   # the bundled site + the feature fixture; light, some also dark

Builds the bundled knowledge base (and tests/sites/reading, whose lesson uses every Markdown feature)
into temporary folders, serves them on 127.0.0.1 and photographs the first screen of each page with
Debian's Chromium through Playwright.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from builder.build import BuildOptions, build  # noqa: E402
from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.conftest import serving  # noqa: E402

SIZES = {"phone": (390, 844), "desk": (1440, 900)}
BUNDLED = {
    "home": "",
    "lesson": "lessons/retries-backoff-jitter/",
    "term": "topics/reliability/",
    "path": "paths/backend-foundations/",
    "search": "search/?q=retry",
}
FIXTURE = {
    "features": "lessons/retries-with-backoff/",
    "features-code": "lessons/retries-with-backoff/#backoff-with-jitter",
    "path-complete": "lessons/circuit-breakers/",
}
DARK_TOO = {"features", "features-code", "lesson"}  # every page in light; these also in dark


def shoot(url: str, pages: dict[str, str], out: Path, schemes: tuple[str, ...]) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for scheme in schemes:
            for size, (width, height) in SIZES.items():
                context = browser.new_context(
                    viewport={"width": width, "height": height},
                    color_scheme=scheme,  # type: ignore[arg-type]
                    is_mobile=size == "phone",
                    has_touch=size == "phone",
                )
                page = context.new_page()
                for name, path in pages.items():
                    if scheme == "dark" and name not in DARK_TOO:
                        continue
                    page.goto(url + path)
                    page.wait_for_load_state("networkidle")
                    if page.locator(".mermaid-diagram").count():
                        page.locator(".mermaid-svg svg").first.wait_for(timeout=15_000)
                    if name == "path-complete":
                        page.locator(".path-pager").scroll_into_view_if_needed()
                    if "#" in path:  # the diagram's height arrives after the jump to the heading
                        page.evaluate(f"document.getElementById({path.split('#')[1]!r}).scrollIntoView()")
                        page.wait_for_timeout(300)
                    suffix = "" if scheme == "light" else "-dark"
                    page.screenshot(path=str(out / f"{name}-{size}{suffix}.png"))
                context.close()
        browser.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for site, pages, search in ((ROOT, BUNDLED, True), (ROOT / "tests/sites/reading", FIXTURE, False)):
        with tempfile.TemporaryDirectory() as temporary:
            public = Path(temporary) / "public"
            result = build(BuildOptions(site_dir=site, out_dir=public, search=search))
            if not result.ok:
                print(f"build of {site} failed: {result.failure}", file=sys.stderr)
                return 1
            with serving(public, "/kb/") as server:
                shoot(server.url, pages, args.out, ("light", "dark"))
    print(f"screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
