"""A lot's lineage (DOMAIN.md §2, §5): the family tree of splits its declaration line made by
partial transfers and moves, from the root lot down, each lot with what it received, what it
split off and what its children received (the two balance at every lot), what else left it,
and what it holds. Only the lots the caller may see are listed; a lot it may not see is not
found."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

from projections.questions.question import Asking, Quantity, Question, Row
from projections.questions.stock_card import OfALot

if TYPE_CHECKING:
    from projections.answers import When


class LineageRow(Row):
    lot_id: str
    parent_lot_id: str | None
    depth: int
    cause: Literal["warehoused", "transfer", "move"]
    created_at: str
    declaration_no: str
    hs_code: str
    description: str
    unit: str
    warehouse_id: str | None
    goods_owner_tax_code: str | None
    quantity_in: Quantity
    split_out: Quantity
    children_in: Quantity
    balanced: bool
    taken_out: Quantity
    on_hand: Quantity
    in_transit: Quantity
    reversed: bool


def answer(asking: Asking, asked: OfALot) -> Iterable[dict[str, Any]]:
    lot_id = asking.lot_in_sight(asked.lot_id)
    return asking.model.lineage(asking.scope, lot_id, asking.when)


def title(asked: OfALot, when: When) -> str:
    return f"Lineage of {asked.lot_id} as of {when.as_of}"


QUESTION = Question(
    name="lineage",
    route="/lots/{lot_id:path}/lineage",
    summary="A lot's family tree of splits, with the quantities balancing at every lot",
    doc="The family tree of the lot's declaration line (DOMAIN.md §2): the root lot and every "
    "lot split off it by a partial transfer or move, in tree order (depth 0 is the root), as "
    "of the end of as_of and as known at known_at. Each lot: how it came to be (cause), what "
    "it received (quantity_in), what it split off (split_out) and what its children received "
    "(children_in; balanced when the two are equal), what else left it (taken_out: "
    "ex-warehoused, ordered, liquidated), and what it holds. A reversed split is listed, "
    "marked reversed, and counts for nothing. Only the lots you may see are listed.",
    asked=OfALot,
    row=LineageRow,
    answer=answer,
    title=title,
)
