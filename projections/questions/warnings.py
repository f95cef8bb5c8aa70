"""Warnings (DOMAIN.md §8) the caller may see, standing at the end of a day as known at a
moment: due soon, overdue, settlement overdue, late entries, count differences, reports late,
licences low or expiring, stop notices over stock."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from projections.questions.question import (
    Ask,
    Asking,
    Paged,
    Province,
    Question,
    Row,
    as_of,
)
from projections.warnings import Only, continuation


@dataclass(frozen=True, kw_only=True)
class OfWarnings(Paged):
    kind: Annotated[
        str | None, Ask("Only this kind, e.g. overdue or licence_low.", max_length=64)
    ] = None
    warehouse: Annotated[
        str | None,
        Ask(
            "Only the warnings of this warehouse: of its lots, declarations and reports "
            "(a licence's are of no warehouse).",
            max_length=64,
        ),
    ] = None
    province: Province = None


class WarningRow(Row):
    warning_id: str
    kind: str
    subject: str
    warehouse_id: str | None
    goods_owner_tax_code: str | None
    raised_on: str
    detail: str


def answer(asking: Asking, asked: OfWarnings) -> Iterable[dict[str, Any]]:
    only = None
    if asked.warehouse is not None or asked.province is not None:
        filters = asking.lots(asked.warehouse, None, None, asked.province)
        only = Only(asking.model.warehouses_of(filters))
    return asking.model.warnings(asking.caller, asking.when, asked.kind, only, asking.page)


QUESTION = Question(
    name="warnings",
    summary="Warnings (DOMAIN.md §8) the caller may see, as of a day and as known at a moment",
    doc="Warnings in your scope (DOMAIN.md §8): due soon, overdue, settlement overdue, late "
    "entries, count variances, reports late, licences low or expiring, stop notices over stock.",
    asked=OfWarnings,
    row=WarningRow,
    answer=answer,
    area="warnings",
    title=as_of("Warnings"),
    key=continuation,
)
