from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

SITES = Path(__file__).parent / "sites"


@pytest.fixture
def site_copy(tmp_path: Path) -> Callable[[str], Path]:
    """Copy a fixture site into a temp folder, so a test can build it or edit it freely."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(SITES / name, target, symlinks=True)
        return target

    return copy


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def write_lesson(site: Path, relative: str, front_matter: str, body: str = "Body text.\n") -> Path:
    target = site / "content" / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(f"---\n{front_matter.strip()}\n---\n{body}", encoding="utf-8")
    return target
