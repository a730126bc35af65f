"""The build: config -> discover -> front matter -> Markdown -> graph -> render -> output (-> search).

A SiteBuilder remembers what its last build learned (parsed lessons by file content, the key of every
output file), so the next build re-parses only changed lessons and re-renders only pages whose inputs
changed, while producing exactly the bytes a full build would.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
from collections.abc import Collection, Iterable
from pathlib import Path

from builder import cache, serve_quick, writer
from builder.config import CONFIG_FILE, load_config
from builder.diagnostics import error, has_errors
from builder.discover import discover
from builder.extensions import (
    AfterBuild,
    ConfigLoaded,
    load_extensions,
    site_files,
)
from builder.graph import LeftOut, Lesson, build_graph
from builder.options import Analysis, BuildOptions, BuildResult, Progress, _quiet
from builder.output import clean_leftovers, safe_join, staging_dir, swap_in
from builder.parse import ParsedFile, parse_changed, parse_lesson, vocabulary_of
from builder.plan import Plan, make_plan
from builder.render import BodyCache, PageJob, SiteRenderer, TemplateFailure
from builder.search import SearchIndexError, index_site
from builder.theme import compiled_templates, find_theme, reuse_compiled

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

    @property
    def bodies(self) -> cache.BodyStore:
        return self.store.bodies

    # -- analysis -------------------------------------------------------------------------------------

    def analyse(self, progress: Progress = _quiet) -> Analysis:
        site_dir = self.options.site_dir
        self.live = None  # what is parsed from now on is no longer what the written plan shows
        analysis = Analysis()
        loaded, diagnostics = load_config(site_dir, base_url=self.options.base_url)
        analysis.diagnostics += diagnostics
        if loaded is None:
            return analysis
        analysis.loaded = loaded
        config = loaded.config
        extensions, problems = load_extensions(site_dir, loaded)
        analysis.extensions = extensions
        analysis.diagnostics += problems
        extensions.run("on_config_loaded", ConfigLoaded(config, site_dir))
        analysis.theme = find_theme(site_dir, config.theme)
        if analysis.theme is None:
            at = loaded.document.value_at(("theme",))
            message = f"'theme': no folder themes/{config.theme}/ in the site"
            analysis.diagnostics.append(error(CONFIG_FILE, at.line, at.col, "invalid-value", message))
        sources, problems = discover(site_dir)
        analysis.diagnostics += problems
        progress(f"reading {len(sources.lessons)} lessons")
        vocabulary = vocabulary_of(config)
        epoch = cache.digest(
            (
                cache.code_digest(),
                sorted(vocabulary.topics),
                sorted(vocabulary.skills),
                sorted(vocabulary.authors),
                config.markdown.html,
                extensions.digest(),
            )
        )
        self.store.parsing_under(epoch)
        html, jobs = config.markdown.html, self.options.jobs
        parse_changed(self.store, site_dir, sources, vocabulary, html, jobs, extensions.plugins)
        lessons: list[Lesson] = []
        left_out: dict[str, LeftOut] = {}
        for path in sources.lessons:
            parsed = self.store.files[path]
            analysis.diagnostics += parsed.diagnostics
            lesson = parsed.lesson
            if lesson is None:
                left_out.setdefault(parsed.guessed_slug, LeftOut(path, draft=False))
            elif lesson.source.meta.draft and not self.options.drafts:
                left_out[lesson.slug] = LeftOut(path, draft=True)
            else:
                lessons.append(lesson)
        graph, problems = build_graph(loaded, lessons, sources.assets, sources.folders, left_out, self.store)
        analysis.diagnostics += problems
        analysis.graph = graph
        analysis.diagnostics += extensions.problems
        extensions.problems.clear()
        return analysis

    # -- output ---------------------------------------------------------------------------------------

    def plan(self, analysis: Analysis) -> Plan:
        """Every output file as a job, and an error for each published file that would hide a page."""
        return make_plan(self.options, analysis, self.store, self.body_cache)

    def write(self, plan: Plan, target: Path, previous: Path | None, result: BuildResult) -> None:
        """Write the planned files into target. A file whose key is unchanged since the last write is
        taken from previous (the folder holding that output): hard-linked from another folder, or left
        alone when it is the same folder. Stale files are removed from a folder updated in place."""
        if plan.epoch != self.store.render_epoch:
            self._distrust_keys()
            self.store.render_epoch = plan.epoch
        names = [job.name for job in plan.jobs]
        if len(set(names)) != len(names):
            raise ValueError("two outputs want the same file")  # a bug in kb, not in the site
        keys = self._write_jobs(plan.jobs, plan.renderer, target, previous, result)
        if previous is not None and previous == target:
            for stale in sorted(set(self.store.page_keys) - set(keys)):
                safe_join(target, stale).unlink(missing_ok=True)
                result.changed.append(stale)
            self.live = (plan, target)
        self.store.page_keys = keys
        result.pages = len(keys)

    def _write_jobs(
        self,
        jobs: list[PageJob],
        renderer: SiteRenderer,
        target: Path,
        previous: Path | None,
        result: BuildResult,
    ) -> dict[str, tuple[object, int]]:
        """Write jobs, counting what was rendered and changed in result; the keys of what was written.
        A template failure leaves some files written and others not: the next write renders them all."""
        work = writer.Work(jobs, renderer, target, previous, self.store.page_keys)
        keys: dict[str, tuple[object, int]] = {}
        try:
            outcomes = writer.write_jobs(work, self.options.jobs)
        except BaseException:  # a template failure, a full disk, an interrupt: some files may be written
            self._distrust_keys(job.name for job in jobs)
            raise
        for outcome in outcomes:
            keys[outcome.name] = (outcome.key, outcome.size)
            result.rendered += outcome.rendered
            if outcome.changed:
                result.changed.append(outcome.name)
        return keys

    def _distrust_keys(self, also: Iterable[str] = ()) -> None:
        """Render every page again next time, still knowing which files are there (to remove the stale)."""
        self.store.distrust_pages(also)
        self.live = None

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
            return self._build(progress, use_cache)
        except cache.CacheCorrupt:
            progress("the build cache is inconsistent: building from scratch")
            shutil.rmtree(self.options.site_dir / cache.CACHE_DIR, ignore_errors=True)
            self._forget()
            return self._build(progress, use_cache)

    def _build(self, progress: Progress, use_cache: bool) -> BuildResult:
        fingerprint = self._fingerprint() if use_cache else None  # taken before any input is read
        if fingerprint is not None:
            quick = self.store.get(cache.Key("fingerprint"))
            current = (fingerprint[0], _output_stamp(fingerprint[1]))
            if isinstance(quick, dict) and quick.get("fingerprint") == current:
                progress("nothing changed")
                return BuildResult(quick["diagnostics"], fingerprint[1], quick["pages"], 0, [], True)
            if not self.store.files:
                self.store.restore(fingerprint[1], reuse_compiled)
        analysis = self.analyse(progress)
        plan, result = self.check(analysis)
        if plan is None or analysis.loaded is None or analysis.graph is None:
            return result
        out_dir = self.options.out_dir or self.options.site_dir / analysis.loaded.config.output_dir
        clean_leftovers(out_dir)
        staging = staging_dir(out_dir)
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        try:
            progress(f"rendering {len(analysis.graph.lessons)} lessons")
            self.write(plan, staging, out_dir if out_dir.is_dir() else None, result)
            if self.options.search:
                progress("indexing for search")
                index_site(staging)
            swap_in(staging, out_dir)
        except SearchIndexError as exc:
            result.failure = f"search index: {exc}"
            self._distrust_keys()
            return result
        except TemplateFailure as exc:
            result.diagnostics = sorted([*result.diagnostics, exc.args[0]])
            return result
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        result.out_dir = out_dir
        result.ok = True
        if analysis.extensions is not None and analysis.extensions.hooks:
            analysis.extensions.run("on_after_build", AfterBuild(out_dir, result.pages))
            result.diagnostics = sorted([*result.diagnostics, *analysis.extensions.problems])
            analysis.extensions.problems.clear()
        if use_cache:
            self._save(out_dir, result, fingerprint)
        return result

    def _fingerprint(self) -> tuple[str, Path] | None:
        """A digest of every input of a build, cheap to compute (file names, sizes and modification
        times, site.yml and the theme), and the output folder the build goes to."""
        site_dir = self.options.site_dir
        loaded, _ = load_config(site_dir, base_url=self.options.base_url)
        theme = find_theme(site_dir, loaded.config.theme) if loaded else None
        if loaded is None or theme is None:
            return None
        out_dir = self.options.out_dir or site_dir / loaded.config.output_dir
        digest = hashlib.blake2b(digest_size=16)
        digest.update(repr((cache.code_digest(), self.options)).encode())
        digest.update((site_dir / CONFIG_FILE).read_bytes() + theme.digest().encode())
        for path in site_files(site_dir, loaded.config):  # hooks and plugins may change any page
            try:
                stat = os.stat(path)
                digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
            except OSError:
                digest.update(f"{path}\0missing\n".encode())
        for folder in ("content", "static"):
            for root, dirs, names in os.walk(site_dir / folder):
                dirs.sort()
                for name in sorted(names):
                    stat = os.stat(os.path.join(root, name), follow_symlinks=False)
                    digest.update(f"{root}/{name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
        return digest.hexdigest(), out_dir

    def _save(self, out_dir: Path, result: BuildResult, fingerprint: tuple[str, Path] | None) -> None:
        self.store.save(out_dir, compiled_templates())
        if fingerprint is not None:  # of the inputs as they were before this build read them
            stamp = (fingerprint[0], _output_stamp(out_dir))
            quick = {"fingerprint": stamp, "diagnostics": result.diagnostics, "pages": result.pages}
            self.store.put(cache.Key("fingerprint"), quick)


def _output_stamp(out_dir: Path) -> str | None:
    """Which output folder, as it was when last written: a swapped-in or touched folder differs."""
    try:
        return f"{out_dir.resolve()}\0{out_dir.stat().st_mtime_ns}"
    except OSError:
        return None


def analyse(options: BuildOptions, progress: Progress = _quiet) -> Analysis:
    """Every diagnostic of the site, as `kb check` reports them: the lessons parsed by the last build are
    taken from the cache (read only: a check writes nothing), the others are parsed on every core."""
    builder = SiteBuilder(dataclasses.replace(options, jobs=max(options.jobs, os.cpu_count() or 1)))
    builder.store.restore(options.site_dir / CONFIG_FILE, lambda compiled: None)  # no output folder
    return builder.analyse(progress)


def build(options: BuildOptions, progress: Progress = _quiet) -> BuildResult:
    return SiteBuilder(options).build(progress)
