"""Incremental builds (what kb serve does after each save) give the bytes of a full build, whatever the edits."""

from __future__ import annotations

import random
import re
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from builder import serve_quick
from builder.build import BuildOptions, BuildResult, SiteBuilder
from builder.parse import parse_lesson
from tests.conftest import snapshot, write_lesson


def full_build(site: Path, target: Path) -> dict[str, bytes] | None:
    shutil.rmtree(target, ignore_errors=True)
    builder = SiteBuilder(BuildOptions(site_dir=site, search=False, preview=True))
    plan, _ = builder.check(builder.analyse())
    if plan is None:
        return None
    target.mkdir(parents=True)
    builder.write(plan, target, None, BuildResult([]))
    return snapshot(target)


def edit(site: Path, rng: random.Random, step: int) -> str:
    lessons = sorted((site / "content").rglob("*.md"))
    choice = rng.randrange(12)
    target = rng.choice(lessons)
    if choice in (0, 9, 10, 11):  # edits to a body alone, half of them to a lesson in the site
        target = rng.choice([lesson for lesson in lessons if ".hidden" not in lesson.parts] + lessons)
    text = target.read_text()
    if choice in (0, 10):
        target.write_text(text + f"\nAnother paragraph {step}.\n")
        return f"append to {target.name}"
    if step % 5 == 4:  # undo the breaking edits, so later edits meet a site that builds
        for lesson in lessons:
            text = lesson.read_text()
            healed = text.replace("topics: [nope, ", "topics: [").replace("date: 2026-1", "date: 2026-0")
            if healed != text:
                lesson.write_text(healed)
        return "heal"
    if choice in (9, 11):  # moves every link of the body down two lines
        head, _, body = text.partition("\n---\n")
        target.write_text(f"{head}\n---\nA first paragraph, {step}.\n\n{body}")
        return f"prepend to {target.name}"
    if choice == 1:
        target.write_text(text.replace("title: ", f"title: Retitled {step} ", 1))
        return f"retitle {target.name}"
    if choice == 2:
        slug = f"new-{step}"
        topics = rng.choice(["[databases]", "[api-design, reliability]", "[reliability]"])
        body = (
            f"New lesson linking [[http-basics]] and [[{rng.choice(['error-contracts', 'http-basics'])}]].\n"
        )
        write_lesson(
            site,
            f"extra/{slug}.md",
            f"title: New {step}\ndate: 2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}\nsummary: S.\ntopics: {topics}\nskills: [python]",
            body,
        )
        return f"add {slug}"
    if choice == 3 and len(lessons) > 4 and "extra" in str(target):
        target.unlink()
        return f"delete {target.name}"
    if choice == 4:
        target.rename(target.with_name(f"renamed-{step}.md"))
        return f"rename {target.name}"
    if choice == 5:
        target.write_text(text.replace("topics: [", "topics: [nope, ", 1))
        return f"break {target.name}"
    if choice == 6:
        config = site / "site.yml"
        config.write_text(
            config.read_text().replace("max: 3", f"max: {rng.randint(1, 4)}").replace("max: 1\n", "max: 2\n")
        )
        return "site.yml related.max"
    if choice == 7:
        templates = site / "themes/default/templates"
        templates.mkdir(parents=True, exist_ok=True)
        (templates / "404.html").write_text(f"not found {step}")
        return "template"
    target.write_text(text.replace("date: 2026-0", "date: 2026-1", 1))
    return f"redate {target.name}"


def sources(site: Path) -> dict[str, bytes]:
    return {name: data for name, data in snapshot(site).items() if not name.startswith(".kb-cache/")}


