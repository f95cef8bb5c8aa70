"""Value types carried inside events: a goods line, a seal, a counted lot.

They are stored by their class name (not their module path), so they may live here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, kw_only=True)
class GoodsLine:
    """One line of a warehousing declaration: what a lot holds."""

    line_no: int
    description: str
    hs_code: str
    quantity: Decimal
    unit: str
    customs_value: Decimal
    currency: str
    origin_country: str
    frame_no: str | None = None
    engine_no: str | None = None


@dataclass(frozen=True, kw_only=True)
class Seal:
    container_no: str
    seal_no: str
    intact: bool


@dataclass(frozen=True, kw_only=True)
class CountedLot:
    lot_id: str
    book_quantity: Decimal
    counted_quantity: Decimal
    difference: Decimal


VALUE_TYPES: tuple[type, ...] = (GoodsLine, Seal, CountedLot)
