"""Issue #12, part 1: kb never deletes what it does not own, never reads or publishes what lies outside the
site, and never lets a site put script on its own origin. Each case is reproduced as the issue states it,
from a fresh copy of tests/sites/minimal, and asserts the exact diagnostic (or exit status and message)
and that nothing kb does not own has changed."""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from builder.active import active_reason
from builder.build import BuildOptions, build
from builder.cli import main
from builder.output import STAMP_FILE, STAMP_TEXT
from builder.serve import Preview
from builder.urls import unsafe_url
from tests.conftest import SITES, tree

SECRET = "SECRET-MARKER-4f1c9 extraheader = AUTHORIZATION: basic dG9rZW4="


@dataclass
class World:
    """A temp root holding the site (as s5/), a folder outside it with a secret, and the user's files."""

    root: Path
    site: Path
    outside: Path


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    root = tmp_path / "root"
    site = root / "s5"
    shutil.copytree(SITES / "minimal", site)
    outside = root / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET)
    (outside / "secret.html").write_text(SECRET)
    (site / ".git").mkdir()
    (site / ".git/HEAD").write_text("ref: refs/heads/main\n")
    (site / ".git/config").write_text(f"[http]\n\t{SECRET}\n")
    home = root / "home"
    home.mkdir()
    (home / "notes.txt").write_text("mine")
    monkeypatch.setenv("HOME", str(home))
    return World(root, site, outside)


