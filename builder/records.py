"""Small shared pieces for the records kb keeps: content digests, and fast pickling for the frozen,
slotted dataclasses the build cache holds by the ten thousand.

The standard library pickles a slotted dataclass through a generic __getstate__/__setstate__ that looks
its fields up again for every object, which made loading the cache of a 10,000-lesson site take seconds.
"""

from __future__ import annotations

import dataclasses
import hashlib
import operator
from typing import Any, TypeVar

T = TypeVar("T")


def picklable(cls: type[T]) -> type[T]:
    """Pickle instances as their class and field values in order (the class's __init__ rebuilds them)."""
    names = tuple(field.name for field in dataclasses.fields(cls))  # type: ignore[arg-type]
    values = operator.attrgetter(*names) if len(names) > 1 else lambda self: (getattr(self, names[0]),)

    def reduce(self: Any) -> tuple[type[T], tuple[Any, ...]]:
        return cls, values(self)

    cls.__reduce__ = reduce  # type: ignore[method-assign]
    return cls


def content_digest(data: bytes) -> str:
    """The digest kb compares contents by: files, rendered bodies, build epochs."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()
