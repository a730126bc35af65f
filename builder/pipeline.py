"""The stages of a build, as a straight sequence (ARCHITECTURE.md): `analyse` reads and checks the site,
`build` writes it. The SiteBuilder passed in keeps what one build leaves for the next (its cache.Store)."""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from builder import body_edits, cache
from builder.active import active_content
from builder.config import CONFIG_FILE, LoadedConfig, load_config, read_config
from builder.diagnostics import error
from builder.discover import find_sources
from builder.extensions import AfterBuild, ConfigLoaded, load_extensions, site_files
from builder.freshness import stale_warnings
from builder.gitinfo import dated, head_commit, read_git_info
from builder.graph import LeftOut, Lesson, link_site
from builder.options import Analysis, BuildResult, Progress, _quiet
from builder.output import apply_overlay, clean_leftovers, is_stamped, refusal, staging_dir, swap_in
from builder.parse import parse_changed, vocabulary_of
from builder.render import TemplateFailure
from builder.search import SearchIndexError, index_site
from builder.theme import compiled_templates, find_theme, reuse_compiled

if TYPE_CHECKING:
    from builder.build import SiteBuilder


def analyse(builder: SiteBuilder, progress: Progress = _quiet) -> Analysis:
    """config -> extensions -> theme -> discover -> parse (changed files only) -> graph."""
    site_dir = builder.options.site_dir
    builder.live = None  # what is parsed from now on is no longer what the written plan shows
    analysis = Analysis()
    loaded = read_config(site_dir, analysis.diagnostics, base_url=builder.options.base_url)
    if loaded is None:
        return analysis
    analysis.loaded = loaded
    config = loaded.config
    extensions = analysis.extensions = load_extensions(site_dir, loaded, analysis.diagnostics)
    extensions.run("on_config_loaded", ConfigLoaded(config, site_dir))
    analysis.theme = find_theme(site_dir, config.theme)
    if analysis.theme is None:
        at = loaded.document.value_at(("theme",))
        message = f"'theme': no folder themes/{config.theme}/ in the site"
        analysis.diagnostics.append(error(CONFIG_FILE, at.line, at.col, "invalid-value", message))
    else:
        analysis.diagnostics += analysis.theme.problems()
    sources = find_sources(site_dir, analysis.diagnostics)
    if not config.assets.allow_active:
        analysis.diagnostics += active_content(site_dir, sources.assets)
    progress.stage("parse", len(sources.lessons), "lessons")
    vocabulary = vocabulary_of(config)
    epoch = cache.digest(
        (
            cache.code_digest(),
            sorted(vocabulary.topics),
            sorted(vocabulary.skills),
            sorted(vocabulary.authors),
            [(kind, sorted(terms)) for kind, terms in vocabulary.declared],
            config.markdown.html,
            extensions.digest(),
        )
    )
    builder.store.parsing_under(epoch)
    html, jobs = config.markdown.html, builder.options.jobs
    before = dict(builder.store.files)
    parse_changed(
        builder.store, site_dir, sources, vocabulary, html, jobs, extensions.plugins, progress.advance
    )
    for path in sources.lessons:
        old, new = before.get(path), builder.store.files[path]
        if old is None or old.digest != new.digest:
            analysis.edited[path] = (old, new)
    del before
    head = head_commit(site_dir) if config.repo is not None else ""  # dates from git go with repo:
    if head != builder.git.head:
        builder.git = read_git_info(site_dir, head)
    today = (builder.options.today or dt.date.today()) if config.review is not None else None
    analysis.frame = body_edits.frame(builder.options, head, today, sources)
    analysis.diagnostics += builder.git.diagnostics()
    lessons: list[Lesson] = []
    left_out: dict[str, LeftOut] = {}
    for path in sources.lessons:
        parsed = builder.store.files[path]
        analysis.diagnostics += parsed.diagnostics
        lesson = parsed.lesson
        if lesson is None:
            left_out.setdefault(parsed.guessed_slug, LeftOut(path, draft=False))
        elif lesson.source.meta.draft and not builder.options.drafts:
            left_out[lesson.slug] = LeftOut(path, draft=True)
        else:
            lessons.append(dated(lesson, builder.git))
    progress.stage("link")
    graph = link_site(
        loaded, lessons, sources.assets, sources.folders, analysis.diagnostics, left_out, builder.store
    )
    analysis.diagnostics += stale_warnings(graph, config, builder.options.today or dt.date.today())
    analysis.graph = graph
    analysis.diagnostics += extensions.problems
    extensions.problems.clear()
    gc.freeze()  # the parsed site lives long and has no cycles: the collector need not scan it again
    return analysis


