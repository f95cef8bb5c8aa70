"""What every question is asked with (filters, the two moments) and the rows of holdings that
balances, clocks and overdue lots are made of."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import TypeVar

from ledger.calendar import end_of_day
from ledger.facts import LotFacts


@dataclass(frozen=True)
class Filters:
    """What a question is asked of; ``warehouses`` is the caller's scope (None: every one)."""

    warehouse_id: str | None = None
    owner: str | None = None
    lot_id: str | None = None
    province: str | None = None
    warehouses: frozenset[str] | None = None
    in_transit_only: bool = False  # only lots with goods in transit

    def matches(self, facts: LotFacts, province: str | None) -> bool:
        return (
            (not self.in_transit_only or bool(facts.in_transit))
            and (self.warehouse_id is None or facts.warehouse_id == self.warehouse_id)
            and (self.warehouses is None or facts.warehouse_id in self.warehouses)
            and (self.owner is None or facts.goods_owner_tax_code == self.owner)
            and (self.lot_id is None or facts.lot_id == self.lot_id)
            and (self.province is None or province == self.province)
        )


@dataclass(frozen=True)
class When:
    as_of: date
    known_at: datetime | None = None

    @cached_property
    def end(self) -> datetime:
        return end_of_day(self.as_of)


@dataclass(frozen=True)
class Page:
    """A stretch of an answer ordered by its key (a lot's id, a declaration's number): the
    rows whose key follows ``after``, at most ``size`` of them (None: to the end). Found in SQL
    by one index range from ``after``, so a page costs the same wherever it starts."""

    after: str | None = None
    size: int | None = None


EVERY = Page()
BATCH = 500  # rows fetched at a time for a page whose filter is worked out in Python
T = TypeVar("T")


def page_kept(
    fetch: Callable[[Page], list[T]], keep: Callable[[T], bool], key: Callable[[T], str], page: Page
) -> list[T]:
    """The first ``page.size`` rows that ``keep`` keeps, for a filter SQL cannot apply (a
    status worked out in Python): the rows fetched a batch at a time from ``page.after`` on,
    each batch continuing from the last key of the one before."""
    if page.size is None:
        return [row for row in fetch(page) if keep(row)]
    batch = Page(page.after, max(page.size, BATCH))
    found: list[T] = []
    while True:
        rows = fetch(batch)
        found += [row for row in rows if keep(row)]
        if len(found) >= page.size or len(rows) < (batch.size or 0):
            return found[: page.size]
        batch = Page(key(rows[-1]), batch.size)


@dataclass(frozen=True, slots=True)
class Holding:
    """A lot with a non-zero balance, as much of it as the answers print."""

    lot_id: str
    declaration_no: str
    warehouse_id: str
    goods_owner_tax_code: str
    hs_code: str
    description: str
    unit: str
    on_hand: str
    in_transit: str
    first_warehoused_on: date
    deadline: date


@contextmanager
def no_collection_pauses() -> Iterator[None]:
    """Keeps the cyclic garbage collector from pausing an answer halfway: the thousands of
    rows a province's answer makes hold no cycles and go by reference counting; a full
    collection, which an allocation burst can set off, would walk the whole heap."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
