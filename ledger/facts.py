"""What holds for a lot at one effective moment, and how one event step changes its balances.

Events change these facts themselves (``LotEvent.postings`` and ``LotEvent.evolve``); this
module only says what the facts are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol, TypedDict

from ledger.values import GoodsLine

ZERO = Decimal(0)


@dataclass(frozen=True)
class Posting:
    """How one step of an event changes the lot's two balances."""

    on_hand: Decimal = ZERO
    in_transit: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.on_hand + self.in_transit


@dataclass(frozen=True)
class Changes:
    """What an event sets of a lot's facts besides its balances, holding from its effective
    moment until a later event sets it again (None: left as it was). The read side keeps these
    rows to answer on both time axes in SQL; ``LotFacts.take`` applies them in the fold."""

    warehouse_id: str | None = None
    goods_owner_tax_code: str | None = None
    sets_terms: bool = False  # the contract and box 2 below replace the lot's own
    contract_no: str | None = None
    declared_expires_on: date | None = None
    extension_days: int = 0  # added to the lot's storage extension


NO_CHANGES = Changes()


class Standing(Protocol):
    """What ``Changes`` set: a lot's facts in the fold, or a row of its timeline."""

    warehouse_id: str
    goods_owner_tax_code: str
    contract_no: str | None
    declared_expires_on: date | None
    extension_days: int


def take(standing: Standing, changes: Changes) -> None:
    """Applies what an event sets to ``standing``: a value set replaces, None leaves it."""
    standing.warehouse_id = changes.warehouse_id or standing.warehouse_id
    standing.goods_owner_tax_code = changes.goods_owner_tax_code or standing.goods_owner_tax_code
    if changes.sets_terms:
        standing.contract_no = changes.contract_no
        standing.declared_expires_on = changes.declared_expires_on
    standing.extension_days += changes.extension_days


@dataclass(frozen=True)
class Hold:
    """Why a lot may not leave: an inspection hold, or a seal found broken."""

    description: str


class Kept(TypedDict):
    """What a split-off lot keeps from its parent: its goods line, its declaration, its
    storage clock and any extension granted."""

    declaration_no: str
    registered_on: date
    first_warehoused_on: date
    extension_days: int
    goods: GoodsLine


@dataclass
class LotFacts:
    """What holds for a lot at one effective moment."""

    lot_id: str
    declaration_no: str
    registered_on: date
    first_warehoused_on: date  # effective date of the warehousing the lot descends from
    goods: GoodsLine
    warehouse_id: str
    goods_owner_tax_code: str
    contract_no: str | None
    declared_expires_on: date | None  # box 2, while stored under the declaration's terms
    created_at: datetime
    on_hand: Decimal = ZERO
    in_transit: Decimal = ZERO
    extension_days: int = 0
    extensions_granted: int = 0
    hold: Hold | None = None
    receiving_from: str | None = None  # origin warehouse while in transit

    @property
    def balance(self) -> Decimal:
        return self.on_hand + self.in_transit

    @property
    def held(self) -> bool:
        return self.hold is not None

    def post(self, posting: Posting) -> None:
        self.on_hand += posting.on_hand
        self.in_transit += posting.in_transit

    def take(self, changes: Changes) -> None:
        """Applies what an event sets (see ``Changes``)."""
        take(self, changes)

    def kept_by_split(self) -> Kept:
        """What a lot split off this one keeps from it (DOMAIN.md §2)."""
        return Kept(
            declaration_no=self.declaration_no,
            registered_on=self.registered_on,
            first_warehoused_on=self.first_warehoused_on,
            extension_days=self.extension_days,
            goods=self.goods,
        )

    def copy(self) -> LotFacts:
        """A shallow copy: every field holds an immutable value."""
        twin = object.__new__(LotFacts)
        twin.__dict__.update(self.__dict__)
        return twin
