"""The periodic report as a door delivers it (DOMAIN.md §5; Art. 55.8c): the ledger's report
document with its header (warehouse, owner, form, due date, whether and when it was submitted),
as JSON, CSV or an XLSX sheet laid out like the customs form, in Vietnamese with English."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from api.cells import csv_text, put
from commands.as_known import KnownAt
from commands.store import EventStore
from ledger.calendar import local_date
from ledger.errors import Forbidden, Invalid, NotFound
from ledger.events import ReportSubmitted
from ledger.periods import parse_period, submitted_late
from ledger.report import (
    IN_COLUMNS,
    INWARD,
    OUT_COLUMNS,
    OUTWARD,
    PeriodicReport,
    content_digest,
    periodic_report,
    report_document,
)
from ledger.rulepacks import RulePack
from ledger.streams import warehouse_stream
from ledger.users import User
from projections.answers import Filters
from projections.queries import ReadModel

HEADINGS = {  # column: (Vietnamese, English)
    "hs_code": ("Mã HS", "HS code"),
    "description": ("Tên hàng", "Description"),
    "unit": ("Đơn vị tính", "Unit"),
    "opening": ("Tồn đầu kỳ", "Opening"),
    **{column.key: column.headings for column in (*INWARD, *OUTWARD)},  # as each kind declares
    "closing": ("Tồn cuối kỳ", "Closing"),
}
QUANTITIES = ("opening", *IN_COLUMNS, *OUT_COLUMNS, "closing")


def reported_warehouse(model: ReadModel, caller: User, warehouse: str) -> str:
    """The warehouse a periodic report is asked of, as recorded (any case): a goods owner reads
    no warehouse's report; others their scope's (403 outside it, 404 unknown, with the
    nearest)."""
    scope = model.scope(caller)
    if scope.owner is not None:
        raise Forbidden(
            "role_not_allowed", "a goods owner reads no warehouse's report", "warehouse"
        )
    return model.named(caller, scope, Filters(warehouse_id=warehouse)).warehouse_id or warehouse


def build(
    store: EventStore,
    pack: RulePack,
    warehouse_id: str,
    period_name: str,
    known_at: datetime | None = None,
    placed: Callable[[str], set[str]] | None = None,
) -> dict[str, Any]:
    """The report of a warehouse for a period as known at ``known_at`` (default: now), with
    its header; refused as a 404 for a warehouse never registered then. ``placed``: the read
    models' index of the lots ever in a warehouse (see ``KnownAt``)."""
    try:
        period = parse_period(period_name)
    except ValueError as error:
        raise Invalid("invalid_period", str(error), "period") from None
    recorded = KnownAt(store, known_at, placed)
    warehouse = recorded.warehouse(warehouse_id)
    if warehouse is None:
        raise NotFound(
            "unknown_warehouse", f"warehouse {warehouse_id} is not registered", "warehouse"
        )
    report = periodic_report(recorded.lots_ever_in(warehouse_id), warehouse_id, period)
    owner = recorded.enterprise(warehouse.owner_tax_code)
    due = period.due_on(pack.report_due_days)
    submitted = [
        e
        for e in recorded.events(warehouse_stream(warehouse_id))
        if isinstance(e, ReportSubmitted) and e.period == period.name
    ]
    first = submitted[0] if submitted else None
    latest = submitted[-1] if submitted else None  # the report as submitted
    return {
        **report_document(report),
        "form": pack.report_form,
        "warehouse_name": warehouse.name,
        "owner_tax_code": warehouse.owner_tax_code,
        "owner_name": owner.name if owner is not None else "",
        "due_on": due.isoformat(),
        "submitted_on": local_date(first.recorded_at).isoformat() if first else None,
        "late": submitted_late(first.recorded_at, due) if first else None,
        "amended_on": (
            local_date(latest.recorded_at).isoformat() if latest and latest is not first else None
        ),
        "known_at": known_at.isoformat() if known_at else None,
        "submitted_digest": latest.content_digest if latest else None,
        "_report": report,
    }


def as_json(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if not k.startswith("_")}


def as_csv(document: dict[str, Any]) -> str:
    report: PeriodicReport = document["_report"]
    rows = (
        [
            row.hs_code,
            row.description,
            row.unit,
            row.opening,
            *(row.inward[c] for c in IN_COLUMNS),
            *(row.outward[c] for c in OUT_COLUMNS),
            row.closing,
        ]
        for row in report.rows
    )
    return csv_text(["hs_code", "description", "unit", *QUANTITIES], rows)


