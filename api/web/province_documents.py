"""The province workbench's downloads (issue 22): the inspection pack (XLSX, HTML) and a
warehouse's periodic report (XLSX, HTML) — the API's documents (``GET /inspections``,
``GET /reports/periodic``: the same build and rendering, the same rights) for a browser, which
holds a session cookie rather than a bearer token."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import CancelledError
from contextlib import suppress
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.inspections import Document, as_html
from api.inspections import as_xlsx as pack_xlsx
from api.reports import HEADINGS, QUANTITIES, reported_warehouse
from api.reports import as_xlsx as report_xlsx
from api.reports import build as build_report
from api.routes.reports import spreadsheet
from api.web.language import current
from api.web.packs import packs_of
from api.web.province import FIELDS, inspected_province, year_asked
from api.web.site import HEADERS, given, page, signed_in, to_sign_in
from ledger.calendar import local_date
from ledger.errors import Conflict, Invalid, LedgerError
from ledger.report import IN_COLUMNS, OUT_COLUMNS, PeriodicReport
from ledger.users import User
from projections.asked import when_asked

router = APIRouter(include_in_schema=False)
MAX_WAREHOUSE, MAX_PERIOD = 64, 20  # as GET /reports/periodic


def refused(request: Request, user: User, csrf_token: str, refusal: LedgerError) -> Response:
    status = 404 if refusal.status in (403, 404) else refusal.status
    return page(
        request,
        "province.html",
        status,
        user=user,
        csrf_token=csrf_token,
        asked=given(request),
        fields=FIELDS,
        error=refusal.message,
        choose=[],
        tables={},
    )


def document_response(request: Request, produce: Callable[[User], Response]) -> Response:
    found = signed_in(request)
    if found is None:
        return to_sign_in()
    user, session = found
    try:
        response = produce(user)
    except LedgerError as refusal:
        return refused(request, user, session.csrf_token, refusal)
    response.headers.update({k: v for k, v in HEADERS.items() if k != "Content-Security-Policy"})
    return response


def pack_document(request: Request, user: User) -> tuple[Document, int]:
    """The pack ``GET /inspections`` answers the user with the same parameters (province and
    year needed, known_at optional)."""
    asked = given(request)
    for name in ("province", "year"):
        if not asked.get(name):
            raise Invalid(f"missing_{name}", f"{name}: needed for an inspection pack", name)
    ledger = request.app.state.ledger
    moment = when_asked(None, asked.get("known_at")).known_at
    today = local_date(moment or ledger.service.clock())
    year = year_asked(asked["year"], today)
    province = inspected_province(request, user, asked["province"])
    for _ in range(3):  # a pack dropped unbegun by newer ones is asked again
        with suppress(CancelledError):
            return packs_of(request).pack(ledger, province, year, moment, today)[0].document, year
    raise Conflict("pack_not_built", "the server is busy building other packs: ask again")


@router.get("/province/pack.xlsx")
def pack_as_xlsx(request: Request) -> Response:
    def produce(user: User) -> Response:
        document, year = pack_document(request, user)
        return spreadsheet(pack_xlsx(document), f"inspection-{year}.xlsx")

    return document_response(request, produce)


@router.get("/province/pack.html")
def pack_as_html(request: Request) -> Response:
    def produce(user: User) -> Response:
        document, year = pack_document(request, user)
        return HTMLResponse(
            as_html(document),
            headers={"Content-Disposition": f'attachment; filename="inspection-{year}.html"'},
        )

    return document_response(request, produce)


def report_document(request: Request, user: User) -> dict[str, Any]:
    """The periodic report ``GET /reports/periodic`` answers the user with the same
    parameters."""
    asked = given(request)
    warehouse, period = asked.get("warehouse", ""), asked.get("period", "")
    if not 0 < len(warehouse) <= MAX_WAREHOUSE:
        raise Invalid("invalid_warehouse", "warehouse: 1 to 64 characters", "warehouse")
    if not 0 < len(period) <= MAX_PERIOD:
        raise Invalid("invalid_period", "period: e.g. 2026-Q3 or 2026-H1", "period")
    when = when_asked(None, asked.get("known_at"))
    ledger = request.app.state.ledger
    ledger.project()
    warehouse = reported_warehouse(ledger.read_model, user, warehouse)
    return build_report(
        ledger.service.store,
        ledger.service.pack,
        warehouse,
        period,
        when.known_at,
        ledger.read_model.lots_ever_in,
    )


@router.get("/province/report.xlsx")
def report_as_xlsx(request: Request) -> Response:
    def produce(user: User) -> Response:
        document = report_document(request, user)
        name = f"report-{document['warehouse_id']}-{document['period']}.xlsx"
        return spreadsheet(report_xlsx(document), name)

    return document_response(request, produce)


@router.get("/province/report.html")
def report_as_html(request: Request) -> Response:
    found = signed_in(request)
    if found is None:
        return to_sign_in()
    user, session = found
    try:
        document = report_document(request, user)
    except LedgerError as refusal:
        return refused(request, user, session.csrf_token, refusal)
    report: PeriodicReport = document["_report"]
    response = page(
        request,
        "province_report.html",
        user=user,
        csrf_token=session.csrf_token,
        report=document,
        headings=report_headings(),
        rows=[report_row(row) for row in report.rows],
        totals=report_totals(report),
        transfers=report.transfers,
        xlsx="/province/report.xlsx?" + request.url.query,
    )
    name = f"report-{document['warehouse_id']}-{document['period']}.html"
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def report_headings() -> list[tuple[str, str, bool]]:
    """The report's columns (key, heading in the page's language, numeric), as the form."""
    english = current() != "vi"
    return [
        (key, names[1] if english else names[0], key in QUANTITIES)
        for key, names in HEADINGS.items()
    ]


def report_row(row: Any) -> dict[str, Any]:
    return {
        "hs_code": row.hs_code,
        "description": row.description,
        "unit": row.unit,
        "opening": row.opening,
        **{c: row.inward[c] for c in IN_COLUMNS},
        **{c: row.outward[c] for c in OUT_COLUMNS},
        "closing": row.closing,
    }


def report_totals(report: PeriodicReport) -> dict[str, Decimal]:
    """Each quantity column summed, as the form's total line."""
    rows = [report_row(row) for row in report.rows]
    return {key: sum((r[key] for r in rows), Decimal(0)) for key in QUANTITIES}
