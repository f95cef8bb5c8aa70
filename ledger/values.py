"""Value types carried inside events: a goods line, a seal, a counted lot.

They are stored by their class name (not their module path), so they may live here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

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


VALUE_TYPES: tuple[type, ...] = (GoodsLine, Seal, CountedLot)
