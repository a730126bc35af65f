"""Build progress: a single updating line on a terminal, plain lines otherwise; NO_COLOR respected."""

from __future__ import annotations

import os
from typing import TextIO


class Reporter:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.live = stream.isatty() and os.environ.get("TERM") != "dumb"
        self.color = self.live and "NO_COLOR" not in os.environ
        self.shown = False

    def stage(self, message: str) -> None:
        if self.live:
            text = f"\x1b[2m{message}…\x1b[0m" if self.color else f"{message}…"
            self.stream.write(f"\r\x1b[2K{text}")
            self.shown = True
        else:
            self.stream.write(f"kb: {message}\n")
        self.stream.flush()

    def done(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
