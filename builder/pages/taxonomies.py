"""Each taxonomy's pages: the index of its terms, and a page per term listing its lessons (newest first,
paginated) that heads the term's feed. Which taxonomies have which pages is data: builder.taxonomy for
the built-in ones, site.yml's `taxonomies:` for a site's own."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote_plus

from builder import views
from builder.pages import page_type
from builder.pages.cards import page_image
from builder.pagination import paginate
from builder.render import FeedSpec, Page, PageJob, SiteRenderer, output_name
from builder.taxonomy import AUTHORS, Taxonomy


def _replan(site: SiteRenderer, name: str) -> PageJob:
    """One page of a taxonomy made again: its index of terms, or one page of a term's list."""
    segment, _, rest = name.partition("/")
    taxonomy = next(t for t in site.config.all_taxonomies() if str(t.kind) == segment)
    items = views.terms(site.config, site.graph, taxonomy.kind)
    if taxonomy.index and name == output_name(f"{segment}/"):
        return _index_page(site, taxonomy, items)
    term = next(term for term in items if term.id == rest.partition("/")[0])
    return next(job for job in _term_pages(site, taxonomy, term, name) if job.name == name)


@page_type("taxonomies", 40, replan=_replan)
def taxonomies(site: SiteRenderer) -> Iterator[PageJob]:
    for taxonomy in site.config.all_taxonomies():
        items = views.terms(site.config, site.graph, taxonomy.kind)
        if taxonomy.index:
            yield _index_page(site, taxonomy, items)
        for term in items:
            yield from _term_pages(site, taxonomy, term)


def _index_page(site: SiteRenderer, taxonomy: Taxonomy, items: list[views.TermView]) -> PageJob:
    config, kind = site.config, taxonomy.kind
    page = Page(f"{kind}/", taxonomy.title, f"{taxonomy.title} of {config.title}.", kind.name)
    newest = site.newest(tuple(site.graph.lessons))
    return site.page("terms.html", page, sitemap=newest, kind=kind, terms=items)


def _term_pages(
    site: SiteRenderer, taxonomy: Taxonomy, term: views.TermView, only: str | None = None
) -> Iterator[PageJob]:
    """The pages of a term's list (only: the one of that file name, when it is made again alone)."""
    config, graph, kind = site.config, site.graph, taxonomy.kind
    cooccurring = [
        {"kind": other_kind, "id": other, "count": count, "title": config.vocabulary(other_kind)[other].title}
        for (other_kind, other), count in graph.cooccurring.get((kind, term.id), ())
    ]
    slugs = graph.lessons_with(kind, term.id)
    base = f"{kind}/{term.id}/"
    title = f"{term.title} · {config.title}"
    for pager, chunk in paginate(base, slugs, config.lists.page_size):
        if only is not None and output_name(pager.path) != only:
            continue
        first = pager.number == 1
        image = page_image(site, kind, term.id) if first else ("", "")
        name = term.title if first else f"{term.title} · page {pager.number}"
        page = Page(pager.path, name, term.description, kind.name, *image)
        yield site.page(
            taxonomy.template,
            page,
            sitemap=site.newest(slugs) if first else None,
            feed=FeedSpec(base, title, term.description, slugs) if first else None,
            kind=kind,
            kind_label=taxonomy.label,
            term=term,
            lessons=[site.cards[slug] for slug in chunk],
            cooccurring=cooccurring,
            search_query=f"{kind.singular}={quote_plus(term.title)}" if kind is not AUTHORS else "",
            pager=pager,
        )
