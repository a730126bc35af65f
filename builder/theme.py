"""Locate a site's theme and build its Jinja environment: the site's templates first, the default below."""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateNotFound,
    select_autoescape,
)
from jinja2.bccache import Bucket, BytecodeCache
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment
from pydantic import BaseModel

from builder.diagnostics import Diagnostic
from builder.highlight import stylesheet
from builder.reading import hidden, outside_reason, scan

DEFAULT_THEME = "default"


def builtin_theme_dir() -> Path:
    """The default theme: shipped inside the package, or beside it in a source checkout."""
    packaged = Path(__file__).parent / "themes" / DEFAULT_THEME
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "themes" / DEFAULT_THEME


class _Sandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, with a shortcut for the data kb hands to templates: the sandbox allows
    reading a public field of kb's own dataclasses and models anyway, and checking every such read the
    long way took half the time of rendering a page."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        kind = type(obj)
        fields = _FIELDS.get(kind)
        if fields is None:
            fields = _FIELDS[kind] = _data_fields(kind)
        if attribute in fields:
            return getattr(obj, attribute)
        return super().getattr(obj, attribute)


_FIELDS: dict[type, frozenset[str]] = {}


def _encodable(value: Any) -> Any:
    """Every value a template prints: text that cannot be written as UTF-8 (a lone surrogate such as
    "\\udcff") fails here, at the template line that prints it, rather than after the page is rendered."""
    if isinstance(value, str) and not value.isascii():
        value.encode("utf-8")
    return value


def _data_fields(cls: type) -> frozenset[str]:
    """The public fields of a dataclass or pydantic model defined by kb; none for any other type."""
    if not cls.__module__.startswith("builder."):
        return frozenset()
    if dataclasses.is_dataclass(cls):
        names = {field.name for field in dataclasses.fields(cls)}
    elif issubclass(cls, BaseModel):
        names = set(cls.model_fields)
    else:
        return frozenset()
    return frozenset(name for name in names if not name.startswith("_"))


class _ContainedLoader(FileSystemLoader):
    """A site theme's templates: a file whose real path leaves the theme's folder, or is hidden, is not
    there (the next theme in line answers instead); analysis reports it as unsafe-path."""

    def __init__(self, searchpath: Path, theme_dir: Path, site_dir: Path) -> None:
        super().__init__(searchpath)
        self.theme_dir = theme_dir
        self.site_dir = site_dir

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        path = Path(self.searchpath[0], *split_template_path(template))
        if os.path.lexists(path) and outside_reason(path, self.theme_dir, self.site_dir) is not None:
            raise TemplateNotFound(template)
        return super().get_source(environment, template)


@dataclass(frozen=True, slots=True)
class Theme:
    dirs: tuple[Path, ...]  # most specific first; the built-in default is always last
    site_dir: Path | None = None  # set when dirs[0] is the site's own theme, whose files are checked

    @property
    def template_dirs(self) -> list[Path]:
        return [d / "templates" for d in self.dirs if (d / "templates").is_dir()]

    def _own(self, directory: Path) -> bool:
        return self.site_dir is not None and directory == self.dirs[0]

    def files(self, directory: Path) -> list[Path]:
        """The files of one theme folder kb may read: for the site's own theme, those whose real path
        stays inside the theme's folder, never hidden ones."""
        if self.site_dir is None or not self._own(directory):
            return [path for path in sorted(directory.rglob("*")) if path.is_file()]
        found = scan(self.site_dir, directory.relative_to(self.site_dir).as_posix(), skip=_hidden_entry)
        return [self.site_dir / name for name in found.files]

    def problems(self) -> list[Diagnostic]:
        """An unsafe-path error for each file of the site's own theme that kb may not read."""
        if self.site_dir is None:
            return []
        own = self.dirs[0].relative_to(self.site_dir).as_posix()
        return list(scan(self.site_dir, own, skip=_hidden_entry).problems)

    def environment(self) -> Environment:
        """Sandboxed: a theme chosen by a site cannot reach Python internals or change kb's data.
        Compiled templates are shared between environments, so each build does not compile them again."""
        builtin = FileSystemLoader(builtin_theme_dir() / "templates")
        loaders: list[BaseLoader] = []
        for directory in self.dirs:
            templates = directory / "templates"
            if not templates.is_dir():
                continue
            if self.site_dir is not None and self._own(directory):
                loaders.append(_ContainedLoader(templates, directory, self.site_dir))
            else:
                loaders.append(FileSystemLoader(templates))
        return _Sandbox(
            loader=ChoiceLoader([*loaders, PrefixLoader({DEFAULT_THEME: builtin}, delimiter="/")]),
            autoescape=select_autoescape(["html", "xml"], default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            bytecode_cache=_COMPILED,
            finalize=_encodable,
        )

    def digest(self) -> str:
        """Changes whenever any template or asset of the theme (or of the default below it) changes."""
        digest = hashlib.blake2b(digest_size=16)
        for directory in self.dirs:
            for path in self.files(directory):
                digest.update(path.relative_to(directory).as_posix().encode() + b"\0" + path.read_bytes())
        return digest.hexdigest()

    def static_files(self) -> dict[str, bytes]:
        """Theme assets by output name: the default's first, each site theme's overriding them."""
        files: dict[str, bytes] = {"pygments.css": stylesheet().encode()}
        for directory in reversed(self.dirs):
            static = directory / "static"
            if not static.is_dir():
                continue
            for path in self.files(directory):
                if not path.is_relative_to(static):
                    continue
                name = path.relative_to(static).as_posix()
                if not any(hidden(part) for part in PurePosixPath(name).parts):
                    files[name] = path.read_bytes()
        return files


class _MemoryBytecodeCache(BytecodeCache):
    """Compiled templates by name and source checksum, for the life of the process."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self.compiled.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _MemoryBytecodeCache()


def compiled_templates() -> dict[str, bytes]:
    """Every template compiled in this process, by Jinja's cache key, to keep in the build cache."""
    return dict(_COMPILED.compiled)


def reuse_compiled(saved: dict[str, bytes]) -> None:
    """Templates compiled by an earlier build; Jinja compiles again any whose source has changed since."""
    for key, data in saved.items():
        _COMPILED.compiled.setdefault(key, data)


def _hidden_entry(rel: str) -> bool:
    return hidden(rel.rpartition("/")[2])


def find_theme(site_dir: Path, name: str) -> Theme | None:
    own = site_dir / "themes" / name
    builtin = builtin_theme_dir()
    if own.is_dir():
        if own.resolve() == builtin.resolve():
            return Theme((builtin,))
        return Theme((own, builtin), site_dir)
    if name == DEFAULT_THEME:
        return Theme((builtin,))
    return None


def fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:10]
