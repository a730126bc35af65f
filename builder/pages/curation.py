"""Pages for curators and tools: the maintenance page and the lessons as Markdown (llms.txt)."""

from __future__ import annotations

from collections.abc import Iterator

from builder import llms
from builder.maintenance import maintenance_job
from builder.pages import page_type
from builder.render import PageJob, SiteRenderer


@page_type("maintenance", 80)
def maintenance(site: SiteRenderer) -> Iterator[PageJob]:
    yield maintenance_job(site)


def _replan_llms(site: SiteRenderer, name: str) -> PageJob:
    if name == "llms.txt":
        return llms.index_job(site)
    if name == "llms-full.txt":
        return llms.full_job(site)
    return llms.markdown_job(site, name.removeprefix("lessons/").removesuffix("/" + llms.MARKDOWN_NAME))


@page_type("llms", 85, replan=_replan_llms)
def lessons_as_markdown(site: SiteRenderer) -> Iterator[PageJob]:
    yield from llms.llms_jobs(site)
