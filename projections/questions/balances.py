"""Balances (DOMAIN.md §5): every lot with goods on hand or in transit at the end of a day."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Annotated, Any

from projections.questions.question import Ask, Asking, OfLots, Quantity, Question, Row, as_of


@dataclass(frozen=True, kw_only=True)
class OfBalances(OfLots):
    in_transit: Annotated[
        bool, Ask("Only lots with goods in transit (dispatched, not yet received).")
    ] = False


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


def answer(asking: Asking, asked: OfBalances) -> Iterable[dict[str, Any]]:
    filters = replace(asked.filters(asking), in_transit_only=asked.in_transit)
    return asking.model.balances(filters, asking.when, asking.page)


QUESTION = Question(
    name="balances",
    summary="Lots with goods on hand or in transit",
    asked=OfBalances,
    row=BalanceRow,
    answer=answer,
    title=as_of("Balances"),
    key="lot_id",
)
