"""kb's command line: its subcommands and options, and the checks argparse cannot make by type alone."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from urllib.parse import urlsplit

from builder import __version__


def arguments_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kb", description="Build a knowledge base of engineering lessons.")
    parser.add_argument("--version", action="version", version=f"kb {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def site_option(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--site", type=Path, default=Path("."), metavar="DIR", help="the site folder (default: .)"
        )

    build = commands.add_parser("build", help="build the site into its output folder")
    site_option(build)
    build.add_argument(
        "--out", type=Path, metavar="DIR", help="output folder (default: output_dir of site.yml)"
    )
    build.add_argument("--drafts", action="store_true", help="include draft lessons")
    build.add_argument(
        "--jobs", type=int, default=0, metavar="N", help="worker processes (default: number of cores)"
    )
    build.add_argument("--no-search", action="store_true", help="skip the Pagefind search index")
    build.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build.add_argument("--base-url", metavar="URL", help="override base_url of site.yml")
    build.add_argument(
        "--force",
        action="store_true",
        help="replace an existing output folder kb did not write (never the site or its sources)",
    )
    build.add_argument(
        "--manifest", type=Path, metavar="FILE", help="also write what was published, for kb diff"
    )

    check = commands.add_parser("check", help="report every diagnostic of a build, writing nothing")
    site_option(check)
    check.add_argument("--format", choices=("text", "github", "json"), default="text")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check.add_argument("--drafts", action="store_true", help="check draft lessons as if published")
    check.add_argument(
        "--external", action="store_true", help="also check every http(s) link in the lessons (slow)"
    )
    for command in (build, check):
        command.add_argument(
            "--today", type=_day, metavar="YYYY-MM-DD", help="the date review warnings count from"
        )

    review = commands.add_parser("review", help="lessons due for review, grouped by owner")
    site_option(review)
    review.add_argument(
        "--today", type=_day, metavar="YYYY-MM-DD", help="the date reviews count from (default: today)"
    )
    review.add_argument("--format", choices=("text", "json", "markdown"), default="text")

    serve = commands.add_parser("serve", help="live preview with rebuilds and browser reload")
    site_option(serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--drafts", action="store_true")
    serve.add_argument("--open", action="store_true", help="open the browser")
    serve.add_argument("--no-search", action="store_true", help="do not keep a search index up to date")
    for command in (build, check, serve):
        command.add_argument(
            "--quiet", action="store_true", help="no progress: print only diagnostics and the summary"
        )

    diff = commands.add_parser("diff", help="what changed between two build manifests")
    diff.add_argument("base", type=Path, metavar="BASE", help="manifest of the base build")
    diff.add_argument("head", type=Path, metavar="HEAD", help="manifest of the new build")
    diff.add_argument("--format", choices=("text", "markdown", "json"), default="text")

    new = commands.add_parser("new", help="write a new lesson that passes kb check")
    new.add_argument("title")
    site_option(new)
    new.add_argument("--topic", action="append", default=[], metavar="ID", required=True)
    new.add_argument("--skill", action="append", default=[], metavar="ID")
    new.add_argument("--level", choices=("beginner", "intermediate", "advanced"))
    new.add_argument("--dir", default="", metavar="SUBDIR", help="folder under content/ (default: content/)")
    return parser


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date as YYYY-MM-DD") from None


def usage_problem(args: argparse.Namespace) -> str:
    """What is wrong with options argparse accepts by type alone; "" when nothing is."""
    port = getattr(args, "port", None)
    if port is not None and not 0 <= port <= 65535:
        return f"--port {port} is not a port number: use 1 to 65535 (or 0 for any free port)"
    base_url = getattr(args, "base_url", None)
    if base_url is not None:
        parts = urlsplit(base_url)
        if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query or parts.fragment:
            return f"--base-url {base_url!r} must be an absolute http(s) URL such as https://example.org/kb/"
    return ""
