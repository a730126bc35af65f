"""Related lessons by weighted overlap of skills and topics, through an inverted index of bitsets.

Lessons are numbered newest first (then by slug), and each term maps to a bitset of the lessons that carry
it. For one lesson with terms T, the lessons sharing exactly the subset U of T are
AND(U) & ~OR(T - U): a handful of big-integer operations, never a comparison of all pairs. Subsets are
visited from the highest weight down, so the walk stops as soon as `limit` lessons are found, and the
lowest set bits of a weight level are its newest lessons: the tie-breaks come for free.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

from builder.records import picklable
from builder.taxonomy import Kind

Term = tuple[Kind, str]  # (Kind.SKILLS, "pydantic")
MAX_TERMS = 12


@picklable
@dataclass(frozen=True, slots=True)
class Relation:
    slug: str
    shared_skills: tuple[str, ...]
    shared_topics: tuple[str, ...]
    shared_declared: tuple[Term, ...] = ()  # terms of the site's own taxonomies that count (related_weight)


def related_lessons(
    ordered: Sequence[str],
    terms: Mapping[str, Sequence[Term]],
    weights: Mapping[Kind, float],
    limit: int,
) -> dict[str, tuple[Relation, ...]]:
    """ordered: slugs newest first; terms: each slug's terms in display order; weights by term kind."""
    postings: dict[Term, int] = defaultdict(int)
    for index, slug in enumerate(ordered):
        for term in terms[slug]:
            postings[term] |= 1 << index
    return {
        slug: _top(
            index, [t for t in terms[slug] if weights.get(t[0], 0) > 0], postings, ordered, weights, limit
        )
        for index, slug in enumerate(ordered)
    }


def _top(
    me: int,
    mine: list[Term],
    postings: Mapping[Term, int],
    ordered: Sequence[str],
    weights: Mapping[Kind, float],
    limit: int,
) -> tuple[Relation, ...]:
    mine = sorted(dict.fromkeys(mine), key=lambda t: -weights[t[0]])[:MAX_TERMS]
    found: list[Relation] = []
    if limit <= 0 or not mine:
        return ()
    anyone = 0
    for term in mine:
        anyone |= postings[term]
    if not anyone & ~(1 << me):
        return ()
    for subsets in _levels(tuple(weights[t[0]] for t in mine)):
        level: list[tuple[int, tuple[Term, ...]]] = []
        union = 0
        for positions in subsets:
            subset = tuple(mine[i] for i in positions)
            exact = anyone
            for term in subset:
                exact &= postings[term]
                if not exact:
                    break
            if not exact:
                continue
            for term in mine:
                if term not in subset:
                    exact &= ~postings[term]
            exact &= ~(1 << me)
            if exact:
                level.append((exact, subset))
                union |= exact
        while union and len(found) < limit:
            lowest = union & -union
            union ^= lowest
            subset = next(s for bits, s in level if bits & lowest)
            found.append(
                Relation(
                    ordered[lowest.bit_length() - 1],
                    tuple(t[1] for t in subset if t[0] is Kind.SKILLS),
                    tuple(t[1] for t in subset if t[0] is Kind.TOPICS),
                    tuple(t for t in subset if t[0] is not Kind.SKILLS and t[0] is not Kind.TOPICS),
                )
            )
        if len(found) >= limit:
            break
    return tuple(found)


@lru_cache(maxsize=1024)
def _levels(weights: tuple[float, ...]) -> tuple[tuple[tuple[int, ...], ...], ...]:
    """Every non-empty subset of term positions, grouped by total weight, heaviest group first."""
    grouped: dict[float, list[tuple[int, ...]]] = defaultdict(list)
    positions = range(len(weights))
    for size in range(len(weights), 0, -1):
        for subset in combinations(positions, size):
            grouped[round(sum(weights[i] for i in subset), 9)].append(subset)
    return tuple(tuple(grouped[total]) for total in sorted(grouped, reverse=True))
