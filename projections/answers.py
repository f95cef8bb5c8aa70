"""What every question is asked with (filters, the two moments) and the rows of holdings that
balances, clocks and overdue lots are made of."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ledger.calendar import end_of_day
from ledger.facts import LotFacts


@dataclass(frozen=True)
class Filters:
    warehouse_id: str | None = None
    owner: str | None = None
    lot_id: str | None = None
    province: str | None = None

    def matches(self, facts: LotFacts, province: str | None) -> bool:
        return (
            (self.warehouse_id is None or facts.warehouse_id == self.warehouse_id)
            and (self.owner is None or facts.goods_owner_tax_code == self.owner)
            and (self.lot_id is None or facts.lot_id == self.lot_id)
            and (self.province is None or province == self.province)
        )


@dataclass(frozen=True)
class When:
    as_of: date
    known_at: datetime | None = None

    @property
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
