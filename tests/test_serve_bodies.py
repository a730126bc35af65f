"""kb serve reads the sealed body shards once the site is built, while no edit waits."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from builder.preview import Preview
from builder.sealed import SHARDS


def test_a_warm_start_reads_the_body_shards_while_idle(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("good")
    first = Preview(site, search=False, keep=True)
    first.log = lambda line: None
    assert not first.warm_start() and first.rebuild()
    first.close()

    again = Preview(site, search=False, keep=True)
    again.log = lambda line: None
    assert again.warm_start()
    again._read_bodies()  # the cache is not read yet: nothing to read from
    assert again.builder.store.bodies.loaded == set()
    again.pending.clear()  # as the build loop does before the first rebuild
    assert again.rebuild(None)
    assert again.builder.store.bodies.loaded == set()  # nothing was rendered: no body was needed
    again.pending.set()  # an edit waits: it goes first
    again._read_bodies()
    assert again.builder.store.bodies.loaded == set()
    again.pending.clear()
    again._read_bodies()
    assert again.builder.store.bodies.loaded == set(range(SHARDS))
    lesson = site / "content/ops/connection-pools.md"
    lesson.write_text(lesson.read_text().replace("Pools bound", "Pools always bound"))
    assert again.rebuild({"content/ops/connection-pools.md"})
    page = (again.out_dir / "lessons/connection-pools/index.html").read_text()
    assert "Pools always bound" in page
    again.close()
