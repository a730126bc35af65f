"""The CI workflows and the pre-commit hook do what CONTRIBUTING.md says they do."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from builder.cli import main

ROOT = Path(__file__).parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"


def _workflow(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    assert isinstance(data, dict)
    return data


def _steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job["steps"])


def _runs(job: dict[str, Any]) -> str:
    return "\n".join(str(step.get("run", "")) for step in _steps(job))


def test_pull_requests_get_a_site_diff_report_and_a_preview() -> None:
    job = _workflow("check.yml")["jobs"]["site-diff"]
    runs = _runs(job)
    assert 'git worktree add --detach base "$BASE_SHA"' in runs
    assert '--manifest "$RUNNER_TEMP/base.json"' in runs and '--manifest "$RUNNER_TEMP/head.json"' in runs
    diff_lines = [line for line in runs.splitlines() if line.strip().startswith("kb diff")]
    assert any("--format markdown" in line and '>> "$GITHUB_STEP_SUMMARY"' in line for line in diff_lines)
    uploads = [s for s in _steps(job) if str(s.get("uses", "")).startswith("actions/upload-artifact@")]
    assert uploads and uploads[0]["with"]["path"] == "${{ runner.temp }}/site"


@pytest.mark.parametrize(("workflow", "job"), [("check.yml", "site-diff"), ("deploy.yml", "build")])
def test_builds_restore_the_cache_with_its_seal_key(workflow: str, job: str) -> None:
    steps = _steps(_workflow(workflow)["jobs"][job])
    caches = [s for s in steps if str(s.get("uses", "")).startswith("actions/cache@")]
    assert len(caches) == 1
    paths = caches[0]["with"]["path"].split()
    assert ".kb-cache" in paths and "~/.cache/kb" in paths


def test_every_checkout_drops_credentials_and_builds_get_full_history() -> None:
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for name, job in yaml.safe_load(path.read_text())["jobs"].items():
            for step in job.get("steps", ()):
                if str(step.get("uses", "")).startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False, (path.name, name)
    for workflow, job in (("check.yml", "check"), ("check.yml", "site-diff"), ("deploy.yml", "build")):
        checkout = _steps(_workflow(workflow)["jobs"][job])[0]
        assert checkout["with"]["fetch-depth"] == 0


def test_non_browser_tests_run_on_every_os_and_python() -> None:
    job = _workflow("check.yml")["jobs"]["portability"]
    assert job["strategy"]["matrix"] == {
        "os": ["ubuntu-latest", "macos-latest", "windows-latest"],
        "python": ["3.11", "3.13"],
    }
    assert 'python -m pytest -n 2 -m "not browser"' in _runs(job)


def test_the_pre_commit_hook_runs_a_real_check(capsys: pytest.CaptureFixture[str]) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert [hook["id"] for hook in hooks] == ["kb-check"]
    command = shlex.split(hooks[0]["entry"])
    assert command[0] == "kb" and hooks[0]["pass_filenames"] is False
    assert main([*command[1:], "--site", str(ROOT / "tests" / "sites" / "broken-links")]) == 1
    assert "error[broken-link]" in capsys.readouterr().out
