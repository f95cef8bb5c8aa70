"""A lot's storage clock as a timeline (DOMAIN.md §4): the first warehousing it counts from,
the deadline and what that is the earlier of, and the dated entries that bear on it — the
warehousing, extensions, transfers, moves and splits, holds and liquidations — of the lot and
of its ancestors until it was split off."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

from projections.questions.question import Asking, Quantity, Question, Row
from projections.questions.stock_card import OfALot

if TYPE_CHECKING:
    from projections.answers import When

Mark = Literal[
    "first_warehousing",
    "warehoused",
    "split_off",
    "split",
    "transfer",
    "move_dispatched",
    "move_received",
    "extension",
    "hold_placed",
    "hold_released",
    "liquidated",
    "storage_limit",
    "extended_limit",
    "contract_expiry",
    "deadline",
]


class ClockMarkRow(Row):
    on: str
    at: str | None
    mark: Mark
    lot_id: str
    version: int | None
    related_lot_id: str | None
    cause: Literal["transfer", "move"] | None
    quantity: Quantity | None
    days: int | None
    warehouse_id: str | None
    goods_owner_tax_code: str | None
    reversed: bool


def answer(asking: Asking, asked: OfALot) -> Iterable[dict[str, Any]]:
    lot_id = asking.lot_in_sight(asked.lot_id)
    return asking.model.clock_marks(asking.scope, lot_id, asking.when)


def title(asked: OfALot, when: When) -> str:
    return f"Storage clock of {asked.lot_id} as of {when.as_of}"


QUESTION = Question(
    name="clock-timeline",
    route="/lots/{lot_id:path}/clock-timeline",
    summary="A lot's storage clock: its first warehousing, deadline and the entries between",
    doc="The marks on the lot's storage clock (DOMAIN.md §4) as of the end of as_of, as known "
    "at known_at, in date order: first_warehousing (the day the rule pack counts from), "
    "storage_limit (that day plus the pack's storage limit), extended_limit (plus the storage "
    "extensions granted, in days), contract_expiry (the rent contract's, when one binds), "
    "deadline (the earlier of the limit and the expiry); and the dated entries of the lot, and "
    "of its ancestors until it was split off: warehoused, split_off (a lot of the line made "
    "by a split; related_lot_id its parent), split (the lot split a part off; related_lot_id "
    "the new lot), transfer and move_dispatched (the whole lot), move_received, extension "
    "(days), hold_placed, hold_released, liquidated. A reversed entry is listed, marked "
    "reversed. Of an ancestor you may not see (another owner's lot), no entry is listed.",
    asked=OfALot,
    row=ClockMarkRow,
    answer=answer,
    title=title,
)
