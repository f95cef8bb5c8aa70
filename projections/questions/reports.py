"""Periodic reports owed (DOMAIN.md §4–§5): each warehouse's periods from its first goods to
``as_of``, when each report is due, when it was first submitted, and where it stands — on
time, late, missing, or not yet due."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from projections.questions.question import Asked, Asking, Province, Question, Row, Warehouse, as_of


@dataclass(frozen=True, kw_only=True)
class OfWarehouses(Asked):
    warehouse: Warehouse = None
    province: Province = None


class ReportRow(Row):
    warehouse_id: str
    period: str
    form: str
    due_on: str
    submitted_at: str | None
    standing: Literal["on_time", "late", "missing", "not_yet_due"]


def answer(asking: Asking, asked: OfWarehouses) -> Iterable[dict[str, Any]]:
    filters = asking.lots(asked.warehouse, None, None, asked.province)
    for owed in asking.model.reports_owed(filters, asking.when):
        yield {
            "warehouse_id": owed.warehouse_id,
            "period": owed.period,
            "form": owed.form,
            "due_on": owed.due_on.isoformat(),
            "submitted_at": owed.submitted_at.isoformat() if owed.submitted_at else None,
            "standing": owed.standing.value,
        }


QUESTION = Question(
    name="reports",
    summary="Periodic reports owed: each period's due date, submission and standing",
    doc="The periodic reports each warehouse in your scope owes (DOMAIN.md §4–§5): from the "
    "period of its first goods to as_of, each period's due date, its first submission known "
    "then, and its standing: on_time, late, missing (due and not submitted), not_yet_due.",
    asked=OfWarehouses,
    row=ReportRow,
    answer=answer,
    title=as_of("Periodic reports owed"),
)
