"""The build cache in the site's .kb-cache/: parsed lessons, their HTML, and the keys of the last output,
as sealed pickles (sealed.py); the bodies' HTML is kept out of memory (bodies.py)."""

from __future__ import annotations

import functools
import gc
import hashlib
import io
import pickle
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar, cast

from builder import __version__
from builder.bodies import BodyStore
from builder.sealed import CACHE_DIR, MAGIC, SHARDS, CacheCorrupt, Key, load, paused_gc, save, shard_of
from builder.theme import builtin_theme_dir

__all__ = [
    "CACHE_DIR",
    "MAGIC",
    "SHARDS",
    "BodyStore",
    "CacheCorrupt",
    "Key",
    "Store",
    "code_digest",
    "digest",
    "files_digest",
    "flat_pickle",
    "load",
    "paused_gc",
    "save",
    "shard_of",
]
T = TypeVar("T")
LIBRARIES = ("markdown-it-py", "mdit-py-plugins", "pygments", "pyyaml", "pydantic", "jinja2", "nh3")


def flat_pickle(value: object) -> bytes:
    """Pickled without the memo, so equal values give equal bytes however they share objects: three
    times quicker than a repr, and just as faithful for the tuples, strings and records kb digests."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, 5)
    pickler.fast = True
    pickler.dump(value)
    return buffer.getvalue()


def digest(*parts: object) -> str:
    """The one hash scheme of every cache key: BLAKE2b-128 of the parts, pickled flat."""
    return hashlib.blake2b(flat_pickle(parts), digest_size=16).hexdigest()


def files_digest(files: Iterable[tuple[str, Path]]) -> str:
    """A digest of files' names and bytes; a file that cannot be read counts as missing."""
    hashed = hashlib.blake2b(digest_size=16)
    for name, path in files:
        try:
            data = path.read_bytes()
        except OSError:
            data = b"\0missing"
        hashed.update(f"{len(name)}:{name}{len(data)}:".encode() + data)
    return hashed.hexdigest()


@functools.cache
def code_digest() -> str:
    """kb's own code as this process runs it: every .py file of the package, the default theme and the
    versions of the libraries that shape the output. Part of every cache epoch, so a build with changed
    code (a checkout, an edit, CI restoring an older cache) never reuses what older code produced."""
    package = Path(__file__).resolve().parent
    theme = builtin_theme_dir().resolve()
    files = [(f"builder/{p.relative_to(package).as_posix()}", p) for p in sorted(package.rglob("*.py"))]
    files += [(f"theme/{p.relative_to(theme).as_posix()}", p) for p in sorted(theme.rglob("*.*"))]
    return digest(__version__, [metadata.version(name) for name in LIBRARIES], files_digest(files))


class Store:
    """Everything a build keeps for the next one, in memory and in the site's .kb-cache/: the parsed
    files (sharded by path, each shard saved when it changed), their bodies (by digest), memoised
    answers (by the digest of their inputs), compiled templates, and the key and size of every output
    file. Each part is valid under an epoch; a changed epoch drops what depended on it."""

    def __init__(self, site_dir: Path) -> None:
        self.site_dir = site_dir
        self.files: dict[str, Any] = {}  # source path -> build.ParsedFile
        self.dirty: set[int] = set(range(SHARDS))  # shards of files that differ from the saved ones
        self.bodies = BodyStore(site_dir)
        self.memos: dict[str, tuple[str, Any]] = {}  # name -> (digest of the inputs, answer)
        self.saved_memos: dict[str, str] = {}
        self.saved_templates: dict[str, bytes] = {}
        self.parse_epoch = ""  # what parsing depends on besides the file: code, vocabulary, options
        self.render_epoch = ""  # what every page depends on besides its context: code, site.yml, theme
        self.page_keys: dict[str, tuple[object, int]] = {}  # output file -> (key, size) of what is there

    # -- the typed API -----------------------------------------------------------------------------------

    def get(self, key: Key) -> Any | None:
        return load(self.site_dir, key.file)

    def put(self, key: Key, value: Any) -> None:
        save(self.site_dir, key.file, value)

    def memo(self, name: str, parts: tuple[object, ...], compute: Callable[[], T]) -> T:
        """compute()'s answer, reused while the digest of parts is unchanged (one answer kept per name)."""
        key = digest(*parts)
        known = self.memos.get(name)
        if known is not None and known[0] == key:
            return cast(T, known[1])
        answer = compute()
        self.memos[name] = (key, answer)
        return answer

    # -- parsed files --------------------------------------------------------------------------------------

    def parsing_under(self, epoch: str) -> None:
        if epoch != self.parse_epoch:
            self.files.clear()
            self.dirty = set(range(SHARDS))
            self.parse_epoch = epoch

    def set_file(self, path: str, parsed: Any) -> None:
        self.files[path] = parsed
        self.dirty.add(shard_of(path))

    def drop_file(self, path: str) -> None:
        del self.files[path]
        self.dirty.add(shard_of(path))

    def distrust_pages(self, also: Iterable[str] = ()) -> None:
        """Render every page again next time, still knowing which files are there (to remove the stale)."""
        self.page_keys = dict.fromkeys([*self.page_keys, *also], (None, -1))

    # -- on disk -------------------------------------------------------------------------------------------

    def restore(
        self, out_dir: Path, templates: Callable[[dict[str, bytes]], None], name: str = "build"
    ) -> None:
        """Take up the saved state; a shard or memo that fails to load only means more work now.
        name: whose record of the output (kb build's, or kb serve's "preview" of its own folder)."""
        state = self.get(Key(name))
        if not isinstance(state, dict) or state.get("site") != str(self.site_dir.resolve()):
            return
        self.parse_epoch = state["parse_epoch"]
        self.dirty = set()
        for shard in range(SHARDS):
            saved = self.get(Key("files", shard))
            if isinstance(saved, dict):
                self.files.update(saved)
            else:
                self.dirty.add(shard)
        compiled = self.get(Key("templates"))
        if isinstance(compiled, dict):
            templates(compiled)
            self.saved_templates = compiled
        memos = self.get(Key("memo"))
        if isinstance(memos, dict):
            self.memos = memos
            self.saved_memos = {name: value[0] for name, value in memos.items()}
        if state.get("out_dir") == str(out_dir.resolve()):
            self.render_epoch = state["render_epoch"]
            self.page_keys = state["page_keys"]
        # what was read lives as long as the build and has no cycles: the collector need not scan it again
        # at every collection the analysis triggers (a third of a warm analysis at 10,000 lessons)
        gc.freeze()

    def save(self, out_dir: Path, compiled: dict[str, bytes], name: str = "build") -> None:
        self.bodies.save({parsed.lesson.body.digest for parsed in self.files.values() if parsed.lesson})
        for shard in sorted(self.dirty):  # after the bodies, so no saved lesson lacks its body
            files = {path: parsed for path, parsed in self.files.items() if shard_of(path) == shard}
            self.put(Key("files", shard), files)
        self.dirty = set()
        if compiled != self.saved_templates:
            self.put(Key("templates"), compiled)
            self.saved_templates = compiled
        memos = {name: value[0] for name, value in self.memos.items()}
        if memos != self.saved_memos:
            self.put(Key("memo"), self.memos)
            self.saved_memos = memos
        state = {
            "site": str(self.site_dir.resolve()),
            "parse_epoch": self.parse_epoch,
            "out_dir": str(out_dir.resolve()),
            "render_epoch": self.render_epoch,
            "page_keys": self.page_keys,
        }
        self.put(Key(name), state)
