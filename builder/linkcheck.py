"""`kb check --external`: every http(s) link in the lessons, checked politely, never in a normal build.

HEAD first, GET where a server refuses HEAD (405, 403); redirects followed by hand so a permanent one is
reported with where it leads; at most two requests at a time to one host, with a pause between them;
429 and 503 retried with backoff, honouring Retry-After. Results are kept in the cache folder for
`links.external_max_age_days`, so a second run asks only about new or expired links. Findings are warnings
(`dead-link`, `moved-link`) at the link's file:line, errors under --strict.
"""

from __future__ import annotations

import asyncio
import fnmatch
import json
import time
from collections import defaultdict
from collections.abc import Coroutine, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Literal
from urllib.parse import urljoin, urlsplit

import httpx

from builder.cache import CACHE_DIR
from builder.diagnostics import Diagnostic, warning
from builder.frontmatter import lesson_body
from builder.graph import SiteGraph
from builder.markdown import external_links
from builder.sealed import cache_folder

RESULTS_FILE = "external-links.json"
USER_AGENT = "Mozilla/5.0 (compatible; kb-linkcheck/1.0; checks links cited in a knowledge base)"
PERMANENT = {301, 308}
RETRY_LATER = {429, 503}
REFUSED_HEAD = {403, 405, 501}
Status = Literal["ok", "dead", "moved", "error"]


@dataclass(frozen=True, slots=True)
class LinkUse:
    url: str
    path: str
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Outcome:
    status: Status
    code: int  # the last HTTP status, 0 when none came back
    location: str  # for "moved": where the permanent redirect leads
    note: str
    checked_at: float  # seconds since the epoch

    def diagnostic(self, use: LinkUse) -> Diagnostic | None:
        if self.status == "ok":
            return None
        if self.status == "moved":
            message = f"{use.url} has moved permanently to {self.location}: link to the new address"
            return warning(use.path, use.line, use.col, "moved-link", message)
        return warning(use.path, use.line, use.col, "dead-link", f"{use.url}: {self.note}")


@dataclass(frozen=True, slots=True)
class CheckOptions:
    max_age_days: float = 7
    skip: tuple[str, ...] = ()
    per_host: int = 2
    delay: float = 0.5  # seconds between two requests to one host
    timeout: float = 10.0
    retries: int = 3
    max_wait: float = 60.0  # the longest Retry-After honoured; longer ones count as a failure


def link_uses(site_dir: Path, graph: SiteGraph) -> list[LinkUse]:
    """Every external http(s) link of the published lessons, where it is written."""
    uses = []
    for lesson in graph.lessons.values():
        path = lesson.source.path
        found = lesson_body(path, (site_dir / path).read_bytes())
        if found is None:
            continue
        body, first_line = found
        for url, line, col in external_links(body, first_line=first_line):
            if urlsplit(url).scheme in {"http", "https"}:
                uses.append(LinkUse(url, path, line, col))
    return sorted(uses, key=lambda u: (u.path, u.line, u.col))


def skipped(url: str, patterns: Iterable[str]) -> bool:
    """A pattern with '/' or '*' matches whole URLs (shell wildcards); any other names a host and its
    subdomains."""
    host = (urlsplit(url).hostname or "").lower()
    for pattern in patterns:
        if "/" in pattern or "*" in pattern:
            if fnmatch.fnmatchcase(url, pattern):
                return True
        elif host == pattern.lower() or host.endswith("." + pattern.lower()):
            return True
    return False


def check_external(
    site_dir: Path, graph: SiteGraph, options: CheckOptions, *, now: float | None = None
) -> tuple[list[Diagnostic], dict[str, int]]:
    """Diagnostics for the external links, and counts of how each was answered (cached, checked, skipped)."""
    now = time.time() if now is None else now
    uses = link_uses(site_dir, graph)
    cached = _load(site_dir)
    fresh = {
        url: outcome
        for url, outcome in cached.items()
        if now - outcome.checked_at < options.max_age_days * 86_400 and outcome.status != "error"
    }
    wanted = sorted({u.url for u in uses if not skipped(u.url, options.skip)})
    todo = [url for url in wanted if url not in fresh]
    results = _run(_check_all(todo, options)) if todo else {}
    known = {**fresh, **results}
    _save(site_dir, {url: known[url] for url in wanted})
    diagnostics = [d for u in uses if u.url in known and (d := known[u.url].diagnostic(u)) is not None]
    counts = {"links": len(uses), "checked": len(todo), "cached": len(wanted) - len(todo)}
    counts["skipped"] = len({u.url for u in uses}) - len(wanted)
    return diagnostics, counts


