"""Property test for issue #12 part 1: whatever the output path (by --out or output_dir, with or without
--force) and whatever symlinks the site's source folders hold, no file outside the output folder changes and
nothing from outside the site (a secret marker file) is ever published."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from builder.cli import main
from builder.output import STAMP_FILE, stamp
from tests.conftest import SITES, tree

SECRET = b"SECRET-MARKER-7d2e0"

# output paths, relative to the temp root (s/ is the site); None where output_dir cannot name them
OUTPUTS = {
    "s/public": "public",
    "s/build/nested/out": "build/nested/out",
    "s/.public.old-backup": ".public.old-backup",
    "s": None,
    "s/content": None,
    "s/content/sub": "content/sub",
    "s/content/../content": None,
    "s/static": "static",
    "s/themes": "themes",
    "s/themes/custom/static": "themes/custom/static",
    "s/.git": ".git",
    "s/site.yml": "site.yml",
    "s/.kb-cache": ".kb-cache",
    ".": None,
    "home": None,
    "userdocs": None,
    "outside": None,
    "link-to-content": None,
    "link-to-outside": None,
    "fresh/out": None,
}
# where a symlink can sit in the site, and what it can point at
LINK_PLACES = [
    "content/leak.txt",
    "content/leak.md",
    "content/sub/leak.png",
    "content/linked-dir",
    "static/leak.txt",
    "static/linked-dir",
    "themes/custom/static/leak.css",
    "themes/custom/templates/base.html",
    "themes/custom/templates/lesson.html",
]
LINK_TARGETS = [
    "outside/secret.txt",
    "outside",
    "s/.git/config",
    "s/content/first.md",
    "s/site.yml",
    "missing",
]
ROOT_LINKS = ["content", "static", "themes/custom", "themes/custom/static", "site.yml"]
STATES = ["absent", "empty", "user-file", "kb-output", "plain-file", "symlink-out"]
near_names = st.one_of(
    st.sampled_from([".staging-", ".old-", ".staging-notes", ".old-backup-2025", ".kb-staging-"]),
    st.builds(
        lambda mark, token: mark + token,
        st.sampled_from([".staging-", ".old-"]),
        st.text(alphabet="0123456789abcdef", min_size=1, max_size=30),
    ),
)


@dataclass(frozen=True)
class Case:
    output: str
    via_config: bool
    state: str
    force: bool
    links: tuple[tuple[str, str], ...]
    root_link: str | None
    siblings: tuple[str, ...]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    output = draw(st.sampled_from(sorted(OUTPUTS)))
    via_config = OUTPUTS[output] is not None and draw(st.booleans())
    links = draw(
        st.lists(
            st.tuples(st.sampled_from(LINK_PLACES), st.sampled_from(LINK_TARGETS)),
            max_size=3,
            unique_by=lambda x: x[0],
        )
    )
    root_link = draw(st.none() | st.sampled_from(ROOT_LINKS))
    return Case(
        output,
        via_config,
        draw(st.sampled_from(STATES)),
        draw(st.booleans()),
        tuple(links),
        root_link,
        tuple(draw(st.lists(near_names, max_size=3, unique=True))),
    )


def make_world(root: Path, case: Case) -> Path:
    site = root / "s"
    shutil.copytree(SITES / "minimal", site)
    for folder in (
        "outside",
        "home",
        "userdocs",
        "s/static",
        "s/themes/custom/templates",
        "s/themes/custom/static",
    ):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "outside/secret.txt").write_bytes(SECRET)
    (root / "outside/secret.md").write_bytes(b"---\ntitle: " + SECRET + b"\n---\n")
    (root / "home/notes.txt").write_text("mine")
    (root / "userdocs/thesis.txt").write_text("four years")
    (site / ".git").mkdir()
    (site / ".git/config").write_bytes(b"[http]\n\textraheader = " + SECRET + b"\n")
    (site / "static/robots-extra.txt").write_text("fine")
    (site / "site.yml").write_text((site / "site.yml").read_text() + "theme: custom\n")
    (root / "link-to-content").symlink_to(site / "content")
    (root / "link-to-outside").symlink_to(root / "outside")
    for place, target in case.links:
        link = site / place
        link.parent.mkdir(parents=True, exist_ok=True)
        if not os.path.lexists(link):
            link.symlink_to(root / target)
    if case.via_config:
        (site / "site.yml").write_text(
            (site / "site.yml").read_text() + f"output_dir: {OUTPUTS[case.output]}\n"
        )
    if case.root_link is not None:
        link = site / case.root_link
        if link.is_dir() and not link.is_symlink():
            shutil.rmtree(link)
        elif os.path.lexists(link):
            link.unlink()
        link.symlink_to(root / "outside")
    out = root / case.output
    if case.output in {"s/public", "s/build/nested/out", "fresh/out", "s/.public.old-backup"}:
        prepare(out, case.state, root)
    for name in case.siblings:
        sibling = out.parent / f".{out.name}{name}"
        if not os.path.lexists(sibling) and out.parent.is_dir() and out.parent.is_relative_to(root):
            sibling.mkdir()
            (sibling / "keep.txt").write_text("the user's")
    return site


def prepare(out: Path, state: str, root: Path) -> None:
    if state == "absent":
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    if state == "plain-file":
        out.write_text("a file of the user's")
    elif state == "symlink-out":
        out.symlink_to(root / "outside")
    else:
        out.mkdir()
        if state == "user-file":
            (out / "mine.txt").write_text("the user's")
        elif state == "kb-output":
            stamp(out)
            (out / "index.html").write_text("an older build")


def files_under(folder: Path) -> Iterator[Path]:
    for dirpath, _, filenames in os.walk(folder):
        for name in filenames:
            yield Path(dirpath, name)


@settings(max_examples=max(10, settings.default.max_examples // 5))
@given(cases())
def test_nothing_outside_the_output_changes_and_nothing_outside_the_site_is_published(case: Case) -> None:
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary).resolve()
        site = make_world(root, case)
        out_rel = os.path.normpath(case.output)
        before = tree(root)
        args = ["build", "--site", str(site), "--no-search", "--jobs", "1"]
        if not case.via_config:
            args += ["--out", str(root / case.output)]
        if case.force:
            args.append("--force")
        home = os.environ.get("HOME")
        os.environ["HOME"] = str(root / "home")
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                code = main(args)
        finally:
            if home is None:
                del os.environ["HOME"]
            else:
                os.environ["HOME"] = home
        after = tree(root)
        assert code in (0, 1, 2), code

        def owned(rel: str) -> bool:
            """kb's output, its cache, its temporary folders, or a folder made to hold the output."""
            if rel == out_rel or rel.startswith(out_rel + "/"):
                return True
            parent, name = os.path.split(out_rel)
            kbs = rf"{re.escape(parent + '/' if parent else '')}\.{re.escape(name)}"
            kbs += r"\.(staging|old)-[0-9a-f]{24}(/.*)?"
            return (
                rel.startswith(("s/.kb-cache", "home/.cache"))  # the cache and its key
                or re.fullmatch(kbs, rel) is not None
                or (out_rel.startswith(rel + "/") and after.get(rel) == "dir")
            )

        changed = {rel for rel in before.keys() | after.keys() if before.get(rel) != after.get(rel)}
        assert {rel for rel in changed if not owned(rel)} == set()
        if code == 0:
            out = root / case.output
            assert out.is_dir() and not out.is_symlink() and (out / STAMP_FILE).is_file()
            assert not any(SECRET in path.read_bytes() for path in files_under(out))
            assert out_rel not in {
                ".",
                "s",
                "s/content",
                "s/static",
                "s/themes",
                "s/.git",
                "s/site.yml",
                "home",
            }
            assert not out_rel.startswith(("s/content", "s/themes", "s/static", "s/.git", "s/.kb-cache"))
