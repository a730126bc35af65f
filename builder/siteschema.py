"""The parts of site.yml's schema: pydantic models that config.SiteConfig is made of, each strict
(unknown fields are errors) and frozen."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    field_validator,
)

from builder.schema import PATTERN_HINTS
from builder.slugs import MAX_ID, SLUG_PATTERN

Id = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=MAX_ID)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
_GITHUB_HANDLE = re.compile(r"[A-Za-z0-9](?:-?[A-Za-z0-9])*")


def _github_handle(value: str) -> str:
    if len(value) > 39 or not _GITHUB_HANDLE.fullmatch(value):
        rule = "without the '@'" if value.startswith("@") else "letters, digits and single hyphens"
        raise ValueError(f"'{value}' is not a GitHub user name such as 'octocat' ({rule})")
    return value


GitHubHandle = Annotated[str, AfterValidator(_github_handle)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Author(_Strict):
    name: Text
    url: str | None = None


class Term(_Strict):
    title: Text
    description: Text


class Topic(Term):
    owners: list[GitHubHandle] = []  # who reviews the topic's lessons (kb review)


class DeclaredTerm(_Strict):
    title: Text
    description: Text | None = None  # else "Lessons on <title>."


class DeclaredTaxonomy(_Strict):
    """A taxonomy of the site's own (taxonomies.NAME): lessons list its terms in front matter as NAME."""

    title: Text  # its index page's title: "Languages"
    singular: Text | None = None  # one term's kind, shown on term pages: "Language" (default: title minus s)
    terms: dict[Id, DeclaredTerm] = {}
    related_weight: float = Field(default=0.0, ge=0)  # how much a shared term counts toward related lessons


class LearningPath(_Strict):
    title: Text
    description: Text
    lessons: list[Id] = Field(min_length=1)


class RelatedWeights(_Strict):
    skills: float = Field(default=2.0, ge=0)
    topics: float = Field(default=1.0, ge=0)


class RelatedOptions(_Strict):
    max: int = Field(default=5, ge=0, le=50)
    weights: RelatedWeights = RelatedWeights()


class ListOptions(_Strict):
    page_size: int = Field(default=50, ge=1, le=1000)  # cards on each page of a long list


PLUGIN_PATTERN = r"^[A-Za-z_][A-Za-z0-9_.]*:[A-Za-z_][A-Za-z0-9_]*$"
PATTERN_HINTS[PLUGIN_PATTERN] = "must be 'module:function', such as 'my_plugins:setup'"
PluginSpec = Annotated[str, StringConstraints(pattern=PLUGIN_PATTERN)]


class MarkdownOptions(_Strict):
    html: bool = False
    plugins: list[PluginSpec] = []  # "module:function", each called with the markdown-it parser


def _search_words(phrase: str) -> str:
    return " ".join(re.sub(r"[^\w\s]|_", "", phrase.casefold()).split())


class SearchOptions(_Strict):
    """synonyms: groups of phrases a reader may type for the same thing; the search box expands a query
    that contains one phrase of a group into the others (at query time, in the browser)."""

    synonyms: list[Annotated[list[Text], Field(min_length=2)]] = []

    @field_validator("synonyms")
    @classmethod
    def _distinct(cls, groups: list[list[str]]) -> list[list[str]]:
        seen: dict[str, int] = {}
        for number, group in enumerate(groups, 1):
            for phrase in group:
                words = _search_words(phrase)
                if not words:
                    raise ValueError(f"group {number}: {phrase!r} has no letters or digits to search for")
                if words in seen:
                    where = "twice in it" if seen[words] == number else f"also in group {seen[words]}"
                    raise ValueError(f"group {number}: {phrase!r} is {where}; a phrase belongs to one group")
                seen[words] = number
        return groups


class AssetOptions(_Strict):
    # HTML, JavaScript, XML and scripted SVG under content/ are refused unless the site opts in
    allow_active: StrictBool = False


class RepoOptions(_Strict):
    """Where the site's sources live, for "Edit this lesson" and "History" links."""

    url: str
    branch: Text = "main"

    @field_validator("url")
    @classmethod
    def _repository_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query or parts.fragment:
            raise ValueError(
                "must be the http(s) address of the repository, like https://github.com/org/repo"
            )
        return value.rstrip("/")


class ReviewOptions(_Strict):
    max_age_days: int = Field(default=365, ge=1, le=36_500)


class LinksOptions(_Strict):
    """`kb check --external`: how long a result is trusted, and links never to check."""

    external_max_age_days: float = Field(default=7, ge=0, le=3650)
    skip: list[Text] = []  # hosts (and their subdomains), or URL patterns with * wildcards


Colour = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]


class CardOptions(_Strict):
    """Social cards (Open Graph images) drawn for lessons, terms and paths; colours as #rrggbb."""

    enabled: bool = True
    background: Colour = "#111418"
    foreground: Colour = "#e6e9ed"
    accent: Colour = "#8cc4ff"
