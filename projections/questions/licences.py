"""Licence lines (DOMAIN.md §7): granted, deducted, remaining, where each stands, and whether
the licence was recorded late. Seen by its goods owner, the warehouse owners who store that
owner's goods, and customs, inspectors and auditors."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from ledger.licences import LicenceStatus
from projections.questions.question import Ask, Asked, Asking, Owner, Quantity, Question, Row, as_of


@dataclass(frozen=True, kw_only=True)
class OfLicences(Asked):
    owner: Owner = None
    status: Annotated[
        LicenceStatus | None, Ask("Only lines that are valid, exhausted, expired or revoked.")
    ] = None


class LicenceRow(Row):
    licence_no: str
    kind: Literal["licence", "condition", "specialised_inspection"]
    issuer: str
    goods_owner_tax_code: str
    valid_until: str
    hs_prefix: str
    unit: str
    granted: Quantity
    deducted: Quantity
    remaining: Quantity
    status: LicenceStatus
    late: bool


def answer(asking: Asking, asked: OfLicences) -> Iterable[dict[str, Any]]:
    return asking.model.licences(asking.caller, asking.when, asked.owner, asked.status)


QUESTION = Question(
    name="licences",
    summary="Licence lines: granted, deducted, remaining, status (valid, exhausted, expired, "
    "revoked), and whether the licence was recorded late",
    doc="Licence, condition and inspection-result lines: granted, deducted, remaining, status.",
    asked=OfLicences,
    row=LicenceRow,
    answer=answer,
    area="e-commerce",
    title=as_of("Licences"),
)
