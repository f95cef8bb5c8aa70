"""Settlements (Art. 55.8d, DOMAIN.md §5): each declaration open, awaiting settlement,
settlement overdue or settled."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from projections.questions.question import (
    Asked,
    Asking,
    Owner,
    Province,
    Question,
    Row,
    Warehouse,
    as_of,
)


@dataclass(frozen=True, kw_only=True)
class OfDeclarations(Asked):
    warehouse: Warehouse = None
    owner: Owner = None
    province: Province = None


class SettlementRow(Row):
    declaration_no: str
    warehouse_id: str
    emptied_on: str | None
    settlement_due_on: str | None
    settled_on: str | None
    status: Literal["open", "awaiting_settlement", "settlement_overdue", "settled"]


def answer(asking: Asking, asked: OfDeclarations) -> Iterable[dict[str, Any]]:
    filters = asking.lots(asked.warehouse, asked.owner, None, asked.province)
    return asking.model.settlements(filters, asking.when)


QUESTION = Question(
    name="settlements",
    summary="Declarations: open, awaiting settlement, settlement overdue or settled (55.8d)",
    asked=OfDeclarations,
    row=SettlementRow,
    answer=answer,
    title=as_of("Settlements"),
)
