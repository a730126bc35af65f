"""site.yml: loaded safely, validated into a SiteConfig, every error pointing at its line."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Annotated, Any
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

from builder.diagnostics import Diagnostic, error
from builder.output import protected_reason
from builder.reading import outside_reason
from builder.schema import PATTERN_HINTS, validate
from builder.slugs import MAX_ID, SLUG_PATTERN
from builder.taxonomy import (
    AUTHORS,
    BUILTIN,
    FRONT_MATTER_FIELDS,
    RESERVED_URLS,
    SKILLS,
    TOPICS,
    Kind,
    Taxonomy,
    custom,
)
from builder.urls import unsafe_base_url, url_problems
from builder.yamlsource import Position, YamlDocument, decode_utf8, load_yaml

CONFIG_FILE = "site.yml"

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


class SiteConfig(_Strict):
    title: Text
    description: str = ""
    base_url: str
    language: Text = "en"
    theme: Id = "default"
    output_dir: str = "public"
    authors: dict[Id, Author] = {}
    topics: dict[Id, Topic] = {}
    skills: dict[Id, Term] = {}
    paths: dict[Id, LearningPath] = {}
    taxonomies: dict[Id, DeclaredTaxonomy] = {}
    related: RelatedOptions = RelatedOptions()
    markdown: MarkdownOptions = MarkdownOptions()
    search: SearchOptions = SearchOptions()
    assets: AssetOptions = AssetOptions()
    lists: ListOptions = ListOptions()
    hooks: list[str] = []  # Python files in the site folder with on_<event> functions
    extra: dict[str, Any] = {}  # free data for themes: site.extra
    repo: RepoOptions | None = None
    review: ReviewOptions | None = None
    links: LinksOptions = LinksOptions()
    cards: CardOptions = CardOptions()

    @field_validator("base_url")
    @classmethod
    def _absolute_url(cls, value: str) -> str:
        unsafe = unsafe_base_url(value)
        if unsafe is not None:
            raise ValueError(unsafe)
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError("must be an absolute http(s) URL such as https://example.org/kb/")
        if parts.query or parts.fragment:
            raise ValueError("must not carry a query or a fragment")
        return value if value.endswith("/") else value + "/"

    @field_validator("output_dir")
    @classmethod
    def _inside_site(cls, value: str) -> str:
        posix = PurePosixPath(value.replace("\\", "/"))
        if not value.strip() or posix.is_absolute() or ".." in posix.parts or str(posix) in {".", "content"}:
            raise ValueError("must be a folder inside the site folder, such as 'public'")
        return str(posix)

    def all_taxonomies(self) -> tuple[Taxonomy, ...]:
        """topics, skills and authors, then the site's own taxonomies in the order site.yml declares them."""
        return BUILTIN + tuple(
            custom(
                name, declared.singular or _singular(declared.title), declared.title, declared.related_weight
            )
            for name, declared in self.taxonomies.items()
        )

    def taxonomy(self, kind: Kind) -> Taxonomy:
        for taxonomy in self.all_taxonomies():
            if taxonomy.kind == kind:
                return taxonomy
        raise KeyError(kind)

    def vocabulary(self, kind: Kind) -> Mapping[str, Term]:
        """The curated terms of a taxonomy, as titles and descriptions (an author's is their name)."""
        if kind == TOPICS:
            return self.topics
        if kind == SKILLS:
            return self.skills
        if kind == AUTHORS:
            return {
                key: Term(title=a.name, description=f"Lessons by {a.name}.")
                for key, a in self.authors.items()
            }
        return _declared_terms(self, self.taxonomy(kind).kind.name)  # KeyError: not one of this site's

    def related_weights(self) -> dict[Kind, float]:
        """How much a shared term of each kind counts toward related lessons (kinds that count only)."""
        weights = {SKILLS: self.related.weights.skills, TOPICS: self.related.weights.topics}
        for taxonomy in self.all_taxonomies():
            if not taxonomy.builtin and taxonomy.weight:
                weights[taxonomy.kind] = taxonomy.weight
        return weights

    @property
    def base_path(self) -> str:
        """The path part of base_url, always with a trailing slash: '/kb/'."""
        return urlsplit(self.base_url).path or "/"


def _singular(title: str) -> str:
    return title[:-1] if len(title) > 1 and title.endswith("s") else title


_DECLARED: dict[tuple[int, str], tuple[SiteConfig, dict[str, Term]]] = {}


def _declared_terms(config: SiteConfig, name: str) -> dict[str, Term]:
    """A declared taxonomy's terms as Terms, made once per config (it is immutable)."""
    key = (id(config), name)
    made = _DECLARED.get(key)
    if made is None or made[0] is not config:
        terms = {
            term_id: Term(title=term.title, description=term.description or f"Lessons on {term.title}.")
            for term_id, term in config.taxonomies[name].terms.items()
        }
        if len(_DECLARED) > 64:
            _DECLARED.clear()
        made = _DECLARED[key] = (config, terms)
    return made[1]


def _taxonomy_problems(config: SiteConfig, document: YamlDocument) -> list[Diagnostic]:
    """A declared taxonomy may not take a built-in one's name, a page's URL or a front matter field."""
    problems = []
    for name in config.taxonomies:
        if name in RESERVED_URLS:
            why = "kb's own pages use /" + name + "/"
        elif name in FRONT_MATTER_FIELDS:
            why = "it is a field of the front matter"
        else:
            continue
        at = document.key_at(("taxonomies", name))
        message = f"'taxonomies': the name '{name}' is reserved ({why}); choose another"
        problems.append(error(CONFIG_FILE, at.line, at.col, "invalid-value", message))
    return problems


@dataclass(frozen=True, slots=True)
class LoadedConfig:
    config: SiteConfig
    document: YamlDocument = field(repr=False)

    def path_step_position(self, path_id: str, index: int) -> Position:
        return self.document.value_at(("paths", path_id, "lessons", index))


def load_config(
    site_dir: Path, *, base_url: str | None = None
) -> tuple[LoadedConfig | None, list[Diagnostic]]:
    source = site_dir / CONFIG_FILE
    outside = outside_reason(source, site_dir, site_dir)
    if outside is not None:
        return None, [error(CONFIG_FILE, 1, 1, "unsafe-path", f"{CONFIG_FILE} {outside}; it is not read")]
    try:
        raw = source.read_bytes()
    except FileNotFoundError:
        return None, [error(CONFIG_FILE, 1, 1, "missing-field", f"no {CONFIG_FILE} in {site_dir}")]
    text, problem = decode_utf8(CONFIG_FILE, raw, "save site.yml as UTF-8")
    if text is None:
        return None, [problem] if problem else []
    document, diagnostics = load_yaml(text, CONFIG_FILE)
    if document is None:
        return None, diagnostics
    if base_url is not None and isinstance(document.data, dict):
        document.data["base_url"] = base_url
    config, problems = validate(SiteConfig, document, CONFIG_FILE)
    diagnostics += problems
    diagnostics += url_problems(document, CONFIG_FILE, skip=frozenset({("base_url",)}))
    if config is not None and not diagnostics:
        diagnostics += _taxonomy_problems(config, document)
    if config is not None and not diagnostics:
        refused = protected_reason(site_dir, site_dir / config.output_dir)
        if refused is not None:
            at = document.value_at(("output_dir",))
            message = f"'output_dir': {config.output_dir} {refused}; kb never replaces it"
            diagnostics.append(error(CONFIG_FILE, at.line, at.col, "unsafe-path", message))
    if config is None or diagnostics:
        return None, diagnostics
    return LoadedConfig(config, document), []
