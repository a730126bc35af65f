"""kb serve's kept folder, .kb-cache/preview/: one kb serve at a time writes it (a lock), and the cache
records the inputs it was written from while it is intact, so the next start can serve it at once."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from builder import cache, sealed

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
