"""The example runner: every Python block of content/**/*.md runs under pytest, unless its fence says norun.

One lesson is one collector. Its runnable blocks are items that run in order in one shared module namespace
(like a REPL session) inside a temporary working directory; every top-level `test_*` function the blocks
define is an item too, with pytest fixtures as parameters (`async def` tests run under asyncio.run). A lesson
whose blocks say `requires="postgres"` / `requires="redis"` gets a fresh database / a flushed Redis database
through DATABASE_URL / REDIS_URL, and is skipped with the reason when the server cannot be reached.

A block titled `name.py` is also written to that directory, and importable as `name` from every lesson.
Fixtures a lesson defines (`@pytest.fixture` in a block) are set up afresh for each test that asks for them,
whatever their scope; the cases of a lesson's `@pytest.mark.parametrize` run inside that test's one item.
Lesson code runs on a thread of its own, so it may call asyncio.run whatever runs in the main thread.

The items of one lesson may land on different pytest-xdist workers: a worker runs the lesson's earlier blocks
itself (once) before the item it was given, so any item can run alone (`-k`).
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import gc
import importlib.abc
import importlib.machinery
import importlib.util
import inspect
import os
import re
import sys
import tempfile
import threading
import types
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

import pluggy
import pytest
from _pytest._code.code import ExceptionInfo, TerminalRepr, TracebackEntry
from _pytest.assertion.rewrite import rewrite_asserts
from _pytest.fixtures import FixtureFunctionDefinition

from tests.examples.blocks import Block, block_problems, definitions, lesson_blocks
from tests.examples.services import Services, Unavailable

# The lessons: the repository's content/, or another folder (the runner's own tests use a fixture site).
CONTENT = Path(os.environ.get("KB_EXAMPLES_CONTENT") or Path(__file__).parents[2] / "content").resolve()
HERE = str(Path(__file__).resolve().parent)
BLOCK_SECONDS = 30  # a block or a lesson test running longer than this fails: examples must be quick
PROPERTY = "kb-example"
PYTEST = str(Path(pytest.__file__).resolve().parent.parent / "_pytest")
PLUGGY = str(Path(pluggy.__file__).resolve().parent)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix == ".md" and file_path.is_relative_to(CONTENT):
        parts = file_path.relative_to(CONTENT).parts
        if not any(part.startswith((".", "_")) for part in parts):  # kb ignores these files
            return Lesson.from_parent(parent, path=file_path)
    return None


class BlockFailed(Exception):
    """An earlier block of the lesson failed, so what follows cannot run."""


class Session:
    """One lesson's run on this worker: its namespace, working directory and services."""

    def __init__(self, lesson: Lesson) -> None:
        self.lesson = lesson
        name = "kb_example_" + re.sub(r"\W", "_", lesson.path.stem)
        self.module = types.ModuleType(name)
        sys.modules[name] = self.module  # dataclasses and pydantic resolve annotations through it
        self.directory = tempfile.TemporaryDirectory(prefix="kb-example-")
        # Code that writes next to its own file writes into the temporary directory, never into content/.
        self.module.__file__ = str(Path(self.directory.name) / f"{name}.py")
        # A block titled "app/main.py" is that file in the working directory, for imports and subprocesses.
        for block in lesson.blocks:
            title = Path(block.attributes.get("title") or "x.txt")
            if (
                block.is_python
                and title.suffix == ".py"
                and not title.is_absolute()
                and ".." not in title.parts
            ):
                target = Path(self.directory.name, title)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(block.code, encoding="utf-8")
        self.done: set[int] = set()
        self.failed: Block | None = None
        self.services: Services | None = None
        self.unavailable: str | None = None
        try:
            self.services = Services.provide(lesson.requires, lesson.display)
        except Unavailable as reason:
            self.unavailable = str(reason)

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        """The lesson's working directory and environment, for one item."""
        if self.unavailable:
            skip_here(self.unavailable)
        environment = self.services.environment if self.services and self.services.environment else {}
        saved_env = {key: os.environ.get(key) for key in environment}
        saved_cwd = os.getcwd()
        os.environ.update(environment)
        os.chdir(self.directory.name)
        sys.path.insert(0, self.directory.name)  # as in a REPL started there
        try:
            yield
            gc.collect()  # what the example leaked (sockets, transports) is reported on its own item
        finally:
            sys.path.remove(self.directory.name)
            os.chdir(saved_cwd)
            for key, value in saved_env.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    def execute(self, block: Block) -> None:
        # Blank lines in front keep the lesson's own line numbers in tracebacks; pytest's assertion
        # rewriting makes a failing `assert` in a lesson test show its values.
        source = "\n" * block.line + block.code
        tree = ast.parse(source, str(block.path))
        rewrite_asserts(tree, source.encode(), None, self.lesson.config)
        exec(compile(tree, str(block.path), "exec", dont_inherit=True), self.module.__dict__)

    def run_until(self, index: int) -> None:
        """Run the lesson's runnable blocks before `index` that this worker has not run yet."""
        for earlier in range(index):
            if self.failed is not None:
                raise BlockFailed(f"skipped: the block at {self.lesson.location(self.failed)} failed")
            if earlier in self.done:
                continue
            block = self.lesson.runnable[earlier]
            try:
                self.execute(block)
            except BaseException:
                self.failed = block
                raise
            self.done.add(earlier)

    def close(self) -> None:
        sys.modules.pop(self.module.__name__, None)
        TITLED.forget()
        for name, module in list(sys.modules.items()):
            places = [getattr(module, "__file__", None) or "", *getattr(module, "__path__", [])]
            if any(str(place).startswith(self.directory.name) for place in places):
                del sys.modules[name]
        self.module.__dict__.clear()
        if self.services is not None:
            self.services.release()
        self.directory.cleanup()


