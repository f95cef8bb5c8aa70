"""What every question is asked with (filters, the two moments) and the rows of holdings that
balances, clocks and overdue lots are made of."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

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

    def matches(self, facts: LotFacts, province: str | None) -> bool:
        return (
            (self.warehouse_id is None or facts.warehouse_id == self.warehouse_id)
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
