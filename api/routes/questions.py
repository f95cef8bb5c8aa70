"""The questions of DOMAIN.md §5–§6 over HTTP: the CLI's parameters, its JSON rows, CSV on
``Accept: text/csv``. Every answer is limited to the caller's scope; a warehouse, owner or
province named outside it is refused (403), a lot outside it is not found (404). The read
models are caught up with everything recorded before each answer (read your writes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from api.asking import when_asked
from api.cells import csv_file
from api.problems import PROBLEM_RESPONSES
from api.render import BALANCE_COLUMNS, CARD_COLUMNS, CLOCK_COLUMNS, SETTLEMENT_COLUMNS, render
from api.routes.common import KnownParametersOnly, TheCredentials, TheLedger, caller_of
from api.routes.rows import BalanceRow, CardRow, ClockRow, SettlementRow
from ledger.errors import unknown_lot
from projections.answers import Filters
from projections.visibility import within

router = APIRouter(tags=["questions"], dependencies=[KnownParametersOnly])

AsOf = Annotated[
    str | None,
    Query(
        description="Effective date YYYY-MM-DD; the answer holds at the end of that day in the "
        "warehouse's zone. Default: today.",
        examples=["2026-06-30"],
    ),
]
KnownAt = Annotated[
    str | None,
    Query(
        description="What the ledger knew at this recorded moment (ISO 8601 with offset; a "
        "bare date means the end of that day). Default: now.",
        examples=["2026-07-01T09:00:00+07:00"],
    ),
]
Warehouse = Annotated[
    str | None, Query(description="Only this warehouse.", min_length=1, max_length=64)
]
Owner = Annotated[
    str | None, Query(description="Only this goods owner's lots.", min_length=1, max_length=64)
]
Lot = Annotated[str | None, Query(description="Only this lot.", min_length=1, max_length=100)]
Province = Annotated[
    str | None, Query(description="Only this province.", min_length=1, max_length=200)
]

CSV = "text/csv"
ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"content": {CSV: {"schema": {"type": "string"}}}},
    **{status: PROBLEM_RESPONSES[status] for status in (401, 403, 404, 422)},
}


def answer(request: Request, rows: list[dict[str, Any]], columns: list[str]) -> Response:
    if CSV in request.headers.get("accept", ""):
        return PlainTextResponse(csv_file(render(rows, "csv", "", columns) + "\n"), media_type=CSV)
    return JSONResponse(rows)


@dataclass
class LotQuestion:
    """The parameters of the lot questions (balances, clocks, overdue), as the CLI's."""

    as_of: AsOf = None
    known_at: KnownAt = None
    warehouse: Warehouse = None
    owner: Owner = None
    lot: Lot = None
    province: Province = None


Asked = Annotated[LotQuestion, Depends()]


def _ask(question: str, ledger: Any, credentials: Any, asked: LotQuestion) -> list[dict[str, Any]]:
    caller = caller_of(ledger, credentials)
    when = when_asked(asked.as_of, asked.known_at)
    ledger.catch_up()
    model = ledger.read_model
    scope = model.scope(caller)
    asked_for = Filters(asked.warehouse, asked.owner, asked.lot, asked.province)
    filters = within(model.named(caller, scope, asked_for), scope)
    rows: list[dict[str, Any]] = getattr(model, question)(filters, when)
    return rows


def _lot_question(question: str, summary: str, row: type[Any], columns: list[str]) -> None:
    def ask(
        request: Request, ledger: TheLedger, credentials: TheCredentials, asked: Asked
    ) -> Response:
        return answer(request, _ask(question, ledger, credentials, asked), columns)

    router.add_api_route(
        f"/{question}",
        ask,
        methods=["GET"],
        name=question,
        summary=summary,
        response_model=list[row],  # type: ignore[valid-type]
        responses=ANSWERS,
    )


_lot_question("balances", "Lots with goods on hand or in transit", BalanceRow, BALANCE_COLUMNS)
_lot_question(
    "clocks",
    "Storage clocks: first warehousing, deadline, days in storage and left, status",
    ClockRow,
    CLOCK_COLUMNS,
)
_lot_question(
    "overdue",
    "Lots past their deadline with goods on hand or in transit",
    ClockRow,
    CLOCK_COLUMNS,
)


@router.get(
    "/settlements",
    summary="Declarations: open, awaiting settlement, settlement overdue or settled (55.8d)",
    response_model=list[SettlementRow],
    responses=ANSWERS,
)
def settlements(
    request: Request,
    ledger: TheLedger,
    credentials: TheCredentials,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    warehouse: Warehouse = None,
    owner: Owner = None,
    province: Province = None,
) -> Response:
    asked = LotQuestion(as_of, known_at, warehouse, owner, None, province)
    return answer(request, _ask("settlements", ledger, credentials, asked), SETTLEMENT_COLUMNS)


@router.get(
    "/lots/{lot_id:path}/stock-card",
    summary="Every event of a lot in effective order, with its running balance and lineage",
    response_model=list[CardRow],
    responses={**ANSWERS, 404: PROBLEM_RESPONSES[404]},
)
def stock_card(
    request: Request,
    ledger: TheLedger,
    credentials: TheCredentials,
    lot_id: Annotated[str, Path(description="e.g. TK-100001/1 (URL-encode the '/')")],
    as_of: AsOf = None,
    known_at: KnownAt = None,
) -> Response:
    caller = caller_of(ledger, credentials)
    when = when_asked(as_of, known_at)
    ledger.catch_up()
    model = ledger.read_model
    if not model.lot_in_sight(model.scope(caller), lot_id):
        raise unknown_lot(lot_id)
    return answer(request, model.stock_card(lot_id, when), CARD_COLUMNS)
