"""Storage clocks (DOMAIN.md §4–§5): each lot's first warehousing, deadline, days in storage
and left, and where it stands."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from projections.questions.question import Asking, OfLots, Question, Row, as_of


class ClockRow(Row):
    lot_id: str
    warehouse_id: str
    first_warehoused_on: str
    deadline: str
    days_in_storage: int
    days_left: int
    status: Literal["ok", "due_soon", "overdue", "closed"]


def answer(asking: Asking, asked: OfLots) -> Iterable[dict[str, Any]]:
    return asking.model.clocks(asked.filters(asking), asking.when, asking.page)


QUESTION = Question(
    name="clocks",
    summary="Storage clocks: first warehousing, deadline, days in storage and left, status",
    asked=OfLots,
    row=ClockRow,
    answer=answer,
    title=as_of("Storage clocks"),
    key="lot_id",
)
