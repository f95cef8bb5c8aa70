"""Stock per goods item (DOMAIN.md §5): in each warehouse, each goods item's lots with goods on
hand or in transit, counted and summed, at the end of a day as known at a moment."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from projections.questions.question import (
    Asked,
    Asking,
    Owner,
    Province,
    Quantity,
    Question,
    Row,
    Warehouse,
    as_of,
)


@dataclass(frozen=True, kw_only=True)
class OfStock(Asked):
    warehouse: Warehouse = None
    owner: Owner = None
    province: Province = None


class StockRow(Row):
    warehouse_id: str
    hs_code: str
    description: str
    unit: str
    lots: int
    on_hand: Quantity
    in_transit: Quantity


def answer(asking: Asking, asked: OfStock) -> Iterable[dict[str, Any]]:
    filters = asking.lots(asked.warehouse, asked.owner, None, asked.province)
    return asking.model.stock(filters, asking.when)


QUESTION = Question(
    name="stock",
    summary="Stock per goods item in each warehouse: its lots counted, their goods summed",
    doc="Stock per goods item (DOMAIN.md §5): in each warehouse of your scope, each goods item "
    "(HS code, description, unit) with goods on hand or in transit, its lots counted and their "
    "quantities summed exactly.",
    asked=OfStock,
    row=StockRow,
    answer=answer,
    title=as_of("Stock per goods item"),
)
