"""Bytes a reader downloads for one built page: its HTML plus the CSS and JS it links, raw and gzipped.

python scripts/page_weight.py public lessons/retries-backoff-jitter/
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path
from urllib.parse import urlsplit

from bs4 import BeautifulSoup


def weight(root: Path, page: str, base_path: str) -> list[tuple[str, int, int]]:
    html_file = root / page / "index.html" if not page.endswith(".html") else root / page
    html = html_file.read_bytes()
    rows = [(page or "/", len(html), len(gzip.compress(html, 9)))]
    soup = BeautifulSoup(html, "html.parser")
    refs = [str(tag["href"]) for tag in soup.select('link[rel~="stylesheet"][href]')]
    refs += [str(tag["src"]) for tag in soup.select("script[src]")]
    for ref in refs:
        path = urlsplit(ref).path.removeprefix(base_path)
        data = (root / path).read_bytes()
        rows.append((path, len(data), len(gzip.compress(data, 9))))
    return rows


def main(argv: list[str]) -> int:
    root, page = Path(argv[0]), argv[1]
    base_path = argv[2] if len(argv) > 2 else "/kb/"
    rows = weight(root, page, base_path)
    for name, raw, packed in rows:
        print(f"{raw:>10,} {packed:>9,}  {name}")
    print(f"{sum(r[1] for r in rows):>10,} {sum(r[2] for r in rows):>9,}  total (raw, gzip -9)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
