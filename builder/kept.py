"""kb serve's kept folder, .kb-cache/preview/: one kb serve at a time writes it (a lock), and the cache
records the inputs it was written from while it is intact, so the next start can serve it at once."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from builder import cache, sealed
from builder.build import SiteBuilder
from builder.config import load_config
from builder.output import is_stamped
from builder.pipeline import Fingerprint, _output_files, _output_stamp

try:
    import fcntl
except ImportError:  # not on this platform: every start renders its own temporary folder
    fcntl = None  # type: ignore[assignment]

KEPT = "preview"  # kb serve's own folder in .kb-cache/, and the name of the cache's record of it
RECORD = cache.Key("preview-start")  # the inputs the kept folder was written from, while it is intact


def lock(site_dir: Path) -> IO[bytes] | None:
    """The lock on .kb-cache/preview/ for this process; None when another kb serve has it (or the
    cache folder cannot be made): then this one renders into a temporary folder."""
    if fcntl is None:
        return None
    try:
        folder = sealed.cache_folder(site_dir)
        if (folder / KEPT).is_symlink():  # the kept folder is written and deleted: never elsewhere
            return None
        handle = open(folder / f"{KEPT}.lock", "wb")  # noqa: SIM115 - held for the preview's life
    except OSError:
        return None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


def last_build(builder: SiteBuilder, now: Fingerprint | None) -> tuple[Path, str] | None:
    """The last `kb build`'s output folder and base path, when that build wrote what the site's inputs
    give now (now: their fingerprint): the same files, site.yml, theme and kb, no --drafts or --base-url
    unlike this preview, and its output untouched since."""
    built = builder.store.get(cache.Key("fingerprint"))
    if now is None or not isinstance(built, dict):
        return None
    out_dir = now[1]
    if built.get("inputs") != (now[2], builder.options.drafts, None) or not is_stamped(out_dir):
        return None
    if built.get("fingerprint", (None, None))[1] != _output_stamp(out_dir, _output_files(out_dir)):
        return None
    loaded, _ = load_config(builder.options.site_dir)
    return None if loaded is None else (out_dir, loaded.config.base_path)