def skip_here(reason: str) -> NoReturn:
    """Skip, reported at the lesson item's own location rather than this file's."""
    raise pytest.skip.Exception(reason, _use_item_location=True)


def in_own_thread(work: Callable[[], None]) -> None:
    """Run lesson code on a thread of its own, where no event loop runs (the main thread may have one:
    Playwright's, in the same worker), so examples can call asyncio.run; a hung example fails, not hangs."""
    failures: list[BaseException] = []

    def target() -> None:
        try:
            work()
        except BaseException as failure:
            failures.append(failure)

    thread = threading.Thread(target=target, name="kb-example", daemon=True)
    thread.start()
    thread.join(BLOCK_SECONDS)
    if thread.is_alive():
        raise TimeoutError(
            f"an example ran longer than {BLOCK_SECONDS} s (inject a clock instead of sleeping)"
        )
    if failures:
        raise failures[0]


_current: Session | None = None


def session_for(lesson: Lesson) -> Session:
    """The run of `lesson` on this worker; starting it ends the previous lesson's (items come in order)."""
    global _current
    if _current is not None and _current.lesson is not lesson:
        _current.close()
        _current = None
    if _current is None:
        _current = Session(lesson)
    return _current


def pytest_sessionfinish(session: pytest.Session) -> None:
    global _current
    if _current is not None:
        _current.close()
        _current = None


class Lesson(pytest.File):
    """content/<...>.md: its runnable blocks, then the tests they define."""

    def setup(self) -> None:
        pass

    @property
    def display(self) -> str:
        return self.path.relative_to(CONTENT.parent).as_posix()

    def location(self, block: Block) -> str:
        return f"{self.display}:{block.line}"

    def load(self) -> None:
        self.blocks = lesson_blocks(self.path)
        self.runnable = [block for block in self.blocks if block.runs]
        self.requires = frozenset().union(*(block.requires for block in self.runnable))

    def collect(self) -> Iterator[pytest.Item | pytest.Collector]:
        self.load()
        python = [block for block in self.blocks if block.is_python]
        if python:
            yield Fences.from_parent(self, name="fences")
        for index, block in enumerate(self.runnable):
            yield BlockItem.from_parent(self, name=f"line-{block.line}", index=index)
        found = [definitions(block) for block in self.runnable]
        fixtures = [fixture for _, defined in found for fixture in defined]
        ours = {fixture.name for fixture in fixtures}
        wanted_by_fixtures = {name for fixture in fixtures for name in fixture.parameters}
        for tests, _ in found:
            for test in tests:
                from_pytest = (set(test.parameters) | wanted_by_fixtures) - ours - set(test.parametrized)
                yield LessonTest.from_parent(
                    self,
                    name=test.name,
                    callobj=lesson_test(self, test.name, sorted(from_pytest)),
                    block=test.block,
                )


