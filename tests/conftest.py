from __future__ import annotations

import contextlib
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import settings

from builder.server import SiteServer

SITES = Path(__file__).parent / "sites"


@pytest.fixture
def site_copy(tmp_path: Path) -> Callable[[str], Path]:
    """Copy a fixture site into a temp folder, so a test can build it or edit it freely."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(SITES / name, target, symlinks=True)
        return target

    return copy


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root, by relative path: two builds are equal when their snapshots are."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def tree(root: Path) -> dict[str, object]:
    """Everything under root: files by content, symlinks by target, folders by name."""
    found: dict[str, object] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            path = Path(dirpath, name)
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[rel] = ("link", os.readlink(path))
            elif path.is_dir():
                found[rel] = "dir"
            else:
                found[rel] = path.read_bytes()
    return found


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def write_lesson(site: Path, relative: str, front_matter: str, body: str = "Body text.\n") -> Path:
    target = site / "content" / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(f"---\n{front_matter.strip()}\n---\n{body}", encoding="utf-8")
    return target


@contextlib.contextmanager
def serving(root: Path, base_path: str) -> Iterator[SiteServer]:
    """Serve a built site on a free loopback port for the duration of the block."""
    server = SiteServer(("127.0.0.1", 0), root, base_path)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that uses the browser (tests/browser/, whose conftest alone imports Playwright) is marked
    so, for runs on machines without Chromium."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


# Property tests: a quick profile for every run, and a long one for fuzzing on demand:
#   HYPOTHESIS_PROFILE=long python3 -m pytest tests/test_properties.py
settings.register_profile("default", max_examples=150, deadline=None)
settings.register_profile("long", max_examples=20_000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
