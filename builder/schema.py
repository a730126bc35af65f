"""Validate YAML data against a pydantic model and turn every failure into a positioned Diagnostic."""

from __future__ import annotations

import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from builder.diagnostics import Diagnostic, did_you_mean, error
from builder.slugs import MAX_ID
from builder.yamlsource import YamlDocument, YamlPath

Model = TypeVar("Model", bound=BaseModel)


def validate(
    model: type[Model], document: YamlDocument, path: str, *, where: YamlPath = ()
) -> tuple[Model | None, list[Diagnostic]]:
    try:
        return model.model_validate(document.data), []
    except ValidationError as exc:
        return None, [_diagnostic(model, document, path, where, dict(e)) for e in exc.errors()]


def _diagnostic(
    model: type[BaseModel], document: YamlDocument, path: str, where: YamlPath, err: dict[str, Any]
) -> Diagnostic:
    loc: YamlPath = tuple(err["loc"])
    kind = err["type"]
    name = ".".join(str(part) for part in loc) or "document"
    if kind == "missing":
        at = document.value_at((*where, *loc[:-1]))
        return error(path, at.line, at.col, "missing-field", f"missing required field '{name}'")
    if kind == "extra_forbidden":
        at = document.key_at((*where, *loc))
        hint = did_you_mean(str(loc[-1]), _field_names(model, loc[:-1]))
        return error(path, at.line, at.col, "unknown-field", f"unknown field '{name}'{hint}")
    if loc and loc[-1] == "[key]":
        loc = loc[:-1]
        at = document.key_at((*where, *loc))
        name = ".".join(str(part) for part in loc[:-1])
        message = f"'{loc[-1]}' is not a valid id: use lowercase letters, digits and single hyphens"
        if kind == "string_too_long":
            message = f"'{str(loc[-1])[:40]}...' is not a valid id: use at most {MAX_ID} characters"
        return error(path, at.line, at.col, "invalid-value", f"'{name}': {message}" if name else message)
    at = document.value_at((*where, *loc))
    message = str(err["msg"]).removeprefix("Value error, ")
    if kind == "string_pattern_mismatch":
        message = "must be lowercase letters, digits and single hyphens, like 'api-design'"
    if kind == "string_type" and isinstance(err.get("input"), bool | int | float | None):
        message = _yaml_read(err.get("input"))
    if kind in {"model_type", "dict_type"} and not loc:
        message = "expected a mapping of keys to values"
    return error(path, at.line, at.col, "invalid-value", f"'{name}': {message}" if loc else message)


def _yaml_read(value: object) -> str:
    """Why a word such as No, 2024 or null is not text: YAML read it as another type."""
    if isinstance(value, bool):
        read = f"the boolean {str(value).lower()}"
    elif value is None:
        read = "null (nothing)"
    else:
        read = f"the number {value}"
    return f"expected text, but YAML read this value as {read}; put it in quotes to keep it as text"


def _field_names(model: type[BaseModel], loc: YamlPath) -> list[str]:
    """The field names allowed at loc, found by walking the model's annotations."""
    annotation: Any = model
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(str(part))
            if field is None:
                return []
            annotation = field.annotation
        else:
            args = typing.get_args(annotation)
            annotation = args[-1] if args else None
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    """Optional[X] -> X."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        return options[0] if len(options) == 1 else annotation
    return annotation
