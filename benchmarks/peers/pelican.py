"""The corpus as a Pelican project: lessons at /lessons/SLUG/ in the default theme, topics and skills as
tags, Pygments through codehilite, and a table of contents from the toc extension ([TOC] atop each body)."""

from __future__ import annotations

import shutil
from pathlib import Path

from benchmarks.peers import Corpus, Lesson, Peer, PeerEnv, iso_date, plain_links

SETTINGS = """\
SITENAME = {title!r}
SITEURL = {site_url!r}
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = False

ARTICLE_URL = "lessons/{{slug}}/"
ARTICLE_SAVE_AS = "lessons/{{slug}}/index.html"
TAG_URL = "tags/{{slug}}/"
TAG_SAVE_AS = "tags/{{slug}}/index.html"
CATEGORY_URL = "category/{{slug}}/"
CATEGORY_SAVE_AS = "category/{{slug}}/index.html"

# One site feed of the 20 newest lessons, as kb and the Hugo peer write.
FEED_ALL_ATOM = "feed.xml"
FEED_MAX_ITEMS = 20
CATEGORY_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None

MARKDOWN = {{
    "extension_configs": {{
        "markdown.extensions.codehilite": {{"css_class": "highlight"}},
        "markdown.extensions.extra": {{}},
        "markdown.extensions.meta": {{}},
        "markdown.extensions.toc": {{"toc_depth": "2-3"}},
    }},
    "output_format": "html5",
}}
"""


def article(lesson: Lesson, titles: dict[str, str]) -> str:
    front = lesson.front
    tags = [*front.get("topics", []), *front.get("skills", [])]
    header = [
        f"Title: {front['title']}",
        f"Date: {iso_date(front['date'])}",
        f"Slug: {lesson.slug}",
        "Category: Lessons",
        f"Tags: {', '.join(tags)}",
        f"Summary: {front['summary']}",
    ]
    if "level" in front:
        header.append(f"Level: {front['level']}")
    return "\n".join(header) + "\n\n[TOC]\n\n" + plain_links(lesson.body, titles)


def write(corpus: Corpus, project: Path) -> None:
    if project.exists():
        shutil.rmtree(project)
    content = project / "content" / "lessons"
    content.mkdir(parents=True)
    site_url = corpus.base_url.rstrip("/")
    (project / "pelicanconf.py").write_text(SETTINGS.format(title=corpus.title, site_url=site_url))
    titles = corpus.titles()
    for lesson in corpus.lessons:
        (content / f"{lesson.slug}.md").write_text(article(lesson, titles), encoding="utf-8")


def command(project: Path, env: PeerEnv) -> list[str]:
    return [
        str(env.python),
        "-m",
        "pelican",
        str(project / "content"),
        "--settings",
        str(project / "pelicanconf.py"),
        "--output",
        str(project / "output"),
        "--fatal",
        "errors",
        "--log-handler",
        "plain",
        "--quiet",
    ]


PEER = Peer(
    name="Pelican",
    packages=(("pelican", "4.12"), ("markdown", "")),
    write=write,
    command=command,
    output="output",
    scratch=("cache", "__pycache__"),
)
