"""Value types carried inside events: a goods line, a seal, a counted lot.

They are stored by their class name (not their module path), so they may live here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from ledger.bounds import Country, Currency, HsCode, LineNo, Money, Quantity, Ref, Text


@dataclass(frozen=True, kw_only=True)
class GoodsLine:
    """One line of a warehousing declaration: what a lot holds."""

    line_no: LineNo
    description: Text
    hs_code: HsCode
    quantity: Quantity
    unit: Ref
    customs_value: Money
    currency: Currency
    origin_country: Country
    frame_no: Ref | None = None
    engine_no: Ref | None = None


@dataclass(frozen=True, kw_only=True)
class Seal:
    container_no: Ref
    seal_no: Ref
    intact: bool


@dataclass(frozen=True, kw_only=True)
class CountedLot:
    lot_id: str
    book_quantity: Decimal
    counted_quantity: Decimal
    difference: Decimal


@dataclass(frozen=True, kw_only=True)
class ListEntry:
    """One entry of a goods list (DOMAIN.md §7): goods whose HS code begins with
    ``hs_prefix`` require these documents, unless an order of them is exempt."""

    hs_prefix: Ref
    requires: tuple[Literal["licence", "condition", "specialised_inspection"], ...] = ()
    exempt_quantity: Quantity | None = None  # per buyer and calendar year
    never_exempt: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "requires", tuple(self.requires))  # a stored list reads back


@dataclass(frozen=True, kw_only=True)
class LicenceLine:
    """What a licence, condition or inspection result grants: a quantity of goods whose HS
    code begins with ``hs_prefix``, in ``unit``."""

    hs_prefix: Ref
    unit: Ref
    quantity: Quantity


VALUE_TYPES: tuple[type, ...] = (GoodsLine, Seal, CountedLot, ListEntry, LicenceLine)
