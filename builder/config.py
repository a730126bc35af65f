"""site.yml: loaded safely, validated into a SiteConfig, every error pointing at its line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from builder.diagnostics import Diagnostic, error
from builder.schema import validate
from builder.slugs import SLUG_PATTERN
from builder.yamlsource import Position, YamlDocument, load_yaml

CONFIG_FILE = "site.yml"

Id = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Author(_Strict):
    name: Text
    url: str | None = None


class Term(_Strict):
    title: Text
    description: Text


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


class MarkdownOptions(_Strict):
    html: bool = False


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
    topics: dict[Id, Term] = {}
    skills: dict[Id, Term] = {}
    paths: dict[Id, LearningPath] = {}
    related: RelatedOptions = RelatedOptions()
    markdown: MarkdownOptions = MarkdownOptions()
    repo: RepoOptions | None = None
    review: ReviewOptions | None = None
    links: LinksOptions = LinksOptions()
    cards: CardOptions = CardOptions()

    @field_validator("base_url")
    @classmethod
    def _absolute_url(cls, value: str) -> str:
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

    def vocabulary(self, kind: str) -> dict[str, Term]:
        """The curated terms of one kind: "topics" or "skills"."""
        return self.topics if kind == "topics" else self.skills

    @property
    def base_path(self) -> str:
        """The path part of base_url, always with a trailing slash: '/kb/'."""
        return urlsplit(self.base_url).path or "/"


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
    try:
        text = source.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        return None, [error(CONFIG_FILE, 1, 1, "missing-field", f"no {CONFIG_FILE} in {site_dir}")]
    except UnicodeDecodeError as exc:
        return None, [error(CONFIG_FILE, 1, exc.start + 1, "encoding", "site.yml is not valid UTF-8")]
    document, diagnostics = load_yaml(text.replace("\r\n", "\n"), CONFIG_FILE)
    if document is None:
        return None, diagnostics
    if base_url is not None and isinstance(document.data, dict):
        document.data["base_url"] = base_url
    config, problems = validate(SiteConfig, document, CONFIG_FILE)
    diagnostics += problems
    if config is None or diagnostics:
        return None, diagnostics
    return LoadedConfig(config, document), []
