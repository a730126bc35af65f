"""What a build is asked to do and what it found: options, the analysis of a site, the result."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from builder.config import LoadedConfig
from builder.diagnostics import Diagnostic, Diagnostics
from builder.extensions import Extensions
from builder.graph import SiteGraph
from builder.theme import Theme

if TYPE_CHECKING:
    from builder.parse import ParsedFile


class Progress:
    """What a build tells as it goes: its stages, each with how much of its work is done. This one tells
    nothing; builder.progress.Reporter shows bars on a terminal and a line per stage elsewhere."""

    def stage(self, name: str, total: int | None = None, unit: str = "") -> None:
        """A stage begins (the one before ends): total units of work, or a single step when None."""

    def advance(self, count: int = 1) -> None:
        """count more units of the current stage are done."""

    def note(self, message: str) -> None:
        """Something to say between stages."""


_quiet = Progress()


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
    force: bool = False  # replace an existing output folder kb did not write (never a source)
    today: dt.date | None = None  # what review dates count from; None: the real date


@dataclass(slots=True)
class Analysis:
    """Everything known about a site before rendering."""

    loaded: LoadedConfig | None = None
    theme: Theme | None = None
    graph: SiteGraph | None = None
    extensions: Extensions | None = None
    diagnostics: Diagnostics = field(default_factory=Diagnostics)  # every stage of analyse reports here
    frame: str = ""  # what pages depend on besides lessons and the plan's epoch (body_edits.frame)
    # the lesson files whose bytes changed since the cache last saw them: (then, now) by path
    edited: dict[str, tuple[ParsedFile | None, ParsedFile]] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return self.loaded is not None and self.theme is not None and self.graph is not None


@dataclass(slots=True)
class BuildResult:
    diagnostics: list[Diagnostic]
    out_dir: Path | None = None
    pages: int = 0  # output files in the build
    rendered: int = 0  # of which rendered or copied anew (the rest were unchanged)
    keyed: int = 0  # of which keyed (the others' inputs were known to be unchanged: builder/body_edits.py)
    changed: list[str] = field(default_factory=list)  # output files whose bytes changed or were removed
    ok: bool = False
    failure: str = ""  # why the build stopped when the site itself had no errors (search indexing)
    graph: SiteGraph | None = None  # what was published; None when nothing changed and nothing was read
