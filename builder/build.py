"""The build: config -> discover -> front matter -> Markdown -> graph -> render -> output (-> search).

A SiteBuilder remembers what its last build learned (parsed lessons by file content, the key of every
output file), so the next build re-parses only changed lessons and re-renders only pages whose inputs
changed, while producing exactly the bytes a full build would.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Collection, Iterable
from pathlib import Path

from builder import cache, pipeline, serve_quick, writer
from builder.config import CONFIG_FILE
from builder.diagnostics import Diagnostic, has_errors
from builder.gitinfo import GitInfo
from builder.graph import Lesson
from builder.options import Analysis, BuildOptions, BuildResult, Progress, _quiet
from builder.output import safe_join
from builder.parse import ParsedFile, parse_lesson
from builder.plan import Plan, make_plan
from builder.render import BodyCache, PageJob, SiteRenderer, TemplateFailure
from builder.views import Card

__all__ = [
    "Analysis",
    "BuildOptions",
    "BuildResult",
    "ParsedFile",
    "Plan",
    "Progress",
    "SiteBuilder",
    "analyse",
    "build",
    "parse_lesson",
]


class SiteBuilder:
    def __init__(self, options: BuildOptions) -> None:
        self.options = options
        self._forget()

    def _forget(self) -> None:
        self.store = cache.Store(self.options.site_dir)
        self.body_cache: BodyCache = {}  # kb serve's final body HTML by slug, keyed like the pages
        self.live: tuple[Plan, Path] | None = None  # the plan last written in full, in place, and where
        self.git = GitInfo()  # commit dates of the lessons, read again when HEAD moves
        self.written: dict[str, PageJob] = {}  # kb serve: the jobs whose keys page_keys holds, by file
        self.cards: dict[str, tuple[Lesson, Card]] = {}  # each lesson's card, while the lesson is the same

    @property
    def bodies(self) -> cache.BodyStore:
        return self.store.bodies

    # -- analysis -------------------------------------------------------------------------------------

    def analyse(self, progress: Progress = _quiet) -> Analysis:
        return pipeline.analyse(self, progress)

    # -- output ---------------------------------------------------------------------------------------

    def plan(self, analysis: Analysis) -> Plan:
        """Every output file as a job, and an error for each published file that would hide a page."""
        return make_plan(self.options, analysis, self.store, self.body_cache, self.cards, self.git.prefix)

    def write(
        self,
        plan: Plan,
        target: Path,
        previous: Path | None,
        result: BuildResult,
        progress: Progress = _quiet,
        fresh: set[str] | None = None,
        overlay: bool = False,
    ) -> None:
        """Write the planned files into target. A file whose key is unchanged since the last write is
        taken from previous (the folder holding that output): hard-linked from another folder, or left
        alone when it is the same folder or target is an overlay (it gets the changed files alone).
        Stale files are removed from a folder updated in place. fresh: when known, the only files whose
        inputs may have changed (the others are not keyed)."""
        if plan.epoch != self.store.render_epoch:
            self._distrust_keys()
            self.store.render_epoch = plan.epoch
        progress.stage("write", len(plan.jobs), "files")
        names = [job.name for job in plan.jobs]
        if len(set(names)) != len(names):
            raise ValueError("two outputs want the same file")  # a bug in kb, not in the site
        keys = self._write_jobs(
            plan.jobs, plan.renderer, target, previous, result, progress, fresh=fresh, overlay=overlay
        )
        if previous is not None and previous == target:
            for stale in sorted(set(self.store.page_keys) - set(keys)):
                safe_join(target, stale).unlink(missing_ok=True)
                result.changed.append(stale)
            self.live = (plan, target)
        self.store.page_keys = keys
        result.pages = len(keys)
        if self.options.preview:  # a long-lived process: the next write compares jobs in memory first
            self.written = {job.name: job for job in plan.jobs}

    def _write_jobs(
        self,
        jobs: list[PageJob],
        renderer: SiteRenderer,
        target: Path,
        previous: Path | None,
        result: BuildResult,
        progress: Progress = _quiet,
        *,
        fresh: set[str] | None = None,
        overlay: bool = False,
    ) -> dict[str, tuple[object, int]]:
        """Write jobs, counting what was rendered and changed in result; the keys of what was written.
        A template failure leaves some files written and others not: the next write renders them all."""
        old = self.written if self.options.preview else None
        work = writer.Work(jobs, renderer, target, previous, self.store.page_keys, old, fresh, overlay)
        keys: dict[str, tuple[object, int]] = {}
        try:
            with cache.paused_gc():  # comparing and keying jobs makes objects by the million, no cycles
                outcomes = writer.write_jobs(work, self.options.jobs, progress.advance)
        except BaseException:  # a template failure, a full disk, an interrupt: some files may be written
            self._distrust_keys(job.name for job in jobs)
            raise
        for outcome in outcomes:
            keys[outcome.name] = (outcome.key, outcome.size)
            result.rendered += outcome.rendered
            result.keyed += outcome.keyed
            if outcome.changed:
                result.changed.append(outcome.name)
        return keys

    def _distrust_keys(self, also: Iterable[str] = ()) -> None:
        """Render every page again next time, still knowing which files are there (to remove the stale)."""
        self.store.distrust_pages(also)
        self.live = None
        self.written = {}

    def update_lessons(self, paths: Collection[str]) -> BuildResult | None:
        """kb serve's quick path (serve_quick.py); None when the edits need a full analysis."""
        return serve_quick.update_lessons(self, paths)

    def check(self, analysis: Analysis) -> tuple[Plan | None, BuildResult]:
        """The plan when the site can be written (no errors, or no warnings under --strict)."""
        if not analysis.ready:
            return None, BuildResult(sorted(analysis.diagnostics))
        plan = self.plan(analysis)
        result = BuildResult(sorted(analysis.diagnostics + plan.problems))
        if has_errors(result.diagnostics, strict=self.options.strict):
            return None, result
        return plan, result

    def build(self, progress: Progress = _quiet, *, use_cache: bool = True) -> BuildResult:
        """A build into a staging folder, swapped in only when everything succeeded. With the cache,
        nothing is done when no input changed, and only what changed is parsed and rendered."""
        try:
            return pipeline.build(self, progress, use_cache)
        except cache.CacheCorrupt:
            progress.note("the build cache is inconsistent: building from scratch")
            shutil.rmtree(self.options.site_dir / cache.CACHE_DIR, ignore_errors=True)
            self._forget()
            return pipeline.build(self, progress, use_cache)


