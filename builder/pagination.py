"""Long lists split into pages: /lessons/, /lessons/page/2/, ... each with its neighbours' URLs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from builder.records import picklable


@picklable
@dataclass(frozen=True, slots=True)
class Pager:
    number: int  # 1-based
    count: int  # how many pages the list has
    total: int  # how many items in the whole list
    first: int  # the 1-based position of this page's first item
    path: str  # this page's URL path
    prev: str | None  # the previous page's URL path
    next: str | None


def page_path(base: str, number: int) -> str:
    """The first page keeps the list's own URL: /lessons/; the others are /lessons/page/N/."""
    return base if number == 1 else f"{base}page/{number}/"


def paginate(base: str, items: tuple[str, ...], size: int) -> Iterator[tuple[Pager, tuple[str, ...]]]:
    """Each page of items with its pager; an empty list still has its one (empty) page."""
    count = max(1, -(-len(items) // size))
    for number in range(1, count + 1):
        chunk = items[(number - 1) * size : number * size]
        pager = Pager(
            number,
            count,
            len(items),
            (number - 1) * size + 1,
            page_path(base, number),
            page_path(base, number - 1) if number > 1 else None,
            page_path(base, number + 1) if number < count else None,
        )
        yield pager, chunk
