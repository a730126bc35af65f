"""The body store keeps rendered bodies out of memory: in a scratch file per process, and sealed shards."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

import pytest

from builder.bodies import BodyStore
from builder.sealed import CACHE_DIR, CacheCorrupt


def test_bodies_round_trip_through_the_scratch_file_and_the_sealed_shards(tmp_path: Path) -> None:
    store = BodyStore(tmp_path)
    store.add("d1", "<p>caf\u00e9 \u2014 one</p>")
    store.add("d2", "<p>two</p>")
    store.add("d1", "<p>ignored: a digest names one body</p>")
    assert store.get("d1") == "<p>caf\u00e9 \u2014 one</p>" and store.get("d2") == "<p>two</p>"
    assert not hasattr(store, "bodies")  # nothing but where each body lies is held
    store.save(keep={"d1"})
    assert list((tmp_path / CACHE_DIR).glob("bodies-*.pickle"))
    again = BodyStore(tmp_path)
    assert again.get("d1") == "<p>caf\u00e9 \u2014 one</p>"  # read from its shard on demand
    with pytest.raises(CacheCorrupt):
        again.get("d2")  # not kept by the save
    with pytest.raises(CacheCorrupt):
        BodyStore(tmp_path / "elsewhere").get("d1")


def _in_child(store: BodyStore, queue: mp.Queue[tuple[str, str, str]]) -> None:
    store.add("child", "<p>made in the worker</p>")
    queue.put((store.get("parent"), store.get("child"), store.get("saved")))


def test_a_forked_worker_reads_its_parents_bodies_and_keeps_its_own_apart(tmp_path: Path) -> None:
    saved = BodyStore(tmp_path)
    saved.add("saved", "<p>from the cache</p>")
    saved.save(keep={"saved"})
    store = BodyStore(tmp_path)
    store.add("parent", "<p>parsed by the parent</p>")
    context = mp.get_context("fork")
    queue: mp.Queue[tuple[str, str, str]] = context.Queue()
    child = context.Process(target=_in_child, args=(store, queue))
    child.start()
    got = queue.get(timeout=30)
    child.join(30)
    assert got == ("<p>parsed by the parent</p>", "<p>made in the worker</p>", "<p>from the cache</p>")
    assert "child" not in store  # the worker's additions stay in the worker
    store.add("after", "<p>the parent's file was not written by the worker</p>")
    assert store.get("parent") == "<p>parsed by the parent</p>"
    assert store.get("after") == "<p>the parent's file was not written by the worker</p>"
