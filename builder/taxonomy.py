"""Taxonomies as data: each is a typed Kind with the front-matter field lessons list it in, how its
terms are named, and which pages and feeds it gets. Code that handles terms loops over TAXONOMIES."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """A taxonomy: its value is the front-matter field, the site.yml section and the URL prefix."""

    TOPICS = "topics"
    SKILLS = "skills"
    AUTHORS = "authors"

    @property
    def singular(self) -> str:
        return self.value[:-1]


@dataclass(frozen=True, slots=True)
class Taxonomy:
    kind: Kind
    label: str  # one term's kind, capitalised: "Topic"
    title: str  # the index page's title: "Topics"
    index: bool  # a page listing every term (/topics/)
    related: bool  # shared terms make lessons related, and are co-counted on term pages
    template: str  # a term's page
    unknown_code: str  # the diagnostic code for a term that site.yml does not declare


TAXONOMIES = (
    Taxonomy(Kind.TOPICS, "Topic", "Topics", True, True, "term.html", "unknown-topic"),
    Taxonomy(Kind.SKILLS, "Skill", "Skills", True, True, "term.html", "unknown-skill"),
    Taxonomy(Kind.AUTHORS, "Author", "Authors", False, False, "author.html", "unknown-author"),
)
BY_KIND = {taxonomy.kind: taxonomy for taxonomy in TAXONOMIES}
