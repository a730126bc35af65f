"""Site extensions: Markdown plugins (`markdown.plugins: ["module:function"]`) and hook files
(`hooks: [file.py]`) with typed events. They are code the site owner chose to run, like MkDocs plugins.

A failure while loading or running one is a Diagnostic naming the extension and the line it failed at
(in the hook or plugin file when the traceback reaches it, else in site.yml), never a traceback.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from markdown_it import MarkdownIt

from builder import cache
from builder.config import CONFIG_FILE, LoadedConfig, SiteConfig
from builder.diagnostics import Diagnostic, Diagnostics, did_you_mean, error

CODE = "extension-error"
Plugin = Callable[[MarkdownIt], None]


@dataclass(frozen=True, slots=True)
class ConfigLoaded:
    """After site.yml is validated: read it (it is immutable)."""

    config: SiteConfig
    site_dir: Path


@dataclass(frozen=True, slots=True)
class ExtraPage:
    """A page a hook adds: rendered with one of the theme's templates, listed in the sitemap if lastmod."""

    path: str  # site-relative URL path: "glossary/" or "data.json"
    template: str
    title: str
    description: str = ""
    context: dict[str, Any] = field(default_factory=dict)
    lastmod: str | None = None


@dataclass(frozen=True, slots=True)
class GraphBuilt:
    """After every lesson is parsed and linked; a hook returns ExtraPages to add (or None)."""

    config: SiteConfig
    graph: Any  # builder.graph.SiteGraph: read it, do not change it


@dataclass(frozen=True, slots=True)
class PageContext:
    """Before a page is keyed and rendered; a hook returns a new context (or None to keep it)."""

    path: str  # the page's site-relative URL path
    template: str
    context: dict[str, Any]


@dataclass(frozen=True, slots=True)
class AfterBuild:
    """After a successful build has been swapped into place."""

    out_dir: Path
    pages: int


EVENTS = {
    "on_config_loaded": ConfigLoaded,
    "on_graph_built": GraphBuilt,
    "on_page_context": PageContext,
    "on_after_build": AfterBuild,
}


class ExtensionFailure(Exception):
    """args[0]: the Diagnostic."""


@dataclass(frozen=True, slots=True)
class Hook:
    name: str  # as written in site.yml
    file: Path
    module: ModuleType


@dataclass(slots=True)
class Extensions:
    site_dir: Path
    plugins: tuple[tuple[str, Plugin], ...] = ()
    hooks: tuple[Hook, ...] = ()
    files: tuple[Path, ...] = ()  # every file the extensions were loaded from, for the cache epoch
    problems: list[Diagnostic] = field(default_factory=list)  # failures while running them

    def digest(self) -> str:
        """Part of every cache epoch: extensions change what pages hold."""
        named = [(str(path), path) for path in sorted(set(self.files))]
        return cache.digest([name for name, _ in self.plugins], cache.files_digest(named))

    def run(self, name: str, event: object) -> list[Any]:
        """Call every hook's handler for this event; a failure becomes a Diagnostic in problems."""
        answers = []
        for hook in self.hooks:
            handler = getattr(hook.module, name, None)
            if handler is None:
                continue
            try:
                answers.append(handler(event))
            except Exception as exc:
                problem = failure(exc, hook.name, hook.file, self.site_dir, f"{name} failed")
                if problem not in self.problems:  # once, not once per page
                    self.problems.append(problem)
        return answers

    def page_context(self, path: str, template: str, context: dict[str, Any]) -> dict[str, Any]:
        for answer in self.run("on_page_context", PageContext(path, template, context)) if self.hooks else ():
            if isinstance(answer, dict):
                context = answer
        return context

    def extra_pages(self, config: SiteConfig, graph: Any) -> Iterator[ExtraPage]:
        for answer in self.run("on_graph_built", GraphBuilt(config, graph)):
            for page in answer or ():
                if isinstance(page, ExtraPage):
                    yield page


def failure(exc: BaseException, name: str, file: Path | None, site_dir: Path, what: str) -> Diagnostic:
    """Where an extension failed: the deepest line of its own file in the traceback, else site.yml."""
    line = getattr(exc, "lineno", None) if isinstance(exc, SyntaxError) else None
    if file is not None and line is None:
        for frame in traceback.extract_tb(exc.__traceback__):
            if Path(frame.filename) == file:
                line = frame.lineno
    shown = CONFIG_FILE
    if file is not None and line is not None:
        shown = file.relative_to(site_dir).as_posix() if file.is_relative_to(site_dir) else str(file)
    message = f"{what} in '{name}': {type(exc).__name__}: {exc}"
    return error(shown, line or 1, 1, CODE, message)