def as_xlsx(document: dict[str, Any]) -> bytes:
    """One sheet laid out like the customs form: title with the form number, warehouse,
    owner, period; the goods table with totals; the transfers; date and signatures."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    report: PeriodicReport = document["_report"]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"{document['period']}"
    width = 1 + len(HEADINGS)
    bold, thin = Font(bold=True), Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    put(sheet, 1, 1, f"Mẫu số / Form {document['form']}")
    banner = put(
        sheet,
        2,
        1,
        "BÁO CÁO TÌNH HÌNH HÀNG HÓA NHẬP, XUẤT, TỒN KHO NGOẠI QUAN / "
        "REPORT ON GOODS INTO, OUT OF AND IN STOCK AT THE BONDED WAREHOUSE",
    )
    banner.font = Font(bold=True, size=13)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    banner.alignment = Alignment(horizontal="center")
    header = [
        (
            "Kho ngoại quan / Bonded warehouse",
            f"{document['warehouse_id']} — {document['warehouse_name']}",
        ),
        (
            "Chủ kho / Warehouse owner",
            f"{document['owner_name']} (MST {document['owner_tax_code']})",
        ),
        (
            "Kỳ báo cáo / Period",
            f"{document['period']}: {document['starts_on']} – {document['ends_on']}",
        ),
        ("Hạn nộp / Due on", document["due_on"]),
        (
            "Đã nộp / Submitted",
            "not yet / chưa nộp"
            if document["submitted_on"] is None
            else f"{document['submitted_on']}" + (" — LATE / nộp muộn" if document["late"] else ""),
        ),
    ]
    for offset, (label, value) in enumerate(header):
        put(sheet, 4 + offset, 1, label).font = bold
        put(sheet, 4 + offset, 3, value)
    top = 4 + len(header) + 1
    titles = ["STT / No.", *(f"{vi} / {en}" for vi, en in HEADINGS.values())]
    for column, title in enumerate(titles, 1):
        cell = put(sheet, top, column, title)
        cell.font, cell.border = bold, box
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    number_format = "#,##0.#########"
    for index, row in enumerate(report.rows, 1):
        values: list[Any] = [
            index,
            row.hs_code,
            row.description,
            row.unit,
            row.opening,
            *(row.inward[c] for c in IN_COLUMNS),
            *(row.outward[c] for c in OUT_COLUMNS),
            row.closing,
        ]
        for column, value in enumerate(values, 1):
            cell = put(sheet, top + index, column, value)
            cell.border = box
            if isinstance(value, Decimal):
                cell.number_format = number_format
    total_row = top + len(report.rows) + 1
    put(sheet, total_row, 2, "Tổng cộng / Total").font = bold
    for column in range(5, width + 1):
        letter = get_column_letter(column)
        cell = sheet.cell(  # the report's own formula: the only cell written as one
            row=total_row,
            column=column,
            value=f"=SUM({letter}{top + 1}:{letter}{total_row - 1})" if report.rows else 0,
        )
        cell.font, cell.border, cell.number_format = bold, box, number_format
    at = total_row + 2
    put(
        sheet, at, 1, "Chuyển quyền sở hữu trong kho / Ownership transfers inside the warehouse"
    ).font = bold
    transfer_titles = [
        "Ngày / Date",
        "Lô / Lot",
        "Lô mới / New lot",
        "Từ / From",
        "Đến / To",
        "Số lượng / Quantity",
    ]
    for column, title in enumerate(transfer_titles, 1):
        put(sheet, at + 1, column, title).font = bold
    for offset, transfer in enumerate(report.transfers, 2):
        values = [
            local_date(transfer.effective_at).isoformat(),
            transfer.lot_id,
            transfer.new_lot_id,
            transfer.from_owner,
            transfer.to_owner,
            transfer.quantity,
        ]
        for column, value in enumerate(values, 1):
            put(sheet, at + offset, column, value)
    sign = at + len(report.transfers) + 3
    put(sheet, sign, 1, "Ngày … tháng … năm … / Date: ………")
    put(sheet, sign + 1, 1, "Người lập biểu / Prepared by").font = bold
    put(
        sheet, sign + 1, 8, "Giám đốc doanh nghiệp (ký, đóng dấu) / Director (signature, seal)"
    ).font = bold
    sheet.column_dimensions["C"].width = 28
    for column in range(5, width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 14
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def check_submitted(
    store: EventStore,
    pack: RulePack,
    warehouse_id: str,
    period_name: str,
    placed: Callable[[str], set[str]] | None = None,
) -> tuple[ReportSubmitted, str]:
    """The report as submitted (its latest amendment, if any), re-created as known at its
    submission: (the submission, the digest of the re-created report). They match unless what
    was known then was altered."""
    recorded = KnownAt(store)
    submitted = [
        e
        for e in recorded.events(warehouse_stream(warehouse_id))
        if isinstance(e, ReportSubmitted) and e.period == period_name
    ]
    if not submitted:
        raise NotFound(
            "no_report_submitted",
            f"no report of warehouse {warehouse_id} for {period_name} was submitted",
            "period",
        )
    latest = submitted[-1]  # the report as submitted: the first, or its latest amendment
    document = build(store, pack, warehouse_id, period_name, latest.recorded_at, placed)
    return latest, content_digest(document["_report"])
