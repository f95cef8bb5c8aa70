"""The periodic report over HTTP: JSON, CSV on ``Accept: text/csv``, XLSX on ``Accept:
application/vnd.openxmlformats-officedocument.spreadsheetml.sheet``. A warehouse owner reads
its own warehouses' reports; customs officers and inspectors those of their scope; auditors
all; goods owners and admins none."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from api.cells import csv_file
from api.problems import PROBLEM_RESPONSES
from api.reports import as_csv, as_json, as_xlsx, build, reported_warehouse
from api.routes.common import KnownParametersOnly, TheCredentials, TheLedger, caller_of
from projections.asked import when_asked

router = APIRouter(tags=["reports"], dependencies=[KnownParametersOnly])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def spreadsheet(content: bytes, name: str) -> Response:
    """An XLSX answer, offered for download as ``name``."""
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "/reports/periodic",
    summary="The periodic report of a warehouse for a period (Art. 55.8c), as known at a moment",
    responses={
        200: {
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "text/csv": {"schema": {"type": "string"}},
                XLSX: {"schema": {"type": "string", "format": "binary"}},
            }
        },
        **{status: PROBLEM_RESPONSES[status] for status in (401, 403, 404, 422)},
    },
)
def periodic(
    request: Request,
    ledger: TheLedger,
    credentials: TheCredentials,
    warehouse: Annotated[
        str, Query(description="The warehouse reported on.", min_length=1, max_length=64)
    ],
    period: Annotated[str, Query(description="2025-Q3 or 2025-H1.", min_length=1, max_length=20)],
    known_at: Annotated[
        str | None, Query(description="As known at this moment (default: now).")
    ] = None,
) -> Response:
    caller = caller_of(ledger, credentials)
    when = when_asked(None, known_at)
    ledger.project()  # the scope: which warehouses are whose (reports read the leader)
    warehouse = reported_warehouse(ledger.read_model, caller, warehouse)
    document: dict[str, Any] = build(
        ledger.service.store,
        ledger.service.pack,
        warehouse,
        period,
        when.known_at,
        ledger.read_model.lots_ever_in,
    )
    accept = request.headers.get("accept", "")
    if XLSX in accept:
        return spreadsheet(as_xlsx(document), f"report-{warehouse}-{period}.xlsx")
    if "text/csv" in accept:
        return Response(csv_file(as_csv(document)), media_type="text/csv")
    return JSONResponse(as_json(document))