def plugin_failure(
    exc: BaseException, path: str, line: int, plugins: tuple[tuple[str, Plugin], ...]
) -> Diagnostic:
    """A Markdown plugin failed on a lesson: at the lesson, naming the plugin and its line."""
    where = ""
    names = {Path(p.__code__.co_filename): spec for spec, p in plugins if hasattr(p, "__code__")}
    culprit = f"Markdown plugin '{plugins[0][0]}'" if len(plugins) == 1 else "a Markdown plugin"
    for frame in traceback.extract_tb(exc.__traceback__):
        for file, spec in names.items():
            if Path(frame.filename).parent == file.parent and Path(frame.filename) == file:
                culprit, where = f"Markdown plugin '{spec}'", f" (at {file.name}:{frame.lineno})"
    return error(path, line, 1, CODE, f"{culprit} failed{where}: {type(exc).__name__}: {exc}")


def load_extensions(site_dir: Path, loaded: LoadedConfig, problems: Diagnostics) -> Extensions:
    """The extensions stage: the site's Markdown plugins and hook files, loaded (each failure reported)."""
    config, document = loaded.config, loaded.document
    site = site_dir.resolve()
    found = Extensions(site_dir)
    files: list[Path] = []
    plugins: list[tuple[str, Plugin]] = []
    for index, spec in enumerate(config.markdown.plugins):
        at = document.value_at(("markdown", "plugins", index))
        module_name, _, function = spec.partition(":")
        try:
            module = _site_module(site, module_name) or importlib.import_module(module_name)
            plugin = getattr(module, function)
        except Exception as exc:
            message = f"cannot load Markdown plugin '{spec}': {type(exc).__name__}: {exc}"
            problems.append(error(CONFIG_FILE, at.line, at.col, CODE, message))
            continue
        if not callable(plugin):
            problems.append(error(CONFIG_FILE, at.line, at.col, CODE, f"'{spec}' is not a function"))
            continue
        plugins.append((spec, plugin))
        if getattr(module, "__file__", None):
            files.append(Path(str(module.__file__)))
    hooks: list[Hook] = []
    for index, name in enumerate(config.hooks):
        at = document.value_at(("hooks", index))
        path = (site / name).resolve()
        if not path.is_relative_to(site) or path.suffix != ".py" or not path.is_file():
            message = f"hook '{name}': no Python file of that name in the site folder"
            problems.append(error(CONFIG_FILE, at.line, at.col, CODE, message))
            continue
        try:
            module = _load_file(f"kb_hook_{index}", path)
        except Exception as exc:
            problems.append(failure(exc, name, path, site, "cannot load hook"))
            continue
        for attribute in dir(module):
            if attribute.startswith("on_") and attribute not in EVENTS:
                hint = did_you_mean(attribute, EVENTS)
                message = f"hook '{name}': '{attribute}' is not an event{hint}"
                problems.append(error(CONFIG_FILE, at.line, at.col, CODE, message))
        hooks.append(Hook(name, path, module))
        files.append(path)
    files += site_files(site_dir, config)
    found.plugins, found.hooks, found.files = tuple(plugins), tuple(hooks), tuple(files)
    return found


def site_files(site_dir: Path, config: SiteConfig) -> list[Path]:
    """The site's own extension files named by site.yml (hooks, plugin modules in the site folder),
    found without running them: the cheap "did anything change" check of a build includes them."""
    files = [site_dir / name for name in config.hooks]
    for spec in config.markdown.plugins:
        base = site_dir.joinpath(*spec.partition(":")[0].split("."))
        files.append(base.with_suffix(".py"))
        if base.is_dir():
            files += sorted(base.rglob("*.py"))
    return files


def _site_module(site: Path, name: str) -> ModuleType | None:
    """module.py (or module/__init__.py) in the site folder, loaded afresh; None when there is none."""
    parts = name.split(".")
    base = site.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file() and candidate.resolve().is_relative_to(site):
            return _load_file(f"kb_site_{'_'.join(parts)}", candidate)
    return None


def _load_file(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module
