"""Cache keys are derived from what pages receive and from kb's own code: changed code, theme or
extension rebuilds the pages it affects; an edit rebuilds no more pages than it must."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import builder
from builder.build import BuildOptions, BuildResult, SiteBuilder
from builder.theme import builtin_theme_dir
from tests.conftest import snapshot

PATCHED_HIGHLIGHT = """

_kb_test_original = render_code


def render_code(*args, **kwargs):  # type: ignore[no-redef]
    return _kb_test_original(*args, **kwargs).replace("<pre", '<pre data-patched="yes"', 1)
"""


def kb_copy(root: Path) -> Path:
    """kb's package and default theme copied, as a checkout whose code can be edited."""
    shutil.copytree(
        Path(builder.__file__).parent, root / "builder", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(builtin_theme_dir(), root / "themes/default")
    return root


def run_kb(code: Path, site: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(code)}
    done = subprocess.run(
        [sys.executable, "-m", "builder", "build", "--site", str(site), "--no-search"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=code,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("change", ["package", "theme"])
def test_changed_code_rebuilds_the_pages_it_affects(
    site_copy: Callable[[str], Path], tmp_path: Path, change: str
) -> None:
    code = kb_copy(tmp_path / "kb")
    site = site_copy("good")
    run_kb(code, site)
    before = snapshot(site / "public")
    if change == "package":  # the reproduction: a class added to <pre> in highlight.py
        highlight = code / "builder/highlight.py"
        highlight.write_text(highlight.read_text() + PATCHED_HIGHLIGHT)
    else:
        template = code / "themes/default/templates/404.html"
        template.write_text(template.read_text().replace("</h1>", " (patched)</h1>", 1))
    run_kb(code, site)
    after = snapshot(site / "public")
    changed = {name for name in before if before[name] != after.get(name)}
    if change == "package":
        assert "lessons/connection-pools/index.html" in changed
        assert 'data-patched="yes"' in after["lessons/connection-pools/index.html"].decode()
        # the cache forgotten gives the same bytes: nothing stale was kept
        shutil.rmtree(site / ".kb-cache")
        run_kb(code, site)
        assert snapshot(site / "public") == after
    else:
        assert changed == {"404.html"}
        assert b"(patched)" in after["404.html"]


LATER_ASSETS = {
    f"assets/{name}"
    for name in (
        "reading.js",
        "diagrams.js",
        "vendor/mermaid.min.js",
        "vendor/mermaid.LICENSE",
        "search.css",
        "search-box.js",
        "search-core.js",
        "copy-markdown.js",
    )
}


def _new_since(name: str) -> bool:
    return (
        name.startswith(("authors/", "cards/", "maintenance/"))
        or name.endswith("/index.md")
        or name in {"llms.txt", "llms-full.txt"}
        or name in LATER_ASSETS
    )


def test_an_edit_renders_no_more_pages_than_before(site_copy: Callable[[str], Path], tmp_path: Path) -> None:
    """Page counts written as measured before keys were derived (body 6, title 14, heading 6), not
    counting the author pages (new since): the same pages as before, and those of the lesson's author."""
    site = site_copy("good")
    builder_ = SiteBuilder(BuildOptions(site_dir=site, search=False, preview=True))

    def rendered() -> int:
        result = BuildResult([])
        plan, _ = builder_.check(builder_.analyse())
        assert plan is not None
        builder_.write(plan, tmp_path, tmp_path, result)
        # author pages are new since, and so are the theme's reading and search scripts and styles, the
        # social cards and the pages for curators and LLM tools
        new = [name for name in result.changed if _new_since(name)]
        assert result.rendered == len(result.changed)
        return result.rendered - len(new)

    assert rendered() == 35
    lesson = site / "content/ops/connection-pools.md"
    lesson.write_text(lesson.read_text().replace("Pools bound", "Pools always bound"))
    assert rendered() == 6
    lesson.write_text(lesson.read_text().replace("title: ", "title: Retitled ", 1))
    assert rendered() == 14
    lesson.write_text(lesson.read_text() + "\n## New heading\n")
    assert rendered() == 6
    assert rendered() == 0


def test_check_reuses_what_the_last_build_parsed(
    site_copy: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import builder.parse as parse_module
    from builder.build import analyse, build

    site = site_copy("good")
    assert build(BuildOptions(site_dir=site, search=False)).ok
    parsed: list[str] = []
    original = parse_module.parse_lesson

    def counting(path: str, *args: object, **kwargs: object) -> object:
        parsed.append(path)
        return original(path, *args, **kwargs)

    monkeypatch.setattr(parse_module, "parse_lesson", counting)
    cached = sorted(analyse(BuildOptions(site_dir=site)).diagnostics)
    assert parsed == []  # every lesson came from the cache
    lesson = site / "content/ops/connection-pools.md"
    lesson.write_text(lesson.read_text().replace("Pools bound", "Pools always bound"))
    assert sorted(analyse(BuildOptions(site_dir=site)).diagnostics) == cached
    assert parsed == ["content/ops/connection-pools.md"]
    before = snapshot(site / ".kb-cache")
    analyse(BuildOptions(site_dir=site))
    assert snapshot(site / ".kb-cache") == before  # a check writes nothing
