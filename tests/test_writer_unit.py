"""builder/writer.py on its own: only jobs whose key changed are rendered, the others are hard links to the
previous output, a previous file that was tampered with is written again, and produce= jobs are made only
when their context changed."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.config import load_config
from builder.graph import SiteGraph
from builder.render import PageJob, SiteRenderer
from builder.theme import find_theme
from builder.writer import Outcome, Work, workers, write_jobs


class Made:
    """produce= functions that count how often they were called."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, text: str) -> Callable[[], bytes]:
        def produce() -> bytes:
            self.calls.append(text)
            return text.encode()

        return produce


@pytest.fixture
def renderer(site_copy: Callable[[str], Path]) -> SiteRenderer:
    site = site_copy("minimal")
    template = site / "themes/custom/templates/t.html"
    template.parent.mkdir(parents=True)
    template.write_text("<p>{{ text }}</p>\n")
    loaded, _ = load_config(site)
    theme = find_theme(site, "custom")
    assert loaded is not None and theme is not None
    return SiteRenderer(loaded.config, SiteGraph({}), theme, site_dir=site)


def jobs(made: Made, texts: dict[str, str]) -> list[PageJob]:
    """A templated page per entry, plus a produced file and a ready-bytes file."""
    pages = [PageJob(f"{name}/index.html", "t.html", {"text": text}) for name, text in texts.items()]
    copy = texts.get("a", "")
    return [
        *pages,
        PageJob("a/index.md", None, {"text": copy}, produce=made("md:" + copy)),
        PageJob("assets/x.css", None, data=b"x {}"),
    ]


def write(
    renderer: SiteRenderer, work: list[PageJob], target: Path, previous: Path | None, old: list[Outcome]
) -> list[Outcome]:
    target.mkdir(exist_ok=True)
    keys = {outcome.name: (outcome.key, outcome.size) for outcome in old}
    done: list[int] = []
    outcomes = write_jobs(Work(work, renderer, target, previous, keys), 1, done.append)
    assert sum(done) == len(work)
    return outcomes


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_first_write_renders_everything(renderer: SiteRenderer, tmp_path: Path) -> None:
    made = Made()
    work = jobs(made, {"a": "one", "b": "two"})
    outcomes = write(renderer, work, tmp_path / "one", None, [])
    assert [(o.name, o.key, o.size, o.rendered, o.changed) for o in outcomes] == [
        (job.name, job.key(renderer.templates), len(renderer.render(job)), True, True) for job in work
    ]
    assert files(tmp_path / "one") == {
        "a/index.html": b"<p>one</p>\n",
        "b/index.html": b"<p>two</p>\n",
        "a/index.md": b"md:one",
        "assets/x.css": b"x {}",
    }
    assert made.calls == ["md:one", "md:one"]  # once written, once above to measure it


def test_only_changed_jobs_render_the_rest_are_hard_links(renderer: SiteRenderer, tmp_path: Path) -> None:
    made = Made()
    first = write(renderer, jobs(made, {"a": "one", "b": "two"}), tmp_path / "one", None, [])
    made.calls.clear()
    second = write(renderer, jobs(made, {"a": "one", "b": "TWO"}), tmp_path / "two", tmp_path / "one", first)
    assert {o.name: o.rendered for o in second} == {
        "a/index.html": False,
        "b/index.html": True,
        "a/index.md": False,
        "assets/x.css": False,
    }
    assert made.calls == []  # the produced file's context did not change: not made again
    for name in ("a/index.html", "a/index.md", "assets/x.css"):
        assert os.stat(tmp_path / "two" / name).st_ino == os.stat(tmp_path / "one" / name).st_ino, name
    assert os.stat(tmp_path / "two/b/index.html").st_ino != os.stat(tmp_path / "one/b/index.html").st_ino
    assert files(tmp_path / "two")["b/index.html"] == b"<p>TWO</p>\n"
    assert [o.key for o in second if not o.rendered] == [o.key for o in first if o.name != "b/index.html"]


def test_a_produced_file_is_made_again_when_its_context_changes(
    renderer: SiteRenderer, tmp_path: Path
) -> None:
    made = Made()
    first = write(renderer, jobs(made, {"a": "one"}), tmp_path / "one", None, [])
    made.calls.clear()
    second = write(renderer, jobs(made, {"a": "uno"}), tmp_path / "two", tmp_path / "one", first)
    assert made.calls == ["md:uno"]
    assert [o.name for o in second if o.rendered] == ["a/index.html", "a/index.md"]
    assert files(tmp_path / "two")["a/index.md"] == b"md:uno"


def test_a_tampered_previous_file_is_written_again(renderer: SiteRenderer, tmp_path: Path) -> None:
    made = Made()
    first = write(renderer, jobs(made, {"a": "one", "b": "two"}), tmp_path / "one", None, [])
    (tmp_path / "one/a/index.html").write_bytes(b"<p>edited by hand</p>\n")
    (tmp_path / "one/assets/x.css").unlink()
    second = write(renderer, jobs(made, {"a": "one", "b": "two"}), tmp_path / "two", tmp_path / "one", first)
    assert [o.name for o in second if o.rendered] == ["a/index.html", "assets/x.css"]
    assert files(tmp_path / "two") == files(write_fresh(renderer, tmp_path))


def write_fresh(renderer: SiteRenderer, tmp_path: Path) -> Path:
    write(renderer, jobs(Made(), {"a": "one", "b": "two"}), tmp_path / "fresh", None, [])
    return tmp_path / "fresh"


def test_in_place_update_replaces_only_files_whose_bytes_change(
    renderer: SiteRenderer, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    first = write(renderer, jobs(Made(), {"a": "one", "b": "two"}), out, None, [])
    before = os.stat(out / "a/index.html").st_ino
    edited = [
        PageJob("a/index.html", "t.html", {"text": "one", "unused": 1}),
        PageJob("b/index.html", "t.html", {"text": "2"}),
    ]
    second = write(renderer, edited, out, out, first)
    assert [(o.name, o.rendered, o.changed) for o in second] == [
        ("a/index.html", True, False),  # a new key, the same bytes: the file is left alone
        ("b/index.html", True, True),
    ]
    assert os.stat(out / "a/index.html").st_ino == before
    assert (out / "b/index.html").read_bytes() == b"<p>2</p>\n"


def test_a_job_equal_to_the_last_one_keeps_its_key_without_digesting(
    renderer: SiteRenderer, tmp_path: Path
) -> None:
    """kb serve keeps the jobs last written: a job equal to its old one takes the old key as it is."""
    out = tmp_path / "out"
    job = PageJob("a/index.html", "t.html", {"text": "one"})
    first = write(renderer, [job], out, None, [])
    old = {"a/index.html": ("remembered", first[0].size)}
    again = PageJob("a/index.html", "t.html", {"text": "one"})
    work = Work([again], renderer, out, out, old, {"a/index.html": job})
    assert write_jobs(work, 1) == [Outcome("a/index.html", "remembered", first[0].size, False, False)]
    changed = PageJob("a/index.html", "t.html", {"text": "two"})
    outcome = write_jobs(Work([changed], renderer, out, out, old, {"a/index.html": job}), 1)[0]
    assert (outcome.key, outcome.rendered) == (changed.key(renderer.templates), True)


def test_small_work_stays_in_process() -> None:
    assert workers(8, 399, 400) == 1
    assert workers(1, 10_000, 400) == 1
