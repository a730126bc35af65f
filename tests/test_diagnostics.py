"""The Diagnostics collector the stages of a build append to."""

from __future__ import annotations

from pathlib import Path

from builder.config import read_config
from builder.diagnostics import Diagnostics, error, format_text


def test_a_stage_appends_to_the_collector_it_is_given(tmp_path: Path) -> None:
    """read_config judges site.yml by what it reported itself, never by what was reported before it."""
    earlier = error("content/x.md", 3, 1, "broken-link", "before")
    report = Diagnostics([earlier])
    (tmp_path / "site.yml").write_text("title: T\nbase_url: https://example.org/\n", encoding="utf-8")
    assert read_config(tmp_path, report) is not None and report == [earlier]
    (tmp_path / "site.yml").write_text("title: T\n", encoding="utf-8")
    assert read_config(tmp_path, report) is None
    assert format_text(report) == (
        "content/x.md:3:1: error[broken-link]: before\n"
        "site.yml:1:1: error[missing-field]: missing required field 'base_url'\n"
    )
