"""The build: config -> discover -> front matter -> Markdown -> graph -> render -> output (-> search)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from builder.config import LoadedConfig, load_config
from builder.diagnostics import Diagnostic, error, has_errors
from builder.discover import discover
from builder.frontmatter import Vocabulary, guess_slug, read_lesson
from builder.graph import LeftOut, Lesson, SiteGraph, asset_url, build_graph
from builder.markdown import render_markdown
from builder.output import clean_leftovers, staging_dir, swap_in, write_files
from builder.render import SiteRenderer
from builder.search import SearchIndexError, index_site
from builder.theme import Theme, find_theme

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class BuildOptions:
    site_dir: Path
    out_dir: Path | None = None
    drafts: bool = False
    jobs: int = 0
    search: bool = True
    strict: bool = False
    base_url: str | None = None


@dataclass(slots=True)
class Analysis:
    """Everything known about a site before rendering."""

    loaded: LoadedConfig | None = None
    theme: Theme | None = None
    graph: SiteGraph | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass(slots=True)
class BuildResult:
    diagnostics: list[Diagnostic]
    out_dir: Path | None = None
    pages: int = 0
    ok: bool = False
    failure: str = ""  # why the build stopped when the site itself had no errors (search indexing)


def parse_lesson(
    path: str, raw: bytes, vocabulary: Vocabulary, html: bool
) -> tuple[Lesson | None, list[Diagnostic]]:
    """One lesson file -> a Lesson with its rendered body, or its Diagnostics. Pure: safe in a worker."""
    source, diagnostics = read_lesson(path, raw, vocabulary)
    if source is None:
        return None, diagnostics
    return Lesson(source, render_markdown(source.body, first_line=source.body_line, html=html)), diagnostics


def analyse(options: BuildOptions, progress: Progress = lambda _: None) -> Analysis:
    site_dir = options.site_dir
    analysis = Analysis()
    loaded, diagnostics = load_config(site_dir, base_url=options.base_url)
    analysis.diagnostics += diagnostics
    if loaded is None:
        return analysis
    analysis.loaded = loaded
    config = loaded.config
    analysis.theme = find_theme(site_dir, config.theme)
    if analysis.theme is None:
        at = loaded.document.value_at(("theme",))
        analysis.diagnostics.append(
            error(
                "site.yml",
                at.line,
                at.col,
                "invalid-value",
                f"'theme': no folder themes/{config.theme}/ in the site",
            )
        )
    sources, problems = discover(site_dir)
    analysis.diagnostics += problems
    progress(f"reading {len(sources.lessons)} lessons")
    vocabulary = Vocabulary(frozenset(config.topics), frozenset(config.skills), frozenset(config.authors))
    lessons: list[Lesson] = []
    left_out: dict[str, LeftOut] = {}
    for path in sources.lessons:
        raw = (site_dir / path).read_bytes()
        lesson, problems = parse_lesson(path, raw, vocabulary, config.markdown.html)
        analysis.diagnostics += problems
        if lesson is None:
            left_out.setdefault(guess_slug(path, raw), LeftOut(path, draft=False))
            continue
        if lesson.source.meta.draft and not options.drafts:
            left_out[lesson.slug] = LeftOut(path, draft=True)
            continue
        lessons.append(lesson)
    graph, problems = build_graph(loaded, lessons, sources.assets, sources.folders, left_out)
    analysis.diagnostics += problems
    analysis.graph = graph
    return analysis


def build(options: BuildOptions, progress: Progress = lambda _: None) -> BuildResult:
    analysis = analyse(options, progress)
    diagnostics = sorted(analysis.diagnostics)
    result = BuildResult(diagnostics)
    if has_errors(diagnostics, strict=options.strict) or not (
        analysis.loaded and analysis.graph and analysis.theme
    ):
        return result
    config = analysis.loaded.config
    out_dir = options.out_dir or options.site_dir / config.output_dir
    renderer = SiteRenderer(config, analysis.graph, analysis.theme)
    clean_leftovers(out_dir)
    staging = staging_dir(out_dir)
    shutil.rmtree(staging, ignore_errors=True)
    try:
        progress(f"rendering {len(analysis.graph.lessons)} lessons")
        result.pages = write_files(staging, renderer.render_all())
        write_files(staging, _published_files(options.site_dir, analysis.graph))
        if options.search:
            progress("indexing for search")
            index_site(staging)
        swap_in(staging, out_dir)
    except SearchIndexError as exc:
        result.failure = f"search index: {exc}"
        return result
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    result.out_dir = out_dir
    result.ok = True
    return result


def _published_files(site_dir: Path, graph: SiteGraph) -> list[tuple[str, bytes]]:
    """Files beside the lessons under media/, and the site's static/ folder verbatim at the root."""
    files = [(asset_url(path), (site_dir / path).read_bytes()) for path in graph.assets]
    static = site_dir / "static"
    if static.is_dir():
        for path in sorted(static.rglob("*")):
            if path.is_file() and not path.is_symlink():
                files.append((path.relative_to(static).as_posix(), path.read_bytes()))
    return files
