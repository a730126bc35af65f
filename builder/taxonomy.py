"""Taxonomies as data: each is a typed Kind with the front-matter field lessons list it in, how its
terms are named, and which pages and feeds it gets. topics, skills and authors are built in; a site
declares more under `taxonomies:` in site.yml (config.py makes their Taxonomy values). Code that handles
terms loops over a site's taxonomies, never over names."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


class Kind:
    """A taxonomy: its name is the front-matter field, the site.yml section and the URL prefix; singular
    names one term ("topic") in messages, search filters and queries. A frozen value, interned: equal
    kinds are the same object (also after unpickling), so they compare and hash as fast as an enum's
    members; str(kind) is the name, for URLs in templates. Never compared with strings."""

    __slots__ = ("name", "singular")
    name: str
    singular: str

    TOPICS: ClassVar[Kind]
    SKILLS: ClassVar[Kind]
    AUTHORS: ClassVar[Kind]
    _made: ClassVar[dict[tuple[str, str], Kind]] = {}

    def __new__(cls, name: str, singular: str = "") -> Kind:
        if not singular:
            if len(name) < 2 or not name.endswith("s"):
                raise ValueError(f"Kind({name!r}) needs its singular: the name is not a plural")
            singular = name[:-1]
        made = cls._made.get((name, singular))
        if made is None:
            made = object.__new__(cls)
            object.__setattr__(made, "name", name)
            object.__setattr__(made, "singular", singular)
            cls._made[name, singular] = made
        return made

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Kind is frozen: cannot set {name}")

    def __reduce__(self) -> tuple[type[Kind], tuple[str, str]]:
        return Kind, (self.name, self.singular)

    def __lt__(self, other: Kind) -> bool:
        return (self.name, self.singular) < (other.name, other.singular)

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"Kind({self.name!r}, {self.singular!r})"


TOPICS = Kind.TOPICS = Kind("topics")
SKILLS = Kind.SKILLS = Kind("skills")
AUTHORS = Kind.AUTHORS = Kind("authors")


@dataclass(frozen=True, slots=True)
class Taxonomy:
    kind: Kind
    label: str  # one term's kind, capitalised: "Topic"
    title: str  # the index page's title: "Topics"
    index: bool  # a page listing every term (/topics/)
    weight: float | None  # how much a shared term counts toward related lessons (None: from related.weights)
    template: str  # a term's page
    unknown_code: str  # the diagnostic code for a term that site.yml does not declare
    declared_at: tuple[str | int, ...]  # where site.yml declares its terms

    @property
    def builtin(self) -> bool:
        return self.kind in BUILTIN_KINDS


BUILTIN = (
    Taxonomy(TOPICS, "Topic", "Topics", True, None, "term.html", "unknown-topic", ("topics",)),
    Taxonomy(SKILLS, "Skill", "Skills", True, None, "term.html", "unknown-skill", ("skills",)),
    Taxonomy(AUTHORS, "Author", "Authors", False, 0.0, "author.html", "unknown-author", ("authors",)),
)
BUILTIN_KINDS = frozenset(taxonomy.kind for taxonomy in BUILTIN)

# Names a declared taxonomy may not take: the built-in ones and every top-level URL of kb's pages (a
# term page would replace one), and the front-matter fields (a lesson could not list its terms)
RESERVED_URLS = frozenset(
    {
        "topics",
        "skills",
        "authors",
        "lessons",
        "paths",
        "search",
        "tags",
        "categories",
        "pagefind",
        "assets",
        "static",
        "cards",
        "page",
        "feed",
        "sitemap",
        "robots",
        "llms",
        "maintenance",
        "media",
        "404",
    }
)
FRONT_MATTER_FIELDS = frozenset(
    {
        "title",
        "date",
        "summary",
        "level",
        "updated",
        "slug",
        "draft",
        "prerequisites",
        "template",
        "extra",
        "reviewed",
        "aliases",
        "owners",
        "image",
    }
)


UNKNOWN_TERM = "unknown-term"  # the diagnostic code for a term a declared taxonomy does not have


def custom(name: str, label: str, title: str, weight: float) -> Taxonomy:
    """A taxonomy declared in site.yml: its terms listed under taxonomies.NAME.terms."""
    kind = Kind(name, name[:-1] if len(name) > 1 and name.endswith("s") else name)
    return Taxonomy(
        kind, label, title, True, weight, "term.html", UNKNOWN_TERM, ("taxonomies", name, "terms")
    )
