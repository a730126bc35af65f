"""builder/related.py against a brute-force reference written from its documented rule, on random sites.

The rule (related.py's docstring, README's `related: {max, weights}`): two lessons are related when they
share a skill or topic of positive weight; a lesson's related lessons are ranked by the total weight of
what they share, heaviest first, ties going to the newest lesson (the earlier one in the newest-first
order, which breaks equal dates by slug); at most `max` are kept; each says which skills and which topics
it shares, in the lesson's own order. A lesson's heaviest MAX_TERMS terms are the ones that count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from builder.config import LoadedConfig, load_config
from builder.frontmatter import Vocabulary, read_lesson
from builder.graph import Lesson, build_graph
from builder.markdown import render_markdown
from builder.related import MAX_TERMS, Relation, Term, related_lessons
from builder.taxonomy import Kind

SKILLS = [f"s{n}" for n in range(8)]
TOPICS = [f"t{n}" for n in range(6)]
ALL_TERMS: list[Term] = [
    *((Kind.SKILLS, s) for s in SKILLS),
    *((Kind.TOPICS, t) for t in TOPICS),
    (Kind.AUTHORS, "ada"),  # no weight: never a reason to relate lessons
]


def reference(
    ordered: Sequence[str], terms: Mapping[str, Sequence[Term]], weights: Mapping[Kind, float], limit: int
) -> dict[str, tuple[Relation, ...]]:
    """Every pair compared, straight from the rule."""
    answer = {}
    for slug in ordered:
        mine = [t for t in dict.fromkeys(terms[slug]) if weights.get(t[0], 0) > 0]
        mine = sorted(mine, key=lambda t: -weights[t[0]])[:MAX_TERMS]  # stable: display order within a weight
        ranked = []
        for position, other in enumerate(ordered):
            shared = [t for t in mine if t in set(terms[other])]
            if other != slug and shared:
                score = round(sum(weights[kind] for kind, _ in shared), 9)
                ranked.append((-score, position, other, shared))
        ranked.sort(key=lambda item: (item[0], item[1]))
        answer[slug] = tuple(
            Relation(
                other,
                tuple(name for kind, name in shared if kind is Kind.SKILLS),
                tuple(name for kind, name in shared if kind is Kind.TOPICS),
            )
            for _, _, other, shared in ranked[: max(limit, 0)]
        )
    return answer


slugs = st.text(alphabet="abcd", min_size=1, max_size=3)
dates = st.dates(dt.date(2026, 1, 1), dt.date(2026, 1, 4))  # a narrow range: many equal dates
few_terms = st.lists(st.sampled_from(ALL_TERMS), max_size=5)
many_terms = st.permutations(ALL_TERMS).flatmap(
    lambda terms: st.integers(8, len(terms)).map(lambda n: terms[:n])
)
lessons = st.dictionaries(slugs, st.tuples(dates, st.one_of(few_terms, many_terms)), max_size=14)
weight = st.sampled_from([0.0, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 3.0])


def newest_first(site: Mapping[str, tuple[dt.date, list[Term]]]) -> list[str]:
    return sorted(site, key=lambda slug: (-site[slug][0].toordinal(), slug))


@given(lessons, weight, weight, st.integers(0, 6))
def test_related_lessons_match_the_reference(
    site: dict[str, tuple[dt.date, list[Term]]], skills: float, topics: float, limit: int
) -> None:
    ordered = newest_first(site)
    terms = {slug: terms for slug, (_, terms) in site.items()}
    weights = {Kind.SKILLS: skills, Kind.TOPICS: topics}
    assert related_lessons(ordered, terms, weights, limit) == reference(ordered, terms, weights, limit)


def test_the_reference_itself_on_a_worked_example() -> None:
    """Checked by hand, so that the reference cannot agree with related.py by sharing its mistakes."""
    ordered = ["new", "mid", "old", "alone"]
    terms: dict[str, list[Term]] = {
        "new": [(Kind.SKILLS, "sql"), (Kind.TOPICS, "data")],
        "mid": [(Kind.TOPICS, "data"), (Kind.TOPICS, "apis")],
        "old": [(Kind.SKILLS, "sql"), (Kind.TOPICS, "apis"), (Kind.TOPICS, "data")],
        "alone": [(Kind.AUTHORS, "ada")],
    }
    weights = {Kind.SKILLS: 2.0, Kind.TOPICS: 1.0}
    expected = {
        "new": (Relation("old", ("sql",), ("data",)), Relation("mid", (), ("data",))),
        "mid": (Relation("old", (), ("data", "apis")), Relation("new", (), ("data",))),
        "old": (Relation("new", ("sql",), ("data",)), Relation("mid", (), ("apis", "data"))),
        "alone": (),
    }
    assert reference(ordered, terms, weights, 5) == expected
    assert related_lessons(ordered, terms, weights, 5) == expected
    assert related_lessons(ordered, terms, weights, 1)["new"] == (Relation("old", ("sql",), ("data",)),)
    assert related_lessons(ordered, terms, {Kind.SKILLS: 1.0, Kind.TOPICS: 1.0}, 5)["old"] == (
        Relation("new", ("sql",), ("data",)),
        Relation("mid", (), ("apis", "data")),
    )


def test_equal_totals_tie_whatever_the_float_arithmetic() -> None:
    """0.1 + 0.1 + 0.1 is 0.30000000000000004 in floating point, yet the same total as one term of 0.3:
    the tie goes to the newest lesson."""
    ordered = ["me", "newer", "older"]
    skills: list[Term] = [(Kind.SKILLS, name) for name in ("a", "b", "c")]
    terms = {"me": [*skills, (Kind.TOPICS, "t")], "newer": [(Kind.TOPICS, "t")], "older": skills}
    weights = {Kind.SKILLS: 0.1, Kind.TOPICS: 0.3}
    expected = (Relation("newer", (), ("t",)), Relation("older", ("a", "b", "c"), ()))
    assert reference(ordered, terms, weights, 5)["me"] == expected
    assert related_lessons(ordered, terms, weights, 5)["me"] == expected


VOCABULARY = Vocabulary(frozenset(TOPICS), frozenset(SKILLS), frozenset({"ada"}))


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> LoadedConfig:
    site: Path = tmp_path_factory.mktemp("related")
    terms = "\n".join(f"  {name}: {{title: {name}, description: D.}}" for name in TOPICS)
    skills = "\n".join(f"  {name}: {{title: {name}, description: D.}}" for name in SKILLS)
    (site / "site.yml").write_text(
        f"title: R\nbase_url: https://example.org/\ntopics:\n{terms}\nskills:\n{skills}\n"
        "related: {max: 3, weights: {skills: 3, topics: 1.5}}\n"
    )
    loaded, problems = load_config(site)
    assert loaded is not None, problems
    return loaded


def _lesson(slug: str, date: dt.date, skills: list[str], topics: list[str]) -> Lesson:
    front = (
        f"title: {slug}\ndate: {date.isoformat()}\nsummary: S.\nslug: {slug}\n"
        f"topics: [{', '.join(topics) or 't0'}]\nskills: [{', '.join(skills)}]"
    )
    source, problems = read_lesson(f"content/{slug}.md", f"---\n{front}\n---\nBody.\n".encode(), VOCABULARY)
    assert source is not None, problems
    return Lesson(source, render_markdown(source.body))


site_lessons = st.dictionaries(
    slugs,
    st.tuples(
        dates,
        st.lists(st.sampled_from(SKILLS), unique=True, max_size=5),
        st.lists(st.sampled_from(TOPICS), unique=True, max_size=4),
    ),
    max_size=10,
)


@given(site_lessons)
def test_the_graph_relates_lessons_as_the_reference_does(
    loaded: LoadedConfig, site: dict[str, tuple[dt.date, list[str], list[str]]]
) -> None:
    """The whole way: front matter -> Lesson.terms() -> build_graph -> graph.related, at site.yml's weights."""
    built = [_lesson(slug, date, skills, topics) for slug, (date, skills, topics) in site.items()]
    graph, _ = build_graph(loaded, built, (), frozenset({"content"}))
    ordered = list(graph.lessons)
    assert ordered == sorted(site, key=lambda slug: (-site[slug][0].toordinal(), slug))
    terms = {slug: lesson.terms() for slug, lesson in graph.lessons.items()}
    assert graph.related == reference(ordered, terms, {Kind.SKILLS: 3.0, Kind.TOPICS: 1.5}, 3)
