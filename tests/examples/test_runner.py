"""The example runner itself: fence parsing, the guard, and a run over a small lesson folder."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.examples.blocks import Block, block_problems, definitions, lesson_blocks, parse_info

ROOT = Path(__file__).parents[2]


def test_info_string_attributes_in_any_order() -> None:
    assert parse_info(
        'python title="retry.py" {3,5-7} linenums norun="a fragment" requires="postgres redis"'
    ) == (
        "python",
        {
            "title": "retry.py",
            "lines": "{3,5-7}",
            "linenums": None,
            "norun": "a fragment",
            "requires": "postgres redis",
        },
        (),
    )
    assert parse_info("py") == ("py", {}, ())


def test_unreadable_attributes_are_reported() -> None:
    assert parse_info('python norun="unclosed') == (
        "python",
        {},
        ("cannot read the fence attributes from 'norun=\"unclosed'",),
    )
    assert parse_info('python norun="a" norun="b"')[2] == ("attribute 'norun' given twice",)


@pytest.mark.parametrize(
    ("info", "problems"),
    [
        ('python norun="uses the app above"', []),
        ("python", []),
        ('python norun=""', ['norun needs a reason: norun="why this block cannot run"']),
        ("python norun", ['norun needs a reason: norun="why this block cannot run"']),
        ('python norun="  "', ['norun needs a reason: norun="why this block cannot run"']),
        ('python requires="mysql"', ["requires takes postgres and/or redis, not 'mysql'"]),
        (
            'python no-run="typo"',
            ["unknown fence attribute 'no-run' (known: norun, requires, title, linenums)"],
        ),
        ('bash norun=""', []),
    ],
)
def test_the_guard_wants_a_reason_for_every_exempt_block(info: str, problems: list[str]) -> None:
    language, attributes, parse_problems = parse_info(info)
    block = Block(Path("x.md"), 1, language, "pass\n", attributes, parse_problems)
    assert block_problems(block) == problems


def test_definitions_name_tests_fixtures_and_parametrized_arguments() -> None:
    code = textwrap.dedent(
        """
        @pytest.fixture(scope="session")
        def engine(tmp_path):
            yield 1

        @pytest.mark.parametrize("n, expected", [(1, 2)])
        def test_double(engine, n, expected, monkeypatch, retries=3):
            pass

        async def test_async(*, tmp_path):
            pass

        def helper(x):
            pass
        """
    )
    tests, fixtures = definitions(Block(Path("x.md"), 1, "python", code))
    assert [(t.name, t.parameters, t.parametrized) for t in tests] == [
        ("test_double", ("engine", "n", "expected", "monkeypatch"), ("n", "expected")),
        ("test_async", ("tmp_path",), ()),
    ]
    assert [(f.name, f.parameters) for f in fixtures] == [("engine", ("tmp_path",))]


def test_blocks_keep_their_line_and_skip_other_languages(tmp_path: Path) -> None:
    lesson = tmp_path / "x.md"
    lesson.write_text(
        '---\ntitle: x\n---\nText.\n\n```python norun="why"\na = 1\n```\n\n```sql\nSELECT 1;\n```\n'
    )
    blocks = lesson_blocks(lesson)
    assert [(b.line, b.language, b.runs, b.norun) for b in blocks] == [
        (6, "python", False, "why"),
        (10, "sql", False, None),
    ]


LESSON = """\
---
title: Fixture lesson
---
Setup:

```python
import pytest

counter = {"n": 0}


@pytest.fixture
def numbers():
    yield [1, 2, 3]
    counter["n"] += 1
```

```python norun="a fragment"
this is not even python
```

```python title="helpers.py"
def double(x):
    return 2 * x
```

```python
from helpers import double


@pytest.mark.parametrize("x, expected", [(1, 2), (2, 4)])
def test_double(x, expected, tmp_path):
    (tmp_path / "f").write_text("ok")
    assert double(x) == expected


def test_uses_a_lesson_fixture(numbers):
    assert sum(numbers) == 6


async def test_async():
    assert counter["n"] >= 0


def test_fails():
    assert double(2) == 5
```
"""
NEEDS_POSTGRES = """
```python requires="postgres"
import os
assert os.environ["DATABASE_URL"].startswith("postgresql://")
```
"""
BROKEN = """\
---
title: Broken lesson
---
```python
raise ValueError("broken on purpose")
```

```python
after = True
```
"""


def run(pytester: pytest.Pytester) -> tuple[pytest.RunResult, str]:
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-rfs", "content")
    return result, result.stdout.str()


def test_a_run_over_a_lesson_folder(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    content = pytester.path / "content"
    (content / "topic").mkdir(parents=True)
    lesson = content / "topic" / "fixture-lesson.md"
    pytester.makeconftest('pytest_plugins = ["tests.examples.plugin"]')
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("KB_EXAMPLES_CONTENT", str(content))

    # A block that needs PostgreSQL makes the whole lesson need it; nothing listens on port 1.
    lesson.write_text(LESSON + NEEDS_POSTGRES)
    monkeypatch.setenv("KB_POSTGRES_PORT", "1")
    result, output = run(pytester)
    assert (
        "content/topic/fixture-lesson.md:6: PostgreSQL is not reachable at postgresql://postgres:postgres@127.0.0.1:1"
        in output
    )
    result.assert_outcomes(passed=1, skipped=8)
    assert "python blocks: 0 run (0 failed), 4 skipped, 1 exempt (norun)" in output

    monkeypatch.delenv("KB_POSTGRES_PORT")
    # As under Playwright's sync API, an event loop runs in the main thread: examples still call asyncio.run.
    pytester.makeconftest(
        """
        import asyncio

        pytest_plugins = ["tests.examples.plugin"]


        def pytest_configure(config):
            asyncio.events._set_running_loop(asyncio.new_event_loop())
        """
    )
    lesson.write_text(LESSON)
    (content / "topic" / "broken.md").write_text(BROKEN)
    result, output = run(pytester)
    result.assert_outcomes(passed=8, failed=2, skipped=1)
    assert "python blocks: 4 run (1 failed), 1 skipped, 1 exempt (norun)" in output
    assert "content/topic/broken.md:4: this python block raised ValueError" in output
    assert "content/topic/broken.md:8: skipped: the block at content/topic/broken.md:4 failed" in output
    assert "FAILED content/topic/fixture-lesson.md::test_fails" in output
    assert "assert 4 == 5" in output  # pytest's assertion rewriting applies to lesson code
