"""The cache module's small typed API: entries by Key, memo by the digest of named parts, one hash scheme."""

from __future__ import annotations

from pathlib import Path

from builder import cache


def test_get_put_by_key_and_a_foreign_entry_is_ignored(tmp_path: Path) -> None:
    store = cache.Store(tmp_path)
    assert store.get(cache.Key("files", 3)) is None
    store.put(cache.Key("files", 3), {"content/a.md": 1})
    assert (tmp_path / cache.CACHE_DIR / "files-03.pickle").is_file()
    assert cache.Store(tmp_path).get(cache.Key("files", 3)) == {"content/a.md": 1}
    (tmp_path / cache.CACHE_DIR / "memo.pickle").write_bytes(cache.MAGIC + b"\0" * 32 + b"not sealed")
    assert store.get(cache.Key("memo")) is None


def test_memo_recomputes_only_when_its_parts_change(tmp_path: Path) -> None:
    store = cache.Store(tmp_path)
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert store.memo("terms", (["a", "b"], {"skills": 2}), compute) == 1
    assert store.memo("terms", (["a", "b"], {"skills": 2}), compute) == 1  # equal parts, not the same objects
    assert store.memo("terms", (["a", "c"], {"skills": 2}), compute) == 2
    assert len(calls) == 2


def test_one_hash_scheme_for_equal_values() -> None:
    shared = ("x", 1)
    assert cache.digest([shared, shared]) == cache.digest([("x", 1), ("x", 1)])  # sharing does not matter
    assert cache.digest("a", "b") != cache.digest("ab")
    assert len(cache.digest(b"bytes")) == 32
    assert cache.code_digest() == cache.code_digest()
