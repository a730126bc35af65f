"""Authoring through pull requests: kb diff over build manifests, redirects for renamed slugs, review
dates and stale-lesson warnings, edit and history links, dates from git history."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.build import BuildOptions, analyse, build
from builder.cli import main
from builder.diff import category
from tests.conftest import soup, write_lesson

MINIMAL_LESSON = (
    "title: First lesson\ndate: 2026-01-01\nsummary: The first one.\ntopics: [testing]\nskills: [pytest]"
)


def _manifest(site: Path, name: str, capsys: pytest.CaptureFixture[str]) -> Path:
    target = site.parent / f"{name}.json"
    status = main(
        [
            "build",
            "--site",
            str(site),
            "--no-search",
            "--out",
            str(site.parent / name),
            "--manifest",
            str(target),
        ]
    )
    capsys.readouterr()
    assert status == 0
    return target


def _diff(base: Path, head: Path, capsys: pytest.CaptureFixture[str], fmt: str = "text") -> str:
    assert main(["diff", str(base), str(head), "--format", fmt]) == 0
    return capsys.readouterr().out


@pytest.fixture
def two_lessons(site_copy: Callable[[str], Path]) -> Path:
    site = site_copy("minimal")
    write_lesson(
        site,
        "second.md",
        "title: Second lesson\ndate: 2026-02-01\nsummary: The second.\ntopics: [testing]\nskills: [pytest]",
        "Links to [[first]].\n",
    )
    return site


def test_a_text_only_edit_says_so_in_one_line(two_lessons: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = _manifest(two_lessons, "base", capsys)
    with (two_lessons / "content/first.md").open("a", encoding="utf-8") as f:
        f.write("\nOne more sentence.\n")
    head = _manifest(two_lessons, "head", capsys)
    report = _diff(base, head, capsys)
    assert report.splitlines()[0] == "Only the text of one lesson changed: First lesson (lessons/first/)."
    assert "  ~ lessons/first/index.html" in report.splitlines()
    assert not any(line.startswith("  ~ lessons/second/") for line in report.splitlines())


def test_retitle_new_and_deleted_lessons(two_lessons: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = _manifest(two_lessons, "base", capsys)
    first = two_lessons / "content/first.md"
    first.write_text(first.read_text().replace("title: First lesson", "title: The first lesson"))
    (two_lessons / "content/second.md").unlink()
    write_lesson(two_lessons, "third.md", MINIMAL_LESSON.replace("First", "Third"), "See [[first]].\n")
    head = _manifest(two_lessons, "head", capsys)
    data = json.loads(_diff(base, head, capsys, "json"))
    assert data["lessons_added"] == [["third", "Third lesson"]]
    assert data["lessons_removed"] == [["second", "Second lesson"]]
    changed = {c["slug"]: c["what"] for c in data["lessons_changed"]}
    assert changed == {"first": ["title", "related", "backlinks"]}
    assert data["missing_redirects"] == [{"old_slug": "second", "new_slug": ""}]
    assert data["pages"]["lessons"] == {
        "added": ["lessons/third/index.html"],
        "removed": ["lessons/second/index.html"],
        "changed": ["lessons/first/index.html"],
    }
    assert "testing" not in " ".join(data["pages"]["lessons"]["changed"])
    assert data["pages"]["terms"]["changed"] == ["skills/pytest/index.html", "topics/testing/index.html"]
    # the new lesson is the one nothing links to now, as the deleted one was
    assert [(d["path"], d["code"]) for d in data["diagnostics_introduced"]] == [
        ("content/third.md", "orphan-lesson")
    ]
    assert [(d["path"], d["code"]) for d in data["diagnostics_resolved"]] == [
        ("content/second.md", "orphan-lesson")
    ]
    assert data["summary"] == (
        "1 lesson added; 1 lesson removed; 1 lesson changed; 20 output files differ;"
        " diagnostics: 1 introduced, 1 resolved; 1 lesson URL lost without a redirect."
    )


@pytest.mark.parametrize("with_alias", [False, True])
def test_renamed_slug_is_flagged_unless_an_alias_redirects(
    two_lessons: Path, capsys: pytest.CaptureFixture[str], with_alias: bool
) -> None:
    base = _manifest(two_lessons, "base", capsys)
    second = two_lessons / "content/second.md"
    aliases = "\naliases: [second]" if with_alias else ""
    second.write_text(second.read_text().replace("summary:", f"slug: second-lesson{aliases}\nsummary:"))
    head = _manifest(two_lessons, "head", capsys)
    report = _diff(base, head, capsys)
    flagged = (
        "missing redirect: lessons/second/ was renamed to lessons/second-lesson/ without a redirect:"
        " add `aliases: [second]` to its front matter"
    )
    assert (flagged in report.splitlines()) is not with_alias
    markdown = _diff(base, head, capsys, "markdown")
    assert ("### Lesson URLs lost without a redirect" in markdown) is not with_alias


def test_diagnostics_introduced_and_resolved(two_lessons: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (two_lessons / "site.yml").write_text(
        (two_lessons / "site.yml").read_text() + "review: {max_age_days: 30}\n"
    )
    base = _manifest(two_lessons, "base", capsys)
    first = two_lessons / "content/first.md"
    first.write_text(first.read_text().replace("summary:", f"reviewed: {dt.date.today()}\nsummary:"))
    head = _manifest(two_lessons, "head", capsys)
    data = json.loads(_diff(base, head, capsys, "json"))
    assert [(d["path"], d["code"]) for d in data["diagnostics_resolved"]] == [
        ("content/first.md", "stale-lesson")
    ]
    assert data["diagnostics_introduced"] == []


def test_a_manifest_is_deterministic_and_diff_refuses_other_files(
    two_lessons: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    one = _manifest(two_lessons, "one", capsys)
    two = _manifest(two_lessons, "two", capsys)
    assert one.read_bytes() == two.read_bytes()
    assert _diff(one, two, capsys) == "No change to the published site.\n"
    bogus = tmp_path / "bogus.json"
    bogus.write_text('{"files": {}}')
    assert main(["diff", str(one), str(bogus)]) == 2
    assert "is not a kb manifest" in capsys.readouterr().err
    inside = two_lessons / "content" / "m.json"
    assert main(["build", "--site", str(two_lessons), "--no-search", "--manifest", str(inside)]) == 2
    assert not inside.exists()


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("lessons/x/index.html", "lessons"),
        ("lessons/index.html", "indexes"),
        ("lessons/page/2/index.html", "indexes"),
        ("topics/a/index.html", "terms"),
        ("authors/ada/index.html", "terms"),
        ("topics/index.html", "indexes"),
        ("paths/p/index.html", "paths"),
        ("topics/a/feed.xml", "other"),
        ("index.html", "indexes"),
        ("pagefind/pagefind.js", "other"),
    ],
)
def test_pages_are_grouped_the_way_reviewers_read_them(path: str, kind: str) -> None:
    assert category(path) == kind


# -- aliases --------------------------------------------------------------------------------------


def test_an_alias_may_not_take_a_slug(two_lessons: Path) -> None:
    second = two_lessons / "content/second.md"
    second.write_text(second.read_text().replace("summary:", "aliases: [old, first]\nsummary:"))
    diagnostics = analyse(BuildOptions(two_lessons)).diagnostics
    assert [str(d) for d in diagnostics if d.severity == "error"] == [
        "Diagnostic(path='content/second.md', line=4, col=16, severity='error', code='duplicate-slug',"
        " message=\"alias 'first' is already the slug or an alias of content/first.md\")"
    ]


# -- freshness ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("today", "stale"), [("2026-03-02", False), ("2026-03-03", True)])
def test_stale_lesson_fires_past_the_boundary(
    site_copy: Callable[[str], Path], capsys: pytest.CaptureFixture[str], today: str, stale: bool
) -> None:
    site = site_copy("minimal")
    (site / "site.yml").write_text((site / "site.yml").read_text() + "review: {max_age_days: 30}\n")
    first = site / "content/first.md"
    first.write_text(first.read_text().replace("summary:", "reviewed: 2026-01-31\nsummary:"))
    status = main(["check", "--site", str(site), "--today", today])
    out = capsys.readouterr().out
    expected = (
        "content/first.md:4:11: warning[stale-lesson]: last reviewed 2026-01-31, more than 30 days ago:"
        f" check it is still right and set 'reviewed: {today}'"
    )
    assert (expected in out.splitlines()) is stale
    assert status == 0  # a warning, an error only under --strict


def test_reviewed_date_shows_on_the_page(site_copy: Callable[[str], Path], tmp_path: Path) -> None:
    site = site_copy("minimal")
    first = site / "content/first.md"
    first.write_text(first.read_text().replace("summary:", "reviewed: 2026-05-04\nsummary:"))
    out = tmp_path / "out"
    assert build(BuildOptions(site, out_dir=out, search=False)).ok
    reviewed = soup(out / "lessons/first/index.html").find(class_="reviewed")
    assert reviewed.get_text(" ", strip=True) == "Reviewed 4 May 2026"
    assert reviewed.time["datetime"] == "2026-05-04"


# -- git ------------------------------------------------------------------------------------------


def _git(repo: Path, *args: str, day: str = "") -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "GIT_CONFIG_GLOBAL": "/dev/null",
    }
    if day:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{day}T12:00:00+00:00"
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


@pytest.fixture
def repo_with_site(two_lessons: Path, tmp_path: Path) -> Path:
    """A repository whose site folder is docs/, with commits at fixed dates."""
    repo = tmp_path / "repo"
    repo.mkdir()
    site = repo / "docs"
    two_lessons.rename(site)
    with (site / "site.yml").open("a") as f:
        f.write("repo: {url: 'https://github.com/org/kb', branch: trunk}\n")
    _git(repo, "init", "-q", "-b", "trunk")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "first", day="2026-02-10")
    with (site / "content/first.md").open("a") as f:
        f.write("\nAn edit.\n")
    _git(repo, "commit", "-qam", "edit", day="2026-03-15")
    return site


def test_dates_and_links_come_from_the_repository(repo_with_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = build(BuildOptions(repo_with_site, out_dir=out, search=False))
    assert result.ok, result.diagnostics
    first = soup(out / "lessons/first/index.html")
    assert first.find("meta", property="article:modified_time")["content"] == "2026-03-15"
    links = {a.get_text(): a["href"] for a in first.find(id="source-links").find_all("a")}
    assert links == {
        "Edit this lesson": "https://github.com/org/kb/edit/trunk/docs/content/first.md",
        "History": "https://github.com/org/kb/commits/trunk/docs/content/first.md",
    }
    second = soup(out / "lessons/second/index.html")  # written 2026-02-01, last committed 2026-02-10
    assert second.find("meta", property="article:modified_time")["content"] == "2026-02-10"
    lesson = repo_with_site / "content/second.md"
    lesson.write_text(lesson.read_text().replace("summary:", "updated: 2026-02-05\nsummary:"))
    assert build(BuildOptions(repo_with_site, out_dir=out, search=False)).ok
    second = soup(out / "lessons/second/index.html")  # an explicit date wins over history
    assert second.find("meta", property="article:modified_time")["content"] == "2026-02-05"


def test_a_shallow_clone_is_reported_once(repo_with_site: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    repo = repo_with_site.parent
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(clone)], check=True, capture_output=True
    )
    diagnostics = analyse(BuildOptions(clone / "docs")).diagnostics
    assert [(d.code, d.severity) for d in diagnostics if d.code == "shallow-clone"] == [
        ("shallow-clone", "warning")
    ]


def test_outside_git_nothing_breaks(two_lessons: Path, tmp_path: Path) -> None:
    with (two_lessons / "site.yml").open("a") as f:
        f.write("repo: {url: 'https://github.com/org/kb'}\n")
    out = tmp_path / "out"
    assert build(BuildOptions(two_lessons, out_dir=out, search=False)).ok
    first = soup(out / "lessons/first/index.html")
    assert first.find("meta", property="article:modified_time") is None
    assert first.find(id="source-links").a["href"] == "https://github.com/org/kb/edit/main/content/first.md"


# -- annotations ----------------------------------------------------------------------------------


def test_github_annotations_name_files_from_the_repository_root(
    repo_with_site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_lesson(repo_with_site, "bad.md", MINIMAL_LESSON.replace("[pytest]", "[pytst]"))
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    assert main(["check", "--site", str(repo_with_site), "--format", "github"]) == 1
    from_git = [line for line in capsys.readouterr().out.splitlines() if "unknown-skill" in line]
    assert from_git == [
        "::error file=docs/content/bad.md,line=6,col=10,title=unknown-skill::unknown skill 'pytst'"
        " (did you mean 'pytest'?); see site.yml skills"
    ]
    monkeypatch.setenv("GITHUB_WORKSPACE", str(repo_with_site.parent))
    assert main(["check", "--site", str(repo_with_site), "--format", "github"]) == 1
    assert [line for line in capsys.readouterr().out.splitlines() if "unknown-skill" in line] == from_git


# -- social cards ---------------------------------------------------------------------------------


def test_lesson_term_and_path_pages_get_a_card_that_resolves(
    site_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    from PIL import Image

    site = site_copy("good")
    out = tmp_path / "out"
    assert build(BuildOptions(site, out_dir=out, search=False)).ok
    pages = ["lessons/validate-at-the-edge/index.html", "topics/reliability/index.html"]
    pages += [p.relative_to(out).as_posix() for p in sorted((out / "paths").glob("*/index.html"))]
    assert len(pages) >= 3
    for name in pages:
        page = soup(out / name)
        url = page.find("meta", property="og:image")["content"]
        assert url.startswith("https://example.org/kb/cards/")
        card = out / url.removeprefix("https://example.org/kb/")
        with Image.open(card) as image:
            assert (image.format, image.size) == ("PNG", (1200, 630))
        assert page.find("meta", property="og:image:width")["content"] == "1200"
        assert page.find("meta", property="og:image:height")["content"] == "630"
        assert page.find("meta", property="og:image:alt")["content"].startswith("Test Lessons: ")
        assert page.find("meta", attrs={"name": "twitter:card"})["content"] == "summary_large_image"


def test_cards_can_be_turned_off_or_replaced(site_copy: Callable[[str], Path], tmp_path: Path) -> None:
    site = site_copy("good")
    lesson = site / "content/validation/validate-at-the-edge.md"
    lesson.write_text(lesson.read_text().replace("summary:", "image: img/flow.png\nsummary:", 1))
    out = tmp_path / "out"
    assert build(BuildOptions(site, out_dir=out, search=False)).ok
    page = soup(out / "lessons/validate-at-the-edge/index.html")
    assert (
        page.find("meta", property="og:image")["content"]
        == "https://example.org/kb/media/validation/img/flow.png"
    )
    assert page.find("meta", property="og:image:width") is None
    assert not (out / "cards/lessons/validate-at-the-edge.png").exists()
    lesson.write_text(lesson.read_text().replace("image: img/flow.png", "image: img/nope.png"))
    errors = [d for d in analyse(BuildOptions(site)).diagnostics if d.severity == "error"]
    assert [(d.path, d.line, d.col, d.code) for d in errors] == [
        ("content/validation/validate-at-the-edge.md", 4, 8, "invalid-value")
    ]
    lesson.write_text(lesson.read_text().replace("image: img/nope.png\n", ""))
    with (site / "site.yml").open("a") as f:
        f.write("cards: {enabled: false}\n")
    assert build(BuildOptions(site, out_dir=out, search=False)).ok
    page = soup(out / "lessons/validate-at-the-edge/index.html")
    assert page.find("meta", property="og:image") is None
    assert page.find("meta", attrs={"name": "twitter:card"})["content"] == "summary"
    assert not (out / "cards").exists()
