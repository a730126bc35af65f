"""The build: config -> discover -> front matter -> Markdown -> graph -> render -> output (-> search).

A SiteBuilder remembers what its last build learned (parsed lessons by file content, the key of every
output file), so the next build re-parses only changed lessons and re-renders only pages whose inputs
changed, while producing exactly the bytes a full build would.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import multiprocessing as mp
import os
import shutil
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from builder import __version__, cache, writer
from builder.config import CONFIG_FILE, LoadedConfig, SiteConfig, load_config
from builder.diagnostics import Diagnostic, error, has_errors
from builder.discover import Sources, discover
from builder.freshness import stale_warnings
from builder.frontmatter import Vocabulary, guess_slug, read_lesson
from builder.gitinfo import GitInfo, dated, head_commit, read_git_info
from builder.graph import LeftOut, Lesson, SiteGraph, asset_url, build_graph
from builder.markdown import render_markdown
from builder.output import clean_leftovers, safe_join, staging_dir, swap_in
from builder.records import content_digest, picklable
from builder.render import BodyCache, PageJob, SiteRenderer, TemplateFailure
from builder.search import SearchIndexError, index_site
from builder.theme import Theme, compiled_templates, find_theme, reuse_compiled

Progress = Callable[[str], None]
STATE_FILE = "build.pickle"
RENDERERS = ("markdown-it-py", "mdit-py-plugins", "pygments", "pyyaml", "pydantic")
RENDERER_VERSIONS = (__version__, *(metadata.version(name) for name in RENDERERS))
QUICK_FILE = "fingerprint.pickle"
MEMO_FILE = "memo.pickle"
TEMPLATES_FILE = "templates.pickle"  # compiled templates: sealed like the rest, since loading runs them
SHARDS = 16  # the parsed files are cached in shards, so an edit rewrites one shard, not the whole cache


def _quiet(_: str) -> None:
    return None


@dataclass(frozen=True, slots=True)
class BuildOptions:
    site_dir: Path
    out_dir: Path | None = None
    drafts: bool = False
    jobs: int = 1
    search: bool = True
    strict: bool = False
    base_url: str | None = None
    preview: bool = False  # kb serve: asset URLs without fingerprints
    today: dt.date | None = None  # for review warnings; None: the real date


@dataclass(slots=True)
class Analysis:
    """Everything known about a site before rendering."""

    loaded: LoadedConfig | None = None
    theme: Theme | None = None
    graph: SiteGraph | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return self.loaded is not None and self.theme is not None and self.graph is not None


@dataclass(slots=True)
class BuildResult:
    diagnostics: list[Diagnostic]
    out_dir: Path | None = None
    pages: int = 0  # output files in the build
    rendered: int = 0  # of which rendered or copied anew (the rest were unchanged)
    changed: list[str] = field(default_factory=list)  # output files whose bytes changed or were removed
    ok: bool = False
    failure: str = ""  # why the build stopped when the site itself had no errors (search indexing)
    graph: SiteGraph | None = None  # what was published; None when nothing changed and nothing was read


@picklable
@dataclass(frozen=True, slots=True)
class ParsedFile:
    stamp: tuple[int, int]  # (mtime_ns, size)
    digest: str
    lesson: Lesson | None
    diagnostics: tuple[Diagnostic, ...]
    guessed_slug: str  # the lesson's slug, or a guess at it when the file has errors


def parse_lesson(
    path: str, raw: bytes, vocabulary: Vocabulary, html: bool, digest: str | None = None
) -> tuple[Lesson | None, list[Diagnostic]]:
    """One lesson file -> a Lesson with its rendered body, or its Diagnostics. Pure: safe in a worker."""
    source, diagnostics = read_lesson(path, raw, vocabulary, digest)
    if source is None:
        return None, diagnostics
    body = render_markdown(source.body, first_line=source.body_line, html=html)
    return Lesson(dataclasses.replace(source, body=""), body), diagnostics  # the Markdown is not needed again


def _parse_job(args: tuple[str, bytes, Vocabulary, bool, str]) -> tuple[Lesson | None, list[Diagnostic]]:
    return parse_lesson(*args)


class SiteBuilder:
    def __init__(self, options: BuildOptions) -> None:
        self.options = options
        self._forget()

    def _forget(self) -> None:
        self.files: dict[str, ParsedFile] = {}
        self.parse_epoch = ""  # what parsing depends on besides the file: vocabulary, markdown options
        self.render_epoch = ""
        self.page_keys: dict[str, tuple[object, int]] = {}  # output file -> (key, size) of what is there
        self.memo: dict[str, Any] = {}  # answers the graph can reuse while their inputs are unchanged
        self.body_cache: BodyCache = {}
        self.bodies = cache.BodyStore(self.options.site_dir)  # the HTML of the lessons' bodies, by digest
        self.dirty: set[int] = set(range(SHARDS))  # shards of self.files that differ from the saved ones
        self.saved_memo = ""  # the signature of the memo last saved
        self.saved_templates: dict[str, bytes] = {}  # the compiled templates last saved
        self.live: tuple[Plan, Path] | None = None  # the plan last written in full, in place, and where
        self.git = GitInfo()  # commit dates of the lessons, read again when HEAD moves

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
        analysis.theme = find_theme(site_dir, config.theme)
        if analysis.theme is None:
            at = loaded.document.value_at(("theme",))
            message = f"'theme': no folder themes/{config.theme}/ in the site"
            analysis.diagnostics.append(error(CONFIG_FILE, at.line, at.col, "invalid-value", message))
        sources, problems = discover(site_dir)
        analysis.diagnostics += problems
        progress(f"reading {len(sources.lessons)} lessons")
        vocabulary = _vocabulary(config)
        epoch = repr(
            (
                RENDERER_VERSIONS,
                sorted(vocabulary.topics),
                sorted(vocabulary.skills),
                sorted(vocabulary.authors),
                config.markdown.html,
            )
        )
        if epoch != self.parse_epoch:
            self.files.clear()
            self.dirty = set(range(SHARDS))
            self.parse_epoch = epoch
        self._parse_changed(sources, vocabulary, config.markdown.html)
        head = head_commit(site_dir) if config.repo is not None else ""  # dates from git go with repo:
        if head != self.git.head:
            self.git = read_git_info(site_dir, head)
        analysis.diagnostics += self.git.diagnostics()
        lessons: list[Lesson] = []
        left_out: dict[str, LeftOut] = {}
        for path in sources.lessons:
            parsed = self.files[path]
            analysis.diagnostics += parsed.diagnostics
            lesson = parsed.lesson
            if lesson is None:
                left_out.setdefault(parsed.guessed_slug, LeftOut(path, draft=False))
            elif lesson.source.meta.draft and not self.options.drafts:
                left_out[lesson.slug] = LeftOut(path, draft=True)
            else:
                lessons.append(dated(lesson, self.git))
        graph, problems = build_graph(loaded, lessons, sources.assets, sources.folders, left_out, self.memo)
        analysis.diagnostics += problems
        analysis.diagnostics += stale_warnings(graph, config, self.options.today or dt.date.today())
        analysis.graph = graph
        return analysis

    def _parse_changed(self, sources: Sources, vocabulary: Vocabulary, html: bool) -> None:
        site_dir = self.options.site_dir
        for gone in set(self.files) - set(sources.lessons):
            del self.files[gone]
            self.dirty.add(_shard(gone))
        todo: list[tuple[str, tuple[int, int], bytes, str]] = []
        prefix = f"{site_dir}{os.sep}"
        for path in sources.lessons:
            stat = os.stat(prefix + path)
            stamp = (stat.st_mtime_ns, stat.st_size)
            known = self.files.get(path)
            if known is not None and known.stamp == stamp:
                continue
            raw = (site_dir / path).read_bytes()
            digest = content_digest(raw)
            if known is not None and known.digest == digest:  # touched, not changed
                self.files[path] = dataclasses.replace(known, stamp=stamp)
                self.dirty.add(_shard(path))
                continue
            todo.append((path, stamp, raw, digest))
        with cache.paused_gc():  # the lessons coming back are millions of objects, none in cycles
            work = [(path, raw, vocabulary, html, digest) for path, _, raw, digest in todo]
            results = self._parse_all(work)
            for (path, stamp, raw, digest), (lesson, problems) in zip(todo, results, strict=True):
                if lesson is not None:  # the HTML is kept aside by digest, so parsed files stay small
                    self.bodies.add(lesson.body.digest, lesson.body.html)
                    lesson = dataclasses.replace(lesson, body=dataclasses.replace(lesson.body, html=""))
                slug = lesson.slug if lesson is not None else guess_slug(path, raw)
                self.files[path] = ParsedFile(stamp, digest, lesson, tuple(problems), slug)
                self.dirty.add(_shard(path))

    def _parse_all(
        self, work: list[tuple[str, bytes, Vocabulary, bool, str]]
    ) -> Iterable[tuple[Lesson | None, list[Diagnostic]]]:
        workers = writer.workers(self.options.jobs, len(work), 64)
        if workers <= 1:
            return map(_parse_job, work)
        with mp.get_context("fork").Pool(workers, initializer=writer.quiet_worker) as pool:
            return pool.map(_parse_job, work, chunksize=max(1, len(work) // (workers * 8)))

    # -- output ---------------------------------------------------------------------------------------

    def plan(self, analysis: Analysis) -> Plan:
        """Every output file as a job, and an error for each published file that would hide a page."""
        assert analysis.loaded is not None and analysis.graph is not None and analysis.theme is not None
        renderer = SiteRenderer(
            analysis.loaded.config,
            analysis.graph,
            analysis.theme,
            self.body_cache,
            fingerprint_assets=not self.options.preview,
            load_body=lambda body: self.bodies.get(body.digest),
            site_dir=self.options.site_dir,
            source_prefix=self.git.prefix,
            today=self.options.today,
        )
        jobs = list(renderer.jobs())
        taken = {job.name for job in jobs}
        problems = renderer.check_templates()
        for job in _published_jobs(self.options.site_dir, analysis.graph):
            if job.name in taken:
                source = str(job.context["source"])
                message = f"this file would overwrite the generated {job.name}"
                problems.append(error(source, 1, 1, "unsafe-path", message))
                continue
            taken.add(job.name)
            jobs.append(job)
        epoch = repr(
            (
                __version__,
                (self.options.site_dir / CONFIG_FILE).read_bytes(),
                self.options.base_url,
                analysis.theme.digest(),
            )
        )
        return Plan(jobs, renderer, problems, content_digest(epoch.encode()))

    def write(self, plan: Plan, target: Path, previous: Path | None, result: BuildResult) -> None:
        """Write the planned files into target. A file whose key is unchanged since the last write is
        taken from previous (the folder holding that output): hard-linked from another folder, or left
        alone when it is the same folder. Stale files are removed from a folder updated in place."""
        if plan.epoch != self.render_epoch:
            self._distrust_keys()
            self.render_epoch = plan.epoch
        names = [job.name for job in plan.jobs]
        if len(set(names)) != len(names):
            raise ValueError("two outputs want the same file")  # a bug in kb, not in the site
        keys = self._write_jobs(plan.jobs, plan.renderer, target, previous, result)
        if previous is not None and previous == target:
            for stale in sorted(set(self.page_keys) - set(keys)):
                safe_join(target, stale).unlink(missing_ok=True)
                result.changed.append(stale)
            self.live = (plan, target)
        self.page_keys = keys
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
        # kb serve keeps its keys in memory only, and comparing inputs is cheaper than hashing them
        work = writer.Work(jobs, renderer, target, previous, self.page_keys, self.options.preview)
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
        self.page_keys = dict.fromkeys([*self.page_keys, *also], (None, -1))
        self.live = None

    def update_lessons(self, paths: Collection[str]) -> BuildResult | None:
        """kb serve's quick path, for edits that change only what lessons say in their bodies: with the
        same front matter, headings and link targets nothing else in the graph can change, so only those
        lessons are parsed again and only the pages showing their bodies are written, in place, into the
        folder of the last full write. None when an edit is of another kind: the site must be analysed."""
        if self.live is None or not paths:
            return None
        plan, target = self.live
        renderer = plan.renderer
        updates: list[tuple[str, ParsedFile, str | None]] = []  # the new state of each file, its new HTML
        for path in sorted(paths):
            update = self._reparse_body(path, renderer)
            if update is None:
                return None
            updates.append((path, *update))
        jobs: dict[str, PageJob] = {}
        for path, parsed, html in updates:
            self.files[path] = parsed
            self.dirty.add(_shard(path))
            if html is not None and parsed.lesson is not None:
                self.bodies.add(parsed.lesson.body.digest, html)
                renderer.graph.lessons[parsed.lesson.slug] = dated(parsed.lesson, self.git)
                jobs.update((job.name, job) for job in renderer.body_jobs(parsed.lesson.slug))
        result = BuildResult([], target, ok=True)
        self.page_keys.update(self._write_jobs(list(jobs.values()), renderer, target, target, result))
        result.pages = len(self.page_keys)
        return result

    def _reparse_body(self, path: str, renderer: SiteRenderer) -> tuple[ParsedFile, str | None] | None:
        """A lesson file parsed again and its new HTML (None when its bytes are unchanged); None when it is
        not a published lesson whose body alone changed."""
        known = self.files.get(path)
        source = self.options.site_dir / path
        if known is None or known.lesson is None or source.is_symlink():
            return None
        shown = renderer.graph.lessons.get(known.lesson.slug)
        if shown is None or shown.source.path != path:
            return None  # a draft, or a slug taken by another file
        try:
            stat = source.stat()
            raw = source.read_bytes()
        except OSError:
            return None
        stamp = (stat.st_mtime_ns, stat.st_size)
        digest = content_digest(raw)
        if digest == known.digest:
            return dataclasses.replace(known, stamp=stamp), None
        config = renderer.config
        lesson, problems = parse_lesson(path, raw, _vocabulary(config), config.markdown.html, digest)
        if lesson is None or tuple(problems) != known.diagnostics or not _same_outline(known.lesson, lesson):
            return None
        kept = dataclasses.replace(lesson, body=dataclasses.replace(lesson.body, html=""))
        return ParsedFile(stamp, digest, kept, known.diagnostics, known.guessed_slug), lesson.body.html

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
            quick = cache.load(self.options.site_dir, QUICK_FILE)
            current = (fingerprint[0], _output_stamp(fingerprint[1]))
            if isinstance(quick, dict) and quick.get("fingerprint") == current:
                progress("nothing changed")
                return BuildResult(quick["diagnostics"], fingerprint[1], quick["pages"], 0, [], True)
            if not self.files:
                self._restore(cache.load(self.options.site_dir, STATE_FILE), fingerprint[1])
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
        result.graph = analysis.graph
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
        head = head_commit(site_dir) if loaded.config.repo is not None else ""
        today = (self.options.today or dt.date.today()) if loaded.config.review is not None else None
        digest.update(repr((__version__, self.options, head, today)).encode())
        digest.update((site_dir / CONFIG_FILE).read_bytes() + theme.digest().encode())
        for folder in ("content", "static"):
            for root, dirs, names in os.walk(site_dir / folder):
                dirs.sort()
                for name in sorted(names):
                    stat = os.stat(os.path.join(root, name), follow_symlinks=False)
                    digest.update(f"{root}/{name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
        return digest.hexdigest(), out_dir

    def _restore(self, state: object, out_dir: Path) -> None:
        """Take up the saved state; a shard or memo that fails to load only means more work now."""
        site_dir = self.options.site_dir
        if not isinstance(state, dict) or state.get("site") != str(site_dir.resolve()):
            return
        self.parse_epoch = state["parse_epoch"]
        self.dirty = set()
        for shard in range(SHARDS):
            saved = cache.load(site_dir, f"files-{shard:02d}.pickle")
            if isinstance(saved, dict):
                self.files.update(saved)
            else:
                self.dirty.add(shard)
        templates = cache.load(site_dir, TEMPLATES_FILE)
        if isinstance(templates, dict):
            reuse_compiled(templates)
            self.saved_templates = templates
        memo = cache.load(site_dir, MEMO_FILE)
        if isinstance(memo, dict):
            self.memo = memo
            self.saved_memo = str(memo.get("terms-signature", ""))
        if state.get("out_dir") == str(out_dir.resolve()):
            self.render_epoch = state["render_epoch"]
            self.page_keys = state["page_keys"]

    def _save(self, out_dir: Path, result: BuildResult, fingerprint: tuple[str, Path] | None) -> None:
        site_dir = self.options.site_dir
        self.bodies.save({parsed.lesson.body.digest for parsed in self.files.values() if parsed.lesson})
        for shard in sorted(self.dirty):  # after the bodies, so no saved lesson lacks its body
            files = {path: parsed for path, parsed in self.files.items() if _shard(path) == shard}
            cache.save(site_dir, f"files-{shard:02d}.pickle", files)
        self.dirty = set()
        templates = compiled_templates()
        if templates != self.saved_templates:
            cache.save(site_dir, TEMPLATES_FILE, templates)
            self.saved_templates = templates
        if self.memo.get("terms-signature") != self.saved_memo:
            cache.save(site_dir, MEMO_FILE, self.memo)
            self.saved_memo = str(self.memo.get("terms-signature", ""))
        state = {
            "site": str(site_dir.resolve()),
            "parse_epoch": self.parse_epoch,
            "out_dir": str(out_dir.resolve()),
            "render_epoch": self.render_epoch,
            "page_keys": self.page_keys,
        }
        cache.save(site_dir, STATE_FILE, state)
        if fingerprint is not None:  # of the inputs as they were before this build read them
            stamp = (fingerprint[0], _output_stamp(out_dir))
            quick = {"fingerprint": stamp, "diagnostics": result.diagnostics, "pages": result.pages}
            cache.save(site_dir, QUICK_FILE, quick)


def _output_stamp(out_dir: Path) -> str | None:
    """Which output folder, as it was when last written: a swapped-in or touched folder differs."""
    try:
        return f"{out_dir.resolve()}\0{out_dir.stat().st_mtime_ns}"
    except OSError:
        return None


def _vocabulary(config: SiteConfig) -> Vocabulary:
    return Vocabulary(frozenset(config.topics), frozenset(config.skills), frozenset(config.authors))


def _same_outline(old: Lesson, new: Lesson) -> bool:
    """Whether two versions of a lesson differ in the text of their bodies alone: the same front matter,
    headings and link targets (links may move: only their positions in the file would differ)."""

    def targets(lesson: Lesson) -> list[tuple[object, ...]]:
        return [(x.kind, x.target, x.fragment, x.wants_title, x.is_image) for x in lesson.body.links]

    return (
        dataclasses.replace(new.source, digest=old.source.digest) == old.source
        and new.body.headings == old.body.headings
        and targets(new) == targets(old)
    )


def _shard(path: str) -> int:
    return zlib.crc32(path.encode()) % SHARDS


@dataclass(frozen=True, slots=True)
class Plan:
    jobs: list[PageJob]
    renderer: SiteRenderer
    problems: list[Diagnostic]
    epoch: str  # what every page depends on besides its own inputs: site.yml, theme, kb's version


def analyse(options: BuildOptions, progress: Progress = _quiet) -> Analysis:
    return SiteBuilder(options).analyse(progress)


def build(options: BuildOptions, progress: Progress = _quiet) -> BuildResult:
    return SiteBuilder(options).build(progress)


def _published_jobs(site_dir: Path, graph: SiteGraph) -> Iterator[PageJob]:
    """Files beside the lessons under media/, and the site's static/ folder verbatim at the root."""
    for asset in graph.assets:
        yield PageJob(asset_url(asset), None, {"source": asset}, data=(site_dir / asset).read_bytes())
    static = site_dir / "static"
    if static.is_dir():
        for path in sorted(static.rglob("*")):
            if path.is_file() and not path.is_symlink():
                name = path.relative_to(static).as_posix()
                yield PageJob(name, None, {"source": f"static/{name}"}, data=path.read_bytes())
