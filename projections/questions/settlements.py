"""Settlements (Art. 55.8d, DOMAIN.md §5): each declaration open, awaiting settlement,
settlement overdue or settled."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args

from projections.questions.question import (
    Ask,
    Asking,
    Owner,
    Paged,
    Province,
    Question,
    Row,
    Warehouse,
    as_of,
)

Status = Literal["open", "awaiting_settlement", "settlement_overdue", "settled"]
STATUSES: tuple[str, ...] = get_args(Status)


@dataclass(frozen=True, kw_only=True)
class OfDeclarations(Paged):
    warehouse: Warehouse = None
    owner: Owner = None
    province: Province = None
    status: Annotated[
        str | None,
        Ask(
            "Only declarations standing so; several separated by commas: "
            + ", ".join(STATUSES)
            + ".",
            max_length=100,
            example="awaiting_settlement,settlement_overdue",
        ),
    ] = None

    def statuses(self) -> frozenset[str] | None:
        """The statuses asked for, each one known, else refused naming the nearest."""
        if self.status is None:
            return None
        from projections.names import Known

        asked = frozenset(part.strip() for part in self.status.split(",") if part.strip())
        for given in sorted(asked):
            if given not in STATUSES:
                known = Known("settlement status", "status", STATUSES)
                raise known.refusal(given, STATUSES)
        return asked


class SettlementRow(Row):
    declaration_no: str
    warehouse_id: str
    emptied_on: str | None
    settlement_due_on: str | None
    settled_on: str | None
    status: Status


def answer(asking: Asking, asked: OfDeclarations) -> Iterable[dict[str, Any]]:
    statuses = asked.statuses()
    filters = asking.lots(asked.warehouse, asked.owner, None, asked.province)
    return asking.model.settlements(filters, asking.when, asking.page, statuses)


QUESTION = Question(
    name="settlements",
    summary="Declarations: open, awaiting settlement, settlement overdue or settled (55.8d)",
    asked=OfDeclarations,
    row=SettlementRow,
    answer=answer,
    title=as_of("Settlements"),
    key="declaration_no",
)