def edited_files(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    """What the file watcher reports: every file added, removed or changed."""
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_incremental_output_equals_a_full_build(
    site_copy: Callable[[str], Path], tmp_path: Path, seed: int
) -> None:
    """As kb serve rebuilds: the quick path for the files the watcher names when it applies, else a
    full analysis; either way the output is that of a full build."""
    site = site_copy("good")
    rng = random.Random(seed)
    live = tmp_path / "live"
    live.mkdir()
    builder = SiteBuilder(BuildOptions(site_dir=site, search=False, preview=True))
    quick_steps = 0
    for step in range(16):
        before = sources(site)
        what = edit(site, rng, step)
        expected = full_build(site, tmp_path / "full")
        if builder.update_lessons(edited_files(before, sources(site))) is not None:
            quick_steps += 1
            assert snapshot(live) == expected, f"after step {step}: {what} (quick path)"
            continue
        plan, _ = builder.check(builder.analyse())
        if plan is None:
            assert expected is None, what
            continue
        builder.write(plan, live, live, BuildResult([]))
        assert snapshot(live) == expected, f"after step {step}: {what}"
    assert quick_steps > 0  # each seed's edits include some to bodies alone


# what an edit to the body of connection-pools changes: its page and the feeds listing it, nothing else
BODY_EDIT_PAGES = [
    "feed.xml",
    "lessons/connection-pools/index.html",
    "lessons/connection-pools/index.md",
    "skills/postgresql/feed.xml",
    "skills/python/feed.xml",
    "topics/databases/feed.xml",
    "topics/reliability/feed.xml",
]


def test_one_edit_re_renders_only_what_it_touches(site_copy: Callable[[str], Path], tmp_path: Path) -> None:
    site = site_copy("good")
    builder = SiteBuilder(BuildOptions(site_dir=site, search=False, preview=True))
    first = BuildResult([])
    plan, _ = builder.check(builder.analyse())
    assert plan is not None
    builder.write(plan, tmp_path, tmp_path, first)
    assert first.rendered == first.pages
    lesson = site / "content/ops/connection-pools.md"
    lesson.write_text(lesson.read_text().replace("Pools bound", "Pools always bound"))
    second = BuildResult([])
    plan, _ = builder.check(builder.analyse())
    assert plan is not None
    builder.write(plan, tmp_path, tmp_path, second)
    assert sorted(second.changed) == BODY_EDIT_PAGES
    assert second.rendered == len(second.changed)


def test_quick_path_takes_body_edits_only(site_copy: Callable[[str], Path], tmp_path: Path) -> None:
    site = site_copy("good")
    builder = SiteBuilder(BuildOptions(site_dir=site, search=False, preview=True))
    assert builder.update_lessons({"content/ops/connection-pools.md"}) is None  # nothing written yet
    plan, _ = builder.check(builder.analyse())
    assert plan is not None
    builder.write(plan, tmp_path, tmp_path, BuildResult([]))
    lesson = site / "content/ops/connection-pools.md"
    original = lesson.read_text()

    lesson.write_text(original.replace("Pools bound", "Pools always bound"))
    quick = builder.update_lessons({"content/ops/connection-pools.md"})
    assert quick is not None and quick.ok
    assert sorted(quick.changed) == BODY_EDIT_PAGES  # as the full analysis finds
    assert "Pools always bound" in (tmp_path / "lessons/connection-pools/index.html").read_text()

    touched = builder.update_lessons({"content/ops/connection-pools.md"})  # saved again, same bytes
    assert touched is not None and touched.changed == [] and touched.rendered == 0

    for other_kind in (
        original.replace("title: ", "title: Retitled ", 1),  # a card changes: term pages, home...
        original + "\n## A new heading\n",  # the table of contents and anchors change
        original + "\nSee [[http-basics]].\n",  # a new link: backlinks change
        original.replace("topics: [", "topics: [nope, ", 1),  # an error: the full build reports it
    ):
        lesson.write_text(other_kind)
        assert builder.update_lessons({"content/ops/connection-pools.md"}) is None
    lesson.write_text(original)
    assert builder.update_lessons({"content/ops/connection-pools.md", "site.yml"}) is None
    assert builder.update_lessons({"content/ops/new.md"}) is None


def previewed(site: Path, live: Path) -> SiteBuilder:
    """A builder that has written the site into live, as kb serve does when it starts."""
    live.mkdir()
    builder = SiteBuilder(BuildOptions(site_dir=site, search=False, preview=True))
    plan, _ = builder.check(builder.analyse())
    assert plan is not None
    builder.write(plan, live, live, BuildResult([]))
    return builder


def rebuild_as_serve_does(
    builder: SiteBuilder, live: Path, edited: set[str]
) -> tuple[str, BuildResult | None]:
    """kb serve's order: the body quick path, then the front-matter one, else a full analysis."""
    quick = builder.update_lessons(edited)
    if quick is not None:
        return "body", quick
    quick = serve_quick.update_front_matter(builder, edited)
    if quick is not None:
        return "front matter", quick
    plan, _ = builder.check(builder.analyse())
    if plan is None:
        return "failed", None
    result = BuildResult([])
    builder.write(plan, live, live, result)
    return "full", result


def front_matter_edit(site: Path, rng: random.Random, step: int) -> str:
    lessons = [p for p in sorted((site / "content").rglob("*.md")) if "_ignored" not in p.parts]
    target = rng.choice(lessons)
    text = target.read_text()
    choice = rng.randrange(8)
    if choice == 0:
        target.write_text(text.replace("\ntitle: ", f"\ntitle: Step {step} ", 1))
    elif choice == 1:
        target.write_text(text.replace("\nsummary: ", f"\nsummary: Now {step}, ", 1))
    elif choice == 2:
        day = rng.randint(10, 28)
        target.write_text(re.sub(r"\ndate: (\d{4}-\d\d)-\d\d", rf"\ndate: \g<1>-{day}", text, count=1))
    elif choice == 3:
        levels = ["beginner", "intermediate", "advanced"]
        target.write_text(re.sub(r"\nlevel: \w+", f"\nlevel: {rng.choice(levels)}", text, count=1))
    elif choice == 4:  # the title and the body's text at once
        target.write_text(text.replace("\ntitle: ", f"\ntitle: Both {step} ", 1) + f"\nMore {step}.\n")
    elif choice == 5:
        target.write_text(text + f"\nA paragraph {step}.\n")
    elif choice == 6:  # the structure changes: a new topic
        target.write_text(
            text.replace("topics: [", "topics: [databases, ", 1).replace("databases, databases", "databases")
        )
    else:
        month = rng.randint(1, 9)
        target.write_text(re.sub(r"\ndate: \d{4}-\d\d", f"\ndate: 2026-0{month}", text, count=1))
    return f"{choice} on {target.name}"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_front_matter_edits_equal_a_full_build(
    site_copy: Callable[[str], Path], tmp_path: Path, seed: int
) -> None:
    """Edits to titles, summaries, dates and levels take kb serve's front-matter path, which plans only
    the pages reading the edited lessons; the output is a full build's after every step."""
    front_matter_edits_equal_full_builds(site_copy("good"), tmp_path, seed)


def front_matter_edits_equal_full_builds(
    site: Path, tmp_path: Path, seed: int, check: Callable[[Path], None] = lambda live: None
) -> None:
    """20 seeded front-matter edits, each rebuilt as kb serve does and compared with a full build;
    check(live) looks at the preview once it is first written."""
    rng = random.Random(seed)
    live = tmp_path / "live"
    builder = previewed(site, live)
    check(live)
    paths = Counter[str]()
    for step in range(20):
        before = sources(site)
        what = front_matter_edit(site, rng, step)
        expected = full_build(site, tmp_path / "full")
        path, _ = rebuild_as_serve_does(builder, live, edited_files(before, sources(site)))
        paths[path] += 1
        if expected is not None:
            assert snapshot(live) == expected, f"after step {step}: {what} ({path})"
    assert paths["front matter"] >= 5, paths


def test_a_retitled_lesson_updates_the_pages_showing_it(
    site_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    site = site_copy("good")
    live = tmp_path / "live"
    builder = previewed(site, live)
    lesson = site / "content/validation/validate-at-the-edge.md"
    lesson.write_text(lesson.read_text().replace("title: Validate at the edge", "title: Check at the border"))
    edited = {"content/validation/validate-at-the-edge.md"}
    assert builder.update_lessons(edited) is None
    result = serve_quick.update_front_matter(builder, edited)
    assert result is not None and result.ok
    changed = set(result.changed)
    # its own page and copy; the lessons whose bare [[validate-at-the-edge]] shows its title; the lists
    assert {
        "lessons/validate-at-the-edge/index.html",
        "lessons/validate-at-the-edge/index.md",
        "lessons/http-basics/index.html",
        "lessons/error-contracts/index.html",
        "index.html",
        "lessons/index.html",
        "llms.txt",
    } <= changed
    page = BeautifulSoup((live / "lessons/http-basics/index.html").read_text(), "html.parser")
    assert "Check at the border" in page.get_text()
    assert snapshot(live) == full_build(site, tmp_path / "full")
    lesson.write_text(lesson.read_text().replace("topics: [", "topics: [databases, ", 1))
    assert serve_quick.update_front_matter(builder, edited) is None  # terms are the site's structure


def test_front_matter_edits_on_a_site_with_its_own_taxonomies(
    site_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    """The front-matter path re-plans the pages of declared taxonomies too (term pages, related reasons)."""
    site = site_copy("taxonomies")
    live = tmp_path / "live"
    builder = previewed(site, live)
    lesson = site / "content/retries.md"
    for step, (old, new) in enumerate(
        [("title: Retries in Python", "title: Retrying in Python"), ("\nsummary: ", "\nsummary: Now, ")]
    ):
        before = sources(site)
        text = lesson.read_text()
        assert old in text
        lesson.write_text(text.replace(old, new, 1))
        path, result = rebuild_as_serve_does(builder, live, edited_files(before, sources(site)))
        assert path == "front matter" and result is not None and result.ok, step
        assert snapshot(live) == full_build(site, tmp_path / "full"), step
    python = (live / "languages/python/index.html").read_text()
    assert "Retrying in Python" in python


def paginated(site_copy: Callable[[str], Path]) -> Path:
    """The good site with one card a page: the lessons index and the term pages have several pages."""
    site = site_copy("good")
    config = site / "site.yml"
    config.write_text(config.read_text() + "lists: {page_size: 1}\n")
    return site


@pytest.mark.parametrize("seed", [4, 6, 7])
def test_front_matter_edits_on_paginated_lists_equal_a_full_build(
    site_copy: Callable[[str], Path], tmp_path: Path, seed: int
) -> None:
    """Each page of a list is planned again alone (its type's replanner): titles, summaries and dates
    edited on lessons listed on later pages give a full build's output."""

    def paginated_lists(live: Path) -> None:
        assert (live / "lessons/page/4/index.html").is_file()
        assert (live / "topics/api-design/page/3").is_dir()

    front_matter_edits_equal_full_builds(paginated(site_copy), tmp_path, seed, paginated_lists)


def test_a_retitled_lesson_on_a_later_page_of_a_list(
    site_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    site = paginated(site_copy)
    live = tmp_path / "live"
    builder = previewed(site, live)
    later = BeautifulSoup((live / "topics/api-design/page/2/index.html").read_text(), "html.parser")
    shown = [a["href"] for a in later.select("main a[href*='/lessons/']") if "/page/" not in a["href"]]
    slug = shown[0].rstrip("/").rpartition("/")[2]
    lesson = next((site / "content").rglob(f"{slug}.md"))
    edited = {lesson.relative_to(site).as_posix()}
    text = lesson.read_text()
    lesson.write_text(re.sub(r"\ntitle: .*", "\ntitle: A title seen on page two", text, count=1))
    result = serve_quick.update_front_matter(builder, edited)
    assert result is not None and result.ok
    assert "topics/api-design/page/2/index.html" in result.changed
    assert "topics/api-design/index.html" not in result.changed  # the first page lists other lessons
    page = BeautifulSoup((live / "topics/api-design/page/2/index.html").read_text(), "html.parser")
    assert "A title seen on page two" in page.get_text()
    assert snapshot(live) == full_build(site, tmp_path / "full")
    lesson.write_text(re.sub(r"\ndate: \d{4}", "\ndate: 2031", text, count=1))  # now the newest: it moves
    path, moved = rebuild_as_serve_does(builder, live, edited)
    assert path == "full" and moved is not None
    first = BeautifulSoup((live / "topics/api-design/index.html").read_text(), "html.parser")
    assert shown[0] in [a["href"] for a in first.select("main a[href*='/lessons/']")]
    assert snapshot(live) == full_build(site, tmp_path / "full")


def test_kb_serve_parses_an_edited_lesson_once(
    site_copy: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """serve_quick.update tries the body path, then the front-matter one, from one parse of the file."""
    site = site_copy("good")
    live = tmp_path / "live"
    builder = previewed(site, live)
    parses: list[str] = []
    parse = parse_lesson

    def counted(path: str, *args: Any) -> Any:
        parses.append(path)
        return parse(path, *args)

    monkeypatch.setattr(serve_quick, "parse_lesson", counted)
    lesson = site / "content/ops/connection-pools.md"
    edited = {"content/ops/connection-pools.md"}
    lesson.write_text(lesson.read_text() + "\nOne more paragraph.\n")
    body = serve_quick.update(builder, edited)
    lesson.write_text(lesson.read_text().replace("title: Connection pools", "title: Pools", 1))
    title = serve_quick.update(builder, edited)
    assert body is not None and body[1] == " (lesson bodies only)"
    assert title is not None and title[1] == " (front matter)" and "lessons/index.html" in title[0].changed
    assert parses == ["content/ops/connection-pools.md"] * 2
    assert snapshot(live) == full_build(site, tmp_path / "full")
