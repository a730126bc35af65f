"""Build progress: on a terminal a rich bar per stage with its count and elapsed time; in CI, when piped or
on a dumb terminal one plain line as each stage ends ("kb: parse 120 lessons… 0.4 s"); nothing when quiet.
NO_COLOR is respected (by rich)."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, TextIO

from builder.options import Progress

if TYPE_CHECKING:  # rich is imported only to draw bars (a tenth of a second kb check need not spend)
    from rich.progress import Progress as Bars
    from rich.progress import TaskID

REFRESH = 0.1  # seconds between redraws of the bars


def is_live(stream: TextIO) -> bool:
    """Bars only on an interactive terminal: not piped, not TERM=dumb, not in CI."""
    ci = os.environ.get("CI", "").lower() not in ("", "0", "false")
    return stream.isatty() and os.environ.get("TERM") != "dumb" and not ci


@dataclass(slots=True)
class Stage:
    name: str
    total: int | None
    unit: str
    started: float
    done: int = 0
    seconds: float = 0.0

    @property
    def label(self) -> str:
        if not self.unit:
            return self.name
        count = str(self.done) if self.done == self.total else f"{self.done} of {self.total}"
        unit = self.unit[:-1] if self.done == 1 and self.unit.endswith("s") else self.unit
        return f"{self.name} {count} {unit}"


class Reporter(Progress):
    """Shows a build's stages on stream. live: bars (None: when stream is an interactive terminal).
    A context manager: the last stage ends, and the terminal is restored, on leaving it."""

    def __init__(self, stream: TextIO, *, quiet: bool = False, live: bool | None = None) -> None:
        self.stream = stream
        self.quiet = quiet
        self.live = is_live(stream) if live is None else live
        self.stages: list[Stage] = []  # those ended, in order
        self._current: Stage | None = None
        self._bars: Bars | None = None
        self._task: TaskID | None = None
        self._drawn = 0.0

    def __enter__(self) -> Reporter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.done()

    def stage(self, name: str, total: int | None = None, unit: str = "") -> None:
        self._end()
        self._current = Stage(name, total, unit if total is not None else "", time.perf_counter())
        if self.live and not self.quiet:
            bars = self._start_bars()
            self._task = bars.add_task(name, total=total, unit=self._current.unit)
            self._draw(force=True)

    def advance(self, count: int = 1) -> None:
        if self._current is None:
            return
        self._current.done += count
        if self._bars is not None and self._task is not None:
            self._bars.advance(self._task, count)
            self._draw()

    def note(self, message: str) -> None:
        if self.quiet:
            return
        if self._bars is not None:
            self._bars.console.print(f"kb: {message}", markup=False, highlight=False)
        else:
            self.stream.write(f"kb: {message}\n")
            self.stream.flush()

    def done(self) -> None:
        """The last stage ends; the bars stay on screen, the cursor comes back."""
        self._end()
        if self._bars is not None:
            self._bars.stop()
            self._bars = None

    def _end(self) -> None:
        stage, self._current = self._current, None
        if stage is None:
            return
        stage.seconds = time.perf_counter() - stage.started
        self.stages.append(stage)
        if self.quiet:
            return
        if self._bars is not None and self._task is not None:
            if stage.total is None:  # a single step: its bar shows it done
                self._bars.update(self._task, total=1, completed=1)
            self._bars.stop_task(self._task)
            self._draw(force=True)
        else:
            self.stream.write(f"kb: {stage.label}… {stage.seconds:.1f} s\n")
            self.stream.flush()

    def _start_bars(self) -> Bars:
        if self._bars is None:
            from builder.progress_bars import start_bars

            self._bars = start_bars(self.stream)
        return self._bars

    def _draw(self, *, force: bool = False) -> None:
        now = time.perf_counter()
        if self._bars is not None and (force or now - self._drawn >= REFRESH):
            self._bars.refresh()
            self._drawn = now