def kb(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    """Exit status, the error lines of stdout (the minimal site has warnings of its own) and stderr."""
    code = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    errors = "".join(line for line in captured.out.splitlines(keepends=True) if ": error[" in line)
    return code, errors, captured.err


def build_args(site: Path, *more: str | Path) -> list[str | Path]:
    return ["build", "--site", site, "--no-search", "--jobs", "1", *more]


def output_files(folder: Path) -> Iterator[Path]:
    return (path for path in folder.rglob("*") if path.is_file())


def set_in_config(site: Path, old: str, new: str) -> tuple[int, int]:
    """Replace old by new in site.yml; the 1-based line and column where new starts."""
    config = site / "site.yml"
    text = config.read_text()
    assert old in text
    text = text.replace(old, new, 1)
    config.write_text(text)
    offset = text.index(new)
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


def append_config(site: Path, line: str) -> int:
    """Append a line to site.yml; its 1-based line number."""
    config = site / "site.yml"
    text = config.read_text()
    config.write_text(text + line + "\n")
    return text.count("\n") + 1


# -- Data loss: what an output path may be ---------------------------------------------------------------

REFUSED_OUT = "kb replaces only its own output (or an empty folder): pass --force to replace it"


def test_a_folder_of_the_users_own_is_refused_without_force(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    userdocs = world.root / "userdocs"
    userdocs.mkdir()
    (userdocs / "thesis.txt").write_text("four years of work")
    before = tree(world.root)
    code, _, err = kb(capsys, *build_args(world.site, "--out", userdocs))
    assert code == 2
    assert (
        err
        == f"kb: --out {userdocs} is a folder kb did not write (it has no .kb-output stamp); {REFUSED_OUT}\n"
    )
    assert tree(world.root) == before
    # --force is the user saying the folder may go; kb's stamp then marks it as kb's
    assert kb(capsys, *build_args(world.site, "--out", userdocs, "--force"))[0] == 0
    assert not (userdocs / "thesis.txt").exists()
    assert (userdocs / STAMP_FILE).read_bytes() == STAMP_TEXT
    assert (userdocs / "lessons/first/index.html").is_file()
    # from now on the folder is kb's own: no --force needed
    assert kb(capsys, *build_args(world.site, "--out", userdocs))[0] == 0


def test_a_plain_file_is_refused(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    target = world.root / "out.txt"
    target.write_text("not a folder")
    before = tree(world.root)
    code, _, err = kb(capsys, *build_args(world.site, "--out", target))
    assert code == 2
    assert err == f"kb: --out {target} is a file, not a folder; {REFUSED_OUT}\n"
    assert tree(world.root) == before


def test_an_empty_folder_and_a_new_one_are_fine(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    empty = world.root / "empty"
    empty.mkdir()
    assert kb(capsys, *build_args(world.site, "--out", empty))[0] == 0
    assert kb(capsys, *build_args(world.site, "--out", world.root / "new/nested/out"))[0] == 0
    assert (world.root / "new/nested/out" / STAMP_FILE).is_file()


NEVER = "; kb never replaces it"


@pytest.mark.parametrize(
    ("out", "reason"),
    [
        ("{site}", "is the site folder itself"),
        ("{site}/content", "is the site's content"),
        ("{site}/content/../content", "is the site's content"),
        ("{root}/s5/content/../content", "is the site's content"),
        ("{site}/content/media", "is inside the site's content"),
        ("{site}/themes", "is the site's themes"),
        ("{site}/static/x", "is inside the site's static"),
        ("{site}/site.yml", "is the site's site.yml"),
        ("{site}/.git", "is the site's .git"),
        ("{site}/.kb-cache", "is the site's .kb-cache"),
        ("{root}", "holds the site folder"),
        ("{home}", "is your home folder"),
        ("/", "is the root folder"),
    ],
)
@pytest.mark.parametrize("force", [False, True])
def test_the_site_its_sources_home_and_root_are_refused_even_with_force(
    world: World, capsys: pytest.CaptureFixture[str], out: str, reason: str, force: bool
) -> None:
    target = out.format(site=world.site, root=world.root, home=world.root / "home")
    (world.site / "themes").mkdir()
    before = tree(world.root)
    code, _, err = kb(capsys, *build_args(world.site, "--out", target, *(["--force"] if force else [])))
    assert (code, err) == (2, f"kb: --out {target} {reason}{NEVER}\n")
    assert tree(world.root) == before


def test_the_site_by_absolute_path_from_inside_it(
    world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(world.site)
    before = tree(world.root)
    code, _, err = kb(capsys, "build", "--no-search", "--out", world.site.resolve(), "--force")
    assert (code, err) == (2, f"kb: --out {world.site.resolve()} is the site folder itself{NEVER}\n")
    assert tree(world.root) == before


def test_a_symlink_to_a_source_is_refused_by_its_real_path(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    link = world.root / "looks-harmless"
    link.symlink_to(world.site / "content")
    before = tree(world.root)
    code, _, err = kb(capsys, *build_args(world.site, "--out", link, "--force"))
    assert (code, err) == (2, f"kb: --out {link} is the site's content{NEVER}\n")
    assert tree(world.root) == before


@pytest.mark.parametrize(
    ("output_dir", "reason"),
    [
        (".git", "is the site's .git"),
        ("themes", "is the site's themes"),
        ("site.yml", "is the site's site.yml"),
        ("content/public", "is inside the site's content"),
        ("static", "is the site's static"),
        (".kb-cache", "is the site's .kb-cache"),
    ],
)
@pytest.mark.parametrize("command", ["build", "check"])
def test_output_dir_naming_a_source_is_a_site_yml_error(
    world: World, capsys: pytest.CaptureFixture[str], output_dir: str, reason: str, command: str
) -> None:
    (world.site / "themes").mkdir()
    (world.site / "static").mkdir()
    line = append_config(world.site, f"output_dir: {output_dir}")
    before = tree(world.root)
    args = build_args(world.site) if command == "build" else ["check", "--site", world.site]
    code, out, _ = kb(capsys, *args)
    message = f"'output_dir': {output_dir} {reason}{NEVER}"
    assert (code, out) == (1, f"site.yml:{line}:13: error[unsafe-path]: {message}\n")
    assert tree(world.root) == before
    assert (world.site / ".git/HEAD").read_text() == "ref: refs/heads/main\n"


def test_output_dir_of_the_users_own_is_a_site_yml_error_unless_forced(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    line = append_config(world.site, "output_dir: docs")
    (world.site / "docs").mkdir()
    (world.site / "docs/handbook.md").write_text("the team's handbook")
    before = tree(world.root)
    code, out, _ = kb(capsys, *build_args(world.site))
    message = f"'output_dir': docs is a folder kb did not write (it has no .kb-output stamp); {REFUSED_OUT}"
    assert (code, out) == (1, f"site.yml:{line}:13: error[unsafe-path]: {message}\n")
    assert tree(world.root) == before
    assert kb(capsys, *build_args(world.site, "--force"))[0] == 0
    assert (world.site / "docs" / STAMP_FILE).is_file()


@pytest.mark.parametrize("name", [".public.old-backup-2025", ".public.staging-notes", ".public.old-12345"])
def test_sibling_folders_named_like_kbs_temporary_ones_are_left_alone(
    world: World, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    sibling = world.site / name
    sibling.mkdir()
    (sibling / "keep.txt").write_text("the user's")
    assert kb(capsys, *build_args(world.site))[0] == 0  # no public/ yet: a leftover "old" would be restored
    (world.site / "content/first.md").write_text((world.site / "content/first.md").read_text() + "\nMore.\n")
    assert kb(capsys, *build_args(world.site))[0] == 0  # a swap: the previous output goes
    assert (sibling / "keep.txt").read_text() == "the user's"
    assert sorted(p.name for p in sibling.iterdir()) == ["keep.txt"]
    assert not (world.site / "public/keep.txt").exists()
    # kb's own previous output may still be on its way out (a detached rm): its name has kb's token
    kbs = re.compile(r"\.public\.(staging|old)-[0-9a-f]{24}")
    leftovers = [p.name for p in world.site.iterdir() if p.name.startswith(".public")]
    assert [left for left in leftovers if not kbs.fullmatch(left)] == [name]


def test_the_stamp_is_the_same_in_every_build_and_not_indexed(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    assert kb(capsys, "build", "--site", world.site, "--jobs", "1")[0] == 0
    out = world.site / "public"
    assert (out / STAMP_FILE).read_bytes() == STAMP_TEXT
    indexed = b"".join(path.read_bytes() for path in (out / "pagefind").rglob("*") if path.is_file())
    assert STAMP_FILE.encode() not in indexed


# -- Reading outside the site: symlinks ------------------------------------------------------------------


def assert_refused(
    world: World, capsys: pytest.CaptureFixture[str], expected: list[str], *, build: bool = True
) -> None:
    """kb check and kb build both report exactly the expected lines; nothing is written or leaked."""
    code, out, _ = kb(capsys, "check", "--site", world.site)
    assert (code, out.splitlines()) == (1, expected)
    if build:
        code, out, _ = kb(capsys, *build_args(world.site))
        assert (code, out.splitlines()) == (1, expected)
        assert not (world.site / "public").exists()


OUTSIDE_LINK = "symlink resolves outside {root}; it is not read"


def test_static_as_a_symlink_out_is_refused(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    (world.site / "static").symlink_to(world.outside)
    message = "static/ is a symlink; kb reads only real folders inside the site"
    assert_refused(world, capsys, [f"static:1:1: error[unsafe-path]: {message}"])


def test_content_as_a_symlink_out_is_refused(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    (world.outside / "first.md").write_bytes((world.site / "content/first.md").read_bytes())
    shutil.rmtree(world.site / "content")
    (world.site / "content").symlink_to(world.outside)
    message = "content/ is a symlink; kb reads only real folders inside the site"
    assert_refused(world, capsys, [f"content:1:1: error[unsafe-path]: {message}"])


def test_a_symlink_to_the_git_config_is_refused(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    (world.site / "content/notes.txt").symlink_to("../.git/config")
    message = OUTSIDE_LINK.format(root="content/")
    assert_refused(world, capsys, [f"content/notes.txt:1:1: error[unsafe-path]: {message}"])


def test_a_symlink_to_a_hidden_file_inside_content_is_refused(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    (world.site / "content/.env").write_text(SECRET)
    (world.site / "content/env.txt").symlink_to(".env")
    message = "symlink resolves to a hidden file (content/.env); it is not read"
    assert_refused(world, capsys, [f"content/env.txt:1:1: error[unsafe-path]: {message}"])


def own_theme(world: World) -> Path:
    theme = world.site / "themes/custom"
    (theme / "templates").mkdir(parents=True)
    (theme / "static").mkdir()
    append_config(world.site, "theme: custom")
    return theme


def test_a_symlinked_theme_static_folder_is_refused(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    theme = own_theme(world)
    (theme / "static").rmdir()
    (theme / "static").symlink_to(world.outside)
    message = "symlinked folders are not followed; move the files into themes/custom/"
    assert_refused(world, capsys, [f"themes/custom/static:1:1: error[unsafe-path]: {message}"])


def test_a_symlinked_theme_static_file_is_refused(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    theme = own_theme(world)
    (theme / "static/leak.css").symlink_to(world.outside / "secret.txt")
    message = OUTSIDE_LINK.format(root="themes/custom/")
    assert_refused(world, capsys, [f"themes/custom/static/leak.css:1:1: error[unsafe-path]: {message}"])


def test_a_symlinked_template_is_refused_and_never_read(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    theme = own_theme(world)
    (theme / "templates/base.html").symlink_to(world.outside / "secret.html")
    message = OUTSIDE_LINK.format(root="themes/custom/")
    assert_refused(world, capsys, [f"themes/custom/templates/base.html:1:1: error[unsafe-path]: {message}"])


def test_a_symlinked_theme_folder_is_refused(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    (world.site / "themes").mkdir()
    (world.outside / "templates").mkdir()
    (world.outside / "templates/base.html").write_text(SECRET)
    (world.site / "themes/custom").symlink_to(world.outside)
    append_config(world.site, "theme: custom")
    message = "themes/custom/ is a symlink; kb reads only real folders inside the site"
    assert_refused(world, capsys, [f"themes/custom:1:1: error[unsafe-path]: {message}"])


def test_site_yml_as_a_symlink_out_is_refused(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.move(world.site / "site.yml", world.outside / "site.yml")
    (world.site / "site.yml").symlink_to(world.outside / "site.yml")
    message = "site.yml resolves outside the site folder; it is not read"
    assert_refused(world, capsys, [f"site.yml:1:1: error[unsafe-path]: {message}"])


def test_hidden_files_are_never_published(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    theme = own_theme(world)
    for folder in (world.site / "content", world.site / "static", theme / "static"):
        folder.mkdir(exist_ok=True)
        (folder / ".env").write_text(SECRET)
        (folder / ".DS_Store").write_text(SECRET)
        (folder / ".git").mkdir()
        (folder / ".git/config").write_text(SECRET)
        (folder / "visible.txt").write_text("fine")
    (world.site / "static/.well-known").mkdir()
    (world.site / "static/.well-known/security.txt").write_text("Contact: mailto:security@example.org\n")
    assert kb(capsys, *build_args(world.site))[0] == 0
    out = world.site / "public"
    published = {path.relative_to(out).as_posix() for path in output_files(out)}
    assert {"visible.txt", "media/visible.txt", "assets/visible.txt", ".well-known/security.txt"} <= published
    hidden = {name for name in published if any(part.startswith(".") for part in name.split("/"))}
    assert hidden == {STAMP_FILE, ".well-known/security.txt"}
    assert not any(SECRET.encode() in path.read_bytes() for path in output_files(out))


# -- Script on our origin --------------------------------------------------------------------------------


def test_a_javascript_author_url_is_a_site_yml_error(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    line, col = set_in_config(world.site, "https://example.org/ada", "javascript:alert(document.domain)")
    message = "'authors.ada.url': 'javascript:' URLs are not allowed; use an http(s), mailto: or relative URL"
    assert_refused(world, capsys, [f"site.yml:{line}:{col}: error[invalid-value]: {message}"])


def test_mailto_and_relative_author_urls_are_fine(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    set_in_config(world.site, "https://example.org/ada", "mailto:ada@example.org")
    assert kb(capsys, "check", "--site", world.site)[0] == 0


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:x",
        "java\tscript:x",
        "\x01javascript:x",
        "java\nscript:x",
        "vbscript:x",
        "data:text/html,<script>x</script>",
        "file:///etc/passwd",
    ],
)
def test_unsafe_url_schemes(url: str) -> None:
    assert unsafe_url(url) is not None


@pytest.mark.parametrize(
    "url",
    ["https://example.org/", "HTTP://x", "mailto:a@b", "/kb/x", "x/y.html", "#top", "//example.org/a", ""],
)
def test_safe_urls(url: str) -> None:
    assert unsafe_url(url) is None


@pytest.mark.parametrize(
    "base_url",
    [
        'https://example.org/kb"></script><img src=x onerror=alert(1)>/',
        "https://example.org/a\tb/",
        "https://example.org/kb'/",
        "https://example.org/k\\b/",
        "https://example.org/<b>/",
    ],
)
def test_a_base_url_that_needs_escaping_is_refused(
    world: World, capsys: pytest.CaptureFixture[str], base_url: str
) -> None:
    quoted = "'" + base_url.replace("'", "''") + "'"
    line, col = set_in_config(world.site, "https://example.org/", quoted)
    code, out, _ = kb(capsys, "check", "--site", world.site)
    assert code == 1
    assert out.startswith(f"site.yml:{line}:{col}: error[invalid-value]: 'base_url': must not contain ")
    assert len(out.splitlines()) == 1


def test_serve_escapes_the_base_path_it_writes_into_pages(world: World) -> None:
    preview = Preview(world.site, search=False)
    try:
        preview.base_path = '/kb"></script><img src=x onerror=alert(1)>/'
        page = preview.inject(b"<!doctype html><html><body><p>hi</p></body></html>")
    finally:
        shutil.rmtree(preview.out_dir)
    parsed = BeautifulSoup(page, "html.parser")
    assert parsed.find("img") is None
    scripts = parsed.find_all("script")
    assert len(scripts) == 1 and scripts[0]["data-base"] == preview.base_path
    assert html.escape(preview.base_path) in page.decode()


PLAIN_SVG = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">
  <style>.a { fill: red; }</style>
  <a xlink:href="https://example.org/"><rect class="a" width="5" height="5"/></a>
  <image href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/>
  <use href="#r"/><text x="1" y="9">diagram</text>
</svg>
"""


def test_a_plain_svg_diagram_is_published(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    (world.site / "content/diagram.svg").write_text(PLAIN_SVG)
    (world.site / "content/first.md").write_text(
        (world.site / "content/first.md").read_text() + "\n![d](diagram.svg)\n"
    )
    assert kb(capsys, *build_args(world.site))[0] == 0
    assert (world.site / "public/media/diagram.svg").read_text() == PLAIN_SVG


ACTIVE_SUFFIX = "; files under content/ must not run script on the site's origin"
OPT_IN = " (set assets: {allow_active: true} in site.yml to publish it anyway)"


@pytest.mark.parametrize(
    ("name", "data", "at", "reason"),
    [
        (
            "evil.html",
            "<script>alert(document.domain)</script>",
            (1, 1),
            "this is an HTML page, which runs in the browser",
        ),
        ("page.XHTML", "<html/>", (1, 1), "this is an XHTML page, which runs in the browser"),
        ("app.js", "alert(1)", (1, 1), "this is JavaScript, which runs in the browser"),
        (
            "diagram.svg",
            '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">\n<script>alert(2)</script></svg>',
            (1, 1),
            "<svg> has an event handler (onload=)",
        ),
        (
            "diagram.svg",
            '<svg xmlns="http://www.w3.org/2000/svg">\n  <rect/>\n  <script>alert(2)</script></svg>',
            (3, 3),
            "it has a <script> element",
        ),
        (
            "fo.svg",
            '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div/></foreignObject></svg>',
            (1, 41),
            "it has a <foreignObject> element",
        ),
        (
            "link.svg",
            '<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">\n'
            '<a x:href=" JavaScript:alert(1)"><rect/></a></svg>',
            (2, 1),
            "<a> links to 'JavaScript:alert(1)'",
        ),
        (
            "anim.svg",
            '<svg xmlns="http://www.w3.org/2000/svg"><a><set attributeName="href" to="javascript:x"/></a></svg>',
            (1, 44),
            "<set> changes a link target",
        ),
        (
            "ns.svg",
            '<svg xmlns="http://www.w3.org/2000/svg"><h:img xmlns:h="http://www.w3.org/1999/xhtml"/></svg>',
            (1, 41),
            "it embeds an HTML element <img>",
        ),
        (
            "pi.svg",
            '<?xml-stylesheet type="text/xsl" href="x.xsl"?><svg xmlns="http://www.w3.org/2000/svg"/>',
            (1, 1),
            "it applies a stylesheet (<?xml-stylesheet?>), which can run script",
        ),
        (
            "entity.svg",
            '<!DOCTYPE svg [<!ENTITY e "x">]><svg xmlns="http://www.w3.org/2000/svg">&e;</svg>',
            (1, 27),  # expat reports the end of the declaration
            "it declares an XML entity, which could hide what it holds",
        ),
        (
            "broken.svg",
            '<svg xmlns="http://www.w3.org/2000/svg">\n<rect x="1" y=2/></svg>',
            (2, 15),
            "it cannot be read as XML (not well-formed (invalid token)), so it cannot be checked",
        ),
        (
            "page.svg",
            '<html xmlns="http://www.w3.org/1999/xhtml"/>',
            (1, 1),
            "its root element is <html>, not <svg>",
        ),
        (
            "data.xml",
            '<root><x:script xmlns:x="http://www.w3.org/1999/xhtml"/></root>',
            (1, 7),
            "it embeds an HTML element <script>",
        ),
    ],
)
def test_active_files_under_content_are_errors(
    world: World,
    capsys: pytest.CaptureFixture[str],
    name: str,
    data: str,
    at: tuple[int, int],
    reason: str,
) -> None:
    (world.site / "content" / name).write_text(data)
    line, col = at
    expected = f"content/{name}:{line}:{col}: error[active-content]: {reason}{ACTIVE_SUFFIX}{OPT_IN}"
    assert_refused(world, capsys, [expected])


def test_active_files_are_published_when_the_site_opts_in(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    (world.site / "content/evil.html").write_text("<script>alert(1)</script>")
    append_config(world.site, "assets: {allow_active: true}")
    assert kb(capsys, *build_args(world.site))[0] == 0
    assert (world.site / "public/media/evil.html").is_file()


def test_the_opt_in_must_be_a_real_boolean(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    line = append_config(world.site, 'assets: {allow_active: "yes"}')
    code, out, _ = kb(capsys, "check", "--site", world.site)
    assert (code, out) == (
        1,
        f"site.yml:{line}:24: error[invalid-value]: 'assets.allow_active': Input should be a valid boolean\n",
    )


def test_a_compressed_svg_is_inspected_too() -> None:
    import gzip

    evil = gzip.compress(b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>')
    plain = gzip.compress(b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>')
    found = active_reason("a.svgz", evil)
    assert found is not None and found.reason == "<svg> has an event handler (onload=)"
    assert active_reason("b.svgz", plain) is None
    broken = active_reason("c.svgz", b"not gzip")
    assert broken is not None and "cannot be read" in broken.reason


def test_a_url_field_in_front_matter_passes_the_same_scheme_check() -> None:
    from builder.frontmatter import Vocabulary, read_lesson

    raw = (
        b"---\ntitle: T\ndate: 2026-01-01\nsummary: S.\ntopics: [testing]\n"
        b"extra:\n  demo: {url: 'javascript:alert(1)'}\n---\nBody.\n"
    )
    vocabulary = Vocabulary(frozenset({"testing"}), frozenset(), frozenset())
    lesson, problems = read_lesson("content/x.md", raw, vocabulary)
    assert lesson is None
    message = "'extra.demo.url': 'javascript:' URLs are not allowed; use an http(s), mailto: or relative URL"
    assert ("content/x.md", 7, 15, "invalid-value", message) in [
        (d.path, d.line, d.col, d.code, d.message) for d in problems
    ]


def test_the_cache_folder_is_a_protected_source() -> None:
    from builder.cache import CACHE_DIR
    from builder.output import SOURCES

    assert CACHE_DIR in SOURCES


def test_files_of_a_forced_folder_are_never_reused(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    assert kb(capsys, *build_args(world.site))[0] == 0
    out = world.site / "public"
    page = out / "lessons/first/index.html"
    (out / STAMP_FILE).unlink()  # no longer kb's: the user has put their own page in its place
    size = page.stat().st_size
    page.unlink()
    page.write_bytes((SECRET.encode() * size)[:size])  # the same size as kb's page
    assert kb(capsys, *build_args(world.site, "--force"))[0] == 0
    assert SECRET not in page.read_text()


def test_a_symlinked_cache_folder_is_never_written_or_emptied(
    site_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    """A site may arrive with .kb-cache committed as a symlink (a pull request): kb build and kb serve,
    which write and delete in their cache, then leave the folder it points to as it was."""
    outside = tmp_path / "outside"
    (outside / "preview").mkdir(parents=True)
    (outside / "preview" / "secret.txt").write_text("keep me")
    site = site_copy("good")
    shutil.rmtree(site / ".kb-cache", ignore_errors=True)
    (site / ".kb-cache").symlink_to(outside, target_is_directory=True)
    before = tree(outside)
    assert build(BuildOptions(site_dir=site, out_dir=tmp_path / "public", search=False)).ok
    preview = Preview(site, search=False, keep=True)
    try:
        assert preview.lock_file is None  # no kept folder: a temporary one
        assert not preview.out_dir.is_relative_to(outside)
        preview.warm_start()
        assert preview.rebuild()
    finally:
        preview.close()
    assert tree(outside) == before
