"""A buyer's allowance (DOMAIN.md §7): the exempt quantities of a calendar year, per
goods-list entry, used and left. Seen by every role that reads lots (no lot in it)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from projections.questions.question import Ask, Asked, Asking, Quantity, Question, Row

if TYPE_CHECKING:
    from projections.answers import When


@dataclass(frozen=True, kw_only=True)
class OfABuyer(Asked):
    buyer_id: Annotated[
        str, Ask("The buyer, as the platform identifies it.", subject=True, max_length=64)
    ]
    year: Annotated[int | None, Ask("Calendar year; default: as-of's.", ge=1990, le=2199)] = None


class AllowanceRow(Row):
    hs_prefix: str
    exempt_quantity: Quantity
    used: Quantity
    left: Quantity


def answer(asking: Asking, asked: OfABuyer) -> Iterable[dict[str, Any]]:
    year = asked.year or asking.when.as_of.year
    return asking.model.allowance(asking.caller, asked.buyer_id, year, asking.when)


def title(asked: OfABuyer, when: When) -> str:
    return f"Allowance of {asked.buyer_id} in {asked.year or when.as_of.year}"


QUESTION = Question(
    name="allowance",
    route="/allowances/{buyer_id}",
    summary="A buyer's exempt quantities in a year: per goods-list entry, used and left",
    asked=OfABuyer,
    row=AllowanceRow,
    answer=answer,
    area="e-commerce",
    title=title,
)
