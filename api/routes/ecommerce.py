"""The e-commerce questions (DOMAIN.md §7) and warnings (§8) over HTTP, with the CLI's
parameters and JSON rows (CSV on ``Accept: text/csv``), limited to the caller's scope."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from api.asking import day_asked, when_asked
from api.problems import PROBLEM_RESPONSES
from api.render import (
    ALLOWANCE_COLUMNS,
    LICENCE_CARD_COLUMNS,
    LICENCE_COLUMNS,
    ORDER_COLUMNS,
    WARNING_COLUMNS,
)
from api.routes.common import KnownParametersOnly, TheCredentials, TheLedger, caller_of
from api.routes.questions import ANSWERS, AsOf, KnownAt, Owner, answer
from api.routes.rows import AllowanceRow, LicenceCardRow, LicenceRow, OrderRow, WarningRow
from ledger.licences import LicenceStatus
from projections.queries import OrderFilters

router = APIRouter(tags=["e-commerce and warnings"], dependencies=[KnownParametersOnly])

Ident = Annotated[str | None, Query(min_length=1, max_length=64)]
Day = Annotated[str | None, Query(description="YYYY-MM-DD, effective.", examples=["2026-06-01"])]


def _asked(ledger: Any, credentials: Any, as_of: str | None, known_at: str | None) -> Any:
    caller = caller_of(ledger, credentials)
    when = when_asked(as_of, known_at)
    ledger.catch_up()
    return caller, when, ledger.read_model


@router.get(
    "/licences",
    summary="Licence lines: granted, deducted, remaining, status (valid, exhausted, expired, "
    "revoked), and whether the licence was recorded late",
    response_model=list[LicenceRow],
    responses=ANSWERS,
)
def get_licences(
    request: Request,
    ledger: TheLedger,
    credentials: TheCredentials,
    owner: Owner = None,
    status: Annotated[LicenceStatus | None, Query()] = None,
    as_of: AsOf = None,
    known_at: KnownAt = None,
) -> Response:
    caller, when, model = _asked(ledger, credentials, as_of, known_at)
    return answer(request, model.licences(caller, when, owner, status), LICENCE_COLUMNS)


@router.get(
    "/licences/{licence_no}/card",
    summary="Every deduction from a licence in effective order, with what remains after it",
    response_model=list[LicenceCardRow],
    responses={**ANSWERS, 404: PROBLEM_RESPONSES[404]},
)
def get_licence_card(
    request: Request,
    ledger: TheLedger,
    credentials: TheCredentials,
    licence_no: Annotated[str, Path(min_length=1, max_length=64)],
    as_of: AsOf = None,
    known_at: KnownAt = None,
) -> Response:
    caller, when, model = _asked(ledger, credentials, as_of, known_at)
    return answer(request, model.licence_card(caller, licence_no, when), LICENCE_CARD_COLUMNS)


@router.get(
    "/orders",
    summary="E-commerce orders with their basis and the licences deducted",
    response_model=list[OrderRow],
    responses=ANSWERS,
)
def get_orders(
    request: Request,
    ledger: TheLedger,
    credentials: TheCredentials,
    platform: Ident = None,
    buyer: Ident = None,
    lot: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    from_: Annotated[Day, Query(alias="from")] = None,
    to: Day = None,
    as_of: AsOf = None,
    known_at: KnownAt = None,
) -> Response:
    caller, when, model = _asked(ledger, credentials, as_of, known_at)
    filters = OrderFilters(platform, buyer, lot, day_asked(from_, "from"), day_asked(to, "to"))
    return answer(request, model.orders(caller, filters, when), ORDER_COLUMNS)


@router.get(
    "/allowances/{buyer_id}",
    summary="A buyer's exempt quantities in a year: per goods-list entry, used and left",
    response_model=list[AllowanceRow],
    responses=ANSWERS,
)
def get_allowance(
    request: Request,
    ledger: TheLedger,
    credentials: TheCredentials,
    buyer_id: Annotated[str, Path(min_length=1, max_length=64)],
    year: Annotated[int | None, Query(ge=1990, le=2199)] = None,
    as_of: AsOf = None,
    known_at: KnownAt = None,
) -> Response:
    caller, when, model = _asked(ledger, credentials, as_of, known_at)
    rows = model.allowance(caller, buyer_id, year or when.as_of.year, when)
    return answer(request, rows, ALLOWANCE_COLUMNS)


@router.get(
    "/warnings",
    summary="Warnings (DOMAIN.md §8) the caller may see, as of a day and as known at a moment",
    response_model=list[WarningRow],
    responses=ANSWERS,
)
def get_warnings(
    request: Request,
    ledger: TheLedger,
    credentials: TheCredentials,
    kind: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    as_of: AsOf = None,
    known_at: KnownAt = None,
) -> Response:
    caller, when, model = _asked(ledger, credentials, as_of, known_at)
    return answer(request, model.warnings(caller, when, kind), WARNING_COLUMNS)
