"""Progress on long work: a rich bar per stage on a terminal, one plain line per stage when piped or in CI,
nothing under --quiet; the counts shown are the lessons parsed and the files written."""

from __future__ import annotations

import io
import re
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from builder import writer
from builder.build import BuildOptions, build, check_site_analysis
from builder.cli import main
from builder.progress import Reporter, is_live
from builder.serve import Preview
from tests.conftest import SITES, snapshot

GOOD = SITES / "good"
LESSONS = 5  # lesson files under tests/sites/good/content (a draft and a README among them)
WARNING = (
    "content/ops/connection-pools.md:1:1: warning[orphan-lesson]: no lesson links to 'connection-pools'"
    " and no learning path includes it\n"
)
COLOR = re.compile(r"\x1b\[[0-9;]*3[0-9](;[0-9]+)*m")  # a foreground colour


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CI", "NO_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def stage_lines(err: str) -> list[str]:
    """The stage lines with their times taken out, which vary."""
    return [re.sub(r"… \d+\.\d s$", "…", line) for line in err.splitlines() if line.endswith(" s")]


def built_files(out: str) -> int:
    match = re.search(r"^kb: built (\d+) files into ", out, re.MULTILINE)
    assert match, out
    return int(match[1])


def test_piped_build_prints_one_line_per_stage_with_counts(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "build", "--site", str(GOOD), "--out", str(tmp_path / "o"), "--no-search")
    assert code == 0
    files = built_files(out)
    assert files == len(snapshot(tmp_path / "o")) - 1  # all but kb's stamp
    assert stage_lines(err) == ["kb: parse 5 lessons…", "kb: link…", f"kb: write {files} files…"]
    assert all(re.fullmatch(r"kb: .*… \d+\.\d s", line) for line in err.splitlines())
    assert "\x1b" not in err  # no terminal codes when piped


def test_search_index_is_a_stage_of_its_own(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "build", "--site", str(GOOD), "--out", str(tmp_path / "o"))
    assert code == 0, err
    files = built_files(out)
    assert stage_lines(err) == [
        "kb: parse 5 lessons…",
        "kb: link…",
        f"kb: write {files} files…",
        "kb: index…",
    ]


def test_piped_check_prints_its_stages_then_the_summary(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", "--site", str(GOOD))
    assert code == 0
    assert out == WARNING
    lines = err.splitlines()
    assert stage_lines(err) == ["kb: parse 5 lessons…", "kb: link…", lines[2].split("… ")[0] + "…"]
    assert re.fullmatch(r"kb: render \d+ pages… \d+\.\d s", lines[2])
    assert lines[3:] == ["kb: 0 errors, 1 warning"]
    err = run(capsys, "check", "--site", str(SITES / "minimal"))[2]
    assert stage_lines(err)[0] == "kb: parse 1 lesson…"


def test_quiet_prints_only_diagnostics_and_the_summary(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "build", "--site", str(GOOD), "--out", str(tmp_path / "o"), "--quiet")
    assert code == 0 and err == ""
    assert out.startswith(WARNING) and out.count("\n") == 2
    assert re.fullmatch(
        r"kb: built \d+ files into .* in \d+\.\d\ds \(0 errors, 1 warning\)\n", out[len(WARNING) :]
    )
    code, out, err = run(capsys, "check", "--site", str(GOOD), "--quiet")
    assert (code, out, err) == (0, WARNING, "kb: 0 errors, 1 warning\n")
    code, out, err = run(capsys, "check", "--site", str(SITES / "broken-links"), "--quiet")
    assert code == 1 and err == "kb: 16 errors, 0 warnings\n"
    assert out.count("error[") == 16


def test_a_terminal_shows_a_bar_per_stage_with_counts_and_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[int] = []
    choose = writer.workers

    def spy(jobs: int, tasks: int, minimum: int) -> int:
        threads.append(threading.active_count())
        return choose(jobs, tasks, minimum)

    monkeypatch.setattr(writer, "workers", spy)
    before = threading.active_count()
    stream = io.StringIO()
    with Reporter(stream, live=True) as reporter:
        result = build(BuildOptions(site_dir=GOOD, out_dir=tmp_path / "o", search=False), reporter)
    assert result.ok
    assert threads == [before, before]  # the bars start no thread: kb still forks its workers
    text = stream.getvalue()
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)
    last = plain[plain.rindex("parse") :]  # the final drawing of the bars
    assert re.search(rf"parse  +━+ {LESSONS}/{LESSONS} lessons 0:00:\d\d", last)
    assert re.search(r"link  +━+ +0:00:\d\d", last)
    assert re.search(rf"write  +━+ {result.pages}/{result.pages} files 0:00:\d\d", last)
    assert "kb: " not in text  # no plain lines on a terminal
    assert COLOR.search(text)


