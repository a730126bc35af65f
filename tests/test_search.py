"""Search: the Pagefind index of the built 'good' site and what it holds (in a real browser:
tests/browser/test_search.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.build import BuildOptions, build
from builder.search import vocabulary
from tests.conftest import SITES, soup


def test_index_covers_lesson_bodies_only(tmp_path: Path) -> None:
    out = tmp_path / "public"
    assert build(BuildOptions(site_dir=SITES / "good", out_dir=out)).ok
    assert (out / "pagefind/pagefind.js").is_file()
    lesson = soup(out / "lessons/validate-at-the-edge/index.html")
    body = lesson.select_one("[data-pagefind-body]")
    assert body.find_parent("article") is not None
    assert body.select_one("#related, #backlinks, nav") is None
    filters = sorted(tag["data-pagefind-filter"] for tag in body.select("[data-pagefind-filter]"))
    assert filters == [
        "level:intermediate",
        "skill:FastAPI",
        "skill:Pydantic",
        "skill:Python",
        "topic:API design",
        "topic:Reliability",
    ]
    assert all(tag.text == "" for tag in body.select("[data-pagefind-filter], [data-pagefind-meta]"))
    assert soup(out / "index.html").select("[data-pagefind-body]") == []


def test_missing_pagefind_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_PAGEFIND", str(tmp_path / "no-such-pagefind"))
    out = tmp_path / "public"
    out.mkdir()
    (out / "keep.html").write_text("previous")
    # force: a folder of the user's own, which kb replaces only when told to
    result = build(BuildOptions(site_dir=SITES / "good", out_dir=out, force=True))
    assert not result.ok
    assert (
        result.failure == f"search index: the Pagefind binary {tmp_path / 'no-such-pagefind'} does not exist"
    )
    assert [p.name for p in out.iterdir()] == ["keep.html"]


def test_lesson_title_summary_and_terms_are_indexed_with_weight(tmp_path: Path) -> None:
    out = tmp_path / "public"
    assert build(BuildOptions(site_dir=SITES / "good", out_dir=out)).ok
    body = soup(out / "lessons/validate-at-the-edge/index.html").select_one("[data-pagefind-body]")
    block = body.select_one(".search-terms")
    assert block.has_attr("hidden")
    weights = [
        (p["data-pagefind-weight"], p.get_text(" ", strip=True))
        for p in block.select("[data-pagefind-weight]")
    ]
    assert weights[0] == ("10", "Validate at the edge")
    assert weights[2] == ("4", "API design. Reliability. Pydantic. FastAPI. Python.")
    assert (
        body.select_one("[data-pagefind-meta^='date_text:']")["data-pagefind-meta"]
        == "date_text:10 February 2026"
    )
    words = json.loads((out / "pagefind/kb-vocabulary.json").read_text())
    assert "validate" in words and words == sorted(set(words))


def test_vocabulary_holds_headings_and_the_search_terms_of_indexed_pages() -> None:
    page = (
        '<main data-pagefind-body><div class="search-terms" hidden><div data-pagefind-weight="10">Idempotency &amp; keys</div>'
        '<div data-pagefind-weight="4">Reliability.</div></div>'
        '<h2 id="x">Claiming a <code>key</code> atomically</h2><p>bodyword appears only here</p></main>'
    )
    assert vocabulary(page) == {"idempotency", "keys", "reliability", "claiming", "atomically"}
    assert vocabulary("<h1>Not indexed</h1>") == set()


def test_synonyms_from_site_yml_reach_every_page(site_copy: Callable[[str], Path], tmp_path: Path) -> None:
    site = site_copy("good")
    with (site / "site.yml").open("a", encoding="utf-8") as config:
        config.write(
            "search:\n  synonyms:\n    - [zero downtime, without downtime]\n    - ['n+1', n plus one]\n"
        )
    out = tmp_path / "public"
    assert build(BuildOptions(site_dir=site, out_dir=out, search=False)).ok
    for page in ["index.html", "lessons/validate-at-the-edge/index.html", "404.html"]:
        form = soup(out / page).select_one("form.header-search[role=search]")
        assert json.loads(form["data-synonyms"]) == [
            ["zero downtime", "without downtime"],
            ["n+1", "n plus one"],
        ]
        assert form["aria-label"] == "Site"
