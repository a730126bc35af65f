"""Sealed pickles in the site's .kb-cache/: what the build cache is made of on disk.

A pickle is never trusted blindly: each file carries an HMAC made with a key that lives in the user's own
cache folder, outside the site. A file committed to the site by someone else, truncated, or written by
another version of kb fails the check and is ignored (and rebuilt), never unpickled.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import hmac
import os
import pickle
import secrets
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder import __version__

CACHE_DIR = ".kb-cache"
MAGIC = b"kb-cache-1\n"
SHARDS = 16  # parsed files and bodies are cached in shards, so an edit rewrites one shard, not all


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cycle collector: (un)pickling a big state creates objects by the million, none of them in
    cycles, and the collector's repeated passes over them would otherwise triple the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@functools.cache
def _secret() -> bytes:
    """This user's key for sealing caches, made on first use."""
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kb"
    key_file = home / "cache-key"
    try:
        key = key_file.read_bytes()
        if len(key) == 32:
            return key
    except OSError:
        pass
    key = secrets.token_bytes(32)
    try:
        home.mkdir(parents=True, exist_ok=True)
        temporary = key_file.with_suffix(f".{os.getpid()}")
        temporary.write_bytes(key)
        os.replace(temporary, key_file)
    except OSError:
        pass  # a read-only home: the cache simply never validates
    return key


def _seal(payload: bytes | memoryview) -> bytes:
    sealed = hmac.new(_secret(), MAGIC + __version__.encode(), hashlib.sha256)
    sealed.update(payload)  # not concatenated: a shard of bodies is never copied to be sealed
    return sealed.digest()


def cache_folder(site_dir: Path) -> Path:
    """The site's .kb-cache/, made if needed, with a .gitignore keeping it out of the repository. OSError
    when it cannot be made, or when it is a symlink: kb writes and deletes in its cache, which must then
    be inside the site (a symlink committed to a site would aim that at any folder)."""
    folder = site_dir / CACHE_DIR
    if folder.is_symlink():
        raise OSError(f"{folder} is a symlink")
    folder.mkdir(exist_ok=True)
    (folder / ".gitignore").write_text("*\n")
    return folder


def save(site_dir: Path, name: str, state: Any) -> None:
    """Write state atomically; a failure to write the cache never fails the build."""
    try:
        folder = cache_folder(site_dir)
        with paused_gc():
            payload = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
        temporary = folder / f".{name}.{os.getpid()}"
        with temporary.open("wb") as handle:
            handle.write(MAGIC + _seal(payload))
            handle.write(payload)
        os.replace(temporary, folder / name)
    except OSError:
        return


def load(site_dir: Path, name: str) -> Any | None:
    """The saved state, or None when missing, corrupt, foreign or from another version of kb."""
    try:
        if (site_dir / CACHE_DIR).is_symlink():
            return None  # never a cache read from outside the site
        blob = (site_dir / CACHE_DIR / name).read_bytes()
    except OSError:
        return None
    if not blob.startswith(MAGIC):
        return None
    seal, payload = blob[len(MAGIC) : len(MAGIC) + 32], memoryview(blob)[len(MAGIC) + 32 :]
    if not hmac.compare_digest(seal, _seal(payload)):
        return None
    try:
        with paused_gc():
            return pickle.loads(payload)
    except Exception:  # sealed by us, so only a bug could get here: rebuild rather than fail
        return None


class CacheCorrupt(Exception):
    """The cache names a body that none of its sealed shards holds: the build starts again without it."""


@dataclass(frozen=True, slots=True)
class Key:
    """A cache entry, named by its parts: Key("files", 3) is the fourth shard of the parsed files."""

    store: str
    shard: int | None = None

    @property
    def file(self) -> str:
        return f"{self.store}.pickle" if self.shard is None else f"{self.store}-{self.shard:02d}.pickle"


def shard_of(name: str, shards: int = SHARDS) -> int:
    return zlib.crc32(name.encode()) % shards