def analyse(
    options: BuildOptions, progress: Progress = _quiet, builder: SiteBuilder | None = None
) -> Analysis:
    """Every diagnostic of the site, as `kb check` reports them: the lessons parsed by the last build are
    taken from the cache (read only: a check writes nothing), the others are parsed on every core."""
    return (builder or checking_builder(options)).analyse(progress)


def checking_builder(options: BuildOptions) -> SiteBuilder:
    """A builder for kb check: parses on every core, starting from what the last build cached."""
    builder = SiteBuilder(dataclasses.replace(options, jobs=max(options.jobs, os.cpu_count() or 1)))
    builder.store.restore(options.site_dir / CONFIG_FILE, lambda compiled: None)  # no output folder
    return builder


def build(options: BuildOptions, progress: Progress = _quiet) -> BuildResult:
    return SiteBuilder(options).build(progress)


def check_site(options: BuildOptions, progress: Progress = _quiet) -> list[Diagnostic]:
    """kb check: every diagnostic kb build would report, writing nothing. The pages are planned (files
    that would overwrite a page, template syntax) and rendered in memory (a template failing at run time)."""
    return check_site_analysis(options, progress)[0]


def check_site_analysis(
    options: BuildOptions, progress: Progress = _quiet
) -> tuple[list[Diagnostic], Analysis]:
    """check_site's diagnostics, and the analysis they came from (for checks that need the graph)."""
    builder = checking_builder(options)
    analysis = analyse(options, progress, builder)
    plan, result = builder.check(analysis)
    if plan is not None:
        templated = [job for job in plan.jobs if job.template is not None]
        progress.stage("render", len(templated), "pages")
        try:
            for job in templated:
                plan.renderer.render(job)
                progress.advance()
        except TemplateFailure as exc:
            result.diagnostics.append(exc.args[0])
    return sorted(result.diagnostics), analysis
