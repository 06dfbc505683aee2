"""Pages of long lists (a million voters) at a constant cost: no COUNT over the whole list.

A page reads one row more than it shows to know whether another follows, and the total is
counted up to a cap ("plus de 1 000"): both stay cheap whatever the size of the list.

A search reads its page differently. Walking the display order's index and filtering as it goes
is cheap when matches are common, ruinous when a few hundred cluster far down the alphabet
("HELENE NARD": 41,000 rows read for 51 on a million voters). So a search first takes up to
`sort_below` matches by the filter's own index (trigrams) and, when that is all of them, sorts
just those and counts them in the same query; only a search matching more walks the index.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connections
from django.db.models import QuerySet

COUNT_CAP = 1000
# Up to this many rows found by a search, sorting them costs less than walking the display
# order's index (measured on 1,000,000 voters: 5,000 found by trigrams and sorted in about 25 ms).
SEARCH_SORT_BELOW = 5000


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


def page_of(
    queryset: QuerySet, number: str | int | None, size: int, *, sort_below: int = 0
) -> Page:
    """Page `number` (1 when missing or not a number) of an ordered queryset. With
    `sort_below` (a search), a list of at most that many rows is sorted after filtering."""
    try:
        number = max(1, int(number or 1))
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * size
    count = None
    if sort_below and _sortable(queryset):
        found = _few_matches_page(queryset, start, size, sort_below)
        if found is not None:
            return _page(*found, number, size)
        if sort_below >= COUNT_CAP:  # more matches than that: counted past the cap already
            count = sort_below + 1
    rows = list(queryset[start : start + size + 1])
    if count is None:
        count = queryset.order_by()[: COUNT_CAP + 1].count()
    return _page(rows, count, number, size)


def _page(rows: list, count: int, number: int, size: int) -> Page:
    return Page(
        object_list=rows[:size],
        number=number,
        has_next=len(rows) > size,
        count=min(count, COUNT_CAP),
        count_capped=count > COUNT_CAP,
    )


def _few_matches_page(
    queryset: QuerySet, start: int, size: int, cap: int
) -> tuple[list, int] | None:
    """The rows of the page and the number of matches, or None past `cap` matches. One query
    takes up to `cap + 1` matches (their ids and sort keys), sorts and counts them; one reads
    the page's rows by id."""
    ordering = _ordering(queryset)
    names = [name.removeprefix("-") for name in ordering]
    found = queryset.order_by().values_list("pk", *names)[: cap + 1]
    sql, params = found.query.sql_with_params()
    columns = ", ".join(f"c{index}" for index in range(len(names) + 1))
    order = ", ".join(
        f"c{index}{' DESC' if name.startswith('-') else ''}"
        for index, name in enumerate(ordering, start=1)
    )
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(
            f"SELECT c0, COUNT(*) OVER () FROM ({sql}) AS found ({columns}) "
            f"ORDER BY {order} LIMIT %s OFFSET %s",
            [*params, size + 1, start],
        )
        page = cursor.fetchall()
    count = page[0][1] if page else found.count()
    if count > cap:
        return None
    position = {pk: index for index, (pk, _) in enumerate(page)}
    rows = sorted(queryset.filter(pk__in=position), key=lambda row: position[row.pk])
    return rows, count


def _sortable(queryset: QuerySet) -> bool:
    """PostgreSQL (SQLite has no trigram index to prefer, and keeps the simple path), and an
    ordering by field names."""
    return connections[queryset.db].vendor == "postgresql" and all(
        isinstance(name, str) for name in _ordering(queryset)
    )


def _ordering(queryset: QuerySet) -> list:
    return list(queryset.query.order_by or queryset.model._meta.ordering)
