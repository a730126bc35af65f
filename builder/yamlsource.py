"""Safe YAML loading that remembers where every key and value came from.

Aliases are refused (no alias bombs), nesting and size are bounded, duplicate keys are reported, and a
malformed timestamp stays a string so that validation can explain it instead of crashing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from builder.diagnostics import Diagnostic, error
from builder.records import picklable

MAX_DEPTH = 40

YamlPath = tuple[str | int, ...]


@picklable
@dataclass(frozen=True, slots=True)
class Position:
    line: int
    col: int


@dataclass(slots=True)
class YamlDocument:
    """Plain data plus the position of each key and value, by path from the root."""

    data: Any
    values: dict[YamlPath, Position] = field(default_factory=dict)
    keys: dict[YamlPath, Position] = field(default_factory=dict)

    def value_at(self, path: YamlPath) -> Position:
        """The value's position, or the closest enclosing one that is known."""
        for end in range(len(path), -1, -1):
            found = self.values.get(path[:end])
            if found is not None:
                return found
        return Position(1, 1)

    def key_at(self, path: YamlPath) -> Position:
        return self.keys.get(path) or self.value_at(path)


class _YamlRefused(Exception):
    def __init__(self, mark: yaml.Mark, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


class _BoundedLoader(yaml.SafeLoader):
    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise _YamlRefused(mark, "YAML aliases (*name) are not allowed here")
        self.depth += 1
        if self.depth > MAX_DEPTH:
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise _YamlRefused(mark, f"YAML nested deeper than {MAX_DEPTH} levels")
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


BOM = b"\xef\xbb\xbf"


def decode_utf8(
    path: str, raw: bytes, advice: str = "save the file as UTF-8"
) -> tuple[str | None, Diagnostic | None]:
    """UTF-8 bytes (a BOM allowed) -> text with \\n line ends, or an `encoding` error at the bad byte's
    line and column (in characters, the BOM not counted)."""
    start = len(BOM) if raw.startswith(BOM) else 0
    try:
        text = raw[start:].decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = start + exc.start
        line_start = max(raw.rfind(b"\n", 0, bad) + 1, start)
        line = raw.count(b"\n", 0, bad) + 1
        col = len(raw[line_start:bad].decode("utf-8", "replace")) + 1
        message = f"not valid UTF-8 (byte 0x{raw[bad]:02x}); {advice}"
        return None, error(path, line, col, "encoding", message)
    return text.replace("\r\n", "\n").replace("\r", "\n"), None


# YAML also breaks lines at NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR, which editors (and kb's
# positions) do not: they are swapped for private-use stand-ins while parsing, and swapped back after.
_YAML_ONLY_BREAKS = "\x85\u2028\u2029"


def _stand_ins(text: str) -> tuple[str, dict[int, int]]:
    """The text with YAML-only line breaks replaced, and the table that restores them."""
    if not any(char in text for char in _YAML_ONLY_BREAKS):
        return text, {}
    free = [code for code in range(0xF8F0, 0xF900) if chr(code) not in text][: len(_YAML_ONLY_BREAKS)]
    if len(free) < len(_YAML_ONLY_BREAKS):
        return text, {}
    forward = {ord(char): code for char, code in zip(_YAML_ONLY_BREAKS, free, strict=True)}
    return text.translate(forward), {code: char for char, code in forward.items()}


def _restored(value: Any, back: dict[int, int]) -> Any:
    if isinstance(value, str):
        return value.translate(back)
    if isinstance(value, dict):
        return {_restored(key, back): _restored(item, back) for key, item in value.items()}
    if isinstance(value, list):
        return [_restored(item, back) for item in value]
    return value


def load_yaml(
    text: str, path: str, *, line_offset: int = 0, max_chars: int = 1_000_000
) -> tuple[YamlDocument | None, list[Diagnostic]]:
    """Parse one YAML document. Lines in positions and diagnostics are 1-based, shifted by line_offset."""
    if len(text) > max_chars:
        return None, [
            error(path, line_offset + 1, 1, "yaml-syntax", f"YAML larger than {max_chars} characters")
        ]
    text, back = _stand_ins(text)
    document, diagnostics = _load(text, path, line_offset)
    if document is not None and back:
        document.data = _restored(document.data, back)
    return document, diagnostics


def _load(text: str, path: str, line_offset: int) -> tuple[YamlDocument | None, list[Diagnostic]]:
    root = _compose_fast(text)
    if root is not None:
        document = YamlDocument(data=None)
        diagnostics: list[Diagnostic] = []
        try:
            document.data = _convert(root, (), document, set(), path, line_offset, diagnostics)
            return document, diagnostics
        except _YamlRefused:
            pass  # an alias: the checked path below says exactly where
    composed = _compose_checked(text, path, line_offset)
    if isinstance(composed, Diagnostic):
        return None, [composed]
    document = YamlDocument(data=None)
    diagnostics = []
    if composed is not None:
        document.data = _convert(composed, (), document, set(), path, line_offset, diagnostics)
    return document, diagnostics


_FAST_LOADER = getattr(yaml, "CSafeLoader", None)
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_START = yaml.Mark("", 0, 0, 0, "", 0)
_EMPTY = yaml.ScalarNode("tag:yaml.org,2002:null", "", _START, _START)  # an empty document


def _compose_fast(text: str) -> yaml.Node | None:
    """Compose with libyaml when the text cannot nest deeply (its composer recurses in C). None when the
    text needs the checked pure-Python path: no libyaml, possibly deep nesting, or any error to report."""
    if _FAST_LOADER is None or _nesting_bound(text) > MAX_DEPTH:
        return None
    loader = _FAST_LOADER(text)
    try:
        node = loader.get_single_node()
        return node if node is not None else _EMPTY
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()


def _nesting_bound(text: str) -> int:
    """An upper bound on the nesting depth: open brackets, plus the deepest indentation and the
    block indicators on one line (each nested block level needs one of them)."""
    flow = deepest = 0
    for char in text:
        if char in "[{":
            flow += 1
            deepest = max(deepest, flow)
        elif char in "]}":
            flow = max(0, flow - 1)
    block = max(
        (
            len(line) - len(line.lstrip(" ")) + line.count("- ") + line.count(": ") + line.count("? ")
            for line in text.split("\n")
        ),
        default=0,
    )
    return deepest + block


def _compose_checked(text: str, path: str, line_offset: int) -> yaml.Node | Diagnostic | None:
    try:
        loader = _BoundedLoader(text)
    except yaml.reader.ReaderError as exc:  # a control character: the reader refuses the text at once
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        message = f"control character U+{int(exc.character):04X} is not allowed in YAML"
        return error(path, line + line_offset, col, "yaml-syntax", message)
    try:
        return loader.get_single_node()
    except _YamlRefused as refused:
        return _at_mark(path, refused.mark, line_offset, refused.message)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "invalid YAML"
        context = f" {exc.context}" if exc.context and exc.problem else ""
        return _at_mark(path, mark, line_offset, f"{problem}{context}".strip())
    except yaml.YAMLError as exc:
        return error(path, line_offset + 1, 1, "yaml-syntax", str(exc).splitlines()[0])
    finally:
        loader.dispose()


def _at_mark(path: str, mark: yaml.Mark | None, line_offset: int, message: str) -> Diagnostic:
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    return error(path, line + line_offset, col, "yaml-syntax", message)


def _position(node: yaml.Node, line_offset: int) -> Position:
    return Position(node.start_mark.line + 1 + line_offset, node.start_mark.column + 1)


def _convert(
    node: yaml.Node,
    at: YamlPath,
    document: YamlDocument,
    seen: set[int],
    path: str,
    line_offset: int,
    diagnostics: list[Diagnostic],
) -> Any:
    if isinstance(node, yaml.CollectionNode):
        if id(node) in seen:  # libyaml shares the node an alias points to
            raise _YamlRefused(node.start_mark, "YAML aliases (*name) are not allowed here")
        seen.add(id(node))
    document.values[at] = _position(node, line_offset)
    if isinstance(node, yaml.MappingNode):
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_position = _position(key_node, line_offset)
            if not isinstance(key_node, yaml.ScalarNode):
                diagnostics.append(
                    error(
                        path, key_position.line, key_position.col, "yaml-syntax", "a key must be plain text"
                    )
                )
                continue
            key = str(key_node.value)
            if key in mapping:
                diagnostics.append(
                    error(path, key_position.line, key_position.col, "yaml-syntax", f"duplicate key '{key}'")
                )
                continue
            document.keys[(*at, key)] = key_position
            mapping[key] = _convert(value_node, (*at, key), document, seen, path, line_offset, diagnostics)
        return mapping
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, (*at, index), document, seen, path, line_offset, diagnostics)
            for index, item in enumerate(node.value)
        ]
    try:
        return _CONSTRUCTOR.construct_object(node)
    except (ValueError, yaml.constructor.ConstructorError, OverflowError):
        return node.value
