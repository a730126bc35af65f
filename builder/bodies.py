"""The rendered HTML of lesson bodies, by digest, kept out of memory.

A body is written once to a scratch file of the process that received it (unlinked, so it goes with the
process) and read back with one pread when a page shows it; the process holds only where each body lies.
Forked workers inherit the file and that index, and write what they load themselves to a file of their own.
Between builds the bodies live in sealed shards of .kb-cache/, each read only when one of its bodies is
needed (its bodies then go to the scratch file too), so neither a cold build nor an edit holds them all.
"""

from __future__ import annotations

import os
import tempfile
import weakref
from collections import defaultdict
from pathlib import Path

from builder.sealed import CacheCorrupt, Key, load, save, shard_of


class BodyStore:
    def __init__(self, site_dir: Path) -> None:
        self.site_dir = site_dir
        self.where: dict[str, tuple[int, int, int]] = {}  # digest -> (file descriptor, offset, length)
        self.loaded: set[int] = set()
        self.dirty: set[int] = set()
        self._scratch: tuple[int, int] | None = None  # (pid, descriptor): each process writes its own
        self._end = 0

    def add(self, digest: str, html: str) -> None:
        if digest not in self.where:
            self._keep(digest, html)
            self.dirty.add(shard_of(digest))

    def get(self, digest: str) -> str:
        where = self.where.get(digest)
        if where is None:
            self._load(shard_of(digest))
            where = self.where.get(digest)
        if where is None:
            raise CacheCorrupt(digest)
        descriptor, offset, length = where
        data = os.pread(descriptor, length, offset)
        if len(data) != length:  # the scratch file was cut short under us
            raise CacheCorrupt(digest)
        return data.decode("utf-8")

    def __contains__(self, digest: str) -> bool:
        return digest in self.where

    def read_shard(self, shard: int) -> None:
        """Bring a sealed shard's bodies into the scratch file now, before a page needs one (kb serve)."""
        self._load(shard)

    def _keep(self, digest: str, html: str) -> None:
        data = html.encode("utf-8")
        descriptor = self._file()
        offset, written = self._end, 0
        while written < len(data):
            written += os.pwrite(descriptor, data[written:], offset + written)
        self._end += len(data)
        self.where[digest] = (descriptor, offset, len(data))

    def _file(self) -> int:
        """This process's scratch file; a forked worker makes its own rather than append to its parent's."""
        pid = os.getpid()
        if self._scratch is None or self._scratch[0] != pid:
            descriptor, name = tempfile.mkstemp(prefix="kb-bodies-")
            os.unlink(name)  # the file lives as long as the descriptor: at most as long as this store
            weakref.finalize(self, os.close, descriptor)
            self._scratch = (pid, descriptor)
            self._end = 0
        return self._scratch[1]

    def _load(self, shard: int) -> None:
        if shard in self.loaded:
            return
        self.loaded.add(shard)
        saved = load(self.site_dir, Key("bodies", shard).file)
        if isinstance(saved, dict):
            for digest, html in saved.items():
                if digest not in self.where:
                    self._keep(digest, html)

    def save(self, keep: set[str]) -> None:
        """Write the shards that gained bodies, keeping only the bodies still in use (one shard in memory)."""
        if not self.dirty:
            return
        for shard in self.dirty:
            self._load(shard)
        by_shard: dict[int, list[str]] = defaultdict(list)
        for digest in self.where:
            if digest in keep:
                by_shard[shard_of(digest)].append(digest)
        for shard in sorted(self.dirty):
            save(self.site_dir, Key("bodies", shard).file, {d: self.get(d) for d in by_shard[shard]})
        self.dirty.clear()