def test_no_color_keeps_the_bars_without_colours(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    stream = io.StringIO()
    with Reporter(stream, live=True) as reporter:
        check_site_analysis(BuildOptions(site_dir=GOOD), reporter)
    assert re.search(rf"parse +━+ {LESSONS}/{LESSONS} lessons", stream.getvalue())
    assert not COLOR.search(stream.getvalue())


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bars_only_on_an_interactive_terminal_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not is_live(io.StringIO())
    monkeypatch.setenv("TERM", "xterm-256color")
    assert is_live(Terminal())
    monkeypatch.setenv("CI", "true")
    assert not is_live(Terminal())
    monkeypatch.setenv("CI", "false")
    assert is_live(Terminal())
    monkeypatch.setenv("TERM", "dumb")
    assert not is_live(Terminal())


def test_counts_equal_lessons_parsed_and_files_written_in_forked_workers(
    site_copy: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = site_copy("good")
    single = build(BuildOptions(site_dir=site, out_dir=tmp_path / "one", search=False, jobs=1))
    monkeypatch.setattr(writer, "workers", lambda jobs, tasks, minimum: 2)  # pools even for a small site
    stream = io.StringIO()
    with Reporter(stream) as reporter:
        pooled = build(BuildOptions(site_dir=site, out_dir=tmp_path / "two", search=False, jobs=2), reporter)
    assert pooled.ok and single.ok
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")  # same bytes, in the same files
    counts = {stage.name: (stage.done, stage.total) for stage in reporter.stages}
    assert counts == {"parse": (LESSONS, LESSONS), "link": (0, None), "write": (pooled.pages, pooled.pages)}
    assert pooled.pages == single.pages == len(snapshot(tmp_path / "two")) - 1


def test_a_warm_build_counts_unchanged_lessons_as_read(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("good")
    options = BuildOptions(site_dir=site, search=False)
    assert build(options).ok
    (site / "content/ops/connection-pools.md").touch()  # the quick "nothing changed" check no longer holds
    with Reporter(io.StringIO()) as reporter:
        warm = build(options, reporter)
    assert warm.ok and warm.rendered < warm.pages  # most files were kept from the last build
    stages = [(stage.name, stage.done, stage.total) for stage in reporter.stages]
    assert stages == [("parse", LESSONS, LESSONS), ("link", 0, None), ("write", warm.pages, warm.pages)]


def test_serve_first_build_reports_its_stages(site_copy: Callable[[str], Path]) -> None:
    preview = Preview(site_copy("good"), search=False)
    preview.log = lambda line: None
    try:
        stream = io.StringIO()
        with Reporter(stream) as reporter:
            assert preview.rebuild(progress=reporter)
        files = len(snapshot(preview.out_dir))
        assert stage_lines(stream.getvalue()) == [
            "kb: parse 5 lessons…",
            "kb: link…",
            f"kb: write {files} files…",
        ]
    finally:
        shutil.rmtree(preview.out_dir, ignore_errors=True)