def lesson_test(lesson: Lesson, name: str, from_pytest: list[str]) -> Callable[..., None]:
    """A stand-in with the signature pytest reads for fixtures; it calls the lesson's own function.

    Fixtures the lesson defines (`@pytest.fixture` in a block) are set up here, around each call, since
    they only exist once the blocks ran; pytest provides the others (tmp_path, monkeypatch, ...).
    """

    def run(**provided: Any) -> None:
        session = session_for(lesson)
        with session.active():
            in_own_thread(lambda: call(session, provided))

    def call(session: Session, provided: dict[str, Any]) -> None:
        try:
            session.run_until(len(lesson.runnable))
        except BlockFailed as reason:
            skip_here(str(reason))
        function = session.module.__dict__[name]
        for label, values in parametrized_cases(function):
            with contextlib.ExitStack() as stack:
                fixtures = LessonFixtures(session.module.__dict__, {**provided, **values}, stack)
                try:
                    result = function(**{p: fixtures.get(p) for p in required_parameters(function)})
                    if inspect.iscoroutine(result):
                        asyncio.run(result)
                except Exception as error:
                    if label:
                        error.add_note(f"parametrized with {label}")
                    raise

    run.__name__ = run.__qualname__ = name
    run.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(p, inspect.Parameter.KEYWORD_ONLY) for p in from_pytest]
    )
    return run


def required_parameters(function: Callable[..., Any]) -> list[str]:
    return [
        p.name
        for p in inspect.signature(function).parameters.values()
        if p.default is inspect.Parameter.empty
        and p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    ]


