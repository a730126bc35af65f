"""Where each link of a lesson points: a lesson (by path, folder or slug), a heading, or a published file;
every link that points nowhere is a Diagnostic at its own line."""

from __future__ import annotations

import posixpath
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING
from urllib.parse import quote

from builder.diagnostics import Diagnostic, did_you_mean, error
from builder.discover import CONTENT_DIR
from builder.markdown import LinkRef

if TYPE_CHECKING:
    from builder.graph import LeftOut, Lesson, SiteGraph

_FRAGMENT_SAFE = "/?:@!$&'()*+,;=-._~"
Fail = Callable[[str, str], tuple[None, str, Diagnostic]]
DRAFT = "is a draft, which this build leaves out"


def lesson_url(slug: str) -> str:
    """Site-relative URL path of a lesson; the base path is added when rendering."""
    return f"lessons/{slug}/"


def asset_url(path: str) -> str:
    return "media/" + posixpath.relpath(path, CONTENT_DIR)


class Resolver:
    def __init__(
        self,
        graph: SiteGraph,
        by_path: dict[str, str],
        assets: set[str],
        folders: frozenset[str],
        left_out: Mapping[str, LeftOut],
    ) -> None:
        self.graph = graph
        self.by_path = by_path
        self.assets = assets
        self.folders = folders
        self.left_out = left_out
        self.left_out_paths = {item.path: item for item in left_out.values()}
        self.folder_index = _folder_indexes([*by_path, *self.left_out_paths])

    def resolve(self, lesson: Lesson, link: LinkRef) -> tuple[str | None, str, Diagnostic | None]:
        """-> (target lesson slug or None, site-relative URL, problem)."""
        path = lesson.source.path

        def fail(code: str, message: str) -> tuple[None, str, Diagnostic]:
            return None, "", error(path, link.line, link.col, code, message)

        if link.kind == "anchor":
            return self._anchor(lesson, link, lesson.slug, fail)
        if link.kind == "wiki":
            if link.target in self.graph.lessons:
                return self._anchor(lesson, link, link.target, fail)
            if link.target in self.left_out:
                return self._left_out(self.left_out[link.target], f"[[{link.target}]]", fail)
            hint = did_you_mean(link.target, self.graph.lessons)
            return fail("broken-link", f"no lesson with slug '{link.target}'{hint}")
        if "\\" in link.target or link.target.startswith("/"):
            return fail(
                "unsafe-path",
                f"'{link.target}': link to other files with a relative path such as ../dir/file.md",
            )
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(path), link.target))
        if not joined.startswith(CONTENT_DIR + "/") and joined != CONTENT_DIR:
            return fail("unsafe-path", f"'{link.target}' points outside content/")
        if joined in self.folders or link.target.endswith("/"):
            index = self.folder_index.get(joined)
            if index is None:
                return fail("broken-link", f"folder '{joined}' has no README.md or index.md lesson")
            joined = index
        if joined in self.by_path:
            return self._anchor(lesson, link, self.by_path[joined], fail)
        if joined in self.assets:  # a URL: the file name percent-encoded, the fragment kept (talk.pdf#page=2)
            fragment = f"#{quote(link.fragment, safe=_FRAGMENT_SAFE)}" if link.fragment else ""
            return None, quote(asset_url(joined)) + fragment, None
        if joined in self.left_out_paths:
            return self._left_out(self.left_out_paths[joined], f"'{link.target}'", fail)
        candidates = self.by_path if joined.endswith(".md") else self.assets
        for form in ("NFC", "NFD"):
            other = unicodedata.normalize(form, joined)
            if other != joined and (other in self.by_path or other in self.assets):
                return fail(
                    "broken-link",
                    f"'{link.target}' does not exist, but a file whose name looks the same does: the two"
                    f" names differ in Unicode normalization ({form} is the file's); retype the link",
                )
        hint = did_you_mean(joined, candidates)
        return fail("broken-link", f"'{link.target}' does not exist ({joined}){hint}")

    @staticmethod
    def _left_out(item: LeftOut, name: str, fail: Fail) -> tuple[str | None, str, Diagnostic | None]:
        return fail("broken-link", f"{name} {DRAFT}") if item.draft else (None, "", None)

    def _anchor(
        self, lesson: Lesson, link: LinkRef, target: str, fail: Fail
    ) -> tuple[str | None, str, Diagnostic | None]:
        target_lesson = self.graph.lessons[target]
        url = "" if link.kind == "anchor" else lesson_url(target)
        if not link.fragment:
            return target, url, None
        ids = [heading.id for heading in target_lesson.body.headings]
        if link.fragment in ids:
            return target, f"{url}#{link.fragment}", None
        where = "this lesson" if target == lesson.slug else f"'{target}'"
        _, _, problem = fail(
            "broken-anchor", f"{where} has no heading '#{link.fragment}'{did_you_mean(link.fragment, ids)}"
        )
        return target, f"{url}#{link.fragment}", problem


def _folder_indexes(paths: Iterable[str]) -> dict[str, str]:
    """Each folder's own lesson: its README.md or index.md, in any letter case (as slugs take them)."""
    found: dict[str, tuple[int, str]] = {}
    for path in paths:
        folder, _, name = path.rpartition("/")
        rank = {"readme.md": 0, "index.md": 1}.get(name.lower())
        if rank is not None and (folder not in found or (rank, path) < found[folder]):
            found[folder] = (rank, path)
    return {folder: path for folder, (_, path) in found.items()}
