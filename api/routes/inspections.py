"""The annual inspection pack over HTTP (Art. 55.8e): JSON, an XLSX workbook on ``Accept:
application/vnd.openxmlformats-officedocument.spreadsheetml.sheet``, an HTML page on ``Accept:
text/html``. Produced for a provincial inspector of the province, an auditor or the admin."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api.inspections import as_html, as_xlsx, build
from api.problems import PROBLEM_RESPONSES
from api.routes.common import KnownParametersOnly, TheCredentials, TheLedger, caller_of
from api.routes.reports import XLSX, spreadsheet
from ledger.calendar import EARLIEST_DAY, LATEST_DAY, local_date
from projections.asked import when_asked

router = APIRouter(tags=["reports"], dependencies=[KnownParametersOnly])


@router.get(
    "/inspections",
    summary="The annual inspection pack of a province for a year (Art. 55.8e)",
    description="A summary ranking the province's warehouses by findings, then per warehouse "
    "the stock at the year's end, the periodic reports due, and every finding naming the "
    "events it rests on. A year not over is inspected up to today.",
    responses={
        200: {
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "text/html": {"schema": {"type": "string"}},
                XLSX: {"schema": {"type": "string", "format": "binary"}},
            }
        },
        **{status: PROBLEM_RESPONSES[status] for status in (401, 403, 404, 422)},
    },
)
def inspection_pack(
    request: Request,
    ledger: TheLedger,
    credentials: TheCredentials,
    province: Annotated[
        str, Query(description="The province inspected.", min_length=1, max_length=120)
    ],
    year: Annotated[
        int,
        Query(description="The calendar year inspected.", ge=EARLIEST_DAY.year, le=LATEST_DAY.year),
    ],
    known_at: Annotated[
        str | None, Query(description="As known at this moment (default: now).")
    ] = None,
) -> Response:
    caller = caller_of(ledger, credentials)
    moment = when_asked(None, known_at).known_at
    service = ledger.service
    today = local_date(moment or service.clock())
    ledger.project()  # the index of which lots were ever in which warehouse
    province = ledger.read_model.inspected_province(caller, province)
    placed = ledger.read_model.lots_ever_in
    document = build(service.store, service.pack, province, year, today, moment, placed)
    accept = request.headers.get("accept", "")
    if XLSX in accept:
        return spreadsheet(as_xlsx(document), f"inspection-{year}.xlsx")
    if "text/html" in accept:
        return HTMLResponse(as_html(document))
    return JSONResponse(document)


__all__ = ["router"]
