"""The plan stage: every output file of the site as a PageJob (the page-type registry, pages added by
hooks, the files published as they are) and the problems found while making them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from builder import cache, pages
from builder.config import CONFIG_FILE
from builder.diagnostics import Diagnostics, did_you_mean, error
from builder.discover import static_files
from builder.extensions import Extensions
from builder.graph import Lesson, SiteGraph
from builder.links import asset_url
from builder.options import Analysis, BuildOptions
from builder.reading import printable, utf8_name
from builder.render import BodyCache, Page, PageJob, SiteRenderer
from builder.replan import PlanReads, recorded_site_jobs
from builder.views import Card


@dataclass(frozen=True, slots=True)
class Plan:
    jobs: list[PageJob]
    renderer: SiteRenderer
    problems: Diagnostics  # the plan stage's own collector
    epoch: str  # what every page depends on besides its own inputs: site.yml, theme, kb's version
    reads: PlanReads | None = None  # kb serve: which jobs read which lessons (builder/replan.py)


def make_plan(
    options: BuildOptions,
    analysis: Analysis,
    store: cache.Store,
    body_cache: BodyCache,
    card_memo: dict[str, tuple[Lesson, Card]] | None = None,
    source_prefix: str = "",
) -> Plan:
    """Every output file as a job, and an error for each published file that would hide a page."""
    assert analysis.loaded is not None and analysis.graph is not None and analysis.theme is not None
    renderer = SiteRenderer(
        analysis.loaded.config,
        analysis.graph,
        analysis.theme,
        body_cache,
        fingerprint_assets=not options.preview,
        load_body=lambda body: store.bodies.get(body.digest),
        site_dir=options.site_dir,
        hooks=analysis.extensions,
        source_prefix=source_prefix,
        today=options.today,
        card_memo=card_memo,
    )
    extensions = analysis.extensions or Extensions(options.site_dir)
    problems = Diagnostics(renderer.check_templates())
    _lesson_templates(renderer, analysis.graph, problems)
    extra = _extra_jobs(renderer, extensions, problems)
    reads = None
    with cache.paused_gc():  # views by the ten thousand, none in cycles
        if options.preview:  # kb serve re-plans from what each job read
            jobs, reads = recorded_site_jobs(renderer, extra)
        else:
            jobs = pages.site_jobs(renderer, extra)
    taken = _OutputNames(job.name for job in jobs)
    problems += extensions.problems
    extensions.problems.clear()
    for job in _published_jobs(options.site_dir, analysis.graph):
        if not utf8_name(job.name):
            source = printable(str(job.context["source"]))
            problems.append(error(source, 1, 1, "encoding", "the file name is not valid UTF-8; rename it"))
            continue
        clash = taken.clash(job.name)
        if clash:
            problems.append(error(str(job.context["source"]), 1, 1, "unsafe-path", clash))
            continue
        taken.add(job.name)
        jobs.append(job)
    epoch = cache.digest(
        cache.code_digest(),
        (options.site_dir / CONFIG_FILE).read_bytes(),
        options.base_url,
        renderer.templates,
        extensions.digest(),
    )
    return Plan(jobs, renderer, problems, epoch, reads)


def _published_jobs(site_dir: Path, graph: SiteGraph) -> Iterator[PageJob]:
    """Files beside the lessons under media/, and the site's static/ folder verbatim at the root."""
    for asset in graph.assets:
        yield PageJob(asset_url(asset), None, {"source": asset}, data=(site_dir / asset).read_bytes())
    for source in static_files(site_dir):
        name = source.removeprefix("static/")
        yield PageJob(name, None, {"source": source}, data=(site_dir / source).read_bytes())


class _OutputNames:
    """The files of an output folder and the folders they need: a file may take neither another file's
    name nor a name another file needs as its folder (static/index.html/x beside the home page)."""

    def __init__(self, names: Iterable[str]) -> None:
        self.files: set[str] = set()
        self.folders: set[str] = set()
        for name in names:
            self.add(name)

    def add(self, name: str) -> None:
        self.files.add(name)
        parts = name.split("/")
        self.folders.update("/".join(parts[:end]) for end in range(1, len(parts)))

    def clash(self, name: str) -> str:
        """Why name cannot be written beside the files taken so far; "" when it can."""
        if name in self.files:
            return f"this file would overwrite the generated {name}"
        if name in self.folders:
            return f"this file takes the name of the generated folder {name}/"
        parts = name.split("/")
        for end in range(1, len(parts)):
            if (folder := "/".join(parts[:end])) in self.files:
                return f"this file needs a folder {folder}/ where the generated file {folder} is"
        return ""


def _lesson_templates(renderer: SiteRenderer, graph: SiteGraph, found: Diagnostics) -> None:
    """A lesson's `template:` must be a template of the theme."""
    names = set(renderer.env.list_templates())
    for lesson in graph.lessons.values():
        template = lesson.source.meta.template
        if template is not None and template not in names:
            line, col = lesson.source.position("template")
            hint = did_you_mean(template, sorted(n for n in names if n.endswith(".html")))
            message = f"'template': the theme has no template '{template}'{hint}"
            found.append(error(lesson.source.path, line, col, "invalid-value", message))


def _extra_jobs(renderer: SiteRenderer, extensions: Extensions, problems: Diagnostics) -> list[PageJob]:
    """The pages hooks add on graph_built, each checked: a safe path, a template the theme has."""
    jobs: list[PageJob] = []
    names = set(renderer.env.list_templates())
    for extra in extensions.extra_pages(renderer.config, renderer.graph):
        parts = extra.path.split("/")
        if extra.path.startswith("/") or "\\" in extra.path or any(p in {".", ".."} for p in parts):
            problems.append(
                error(CONFIG_FILE, 1, 1, "extension-error", f"extra page '{extra.path}': unsafe path")
            )
        elif extra.template not in names:
            message = f"extra page '{extra.path}': the theme has no template '{extra.template}'"
            problems.append(error(CONFIG_FILE, 1, 1, "extension-error", message))
        else:
            page = Page(extra.path, extra.title, extra.description)
            jobs.append(renderer.page(extra.template, page, sitemap=extra.lastmod, **extra.context))
    return jobs
