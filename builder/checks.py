"""Whole-site checks once the graph is built: learning paths, prerequisites (and their cycles), and the
quality warnings (orphans, lessons without related ones, unused terms)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from builder.config import LoadedConfig
from builder.diagnostics import Diagnostics, did_you_mean, error, warning
from builder.graph import LeftOut, PathStep, SiteGraph
from builder.links import DRAFT
from builder.taxonomy import Kind


def _invalid(left_out: Mapping[str, LeftOut], slug: str) -> bool:
    item = left_out.get(slug)
    return item is not None and not item.draft


def paths(
    graph: SiteGraph, loaded: LoadedConfig, left_out: Mapping[str, LeftOut], found: Diagnostics
) -> None:
    steps: dict[str, list[PathStep]] = defaultdict(list)
    for path_id, learning_path in loaded.config.paths.items():
        known = tuple(dict.fromkeys(slug for slug in learning_path.lessons if slug in graph.lessons))
        first_step: dict[str, int] = {}
        for index, slug in enumerate(learning_path.lessons):
            if slug in first_step:
                at = loaded.path_step_position(path_id, index)
                message = f"path '{path_id}': '{slug}' is already step {first_step[slug] + 1} of this path"
                found.append(error("site.yml", at.line, at.col, "invalid-value", message))
                continue
            first_step[slug] = index
            if slug not in graph.lessons and not _invalid(left_out, slug):
                at = loaded.path_step_position(path_id, index)
                why = DRAFT if slug in left_out else "is not a lesson"
                hint = "" if slug in left_out else did_you_mean(slug, graph.lessons)
                found.append(
                    error(
                        "site.yml",
                        at.line,
                        at.col,
                        "unknown-lesson",
                        f"path '{path_id}': '{slug}' {why}{hint}",
                    )
                )
        for index, slug in enumerate(known):
            steps[slug].append(PathStep(path_id, index, known))
    graph.path_steps = {slug: tuple(value) for slug, value in steps.items()}


def prerequisites(graph: SiteGraph, left_out: Mapping[str, LeftOut], found: Diagnostics) -> None:
    edges: dict[str, list[str]] = {}
    for slug, lesson in graph.lessons.items():
        edges[slug] = []
        for index, prerequisite in enumerate(lesson.source.meta.prerequisites):
            line, col = lesson.source.position(f"prerequisites.{index}")
            if prerequisite in graph.lessons:
                edges[slug].append(prerequisite)
            elif not _invalid(left_out, prerequisite):  # a file with errors of its own is not reported twice
                hint = did_you_mean(prerequisite, graph.lessons)
                why = DRAFT if prerequisite in left_out else f"is not a lesson{hint}"
                message = f"prerequisite '{prerequisite}' {why}"
                found.append(error(lesson.source.path, line, col, "unknown-lesson", message))
    for cycle in _cycles(edges):
        first = graph.lessons[cycle[0]]
        index = list(first.source.meta.prerequisites).index(cycle[1])
        line, col = first.source.position(f"prerequisites.{index}")
        found.append(
            error(
                first.source.path,
                line,
                col,
                "prerequisite-cycle",
                "prerequisites form a cycle: " + " -> ".join(cycle),
            )
        )


def _cycles(edges: dict[str, list[str]]) -> list[list[str]]:
    """Each cycle once, starting at its smallest slug (iterative DFS, no recursion limit)."""
    cycles: set[tuple[str, ...]] = set()
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    for start in sorted(edges):
        if start in state:
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        trail: list[str] = [start]
        state[start] = 1
        while stack:
            node, next_edge = stack[-1]
            children = edges.get(node, [])
            if next_edge < len(children):
                stack[-1] = (node, next_edge + 1)
                child = children[next_edge]
                if state.get(child) == 1:
                    loop = trail[trail.index(child) :]
                    pivot = loop.index(min(loop))
                    rotated = loop[pivot:] + loop[:pivot]
                    cycles.add((*rotated, rotated[0]))
                elif child not in state:
                    state[child] = 1
                    trail.append(child)
                    stack.append((child, 0))
            else:
                state[node] = 2
                trail.pop()
                stack.pop()
    return [list(cycle) for cycle in sorted(cycles)]


def quality_warnings(
    graph: SiteGraph, loaded: LoadedConfig, inbound: dict[str, set[str]], found: Diagnostics
) -> None:
    for slug, lesson in graph.lessons.items():
        path = lesson.source.path
        if not inbound.get(slug) and slug not in graph.path_steps:
            found.append(
                warning(
                    path,
                    1,
                    1,
                    "orphan-lesson",
                    f"no lesson links to '{slug}' and no learning path includes it",
                )
            )
        if not graph.related.get(slug) and loaded.config.related.max > 0:
            found.append(
                warning(path, 1, 1, "no-related", f"'{slug}' shares no topic or skill with any other lesson")
            )
    for taxonomy in loaded.config.all_taxonomies():
        kind, used = taxonomy.kind, graph.index(taxonomy.kind)
        if kind is Kind.AUTHORS:
            continue  # an author may have written only drafts, or nothing yet
        for term in loaded.config.vocabulary(kind):
            if term not in used:
                at = loaded.document.key_at((*taxonomy.declared_at, term))
                found.append(
                    warning(
                        "site.yml", at.line, at.col, "unused-term", f"no lesson uses {kind.singular} '{term}'"
                    )
                )
