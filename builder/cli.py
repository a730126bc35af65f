"""`kb`: build, check, serve and scaffold a knowledge base.

Exit status: 0 ok, 1 site errors, 2 usage, 3 internal error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from builder.cli_args import arguments_parser, usage_problem
from builder.diagnostics import Diagnostic, format_github, format_json, format_text, has_errors, summary

if TYPE_CHECKING:
    from builder.build import BuildOptions, BuildResult

EXIT_OK, EXIT_SITE_ERRORS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def main(argv: Sequence[str] | None = None) -> int:
    parser = arguments_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_USAGE if exc.code not in (0, None) else EXIT_OK
    usage = usage_problem(args)
    if usage:
        print(f"kb: {usage}", file=sys.stderr)
        return EXIT_USAGE
    if hasattr(args, "site") and not (args.site / "site.yml").is_file():
        print(f"kb: no site.yml in {args.site.resolve()} (use --site DIR)", file=sys.stderr)
        return EXIT_USAGE
    try:
        return _run(args)
    except KeyboardInterrupt:
        print("kb: interrupted", file=sys.stderr)
        return 130
    except Exception:
        if args.debug:
            traceback.print_exc()
        else:
            kind = sys.exc_info()[0]
            name = kind.__name__ if kind else "error"
            print(
                f"kb: internal error ({name}). This is a bug in kb, not in your site: please report it,"
                " with the output of the same command run with --debug.",
                file=sys.stderr,
            )
        return EXIT_INTERNAL


def _run(args: argparse.Namespace) -> int:
    # A build allocates millions of short-lived objects and few cycles: collecting less often saves about a
    # quarter of the parse time. Forked workers inherit the setting.
    gc.set_threshold(50_000, 20, 100)
    if args.command == "build":
        return _build(args)
    if args.command == "check":
        return _check(args)
    if args.command == "diff":
        return _diff(args)
    if args.command == "review":
        return _review(args)
    if args.command == "new":
        from builder.scaffold import new_lesson

        return new_lesson(args.site, args.title, args.topic, args.skill, args.level, args.dir)
    from builder.serve import serve

    return serve(
        args.site,
        args.host,
        args.port,
        drafts=args.drafts,
        open_browser=args.open,
        search=not args.no_search,
        quiet=args.quiet,
    )


def _build(args: argparse.Namespace) -> int:
    from builder.build import BuildOptions, build
    from builder.progress import Reporter

    if args.manifest is not None and _inside_sources(args.manifest, args.site):
        print(
            f"kb: --manifest {args.manifest} lies among the site's sources; write it elsewhere",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.jobs < 0:
        print("kb: --jobs must be 0 (all cores) or more", file=sys.stderr)
        return EXIT_USAGE
    if args.out is not None:
        from builder.output import refusal

        refused = refusal(args.site, args.out, force=args.force)
        if refused is not None:
            print(f"kb: --out {args.out} {refused}", file=sys.stderr)
            return EXIT_USAGE
    started = time.perf_counter()
    options = BuildOptions(
        site_dir=args.site,
        out_dir=args.out,
        drafts=args.drafts,
        jobs=args.jobs or os.cpu_count() or 1,
        search=not args.no_search,
        strict=args.strict,
        base_url=args.base_url,
        force=args.force,
        today=args.today,
    )
    with Reporter(sys.stderr, quiet=args.quiet) as reporter:
        result = build(options, reporter)
    _report(result.diagnostics, "text")
    if not result.ok:
        reason = result.failure or summary(result.diagnostics)
        print(f"kb: build failed ({reason}); the previous output is untouched", file=sys.stderr)
        return EXIT_SITE_ERRORS
    if args.manifest is not None:
        _write_manifest(args.manifest, options, result)
    seconds = time.perf_counter() - started
    counts = summary(result.diagnostics)
    print(f"kb: built {result.pages} files into {result.out_dir} in {seconds:.2f}s ({counts})")
    return EXIT_OK


def _write_manifest(target: Path, options: BuildOptions, result: BuildResult) -> None:
    from builder.build import analyse
    from builder.manifest import make_manifest, write_manifest

    graph = result.graph or analyse(options).graph  # a build that found nothing changed read nothing
    assert graph is not None and result.out_dir is not None  # the build succeeded
    write_manifest(target, make_manifest(result.out_dir, graph, result.diagnostics))


def _diff(args: argparse.Namespace) -> int:
    from builder import diff
    from builder.manifest import ManifestError, read_manifest

    try:
        report = diff.diff_manifests(read_manifest(args.base), read_manifest(args.head))
    except ManifestError as exc:
        print(f"kb: {exc}", file=sys.stderr)
        return EXIT_USAGE
    formats = {"text": diff.format_text, "markdown": diff.format_markdown, "json": diff.format_json}
    sys.stdout.write(formats[args.format](report))
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from builder.build import BuildOptions, check_site_analysis
    from builder.progress import Reporter

    options = BuildOptions(site_dir=args.site, drafts=args.drafts, strict=args.strict, today=args.today)
    with Reporter(sys.stderr, quiet=args.quiet) as reporter:
        diagnostics, analysis = check_site_analysis(options, reporter)
    if args.external and analysis.loaded is not None and analysis.graph is not None:
        from builder.linkcheck import CheckOptions, check_external

        links = analysis.loaded.config.links
        found, counts = check_external(
            args.site, analysis.graph, CheckOptions(links.external_max_age_days, tuple(links.skip))
        )
        diagnostics = sorted(diagnostics + found)
        print(  # a summary of its own, kept under --quiet
            f"kb: {counts['links']} external links: {counts['checked']} checked, {counts['cached']} from"
            f" the cache, {counts['skipped']} skipped",
            file=sys.stderr,
        )
    _report(diagnostics, args.format, args.site)
    if args.format == "text":
        print(f"kb: {summary(diagnostics)}", file=sys.stderr)
    return EXIT_SITE_ERRORS if has_errors(diagnostics, strict=args.strict) else EXIT_OK


def _review(args: argparse.Namespace) -> int:
    """The review queue; a site with errors is reported as by kb check, and nothing is listed."""
    from builder.build import BuildOptions, analyse
    from builder.review import FORMATS, review_queue

    today = args.today or dt.date.today()
    analysis = analyse(BuildOptions(site_dir=args.site, today=today))
    if analysis.loaded is None or analysis.graph is None or has_errors(analysis.diagnostics, strict=False):
        _report(sorted(analysis.diagnostics), "text", args.site)
        print(f"kb: {summary(analysis.diagnostics)}: fix them to see the review queue", file=sys.stderr)
        return EXIT_SITE_ERRORS
    prefix = _repository_prefix(args.site) if analysis.loaded.config.repo is not None else ""
    queue = review_queue(analysis.graph, analysis.loaded.config, today, prefix)
    sys.stdout.write(FORMATS[args.format](queue))
    return EXIT_OK


def _repository_prefix(site: Path) -> str:
    """The site folder relative to the repository root: GitHub's workspace when set, else git's top."""
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if workspace:
        resolved, root = site.resolve(), Path(workspace).resolve()
        if resolved == root or root in resolved.parents:
            relative = resolved.relative_to(root).as_posix()
            return "" if relative == "." else relative + "/"
    from builder.gitinfo import repo_prefix

    return repo_prefix(site)


def _inside_sources(path: Path, site: Path) -> bool:
    target = path.resolve()
    roots = [site.resolve() / name for name in ("content", "static", "themes", "site.yml")]
    return any(target == root or root in target.parents for root in roots)


def _report(diagnostics: list[Diagnostic], style: str, site: Path = Path(".")) -> None:
    if style == "json":
        sys.stdout.write(format_json(diagnostics))
    elif style == "github":
        sys.stdout.write(format_github(diagnostics, _repository_prefix(site)))
    elif diagnostics:
        sys.stdout.write(format_text(diagnostics))
