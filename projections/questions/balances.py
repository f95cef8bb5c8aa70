"""Balances (DOMAIN.md §5): every lot with goods on hand or in transit at the end of a day."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from projections.questions.question import Asking, OfLots, Quantity, Question, Row, as_of


class BalanceRow(Row):
    lot_id: str
    declaration_no: str
    warehouse_id: str
    goods_owner_tax_code: str
    hs_code: str
    description: str
    unit: str
    on_hand: Quantity
    in_transit: Quantity
    first_warehoused_on: str


def answer(asking: Asking, asked: OfLots) -> Iterable[dict[str, Any]]:
    return asking.model.balances(asked.filters(asking), asking.when)


QUESTION = Question(
    name="balances",
    summary="Lots with goods on hand or in transit",
    asked=OfLots,
    row=BalanceRow,
    answer=answer,
    title=as_of("Balances"),
)