def build(builder: SiteBuilder, progress: Progress, use_cache: bool) -> BuildResult:
    """Nothing changed? -> analyse -> plan -> write (staging) -> search -> swap in -> save -> hooks.
    After edits to lesson bodies alone, without search: write the changed files (overlay) -> move them in."""
    fingerprint = _fingerprint(builder) if use_cache else None  # taken before any input is read
    quick, seen = None, None
    if fingerprint is not None:
        quick = builder.store.get(cache.Key("fingerprint"))
        seen = _output_files(fingerprint[1])
        current = (fingerprint[0], _output_stamp(fingerprint[1], seen))
        if isinstance(quick, dict) and quick.get("fingerprint") == current:
            progress.note("nothing changed")
            return BuildResult(quick["diagnostics"], fingerprint[1], quick["pages"], ok=True)
        if not builder.store.files:
            builder.store.restore(fingerprint[1], reuse_compiled)
        if isinstance(quick, dict) and quick.get("fingerprint", (None, None))[1] != current[1]:
            builder._distrust_keys()  # the output is no longer what kb wrote: write every file anew
    analysis = builder.analyse(progress)
    plan, result = builder.check(analysis)
    if plan is None or analysis.loaded is None or analysis.graph is None:
        return result
    fresh = None  # the pages to key: None for all; fewer after edits to lesson bodies alone
    same_frame = isinstance(quick, dict) and quick.get("frame") == analysis.frame
    if same_frame and plan.epoch == builder.store.render_epoch:
        fresh = body_edits.pages_to_key(analysis, plan.renderer, plan.jobs)
    analysis.edited = {}  # a cold build's holds every lesson: let it go before the pages are written
    out_dir = builder.options.out_dir or builder.options.site_dir / analysis.loaded.config.output_dir
    refused = refusal(builder.options.site_dir, out_dir, force=builder.options.force)
    if refused is not None:
        _refuse_output(result, analysis.loaded, builder.options.out_dir, refused)
        return result
    clean_leftovers(out_dir)
    staging = staging_dir(out_dir)
    # files are reused only from an output kb wrote: a forced folder's files are not kb's
    previous = out_dir if is_stamped(out_dir) else None
    # after edits to bodies alone, the same files: staging gets the changed ones, moved over the old
    # once all are written (the search index, when there is one, needs the whole site in staging)
    overlay = fresh is not None and previous is not None and not builder.options.search
    overlay = overlay and builder.store.page_keys.keys() == {job.name for job in plan.jobs}
    try:
        builder.write(plan, staging, previous, result, progress, fresh, overlay)
        if overlay:
            apply_overlay(staging, out_dir, result.changed)
            if seen is not None and fingerprint is not None and out_dir == fingerprint[1]:
                _restat(seen, out_dir, result.changed)  # the output is known: no need to look again
            else:
                seen = None
        else:
            if builder.options.search:
                progress.stage("index")
                index_site(staging)
            swap_in(staging, out_dir)
    except SearchIndexError as exc:
        result.failure = f"search index: {exc}"
        builder._distrust_keys()
        return result
    except TemplateFailure as exc:
        result.diagnostics = sorted([*result.diagnostics, exc.args[0]])
        return result
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    result.out_dir = out_dir
    result.ok = True
    result.graph = analysis.graph
    if analysis.extensions is not None and analysis.extensions.hooks:
        analysis.extensions.run("on_after_build", AfterBuild(out_dir, result.pages))
        result.diagnostics = sorted([*result.diagnostics, *analysis.extensions.problems])
        analysis.extensions.problems.clear()
    del plan  # its pages are written: what their jobs took serves the cache's save instead
    if use_cache:
        _save(builder, out_dir, result, fingerprint, analysis.frame, seen if overlay else None)
    return result


Fingerprint = tuple[str, Path, str]  # of the inputs and the options; the output folder; of the inputs alone


