"""sitemap.xml, derived: every page that declares a sitemap entry, in the order of the page types."""

from __future__ import annotations

from collections.abc import Iterator

from builder.pages import derived_type
from builder.render import PageJob, SiteRenderer


@derived_type("sitemap", 1)
def sitemap(site: SiteRenderer, jobs: list[PageJob]) -> Iterator[PageJob]:
    entries = [
        {"path": str(job.context["page"].path), "lastmod": job.sitemap}
        for job in jobs
        if job.sitemap is not None
    ]
    yield PageJob("sitemap.xml", "sitemap.xml", {"entries": entries})
