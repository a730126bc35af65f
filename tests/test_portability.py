"""What authors on macOS and Windows meet: kb's fallbacks where fork, the atomic exchange of two folders
or a POSIX shell are missing, forced here on Linux, must give the same site as the fast paths."""

from __future__ import annotations

import multiprocessing
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from builder import cache, output
from builder.build import BuildOptions, build
from tests.conftest import snapshot


def _build_twice(site: Path, out: Path) -> None:
    """A first build into a new folder, then one that replaces it (the swap)."""
    for _ in range(2):
        shutil.rmtree(site / cache.CACHE_DIR, ignore_errors=True)
        result = build(BuildOptions(site, out_dir=out, jobs=2, search=False))
        assert result.ok, result.diagnostics


def test_forced_fallbacks_build_the_same_site(
    site_copy: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = site_copy("good")
    fast = tmp_path / "fast"
    _build_twice(site, fast)
    exchanged: list[tuple[Path, Path]] = []

    def no_exchange(a: Path, b: Path) -> bool:
        exchanged.append((a, b))
        return False

    monkeypatch.setattr(output, "_exchange", no_exchange)
    monkeypatch.setattr(shutil, "which", lambda *args, **kwargs: None)  # no sh for the detached rm
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])  # no fork
    slow = tmp_path / "slow"
    _build_twice(site, slow)
    assert len(exchanged) == 1  # the second build asked for the exchange and took the fallback
    assert snapshot(slow) == snapshot(fast)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fast", "good", "slow"]  # no leftovers
