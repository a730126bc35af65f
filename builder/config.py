"""site.yml: loaded safely, validated into a SiteConfig, every error pointing at its line."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, field_validator

from builder.diagnostics import Diagnostic, Diagnostics, error
from builder.output import protected_reason
from builder.reading import outside_reason
from builder.schema import validate
from builder.siteschema import (
    AssetOptions,
    Author,
    CardOptions,
    DeclaredTaxonomy,
    GitHubHandle,
    Id,
    LearningPath,
    LinksOptions,
    ListOptions,
    MarkdownOptions,
    RelatedOptions,
    RepoOptions,
    ReviewOptions,
    SearchOptions,
    Term,
    Text,
    Topic,
)
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
__all__ = ["CONFIG_FILE", "GitHubHandle", "LoadedConfig", "SiteConfig", "Term", "load_config"]


class SiteConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

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
    """read_config for a caller outside the build's stages: the config, or None and its problems."""
    report = Diagnostics()
    return read_config(site_dir, report, base_url=base_url), report


def read_config(site_dir: Path, report: Diagnostics, *, base_url: str | None = None) -> LoadedConfig | None:
    """The config stage: site.yml as a SiteConfig, or None when it has problems (each reported)."""
    mark = len(report)
    source = site_dir / CONFIG_FILE
    outside = outside_reason(source, site_dir, site_dir)
    if outside is not None:
        report.error(CONFIG_FILE, 1, 1, "unsafe-path", f"{CONFIG_FILE} {outside}; it is not read")
        return None
    try:
        raw = source.read_bytes()
    except FileNotFoundError:
        report.error(CONFIG_FILE, 1, 1, "missing-field", f"no {CONFIG_FILE} in {site_dir}")
        return None
    text, problem = decode_utf8(CONFIG_FILE, raw, "save site.yml as UTF-8")
    if text is None:
        report += [problem] if problem else []
        return None
    document, problems = load_yaml(text, CONFIG_FILE)
    report += problems
    if document is None:
        return None
    if base_url is not None and isinstance(document.data, dict):
        document.data["base_url"] = base_url
    config, problems = validate(SiteConfig, document, CONFIG_FILE)
    report += problems
    report += url_problems(document, CONFIG_FILE, skip=frozenset({("base_url",)}))
    if config is not None and not report.since(mark):
        report += _taxonomy_problems(config, document)
    if config is not None and not report.since(mark):
        refused = protected_reason(site_dir, site_dir / config.output_dir)
        if refused is not None:
            at = document.value_at(("output_dir",))
            message = f"'output_dir': {config.output_dir} {refused}; kb never replaces it"
            report.error(CONFIG_FILE, at.line, at.col, "unsafe-path", message)
    if config is None or report.since(mark):
        return None
    return LoadedConfig(config, document)
