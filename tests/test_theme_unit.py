"""builder/theme.py on its own: which theme a site gets, where each template comes from, what the theme's
digest follows, and what kb refuses to read in a site's own theme."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from jinja2 import TemplateNotFound

from builder.diagnostics import format_text
from builder.highlight import stylesheet
from builder.theme import Theme, builtin_theme_dir, find_theme

BUILTIN = builtin_theme_dir()


def own_theme(site: Path, files: dict[str, str]) -> Theme:
    """The site's theme 'custom' with these files (relative to the theme's folder)."""
    for name, text in files.items():
        path = site / "themes/custom" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    theme = find_theme(site, "custom")
    assert theme is not None
    return theme


def test_which_theme_a_site_gets(tmp_path: Path) -> None:
    assert find_theme(tmp_path, "default") == Theme((BUILTIN,))
    assert find_theme(tmp_path, "custom") is None
    (tmp_path / "themes/custom").mkdir(parents=True)
    assert find_theme(tmp_path, "custom") == Theme((tmp_path / "themes/custom", BUILTIN), tmp_path)
    (tmp_path / "themes/default").mkdir()  # a site's own "default" stacks over the built-in one
    assert find_theme(tmp_path, "default") == Theme((tmp_path / "themes/default", BUILTIN), tmp_path)


def test_templates_come_from_the_site_first_then_the_default(tmp_path: Path) -> None:
    theme = own_theme(
        tmp_path,
        {"templates/robots.txt": "own robots {{ 1 + 1 }}\n", "templates/note.html": "{{ text }}"},
    )
    own = tmp_path / "themes/custom/templates"
    assert theme.template_dirs == [own, BUILTIN / "templates"]
    env = theme.environment()
    assert env.get_template("robots.txt").filename == str(own / "robots.txt")
    assert env.get_template("robots.txt").render() == "own robots 2\n"
    assert env.get_template("lesson.html").filename == str(BUILTIN / "templates/lesson.html")
    assert env.get_template("default/robots.txt").filename == str(BUILTIN / "templates/robots.txt")
    assert env.get_template("note.html").render(text="<b>") == "&lt;b&gt;"  # HTML is escaped
    with pytest.raises(TemplateNotFound):
        env.get_template("nowhere.html")


def test_a_template_that_leaves_the_theme_is_not_read_and_is_reported(tmp_path: Path) -> None:
    """A symlinked template pointing outside the theme: the default's template answers instead, and the
    theme's problems name the file."""
    outside = tmp_path / "secret.html"
    outside.write_text("SECRET")
    theme = own_theme(tmp_path, {"templates/keep.html": "kept"})
    os.symlink(outside, tmp_path / "themes/custom/templates/robots.txt")
    os.symlink(outside, tmp_path / "themes/custom/templates/nowhere.html")
    env = theme.environment()
    assert env.get_template("robots.txt").filename == str(BUILTIN / "templates/robots.txt")
    with pytest.raises(TemplateNotFound):
        env.get_template("nowhere.html")
    assert format_text(theme.problems()).splitlines() == [
        "themes/custom/templates/nowhere.html:1:1: error[unsafe-path]: symlink resolves outside themes/custom/; it is not read",
        "themes/custom/templates/robots.txt:1:1: error[unsafe-path]: symlink resolves outside themes/custom/; it is not read",
    ]
    assert [path.name for path in theme.files(tmp_path / "themes/custom")] == ["keep.html"]
    assert Theme((BUILTIN,)).problems() == []


def test_digest_follows_every_template_and_asset(tmp_path: Path) -> None:
    theme = own_theme(tmp_path, {"templates/robots.txt": "one\n", "static/own.css": "a {}"})
    first = theme.digest()
    assert theme.digest() == first  # nothing changed, nothing moves
    assert first != Theme((BUILTIN,)).digest()
    (tmp_path / "themes/custom/templates/.draft.html").write_text("hidden files are not the theme's")
    assert theme.digest() == first
    template = tmp_path / "themes/custom/templates/robots.txt"
    template.write_text("two\n")
    second = theme.digest()
    assert second != first
    (tmp_path / "themes/custom/static/own.css").write_text("b {}")
    third = theme.digest()
    assert third != second
    template.rename(tmp_path / "themes/custom/templates/renamed.txt")  # the same bytes under another name
    assert theme.digest() not in {first, second, third}


def test_static_files_site_over_default_hidden_ones_left_out(tmp_path: Path) -> None:
    theme = own_theme(
        tmp_path,
        {
            "static/style.css": "own",
            "static/extra/new.js": "new",
            "static/.secret": "no",
            "static/.d/x.js": "no",
        },
    )
    files = theme.static_files()
    assert files["style.css"] == b"own"
    assert files["extra/new.js"] == b"new"
    assert files["theme.js"] == (BUILTIN / "static/theme.js").read_bytes()
    assert files["pygments.css"] == stylesheet().encode()
    assert not any(name.startswith(".") or "/." in name for name in files)
    assert set(Theme((BUILTIN,)).static_files()) | {"extra/new.js"} == set(files)
