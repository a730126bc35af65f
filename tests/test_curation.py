"""Curators: owners and the review queue (kb review, the maintenance page, the reminders workflow), reader
feedback links, and the lessons published for LLM tools (Markdown copies, llms.txt, llms-full.txt)."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import yaml

from builder.build import BuildOptions, build
from builder.cli import main
from tests.conftest import serving, snapshot, soup, write_lesson

ROOT = Path(__file__).parent.parent
BASE = "https://example.org/kb/"
CURATED = """
repo: {url: https://github.com/org/kb, branch: main}
review: {max_age_days: 100}
"""


@pytest.fixture
def curated(site_copy: Callable[[str], Path]) -> Path:
    """The 'good' site with a repository, a review policy and owners: api-design is ada-l's, reliability
    bob's, databases nobody's; error-contracts names its own owner."""
    site = site_copy("good")
    config = site / "site.yml"
    text = config.read_text()
    text = text.replace(
        "api-design: {title: API design, description: Designing APIs.}",
        "api-design: {title: API design, description: Designing APIs., owners: [ada-l]}",
    ).replace(
        "reliability: {title: Reliability, description: Staying up.}",
        "reliability: {title: Reliability, description: Staying up., owners: [bob]}",
    )
    config.write_text(text + CURATED)
    contracts = site / "content/validation/error-contracts.md"
    contracts.write_text(
        contracts.read_text().replace("level: intermediate", "level: intermediate\nowners: [carol]")
    )
    write_lesson(
        site,
        "ops/indexes.md",
        "title: Indexes\ndate: 2026-05-01\nsummary: B-trees.\ntopics: [databases]\nskills: [postgresql]",
        "See [[connection-pools]].\n",
    )
    return site


def _review(site: Path, today: str, fmt: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["review", "--site", str(site), "--today", today, "--format", fmt]) == 0
    return capsys.readouterr().out


def _slugs(items: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    return [(item["slug"], item["status"], item["days_left"]) for item in items]


# -- owners and the review queue -------------------------------------------------------------------------


def test_review_queue_at_fixed_dates_with_owners_from_topics_and_lessons(
    curated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    early = json.loads(_review(curated, "2026-04-01", "json", capsys))
    assert early["counts"] == {"overdue": 0, "due_soon": 1}
    assert {owner: _slugs(items) for owner, items in early["owners"].items()} == {
        "ada-l": [("http-basics", "due-soon", 14)]
    }
    assert early["unowned"] == []

    june = json.loads(_review(curated, "2026-06-01", "json", capsys))
    assert (june["version"], june["today"], june["max_age_days"], june["due_soon_days"]) == (
        1,
        "2026-06-01",
        100,
        30,
    )
    assert {owner: _slugs(items) for owner, items in june["owners"].items()} == {
        "ada-l": [("http-basics", "overdue", -47), ("validate-at-the-edge", "overdue", -11)],
        "bob": [("validate-at-the-edge", "overdue", -11)],
        "carol": [("error-contracts", "due-soon", 8)],  # the lesson's owners: replace its topic's
    }
    assert june["counts"] == {"overdue": 2, "due_soon": 1}
    first = june["owners"]["ada-l"][0]
    assert first == {
        "slug": "http-basics",
        "title": "HTTP basics",
        "source": "content/basics/README.md",
        "url": "https://example.org/kb/lessons/http-basics/",
        "edit_url": "https://github.com/org/kb/edit/main/content/basics/README.md",
        "last_checked": "2026-01-05",
        "due": "2026-04-15",
        "days_left": -47,
        "status": "overdue",
        "owners": ["ada-l"],
    }
    assert june["owners"]["bob"][0]["owners"] == ["ada-l", "bob"]  # both topics' owners, in order

    july = json.loads(_review(curated, "2026-07-15", "json", capsys))
    assert _slugs(july["owners"]["bob"]) == [
        ("validate-at-the-edge", "overdue", -55),
        ("connection-pools", "overdue", -5),
    ]
    assert _slugs(july["unowned"]) == [("indexes", "due-soon", 25)]


def test_review_json_is_stable_and_the_other_formats_say_the_same(
    curated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = _review(curated, "2026-07-15", "json", capsys)
    assert raw == _review(curated, "2026-07-15", "json", capsys)
    assert raw == json.dumps(json.loads(raw), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    text = _review(curated, "2026-07-15", "text", capsys).splitlines()
    assert text[0] == (
        "Review queue on 2026-07-15: lessons last checked more than 100 days ago, or within 30 days of it."
    )
    headings = [line for line in text if line and not line.startswith(" ")][1:]
    assert headings == ["@ada-l (2)", "@bob (2)", "@carol (1)", "Unowned (1)"]
    assert "  Indexes (content/ops/indexes.md): due in 25 days, last checked 2026-05-01" in text
    assert "    edit: https://github.com/org/kb/edit/main/content/ops/indexes.md" in text

    markdown = _review(curated, "2026-07-15", "markdown", capsys).splitlines()
    assert markdown[0] == "# Lessons due for review on 2026-07-15"
    assert "## Unowned" in markdown and "## @carol" in markdown
    assert (
        "| [Connection pools](https://example.org/kb/lessons/connection-pools/) | overdue by 5 days | 2026-04-01"
        " | [edit](https://github.com/org/kb/edit/main/content/ops/connection-pools.md) |"
    ) in markdown


def test_review_without_a_policy_or_with_errors(
    site_copy: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    site = site_copy("good")
    assert json.loads(_review(site, "2026-06-01", "json", capsys))["owners"] == {}
    assert _review(site, "2026-06-01", "text", capsys).startswith("No review policy")
    write_lesson(site, "bad.md", "title: Bad\ndate: 2026-01-01\nsummary: x.\ntopics: [nope]")
    assert main(["review", "--site", str(site), "--format", "json"]) == 1
    out, err = capsys.readouterr()
    assert "content/bad.md:5:10: error[unknown-topic]: unknown topic 'nope'" in out
    assert "fix them to see the review queue" in err


def test_owners_must_be_github_handles(
    site_copy: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    site = site_copy("minimal")
    config = site / "site.yml"
    config.write_text(
        config.read_text().replace("description: Tests.}", "description: Tests., owners: ['@ada']}")
    )
    assert main(["check", "--site", str(site)]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        "site.yml:4:59: error[invalid-value]: 'topics.testing.owners.0': '@ada' is not a GitHub user name"
        " such as 'octocat' (without the '@')"
    )
    config.write_text(config.read_text().replace("['@ada']", "[ada]"))
    lesson = site / "content/first.md"
    lesson.write_text(lesson.read_text().replace("topics:", "owners: [bad--name]\ntopics:"))
    assert main(["check", "--site", str(site)]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith(
        "content/first.md:5:10: error[invalid-value]: 'owners.0': 'bad--name' is not a GitHub user name"
    )


# -- the reminders workflow -----------------------------------------------------------------------------


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("review_issues", ROOT / "scripts/review_issues.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_reminders_workflow_is_off_by_default_and_runs_kb_review() -> None:
    path = ROOT / ".github/workflows/review-reminders.yml"
    workflow = yaml.safe_load(path.read_text())
    assert set(workflow[True]) == {"workflow_dispatch"}  # YAML reads the key 'on' as True
    assert re.search(r"^  # schedule:\n  #   - cron: \"0 7 \* \* 1\"", path.read_text(), re.MULTILINE)
    assert workflow["permissions"] == {"contents": "read", "issues": "write"}
    steps = workflow["jobs"]["remind"]["steps"]
    assert steps[0]["with"]["persist-credentials"] is False
    runs = "\n".join(str(step.get("run", "")) for step in steps)
    assert 'kb review --format json > "$RUNNER_TEMP/review.json"' in runs
    assert 'python scripts/review_issues.py "$RUNNER_TEMP/review.json" $DRY_RUN' in runs


def test_reminder_script_opens_updates_and_closes_one_issue_per_owner(
    curated: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    queue_file = tmp_path / "review.json"
    queue_file.write_text(_review(curated, "2026-07-15", "json", capsys))
    script = _script()
    existing = [
        {"number": 7, "title": "Lessons due for review: @bob"},
        {"number": 9, "title": "Lessons due for review: @zed"},  # zed has nothing due any more
        {"number": 11, "title": "Something else"},
    ]
    actions = script.plan(json.loads(queue_file.read_text()), existing)
    assert [(a.kind, a.title, a.number, a.assignee) for a in actions] == [
        ("create", "Lessons due for review: no owner", 0, ""),
        ("create", "Lessons due for review: @ada-l", 0, "ada-l"),
        ("edit", "Lessons due for review: @bob", 7, ""),
        ("create", "Lessons due for review: @carol", 0, "carol"),
        ("close", "Lessons due for review: @zed", 9, ""),
    ]
    bob = actions[2].body.splitlines()
    assert bob[0].startswith("@bob, these lessons were last checked more than 100 days ago")
    assert bob[-2:] == [
        "| [Validate at the edge](https://example.org/kb/lessons/validate-at-the-edge/) | overdue by 55 days"
        " | 2026-02-10 | [content/validation/validate-at-the-edge.md]"
        "(https://github.com/org/kb/edit/main/content/validation/validate-at-the-edge.md) |",
        "| [Connection pools](https://example.org/kb/lessons/connection-pools/) | overdue by 5 days"
        " | 2026-04-01 | [content/ops/connection-pools.md]"
        "(https://github.com/org/kb/edit/main/content/ops/connection-pools.md) |",
    ]

    issues_file = tmp_path / "issues.json"
    issues_file.write_text(json.dumps(existing))
    assert script.main([str(queue_file), "--dry-run", "--open-issues", str(issues_file)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "gh issue create --title Lessons due for review: no owner --label lesson-review --body-file -",
        "gh issue create --title Lessons due for review: @ada-l --label lesson-review --body-file -"
        " --assignee ada-l",
        "gh issue edit 7 --body-file -",
        "gh issue create --title Lessons due for review: @carol --label lesson-review --body-file -"
        " --assignee carol",
        "gh issue close 9 --comment Nothing is due for review any more: closing.",
    ]


# -- the maintenance page -------------------------------------------------------------------------------


@pytest.fixture
def built(curated: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    result = build(BuildOptions(curated, out_dir=out, search=False, today=_date("2026-07-15")))
    assert result.ok, result.diagnostics
    return out


def _date(text: str) -> Any:
    import datetime as dt

    return dt.date.fromisoformat(text)


def test_maintenance_page_is_for_editors_only(built: Path) -> None:
    page = soup(built / "maintenance/index.html")
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert page.select("[data-pagefind-body]") == []
    assert "maintenance" not in (built / "sitemap.xml").read_text()
    for other in sorted(built.rglob("*.html")):
        if other.parent.name != "maintenance":
            assert not soup(other).select("a[href*='maintenance']"), other

    def rows(selector: str) -> list[list[str]]:
        return [[" ".join(td.get_text().split()) for td in tr.select("td")] for tr in page.select(selector)]

    assert rows("#stale tbody tr") == [
        ["HTTP basics (edit)", "overdue by 91 days", "2026-01-05", "@ada-l"],
        ["Validate at the edge (edit)", "overdue by 55 days", "2026-02-10", "@ada-l, @bob"],
        ["Error contracts (edit)", "overdue by 36 days", "2026-03-01", "@carol"],
        ["Connection pools (edit)", "overdue by 5 days", "2026-04-01", "@bob"],
    ]
    owners = [h3.get_text(strip=True) for h3 in page.select("#review-queue h3")]
    assert owners == ["@ada-l (2)", "@bob (2)", "@carol (1)", "Unowned (1)"]
    unowned = page.select("#review-queue table")[-1]
    assert unowned.select_one("a")["href"] == "/kb/lessons/indexes/"
    assert unowned.select("a")[1]["href"] == "https://github.com/org/kb/edit/main/content/ops/indexes.md"
    assert [a.text for a in page.select("#orphans a")] == ["Indexes"]  # it links to connection-pools
    assert [a.text for a in page.select("#oldest li > a:first-child")] == [
        "HTTP basics",
        "Validate at the edge",
        "Error contracts",
        "Connection pools",
        "Indexes",
    ]


def test_maintenance_page_lists_orphans_and_lessons_without_related(
    site_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    site = site_copy("good")
    write_lesson(site, "alone.md", "title: Alone\ndate: 2026-01-01\nsummary: x.\ntopics: [databases]")
    result = build(BuildOptions(site, out_dir=tmp_path / "out", search=False))
    assert result.ok
    page = soup(tmp_path / "out/maintenance/index.html")
    assert [a.text for a in page.select("#orphans a")] == ["Connection pools", "Alone"]
    assert [a["href"] for a in page.select("#unrelated a")] == []  # alone shares databases
    assert "No review policy is set" in page.select_one("main").text
    assert page.select("#stale table") == []


# -- reader feedback ------------------------------------------------------------------------------------


def test_feedback_link_opens_a_prefilled_issue(built: Path) -> None:
    page = soup(built / "lessons/validate-at-the-edge/index.html")
    feedback = page.select_one(".lesson-footer #feedback")
    assert feedback.text.startswith("Something wrong or out of date?")
    url = urlsplit(feedback.a["href"])
    assert (url.scheme, url.netloc, url.path) == ("https", "github.com", "/org/kb/issues/new")
    fields = parse_qs(url.query, strict_parsing=True)
    assert sorted(fields) == ["body", "labels", "template", "title"]
    assert fields["title"] == ["Lesson feedback: Validate at the edge"]
    assert fields["labels"] == ["lesson-feedback"]
    assert fields["template"] == ["lesson-feedback.md"]
    body = fields["body"][0].splitlines()
    assert body[:4] == [
        "Lesson: Validate at the edge",
        "URL: https://example.org/kb/lessons/validate-at-the-edge/",
        "Source: content/validation/validate-at-the-edge.md",
        "Section: API design, Reliability",
    ]
    assert page.select("script[src*='feedback'], img[src*='github']") == []  # no script, no tracking
    template = (ROOT / ".github/ISSUE_TEMPLATE" / fields["template"][0]).read_text()
    front = yaml.safe_load(template.split("---")[1])
    assert front["labels"] == "lesson-feedback" and front["name"] == "Lesson feedback"


def test_no_feedback_link_without_a_repository(tmp_path: Path) -> None:
    result = build(BuildOptions(ROOT / "tests/sites/good", out_dir=tmp_path / "out", search=False))
    assert result.ok
    assert soup(tmp_path / "out/lessons/http-basics/index.html").select("#feedback") == []


# -- lessons for LLM tools ------------------------------------------------------------------------------

LINK = re.compile(r"\]\((https?://[^)\s]+)\)|^(?:URL|Markdown): (\S+)$|^- \[[^\]]*\]\((\S+)\):", re.MULTILINE)


def _resolves(out: Path, url: str) -> None:
    """The URL names a file of the built site, and its #fragment an id on that page."""
    assert url.startswith(BASE), url
    parts = urlsplit(url)
    relative = unquote(parts.path[len("/kb/") :])
    target = out / (relative + "index.html" if relative == "" or relative.endswith("/") else relative)
    assert target.is_file(), url
    if parts.fragment:
        assert soup(target).find(id=unquote(parts.fragment)) is not None, url


def _urls(text: str) -> list[str]:
    return [next(group for group in match.groups() if group) for match in LINK.finditer(text)]


def test_every_url_in_llms_files_and_markdown_copies_resolves(built: Path) -> None:
    files = [built / "llms.txt", built / "llms-full.txt", *sorted((built / "lessons").glob("*/index.md"))]
    assert len(files) == 2 + 5
    seen = 0
    for path in files:
        for url in _urls(path.read_text()):
            _resolves(built, url)
            seen += 1
    assert seen > 40


def test_llms_txt_lists_paths_in_order_then_topics(built: Path) -> None:
    lines = (built / "llms.txt").read_text().splitlines()
    assert lines[:3] == ["# Test Lessons", "", "> A small site for tests."]
    sections = [line for line in lines if line.startswith("## ")]
    assert sections == [
        "## Learning path: Starter path",
        "## Topic: API design",
        "## Topic: Reliability",
        "## Topic: Databases",
    ]
    start = lines.index("## Learning path: Starter path")
    assert lines[start + 2 : start + 7] == [
        "Where to begin.",
        "",
        "- [HTTP basics](https://example.org/kb/lessons/http-basics/index.md): Requests, responses and status codes.",
        "- [Validate at the edge](https://example.org/kb/lessons/validate-at-the-edge/index.md): Invalid data never"
        " enters the system.",
        "- [Error contracts](https://example.org/kb/lessons/error-contracts/index.md): Errors clients can rely on.",
    ]
    full = (built / "llms-full.txt").read_text()
    titles = re.findall(r"^# (.+)$", full, re.MULTILINE)
    assert titles == [
        "Test Lessons",
        "HTTP basics",
        "Validate at the edge",
        "Error contracts",  # the path's lessons first, in order, then the others, newest first
        "Indexes",
        "Connection pools",
    ]


def test_markdown_copy_has_reduced_front_matter_and_absolute_links(built: Path) -> None:
    text = (built / "lessons/validate-at-the-edge/index.md").read_text()
    _, front, body = text.split("---\n", 2)
    assert yaml.safe_load(front) == {
        "title": "Validate at the edge",
        "summary": "Invalid data never enters the system.",
        "topics": ["api-design", "reliability"],
        "skills": ["pydantic", "fastapi", "python"],
        "level": "intermediate",
        "date": _date("2026-02-10"),
        "url": "https://example.org/kb/lessons/validate-at-the-edge/",
    }
    assert body.startswith("\n# Validate at the edge\n\nRead [the basics](")
    for expected in (
        "[the basics](https://example.org/kb/lessons/http-basics/#status-codes)",  # relative, with anchor
        "the [folder](https://example.org/kb/lessons/http-basics/)",  # a folder stands for its README
        "[clients need contracts](https://example.org/kb/lessons/error-contracts/)",  # wiki link with text
        "[Error contracts](https://example.org/kb/lessons/error-contracts/#the-shape)",  # wiki, heading
        "![Flow of a request](https://example.org/kb/media/validation/img/flow.png)",  # image, query dropped
        "See [below](https://example.org/kb/lessons/validate-at-the-edge/#why-validate).",  # same page
        "```python\nfrom pydantic import BaseModel\n",  # the rest is the author's Markdown
    ):
        assert expected in body
    assert "[[" not in body
    pools = (built / "lessons/connection-pools/index.md").read_text()
    assert "See [HTTP basics](https://example.org/kb/lessons/http-basics/) and" in pools  # wiki, no text


def test_tricky_links_are_rewritten_where_they_are_written(curated: Path, tmp_path: Path) -> None:
    write_lesson(
        curated,
        "ops/tricky.md",
        "title: Tricky [links]\ndate: 2026-05-02\nsummary: Every form.\ntopics: [databases]",
        "Twice: [[http-basics]] and [[http-basics|again]], then [c](../basics/README.md) [c](../basics/).\n"
        "Angle: [spaced](<../validation/img/flow.png>) and a [reference][ref] and `[[not-a-link]]`.\n"
        "External [site](https://example.com/x.md) stays.\n\n"
        "| In | a table |\n|---|---|\n| x | [[http-basics\\|with text]] and [[http-basics]] |\n\n"
        "[ref]: ../validation/error-contracts.md#the-shape\n",
    )
    out = tmp_path / "out"
    assert build(BuildOptions(curated, out_dir=out, search=False)).ok
    body = (out / "lessons/tricky/index.md").read_text().split("---\n", 2)[2]
    assert body.splitlines()[1:] == [
        "# Tricky [links]",
        "",
        "Twice: [HTTP basics](https://example.org/kb/lessons/http-basics/) and"
        " [again](https://example.org/kb/lessons/http-basics/), then"
        " [c](https://example.org/kb/lessons/http-basics/) [c](https://example.org/kb/lessons/http-basics/).",
        "Angle: [spaced](<https://example.org/kb/media/validation/img/flow.png>) and a [reference][ref] and"
        " `[[not-a-link]]`.",
        "External [site](https://example.com/x.md) stays.",
        "",
        "| In | a table |",
        "|---|---|",
        "| x | [with text](https://example.org/kb/lessons/http-basics/) and"
        " [HTTP basics](https://example.org/kb/lessons/http-basics/) |",
        "",
        "[ref]: https://example.org/kb/lessons/error-contracts/#the-shape",
    ]
    listed = (out / "llms.txt").read_text()
    assert "- [Tricky \\[links\\]](https://example.org/kb/lessons/tricky/index.md): Every form." in listed


def test_drafts_never_appear_and_bytes_are_deterministic(
    site_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    site = site_copy("good")
    outputs = []
    for name in ("one", "two"):
        assert build(BuildOptions(site, out_dir=tmp_path / name, drafts=True, search=False)).ok
        outputs.append({k: v for k, v in snapshot(tmp_path / name).items() if k.endswith((".md", ".txt"))})
    assert outputs[0] == outputs[1]
    assert (tmp_path / "one/lessons/draft-idea/index.html").is_file()
    assert "lessons/draft-idea/index.md" not in outputs[0]
    for name in ("llms.txt", "llms-full.txt"):
        assert b"draft-idea" not in outputs[0][name] and b"A draft idea" not in outputs[0][name]
    page = soup(tmp_path / "one/lessons/draft-idea/index.html")
    assert page.select("#lesson-markdown") == []


def test_lesson_page_offers_view_and_copy_as_markdown(built: Path) -> None:
    footer = soup(built / "lessons/http-basics/index.html").select_one(".lesson-footer #lesson-markdown")
    view = footer.find("a", string="View as Markdown")
    assert view["href"] == "/kb/lessons/http-basics/index.md"
    _resolves(built, "https://example.org" + view["href"])
    button = footer.select_one("button.copy-markdown")
    assert button.has_attr("hidden") and button["type"] == "button"  # shown by the script only
    assert button["data-markdown-url"] == view["href"]


def test_markdown_and_llms_files_are_served_as_utf8_text(built: Path) -> None:
    from urllib.request import urlopen

    with serving(built, "/kb/") as server:
        origin = f"http://127.0.0.1:{server.server_address[1]}/kb/"
        for path, kind in (
            ("lessons/http-basics/index.md", "text/markdown; charset=utf-8"),
            ("llms.txt", "text/plain; charset=utf-8"),
            ("llms-full.txt", "text/plain; charset=utf-8"),
        ):
            with urlopen(origin + path) as response:
                assert response.headers["Content-Type"] == kind
                assert response.read() == (built / path).read_bytes()
