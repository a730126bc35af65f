"""Hooks of this site: one function per event, each receiving a typed event object."""

from builder.extensions import AfterBuild, ConfigLoaded, ExtraPage, GraphBuilt, PageContext

seen: list[str] = []


def on_config_loaded(event: ConfigLoaded) -> None:
    seen.append(event.config.title)


def on_graph_built(event: GraphBuilt) -> list[ExtraPage]:
    """A glossary page listing every lesson title, rendered with the site's glossary.html."""
    titles = sorted(lesson.source.meta.title for lesson in event.graph.lessons.values())
    return [
        ExtraPage("glossary/", "glossary.html", "Glossary", "Every title.", {"titles": titles}, "2026-01-01")
    ]


def on_page_context(event: PageContext) -> dict[str, object]:
    return {**event.context, "built_by": "hooks/glossary.py"}


def on_after_build(event: AfterBuild) -> None:
    seen.append(f"{event.pages} pages")
