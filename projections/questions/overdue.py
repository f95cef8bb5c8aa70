"""Overdue lots (DOMAIN.md §5): past their deadline with goods still on hand or in transit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from projections.questions.clocks import ClockRow
from projections.questions.question import Asking, OfLots, Question, as_of


def answer(asking: Asking, asked: OfLots) -> Iterable[dict[str, Any]]:
    return asking.model.overdue(asked.filters(asking), asking.when, asking.page)


QUESTION = Question(
    name="overdue",
    summary="Lots past their deadline with goods on hand or in transit",
    asked=OfLots,
    row=ClockRow,
    answer=answer,
    title=as_of("Overdue lots"),
    key="lot_id",
)