def _fingerprint(builder: SiteBuilder) -> Fingerprint | None:
    """A digest of every input of a build and its options, cheap to compute (file names, sizes and
    modification times, site.yml and the theme); the output folder the build goes to; and a digest of
    the inputs alone (kb serve compares it with the last build's, to serve that build at once)."""
    site_dir = builder.options.site_dir
    loaded, _ = load_config(site_dir, base_url=builder.options.base_url)
    theme = find_theme(site_dir, loaded.config.theme) if loaded else None
    if loaded is None or theme is None:
        return None
    out_dir = builder.options.out_dir or site_dir / loaded.config.output_dir
    digest = hashlib.blake2b(digest_size=16)
    head = head_commit(site_dir) if loaded.config.repo is not None else ""
    today = (builder.options.today or dt.date.today()) if loaded.config.review is not None else None
    digest.update(repr((cache.code_digest(), head, today)).encode())
    digest.update((site_dir / CONFIG_FILE).read_bytes() + theme.digest().encode())
    for path in site_files(site_dir, loaded.config):  # hooks and plugins may change any page
        try:
            stat = os.stat(path)
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
        except OSError:
            digest.update(f"{path}\0missing\n".encode())
    for folder in ("content", "static"):
        digest.update(f"{folder}\n".encode())
        for line in _stat_lines(site_dir / folder, strict=False):
            digest.update(line.encode("utf-8", "surrogateescape"))
    inputs = digest.hexdigest()
    return cache.digest(inputs, repr(builder.options)), out_dir, inputs


def _save(
    builder: SiteBuilder,
    out_dir: Path,
    result: BuildResult,
    fingerprint: Fingerprint | None,
    frame: str,
    files: dict[str, str] | None,
) -> None:
    """files: the output's files as this build left them, when it knows (else they are looked at)."""
    builder.store.save(out_dir, compiled_templates())
    if fingerprint is not None:  # of the inputs as they were before this build read them
        stamp = (fingerprint[0], _output_stamp(out_dir, _output_files(out_dir) if files is None else files))
        quick = {
            "fingerprint": stamp,
            "diagnostics": result.diagnostics,
            "pages": result.pages,
            "frame": frame,
            # what kb serve needs to know to serve this output at once: its inputs, no drafts, no --base-url
            "inputs": (fingerprint[2], builder.options.drafts, builder.options.base_url),
        }
        builder.store.put(cache.Key("fingerprint"), quick)


def _stat_lines(folder: Path, *, strict: bool) -> Iterator[str]:
    """'/path\0size\0modification time' of every file under folder (its path inside folder, so the same
    however the folder was named: `--site .` or its full path), in a fixed order (stat calls only);
    strict: an unreadable folder raises OSError."""
    top = os.fspath(folder)
    for root, dirs, names in os.walk(top, onerror=_raise if strict else None):
        dirs.sort()
        inside = root[len(top) :]
        for name in sorted(names):
            stat = os.stat(os.path.join(root, name), follow_symlinks=False)
            yield f"{inside}/{name}\0{stat.st_size}\0{stat.st_mtime_ns}\n"


def _output_files(out_dir: Path) -> dict[str, str] | None:
    """Every file of the output folder, its line by its path; None when the folder cannot be read."""
    try:
        return {line.partition("\0")[0]: line for line in _stat_lines(out_dir, strict=True)}
    except OSError:
        return None


def _restat(files: dict[str, str], out_dir: Path, names: list[str]) -> None:
    """The lines of the named files of the output, after this build replaced them."""
    for name in names:
        stat = os.stat(out_dir / name, follow_symlinks=False)
        files[f"/{name}"] = f"/{name}\0{stat.st_size}\0{stat.st_mtime_ns}\n"


def _output_stamp(out_dir: Path, files: dict[str, str] | None) -> str | None:
    """The output folder as it was when last written: its path and every file's name, size and
    modification time, so a removed, added or overwritten file shows."""
    if files is None:
        return None
    digest = hashlib.blake2b(digest_size=16)
    digest.update(str(out_dir.resolve()).encode("utf-8", "surrogateescape"))
    for line in files.values():
        digest.update(line.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _raise(error: OSError) -> None:
    raise error


def _refuse_output(result: BuildResult, loaded: LoadedConfig, out: Path | None, reason: str) -> None:
    """--out: the build fails with the reason; output_dir: an error at its place in site.yml."""
    if out is not None:
        result.failure = f"--out {out} {reason}"
        return
    at = loaded.document.value_at(("output_dir",))
    message = f"'output_dir': {loaded.config.output_dir} {reason}"
    result.diagnostics = sorted(
        [*result.diagnostics, error(CONFIG_FILE, at.line, at.col, "unsafe-path", message)]
    )
