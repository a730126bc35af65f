"""The bars builder.progress draws on an interactive terminal (rich), imported only when they are drawn."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, ProgressColumn, Task, TextColumn, TimeElapsedColumn
from rich.progress import Progress as Bars
from rich.text import Text


class _Count(ProgressColumn):
    def render(self, task: Task) -> Text:
        unit = task.fields.get("unit", "")
        return Text(f"{task.completed:.0f}/{task.total:.0f} {unit}" if unit and task.total else "")


def start_bars(stream: TextIO) -> Bars:
    """Bars on stream, started. No refresh thread: the build forks workers, which kb does only in a
    single-threaded process."""
    bars = Bars(
        TextColumn("{task.description:<6}"),
        BarColumn(),
        _Count(),
        TimeElapsedColumn(),
        console=Console(file=stream, force_terminal=True),
        auto_refresh=False,
    )
    bars.start()
    return bars
