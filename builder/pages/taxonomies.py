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
from builder.render import FeedSpec, Page, PageJob, SiteRenderer
from builder.taxonomy import AUTHORS, Taxonomy


@page_type("taxonomies", 40)
def taxonomies(site: SiteRenderer) -> Iterator[PageJob]:
    config, graph = site.config, site.graph
    everything = tuple(graph.lessons)
    for taxonomy in config.all_taxonomies():
        kind = taxonomy.kind
        items = views.terms(config, graph, kind)
        if taxonomy.index:
            page = Page(f"{kind}/", taxonomy.title, f"{taxonomy.title} of {config.title}.", kind.name)
            yield site.page("terms.html", page, sitemap=site.newest(everything), kind=kind, terms=items)
        for term in items:
            yield from _term_pages(site, taxonomy, term)


def _term_pages(site: SiteRenderer, taxonomy: Taxonomy, term: views.TermView) -> Iterator[PageJob]:
    config, graph, kind = site.config, site.graph, taxonomy.kind
    cooccurring = [
        {"kind": other_kind, "id": other, "count": count, "title": config.vocabulary(other_kind)[other].title}
        for (other_kind, other), count in graph.cooccurring.get((kind, term.id), ())
    ]
    slugs = graph.lessons_with(kind, term.id)
    base = f"{kind}/{term.id}/"
    title = f"{term.title} · {config.title}"
    for pager, chunk in paginate(base, slugs, config.lists.page_size):
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
