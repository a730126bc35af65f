"""Links from a lesson page to its sources on the forge: edit, history, and a pre-filled feedback issue
(all empty without repo: in site.yml)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

from builder.config import SiteConfig

if TYPE_CHECKING:
    from builder.graph import Lesson


def repo_links(config: SiteConfig, source_path: str, prefix: str) -> tuple[str, str]:
    """ "Edit this lesson" and "History" URLs of a source file, or empty strings without repo:."""
    if config.repo is None:
        return "", ""
    where = quote(f"{config.repo.branch}/{prefix}{source_path}", safe="/")
    return f"{config.repo.url}/edit/{where}", f"{config.repo.url}/commits/{where}"


FEEDBACK_LABEL = "lesson-feedback"
FEEDBACK_TEMPLATE = "lesson-feedback.md"  # in .github/ISSUE_TEMPLATE/


def feedback_url(config: SiteConfig, lesson: Lesson, source: str) -> str:
    """A link to a new GitHub issue about a lesson, pre-filled; empty without repo:. Nothing is sent
    anywhere until the reader submits the form on GitHub."""
    if config.repo is None:
        return ""
    meta = lesson.source.meta
    section = ", ".join(config.topics[topic].title for topic in meta.topics)
    body = (
        f"Lesson: {meta.title}\n"
        f"URL: {config.base_url}{lesson.url}\n"
        f"Source: {source}\n"
        f"Section: {section}\n\n"
        "What is wrong or out of date? (quote the sentence or name the heading)\n\n\n"
        "What would be right? (a link to a source helps)\n"
    )
    query = {
        "title": f"Lesson feedback: {meta.title}",
        "body": body,
        "labels": FEEDBACK_LABEL,
        "template": FEEDBACK_TEMPLATE,
    }
    return f"{config.repo.url}/issues/new?{urlencode(query, quote_via=quote)}"
