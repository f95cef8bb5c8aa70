"""A licence's card (DOMAIN.md §7): every deduction in effective order, with what remains
after each."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from projections.questions.question import Ask, Asked, Asking, Quantity, Question, Row

if TYPE_CHECKING:
    from projections.answers import When


@dataclass(frozen=True, kw_only=True)
class OfALicence(Asked):
    licence_no: Annotated[str, Ask("The licence, e.g. GP-2026-001", subject=True, max_length=64)]


class LicenceCardRow(Row):
    order_no: str
    platform: str
    lot_id: str
    effective_at: str
    recorded_at: str
    quantity: Quantity
    remaining: Quantity


def answer(asking: Asking, asked: OfALicence) -> Iterable[dict[str, Any]]:
    return asking.model.licence_card(asking.caller, asked.licence_no, asking.when)


def title(asked: OfALicence, when: When) -> str:
    return f"Licence card of {asked.licence_no} as of {when.as_of}"


QUESTION = Question(
    name="licence-card",
    route="/licences/{licence_no}/card",
    summary="Every deduction from a licence in effective order, with what remains after it",
    asked=OfALicence,
    row=LicenceCardRow,
    answer=answer,
    area="e-commerce",
    title=title,
)
