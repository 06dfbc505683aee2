"""Pages of long lists (a million voters) at a constant cost: no COUNT over the whole list.

A page reads one row more than it shows to know whether another follows, and the total is
counted up to a cap ("plus de 1 000"): both stay cheap whatever the size of the list.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet

COUNT_CAP = 1000


@dataclass(frozen=True)
class Page:
    object_list: list
    number: int
    has_next: bool
    count: int  # up to COUNT_CAP
    count_capped: bool  # the list holds more than COUNT_CAP rows

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    def __iter__(self) -> Iterator:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def page_of(queryset: QuerySet, number: str | int | None, size: int) -> Page:
    """Page `number` (1 when missing or not a number) of an ordered queryset."""
    try:
        number = max(1, int(number or 1))
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * size
    rows = list(queryset[start : start + size + 1])
    count = queryset.order_by()[: COUNT_CAP + 1].count()
    return Page(
        object_list=rows[:size],
        number=number,
        has_next=len(rows) > size,
        count=min(count, COUNT_CAP),
        count_capped=count > COUNT_CAP,
    )
