"""`kb serve`: live preview. (Built in a later step; for now it builds once and serves the output.)"""

from __future__ import annotations

import functools
import http.server
import sys
from pathlib import Path

from builder.build import BuildOptions, build
from builder.diagnostics import format_text


def serve(site_dir: Path, host: str, port: int, *, drafts: bool = False, open_browser: bool = False) -> int:
    result = build(BuildOptions(site_dir=site_dir, drafts=drafts, search=False))
    sys.stdout.write(format_text(result.diagnostics))
    if not result.ok or result.out_dir is None:
        return 1
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(result.out_dir))
    with http.server.ThreadingHTTPServer((host, port), handler) as server:
        print(f"kb: serving {result.out_dir} at http://{host}:{port}/")
        server.serve_forever()
    return 0
