"""The fenced code blocks of a lesson, read with markdown-it-py: the same parser that renders the site.

A fence's info string is the language word, then attributes in any order (see COORDINATION.md):
    ```python title="retry.py" {3,5-7} linenums norun="fragment: uses the app above" requires="postgres"
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt

PYTHON = frozenset({"python", "py"})
SERVICES = frozenset({"postgres", "redis"})
KNOWN_ATTRIBUTES = frozenset({"title", "linenums", "norun", "requires"})

# name="value" | name | {3,5-7}; anything else in the info string is a syntax error
_TOKEN = re.compile(r'\s*(?:(?P<name>[A-Za-z][\w-]*)(?:="(?P<value>[^"]*)")?|(?P<lines>\{[^}]*\}))(?=\s|$)')

_PARSER = MarkdownIt("commonmark")


@dataclass(frozen=True)
class Block:
    """One fenced block: `line` is the 1-based line of its opening fence in the lesson file."""

    path: Path
    line: int
    language: str
    code: str
    attributes: dict[str, str | None] = field(default_factory=dict)
    problems: tuple[str, ...] = ()

    @property
    def is_python(self) -> bool:
        return self.language in PYTHON

    @property
    def norun(self) -> str | None:
        """The reason this block is exempt, or None when it runs ("" when the reason is missing)."""
        if "norun" not in self.attributes:
            return None
        return (self.attributes["norun"] or "").strip()

    @property
    def requires(self) -> frozenset[str]:
        return frozenset((self.attributes.get("requires") or "").split())

    @property
    def runs(self) -> bool:
        return self.is_python and "norun" not in self.attributes


def parse_info(info: str) -> tuple[str, dict[str, str | None], tuple[str, ...]]:
    """Split an info string into its language, its attributes and what is wrong with them."""
    language, _, rest = info.strip().partition(" ")
    attributes: dict[str, str | None] = {}
    problems: list[str] = []
    position = 0
    rest = rest.rstrip()
    while position < len(rest):
        match = _TOKEN.match(rest, position)
        if match is None:
            problems.append(f"cannot read the fence attributes from {rest[position:].strip()!r}")
            break
        position = match.end()
        name = match.group("name")
        if name is None:
            attributes["lines"] = match.group("lines")
        elif name in attributes:
            problems.append(f"attribute {name!r} given twice")
        else:
            attributes[name] = match.group("value")
    return language.lower(), attributes, tuple(problems)


def lesson_blocks(path: Path) -> list[Block]:
    """Every fenced block of the lesson at `path`, in order."""
    text = path.read_text(encoding="utf-8")
    blocks = []
    for token in _PARSER.parse(text):
        if token.type != "fence" or token.map is None:
            continue
        language, attributes, problems = parse_info(token.info)
        blocks.append(Block(path, token.map[0] + 1, language, token.content, attributes, problems))
    return blocks


def block_problems(block: Block) -> list[str]:
    """Why a Python block's fence is not one the runner accepts: each problem is a sentence."""
    if not block.is_python:
        return []
    problems = list(block.problems)
    unknown = sorted(set(block.attributes) - KNOWN_ATTRIBUTES - {"lines"})
    problems += [
        f"unknown fence attribute {name!r} (known: norun, requires, title, linenums)" for name in unknown
    ]
    if "norun" in block.attributes and not block.norun:
        problems.append('norun needs a reason: norun="why this block cannot run"')
    if "requires" in block.attributes:
        wanted = block.requires
        if not wanted or wanted - SERVICES:
            problems.append(f"requires takes postgres and/or redis, not {block.attributes['requires']!r}")
    return problems


@dataclass(frozen=True)
class Definition:
    """A top-level function of a block that pytest should see: a `test_*` function or a fixture."""

    block: Block
    name: str
    parameters: tuple[str, ...]  # the ones without a default: fixtures, or parametrized names
    parametrized: tuple[str, ...]  # names given by @pytest.mark.parametrize


def definitions(block: Block) -> tuple[list[Definition], list[Definition]]:
    """The `test_*` functions and the `@pytest.fixture` functions a block defines at top level."""
    tests, fixtures = [], []
    for node in ast.parse(block.code).body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        arguments = node.args
        positional = [*arguments.posonlyargs, *arguments.args]
        required = positional[: len(positional) - len(arguments.defaults)]
        keyword_only = zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True)
        required += [argument for argument, default in keyword_only if default is None]
        names = tuple(argument.arg for argument in required)
        decorators = [ast.unparse(d.func if isinstance(d, ast.Call) else d) for d in node.decorator_list]
        parametrized: list[str] = []
        for decorator in node.decorator_list:
            if (
                isinstance(decorator, ast.Call)
                and ast.unparse(decorator.func).endswith("mark.parametrize")
                and decorator.args
                and isinstance(decorator.args[0], ast.Constant)
                and isinstance(decorator.args[0].value, str)
            ):
                parametrized += [name.strip() for name in decorator.args[0].value.split(",") if name.strip()]
        definition = Definition(block, node.name, names, tuple(parametrized))
        if any(d in {"pytest.fixture", "fixture"} for d in decorators):
            fixtures.append(definition)
        elif node.name.startswith("test_"):
            tests.append(definition)
    return tests, fixtures
