"""Writing planned pages: each job keyed, then rendered or kept from the previous output, in forked
workers when there is enough to do. A job made from other files of the output (Assembled: llms-full.txt from
the lessons' Markdown copies) is written last, once they are all in place."""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar, cast

from builder.output import replace_file, safe_name, write_stream
from builder.render import PageJob, SiteRenderer


class Assembled(Protocol):
    """A job's produce that can read the files written before it into the output folder."""

    def pieces(self, folders: Sequence[str]) -> Iterator[bytes]: ...


def _assembled(job: PageJob) -> Assembled | None:
    return cast(Assembled, job.produce) if hasattr(job.produce, "pieces") else None


@dataclass(frozen=True, slots=True)
class Work:
    jobs: list[PageJob]
    renderer: SiteRenderer
    target: Path
    previous: Path | None
    old_keys: dict[str, tuple[object, int]]
    old_jobs: dict[str, PageJob] | None = None  # the jobs last written (kb serve keeps them in memory)
    fresh: set[str] | None = None  # the only pages whose inputs may have changed (None: any may have)
    overlay: bool = False  # target gets the changed files alone, the others stay in previous
    folders: set[str] = field(default_factory=set)  # the folders of target made so far (in this process)


@dataclass(frozen=True, slots=True)
class Outcome:
    name: str
    key: object
    size: int
    rendered: bool
    changed: bool
    keyed: bool = True


def _do(work: Work, start: int, stop: int, last: bool = False) -> list[Outcome]:
    """Key, and render or keep, the jobs work.jobs[start:stop]: the assembled ones when last, else the
    others."""
    outcomes = []
    target = str(work.target)
    previous = None if work.previous is None else str(work.previous)
    templates = work.renderer.templates
    for job in work.jobs[start:stop]:
        assembled = _assembled(job)
        if (assembled is not None) != last:
            continue
        destination = os.path.join(target, safe_name(job.name))
        old = work.old_keys.get(job.name)
        settled = work.fresh is not None and job.name not in work.fresh and job.data is None
        if (
            settled
            and old is not None
            and old[0] is not None
            and _kept(work, job.name, old, previous, destination)
        ):
            outcomes.append(Outcome(job.name, old[0], old[1], False, False, keyed=False))  # inputs unchanged
            continue
        job = job.made()  # a lesson page's context is made here, in the worker, and dropped after
        known = work.old_jobs.get(job.name) if work.old_jobs is not None else None
        same = known is not None and old is not None and known.same_as(job)
        key = old[0] if same and old is not None else job.key(templates)  # equal inputs, equal key
        if old is not None and old[0] == key and _kept(work, job.name, old, previous, destination):
            outcomes.append(Outcome(job.name, key, old[1], False, False))
            continue
        if assembled is not None:  # written as it is made: never held whole (llms-full.txt)
            folders = (target, previous) if work.overlay and previous is not None else (target,)
            size, changed = write_stream(Path(destination), assembled.pieces(folders), previous == target)
            outcomes.append(Outcome(job.name, key, size, True, changed))
            continue
        data = work.renderer.render(job)
        if previous == target:  # a folder being updated in place: replace atomically, only if different
            changed = replace_file(Path(destination), data)
        else:  # a fresh staging folder: nothing to compare with or to replace
            _make_folder(destination, work.folders)
            with open(destination, "wb") as handle:
                handle.write(data)
            changed = True
        outcomes.append(Outcome(job.name, key, len(data), True, changed))
    return outcomes


def _kept(work: Work, name: str, old: tuple[object, int], previous: str | None, destination: str) -> bool:
    """Take the file last written for name from the previous output (hard-linked into a new folder,
    left alone in the same one or under an overlay); False when it is not there as it was written."""
    if previous is None:
        return False
    kept = os.path.join(previous, name)
    if not _has_size(kept, old[1]):  # the same file, untouched since it was written
        return False
    if kept != destination and not work.overlay:
        _make_folder(destination, work.folders)
        os.link(kept, destination)
    return True


def _has_size(path: str, size: int) -> bool:
    try:
        return os.stat(path).st_size == size
    except OSError:
        return False


def _make_folder(destination: str, made: set[str]) -> None:
    """Make the folder a file is about to be written to in a fresh output, unless this process did."""
    folder = os.path.dirname(destination)
    if folder in made:
        return
    try:
        os.mkdir(folder)  # its parent is almost always there already: one call, no exception
    except FileExistsError:
        pass
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)
    made.add(folder)


_FORKED: Work | None = None  # the work a forked worker inherited from its parent


def _do_forked(bounds: tuple[int, int]) -> list[Outcome]:
    assert _FORKED is not None
    return _do(_FORKED, *bounds)


def quiet_worker() -> None:
    """In a worker, leave Ctrl+C and termination to the parent: it stops the pool and cleans up. The
    worker collects cycles as usual, even if the parent had paused its collector when forking it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    gc.enable()


def workers(jobs: int, tasks: int, minimum: int) -> int:
    """How many forked workers to use: 1 (no pool) for small work, where forking is unavailable, or in
    a threaded process such as kb serve's, where forking is unsafe."""
    if tasks < minimum or threading.active_count() > 1 or "fork" not in mp.get_all_start_methods():
        return 1
    return max(1, min(jobs, os.cpu_count() or 1))


T = TypeVar("T")


def nothing(count: int) -> None:
    return None


def counted(results: Iterable[T], advance: Callable[[int], None]) -> Iterator[T]:
    """The results, calling advance(1) as each arrives."""
    for result in results:
        advance(1)
        yield result


def write_jobs(work: Work, jobs: int, advance: Callable[[int], None] = nothing) -> list[Outcome]:
    """Run the work in forked workers when it is big enough; they inherit the graph and the templates
    instead of receiving them pickled. advance(n) as n more jobs are done."""
    global _FORKED
    total = len(work.jobs)
    # an overlay's unchanged files are only looked at (one stat each): what is worth a worker is the keyed
    count = workers(jobs, len(work.fresh) if work.overlay and work.fresh is not None else total, 400)
    size = max(50, total // (count * 6)) if count > 1 else 100
    chunks = [(start, min(start + size, total)) for start in range(0, total, size)]
    outcomes: list[Outcome] = []
    if count <= 1:
        for start, stop in chunks:
            part = _do(work, start, stop)
            outcomes += part
            advance(len(part))
    else:
        _FORKED = work
        try:
            with mp.get_context("fork").Pool(count, initializer=quiet_worker) as pool:
                for part in pool.imap(_do_forked, chunks):  # in order
                    outcomes += part
                    advance(len(part))
        finally:
            _FORKED = None
    last = _do(work, 0, total, last=True)
    if not last:
        return outcomes
    advance(len(last))
    order = {job.name: index for index, job in enumerate(work.jobs)}
    return sorted([*outcomes, *last], key=lambda outcome: order[outcome.name])