def parametrized_cases(function: Callable[..., Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every combination of the function's @pytest.mark.parametrize values, with a label for failures."""
    cases: list[tuple[str, dict[str, Any]]] = [("", {})]
    for mark in reversed(getattr(function, "pytestmark", [])):
        if mark.name != "parametrize":
            continue
        names, values = mark.args[0], mark.args[1]
        if isinstance(names, str):
            names = [n.strip() for n in names.split(",") if n.strip()]
        rows = []
        for value in values:
            value = value.values if hasattr(value, "values") and hasattr(value, "marks") else value
            if len(names) == 1:
                value = (value,)
            rows.append(dict(zip(names, value, strict=True)))
        cases = [
            (
                ", ".join(x for x in (label, ", ".join(f"{k}={v!r}" for k, v in row.items())) if x),
                {**given, **row},
            )
            for label, given in cases
            for row in rows
        ]
    return cases


class LessonFixtures:
    """The lesson's own fixtures for one test call: set up on demand, torn down by the exit stack."""

    def __init__(
        self, namespace: dict[str, Any], provided: dict[str, Any], stack: contextlib.ExitStack
    ) -> None:
        self.namespace = namespace
        self.values = dict(provided)
        self.stack = stack
        for name, value in list(namespace.items()):
            if isinstance(value, FixtureFunctionDefinition) and value._fixture_function_marker.autouse:
                self.get(name)

    def get(self, name: str) -> Any:
        if name in self.values:
            return self.values[name]
        definition = self.namespace.get(name)
        if not isinstance(definition, FixtureFunctionDefinition):
            raise LookupError(f"fixture {name!r} is neither defined by the lesson nor given by pytest")
        function = definition._get_wrapped_function()
        value = function(**{p: self.get(p) for p in required_parameters(function)})
        if inspect.isgenerator(value):
            generator = value
            value = next(generator)
            self.stack.callback(_finish, generator)
        self.values[name] = value
        return value


def _finish(generator: Iterator[Any]) -> None:
    with contextlib.suppress(StopIteration):
        next(generator)


class LessonTest(pytest.Function):
    """A `test_*` function defined by the lesson's blocks."""

    def __init__(self, *, block: Block, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.block = block

    def reportinfo(self) -> tuple[Path, int, str]:
        assert isinstance(self.parent, Lesson)
        return self.path, self.block.line - 1, f"{self.parent.location(self.block)}: {self.name}"


class BlockItem(pytest.Item):
    """One runnable block; it fails with the lesson's path and the block's line."""

    def __init__(self, *, index: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.index = index
        lesson = self.parent
        assert isinstance(lesson, Lesson)
        self.lesson = lesson
        self.block = lesson.runnable[index]
        self.user_properties.append((PROPERTY, "block"))

    def runtest(self) -> None:
        session = session_for(self.lesson)
        with session.active():
            in_own_thread(lambda: self.run_blocks(session))

    def run_blocks(self, session: Session) -> None:
        try:
            session.run_until(self.index + 1)
        except BlockFailed as reason:
            skip_here(str(reason))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.block.line - 1, f"{self.lesson.location(self.block)}: python block"

    def repr_failure(self, excinfo: ExceptionInfo[BaseException], style: Any = None) -> str | TerminalRepr:
        session = _current
        failed = session.failed if session is not None and session.failed is not None else self.block

        def ours(entry: TracebackEntry) -> bool:
            return not str(entry.path).startswith((HERE, PYTEST, PLUGGY))

        excinfo.traceback = excinfo.traceback.filter(ours)
        where = f"{self.lesson.location(failed)}: this python block raised {excinfo.typename}"
        return f"{where}\n{excinfo.getrepr(style='short', chain=True)}"


class Fences(pytest.Item):
    """The guard: every Python block of the lesson runs, or its fence gives a reason (norun="why")."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        lesson = self.parent
        assert isinstance(lesson, Lesson)
        self.lesson = lesson
        exempt = sum(1 for block in lesson.blocks if block.is_python and not block.runs)
        self.user_properties.append((PROPERTY, f"exempt {exempt}"))

    def runtest(self) -> None:
        problems = [
            f"{self.lesson.location(block)}: {problem}"
            for block in self.lesson.blocks
            for problem in block_problems(block)
        ]
        if problems:
            raise FenceError("\n".join(problems))

    def repr_failure(self, excinfo: ExceptionInfo[BaseException], style: Any = None) -> str | TerminalRepr:
        if isinstance(excinfo.value, FenceError):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"{self.lesson.display}: python fences"


class FenceError(Exception):
    pass


class Tally:
    """Counts of blocks by outcome, kept on the controller from the reports the workers send."""

    def __init__(self) -> None:
        self.blocks: Counter[str] = Counter()
        self.exempt = 0

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        properties = [str(value) for key, value in report.user_properties if key == PROPERTY]
        if not properties:
            return
        kind = properties[0]
        if kind.startswith("exempt ") and report.when == "call":
            self.exempt += int(kind.split()[1])
        elif kind == "block" and report.when == "call":
            self.blocks[report.outcome] += 1

    @pytest.hookimpl
    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        ran = self.blocks["passed"] + self.blocks["failed"]
        if not ran and not self.blocks["skipped"] and not self.exempt:
            return
        terminalreporter.write_sep("=", "lesson examples")
        terminalreporter.write_line(
            f"python blocks: {ran} run ({self.blocks['failed']} failed), {self.blocks['skipped']} skipped, "
            f"{self.exempt} exempt (norun)"
        )


class TitledBlocks(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """A runnable block titled `name.py` can be imported as `name` by the examples of every lesson.

    So a lesson can say `from problems import problem` where another lesson shows problems.py; the module
    is loaded afresh for each lesson (the runner forgets it when the lesson ends). When several lessons
    show a file of that name, the running lesson's own comes first, then the first in path order.
    """

    def __init__(self) -> None:
        self.candidates: dict[str, list[Block]] = {}
        for path in sorted(CONTENT.rglob("*.md")):
            for block in lesson_blocks(path):
                title = block.attributes.get("title") or ""
                if block.runs and title.endswith(".py") and title[:-3].isidentifier():
                    self.candidates.setdefault(title[:-3], []).append(block)
        self.blocks: dict[str, Block] = {}
        self.loaded: set[str] = set()

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        candidates = self.candidates.get(fullname)
        if not candidates:
            return None
        running = _current.lesson.path if _current is not None else None
        own = [block for block in candidates if block.path == running]
        self.blocks[fullname] = (own or candidates)[0]
        return importlib.util.spec_from_loader(fullname, self, origin=str(self.blocks[fullname].path))

    def exec_module(self, module: types.ModuleType) -> None:
        block = self.blocks[module.__name__]
        module.__file__ = str(block.path)
        self.loaded.add(module.__name__)
        code = compile("\n" * block.line + block.code, str(block.path), "exec", dont_inherit=True)
        exec(code, module.__dict__)

    def forget(self) -> None:
        for name in self.loaded:
            sys.modules.pop(name, None)
        self.loaded.clear()


TITLED = TitledBlocks()


def pytest_configure(config: pytest.Config) -> None:
    sys.meta_path.append(TITLED)
    # Lessons mark async tests the way pytest-asyncio users do; the runner itself runs them.
    config.addinivalue_line("markers", "asyncio: an async test (the example runner runs it with asyncio.run)")
    if not hasattr(config, "workerinput"):  # the controller (or a run without xdist) keeps the count
        config.pluginmanager.register(Tally(), "kb-example-tally")


def pytest_unconfigure(config: pytest.Config) -> None:
    if TITLED in sys.meta_path:
        sys.meta_path.remove(TITLED)
