"""Active files under content/: published under /media/ on the site's own origin, a file that can run
script there (HTML, XHTML, JavaScript, XSLT, XML or SVG with scripts, event handlers, foreignObject,
embedded HTML or javascript: links) is an error unless site.yml opts in (`assets: {allow_active: true}`).

SVG and XML are read with expat, the XML parser under xml.etree, with entity declarations refused (as
defusedxml does); a file it cannot parse is refused too, since a browser might still run what it holds.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from xml.parsers import expat

from builder.diagnostics import Diagnostic, error
from builder.urls import unsafe_url

CODE = "active-content"
ALWAYS_ACTIVE = {
    ".html": "an HTML page",
    ".htm": "an HTML page",
    ".shtml": "an HTML page",
    ".xhtml": "an XHTML page",
    ".xht": "an XHTML page",
    ".mht": "a web archive",
    ".mhtml": "a web archive",
    ".js": "JavaScript",
    ".mjs": "JavaScript",
    ".cjs": "JavaScript",
    ".xsl": "an XSLT stylesheet",
    ".xslt": "an XSLT stylesheet",
}
INSPECTED = {".svg", ".svgz", ".xml"}
MAX_SVGZ_BYTES = 32 * 1024 * 1024
_XHTML = "http://www.w3.org/1999/xhtml"
_SVG = "http://www.w3.org/2000/svg"
_SEPARATOR = "\x1f"  # between an element's namespace and its name, as expat reports them
_LINK_ATTRIBUTES = {"href", "src", "action", "formaction", "data"}
_EMBEDDING = {"script", "foreignobject", "iframe", "embed", "object", "handler", "listener"}
_SAFE_DATA = re.compile(r"data:image/(png|jpeg|gif|webp|avif|bmp)[;,]", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Finding:
    line: int
    col: int
    reason: str


class _Active(Exception):
    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.reason)
        self.finding = finding


def active_content(site_dir: Path, assets: Iterable[str]) -> list[Diagnostic]:
    """An active-content error for every active file among assets (site-relative paths)."""
    problems: list[Diagnostic] = []
    for asset in assets:
        suffix = PurePosixPath(asset).suffix.lower()
        if suffix not in ALWAYS_ACTIVE and suffix not in INSPECTED:
            continue
        finding = active_reason(asset, (site_dir / asset).read_bytes())
        if finding is not None:
            message = f"{finding.reason}; files under content/ must not run script on the site's origin"
            hint = " (set assets: {allow_active: true} in site.yml to publish it anyway)"
            problems.append(error(asset, finding.line, finding.col, CODE, message + hint))
    return problems


def active_reason(name: str, data: bytes) -> Finding | None:
    """Why the file can run script in a browser, or None when it cannot."""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in ALWAYS_ACTIVE:
        return Finding(1, 1, f"this is {ALWAYS_ACTIVE[suffix]}, which runs in the browser")
    if suffix == ".svgz":
        try:
            data = _gunzip(data)
        except (OSError, EOFError, zlib.error, ValueError):
            return Finding(1, 1, "this compressed SVG cannot be read, so it cannot be checked")
    if suffix in INSPECTED:
        return _inspect_xml(data, svg=suffix != ".xml")
    return None


def _gunzip(data: bytes) -> bytes:
    with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
        out = stream.read(MAX_SVGZ_BYTES + 1)
    if len(out) > MAX_SVGZ_BYTES:
        raise ValueError("too large")
    return out


def _inspect_xml(data: bytes, *, svg: bool) -> Finding | None:
    parser = expat.ParserCreate(namespace_separator=_SEPARATOR)
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    first = True

    def at(reason: str) -> _Active:
        return _Active(Finding(parser.CurrentLineNumber, parser.CurrentColumnNumber + 1, reason))

    def entity(*_: object) -> None:
        raise at("it declares an XML entity, which could hide what it holds")

    def instruction(target: str, _data: str) -> None:
        if target.lower() == "xml-stylesheet":
            raise at("it applies a stylesheet (<?xml-stylesheet?>), which can run script")

    def start(tag: str, attributes: dict[str, str]) -> None:
        nonlocal first
        namespace, _, local = tag.rpartition(_SEPARATOR)
        name = local.lower()
        if first and svg and (name != "svg" or namespace not in ("", _SVG)):
            raise at(f"its root element is <{local}>, not <svg>")
        first = False
        if namespace == _XHTML:
            raise at(f"it embeds an HTML element <{local}>")
        if name in _EMBEDDING:
            raise at(f"it has a <{local}> element")
        if name in {"set", "animate"} and attributes.get("attributeName", "").lower().endswith("href"):
            raise at(f"<{local}> changes a link target")
        for key, value in attributes.items():
            attribute = key.rpartition(_SEPARATOR)[2].lower()
            if attribute.startswith("on"):
                raise at(f"<{local}> has an event handler ({attribute}=)")
            if attribute in _LINK_ATTRIBUTES and _unsafe_link(value):
                raise at(f"<{local}> links to {value.strip()[:40]!r}")

    parser.EntityDeclHandler = entity
    parser.ProcessingInstructionHandler = instruction
    parser.StartElementHandler = start
    try:
        parser.Parse(data, True)
    except _Active as found:
        return found.finding
    except expat.ExpatError as exc:
        reason = f"it cannot be read as XML ({expat.ErrorString(exc.code)}), so it cannot be checked"
        return Finding(exc.lineno, exc.offset + 1, reason)
    return None


def _unsafe_link(value: str) -> bool:
    if unsafe_url(value) is None:
        return False
    return _SAFE_DATA.match(value.strip()) is None
