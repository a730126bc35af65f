from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.cli import main
from tests.conftest import SITES

BROKEN_LINKS = """\
content/a/alpha.md:6:17: error[prerequisite-cycle]: prerequisites form a cycle: alpha -> beta -> alpha
content/a/alpha.md:6:23: error[unknown-lesson]: prerequisite 'gamma-typo' is not a lesson
content/a/alpha.md:8:17: error[broken-link]: no lesson with slug 'betta' (did you mean 'beta'?)
content/a/alpha.md:8:49: error[broken-anchor]: 'beta' has no heading '#no-heading' (did you mean 'real-heading'?)
content/a/alpha.md:9:30: error[broken-link]: '../b/bet.md' does not exist (content/b/bet.md) (did you mean 'content/b/beta.md'?)
content/a/alpha.md:9:52: error[broken-anchor]: 'beta' has no heading '#nope'
content/a/alpha.md:10:27: error[broken-anchor]: this lesson has no heading '#intr' (did you mean 'intro'?)
content/a/alpha.md:10:42: error[unsafe-path]: '../../site.yml' points outside content/
content/a/alpha.md:10:64: error[unsafe-path]: '/etc/passwd': link to other files with a relative path such as ../dir/file.md
content/a/alpha.md:11:8: error[unsafe-path]: '..\\b\\beta.md': link to other files with a relative path such as ../dir/file.md
content/a/alpha.md:11:30: error[broken-link]: '../b/draft-one.md' is a draft, which this build leaves out
content/a/alpha.md:11:49: error[broken-link]: [[draft-one]] is a draft, which this build leaves out
content/a/alpha.md:11:70: error[broken-link]: 'img/none.png' does not exist (content/a/img/none.png)
content/b/copy.md:6:7: error[duplicate-slug]: slug 'beta' is already used by content/b/beta.md
site.yml:9:22: error[unknown-lesson]: path 'route': 'no-such-lesson' is not a lesson
site.yml:9:38: error[unknown-lesson]: path 'route': 'draft-one' is a draft, which this build leaves out
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_check_reports_every_link_problem_sorted(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", "--site", str(SITES / "broken-links"), "--quiet")  # no stage lines
    assert code == 1
    assert out == BROKEN_LINKS
    assert err == "kb: 16 errors, 0 warnings\n"


def test_check_github_format(capsys: pytest.CaptureFixture[str], site_copy: Callable[[str], Path]) -> None:
    # a copy outside any repository: files are named from the site folder (see test_authoring for a subfolder)
    site = site_copy("broken-links")
    code, out, _ = run(capsys, "check", "--site", str(site), "--format", "github")
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 16
    assert lines[0] == (
        "::error file=content/a/alpha.md,line=6,col=17,title=prerequisite-cycle::"
        "prerequisites form a cycle: alpha -> beta -> alpha"
    )


def test_check_json_format(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--site", str(SITES / "broken-links"), "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert data[-1] == {
        "path": "site.yml",
        "line": 9,
        "col": 38,
        "severity": "error",
        "code": "unknown-lesson",
        "message": "path 'route': 'draft-one' is a draft, which this build leaves out",
    }


def test_check_good_site_and_strict(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--site", str(SITES / "good"))
    assert code == 0
    assert out == (
        "content/ops/connection-pools.md:1:1: warning[orphan-lesson]: "
        "no lesson links to 'connection-pools' and no learning path includes it\n"
    )
    code, _, _ = run(capsys, "check", "--site", str(SITES / "good"), "--strict")
    assert code == 1


def test_build_failure_exit_status_and_message(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "build", "--site", str(SITES / "broken-links"), "--out", str(tmp_path / "o"))
    assert code == 1 and out == BROKEN_LINKS
    assert "build failed (16 errors, 0 warnings); the previous output is untouched" in err
    assert not (tmp_path / "o").exists()


def test_build_with_base_url_override(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(
        capsys,
        "build",
        "--site",
        str(SITES / "good"),
        "--out",
        str(tmp_path / "o"),
        "--no-search",
        "--base-url",
        "https://docs.example.com/team/kb",
    )
    assert code == 0 and "built" in out
    html = (tmp_path / "o/lessons/error-contracts/index.html").read_text()
    assert 'href="https://docs.example.com/team/kb/lessons/error-contracts/"' in html
    assert 'href="/team/kb/lessons/validate-at-the-edge/"' in html


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run(capsys, "frobnicate")[0] == 2
    assert run(capsys, "build", "--site", str(tmp_path))[0] == 2
    assert run(capsys, "check", "--site", str(SITES / "good"), "--format", "xml")[0] == 2


def test_internal_error_is_short_without_debug(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*_: object, **__: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("builder.build.analyse", explode)
    code, _, err = run(capsys, "check", "--site", str(SITES / "good"))
    assert code == 3
    assert "internal error (RuntimeError)" in err and "Traceback" not in err
    code, _, err = run(capsys, "--debug", "check", "--site", str(SITES / "good"))
    assert code == 3 and "Traceback" in err and "boom" in err


def test_new_writes_a_lesson_that_passes_check(
    capsys: pytest.CaptureFixture[str], site_copy: Callable[[str], Path]
) -> None:
    site = site_copy("minimal")
    new = ["new", 'Retry "safely": a guide', "--site", str(site), "--topic", "reliability", "--dir", "guides"]
    code, out, _ = run(capsys, *new, "--skill", "pytest", "--level", "beginner")
    assert code == 0
    created = Path(out.strip())
    assert created == site / "content/guides/retry-safely-a-guide.md"
    assert run(capsys, "check", "--site", str(site))[0] == 0
    before = created.read_bytes()
    code, _, err = run(capsys, *new)
    assert code == 1 and "already exists" in err
    assert created.read_bytes() == before


def test_new_rejects_unknown_terms(
    capsys: pytest.CaptureFixture[str], site_copy: Callable[[str], Path]
) -> None:
    site = site_copy("minimal")
    code, _, err = run(capsys, "new", "X", "--site", str(site), "--topic", "testin")
    assert code == 2
    assert "unknown topic 'testin' (did you mean 'testing'?)" in err
    assert not list((site / "content").glob("x.md"))


def test_python_dash_m_builder_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "builder", "check", "--site", str(SITES / "minimal"), "--quiet"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == "kb: 0 errors, 3 warnings\n"
