"""A lot's stock card (DOMAIN.md §5): every event in effective order with its running
balance and lineage. A lot the caller may not see is not found."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from projections.questions.question import Ask, Asked, Asking, Quantity, Question, Row

if TYPE_CHECKING:
    from projections.answers import When


@dataclass(frozen=True, kw_only=True)
class OfALot(Asked):
    lot_id: Annotated[
        str, Ask("The lot, e.g. TK-100001/1 or TK-100001/1.2", subject=True, max_length=100)
    ]


class CardRow(Row):
    version: int
    event: str
    effective_at: str
    recorded_at: str
    quantity_in: Quantity
    quantity_out: Quantity
    balance: Quantity
    on_hand: Quantity
    in_transit: Quantity
    related_lot_id: str | None
    reversed: bool


def answer(asking: Asking, asked: OfALot) -> Iterable[dict[str, Any]]:
    return asking.model.stock_card(asking.lot_in_sight(asked.lot_id), asking.when)


def title(asked: OfALot, when: When) -> str:
    return f"Stock card of {asked.lot_id} as of {when.as_of}"


QUESTION = Question(
    name="stock-card",
    route="/lots/{lot_id:path}/stock-card",
    summary="Every event of a lot in effective order, with its running balance and lineage",
    asked=OfALot,
    row=CardRow,
    answer=answer,
    title=title,
)