def _run(work: Coroutine[object, object, dict[str, Outcome]]) -> dict[str, Outcome]:
    """Run the checks on an event loop of their own, in a thread of their own: the caller's thread may
    already run a loop (kb serve, a test that drives a browser), where asyncio.run would refuse."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work).result()


async def _check_all(urls: Sequence[str], options: CheckOptions) -> dict[str, Outcome]:
    gates: dict[str, _HostGate] = defaultdict(lambda: _HostGate(options))
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=16)
    headers = {"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    async with httpx.AsyncClient(
        headers=headers, timeout=options.timeout, limits=limits, follow_redirects=False
    ) as client:
        outcomes = await asyncio.gather(*(_check(client, url, gates, options) for url in urls))
    return dict(zip(urls, outcomes, strict=True))


class _HostGate:
    """At most per_host requests in flight to one host, and a pause between the starts of two."""

    def __init__(self, options: CheckOptions) -> None:
        self.slots = asyncio.Semaphore(options.per_host)
        self.delay = options.delay
        self.next_start = 0.0
        self.lock = asyncio.Lock()

    async def request(self, client: httpx.AsyncClient, method: str, url: str) -> httpx.Response:
        async with self.slots:
            async with self.lock:
                wait = self.next_start - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                self.next_start = time.monotonic() + self.delay
            request = client.build_request(method, url)
            response = await client.send(request, stream=True)  # the status is enough: no body is read
            await response.aclose()
            return response


async def _check(
    client: httpx.AsyncClient, url: str, gates: dict[str, _HostGate], options: CheckOptions
) -> Outcome:
    moved_to = ""
    current = url
    for _hop in range(10):
        response = await _ask(client, current, gates, options)
        if isinstance(response, Outcome):
            return response
        code = response.status_code
        if 300 <= code < 400 and "location" in response.headers:
            following = urljoin(current, response.headers["location"])
            if code in PERMANENT and not moved_to and current == url:
                moved_to = following
            current = following
            continue
        if code < 400:
            if moved_to:
                return Outcome("moved", code, current, f"moved permanently to {current}", time.time())
            return Outcome("ok", code, "", "", time.time())
        return Outcome("dead", code, "", f"the server answered {code} {_reason(code)}", time.time())
    return Outcome("dead", 0, "", "more than 10 redirects", time.time())


async def _ask(
    client: httpx.AsyncClient, url: str, gates: dict[str, _HostGate], options: CheckOptions
) -> httpx.Response | Outcome:
    """One URL's answer: HEAD, GET where HEAD is refused, retried on 429/503 and on failed connections."""
    gate = gates[urlsplit(url).netloc.lower()]
    method = "HEAD"
    problem = ""
    tries = 0
    while tries <= options.retries:
        try:
            response = await gate.request(client, method, url)
        except httpx.TimeoutException:
            problem, wait = f"no answer within {options.timeout:g} s", _backoff(tries)
        except httpx.HTTPError as exc:
            problem, wait = f"the connection failed ({type(exc).__name__})", _backoff(tries)
        else:
            if method == "HEAD" and response.status_code in REFUSED_HEAD:
                method = "GET"  # many servers refuse HEAD, or refuse it to robots: not a try
                continue
            if response.status_code not in RETRY_LATER:
                return response
            wait = _retry_after(response, tries)
            if wait > options.max_wait:
                return Outcome("error", response.status_code, "", f"asked to wait {wait:g} s", time.time())
            problem = f"the server answered {response.status_code} {_reason(response.status_code)}"
        tries += 1
        if tries <= options.retries:
            await asyncio.sleep(min(wait, options.max_wait))
    return Outcome("error", 0, "", f"{problem} ({tries} tries)", time.time())


def _backoff(tries: int) -> float:
    return 0.5 * 2.0**tries


def _retry_after(response: httpx.Response, attempt: int) -> float:
    """Seconds to wait: the server's Retry-After (seconds or an HTTP date), else exponential backoff."""
    value = response.headers.get("retry-after", "").strip()
    if value.isdigit():
        return float(value)
    if value:
        try:
            return max(0.0, float(parsedate_to_datetime(value).timestamp()) - time.time())
        except (TypeError, ValueError):
            pass
    return _backoff(attempt)


def _reason(code: int) -> str:
    try:
        from http import HTTPStatus

        return HTTPStatus(code).phrase
    except ValueError:
        return ""


def _load(site_dir: Path) -> dict[str, Outcome]:
    """The cached results: plain JSON, read as data (a damaged file only means checking again)."""
    if (site_dir / CACHE_DIR).is_symlink():
        return {}  # never a cache read from outside the site
    try:
        raw = json.loads((site_dir / CACHE_DIR / RESULTS_FILE).read_text(encoding="utf-8"))
        return {url: Outcome(**fields) for url, fields in raw.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def _save(site_dir: Path, results: dict[str, Outcome]) -> None:
    """Keep the results for the next check; a cache that cannot be written only means checking again."""
    try:
        folder = cache_folder(site_dir)
        partial = folder / f".{RESULTS_FILE}.partial"
        text = json.dumps({u: asdict(o) for u, o in sorted(results.items())}, indent=1)
        partial.write_text(text, "utf-8")
        partial.replace(folder / RESULTS_FILE)
    except OSError:
        return
