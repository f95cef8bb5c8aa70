"""The annual inspection pack as a door delivers it (Art. 55.8e; DOMAIN.md §5): the ledger's
findings for every warehouse of a province (``ledger.inspection``) as one document, and that
document as JSON, as an XLSX workbook (a summary sheet ranking the warehouses, then a sheet per
warehouse) or as an HTML page, in Vietnamese with English."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from api.cells import put
from commands.as_known import KnownAt
from commands.store import EventStore
from ledger.errors import Invalid, NotFound
from ledger.findings import INSPECTED
from ledger.inspection import (
    EventRef,
    Finding,
    WarehouseInspection,
    Year,
    inspect_warehouse,
    rank,
)
from ledger.numbers import decimal_text
from ledger.rulepacks import RulePack

Document = dict[str, Any]


def build(
    store: EventStore,
    pack: RulePack,
    province: str,
    year: int,
    today: date,
    known_at: datetime | None = None,
    placed: Callable[[str], set[str]] | None = None,
) -> Document:
    """The pack of a province for a year as known at ``known_at`` (default: now), inspected
    up to ``today`` if the year is not over; a 404 for a province with no warehouse then."""
    try:
        inspected = Year.of(year, today)
    except ValueError as error:
        raise Invalid("year_not_begun", str(error), "year") from None
    recorded = KnownAt(store, known_at, placed)
    warehouses = [w for w in recorded.warehouses() if w.province == province]
    if not warehouses:
        raise NotFound(
            "unknown_province",
            f"no bonded warehouse is registered in province {province!r}",
            "province",
        )
    inspections = rank([inspect_warehouse(recorded, w, inspected, pack) for w in warehouses])
    owners = {
        w.warehouse.owner_tax_code: recorded.enterprise(w.warehouse.owner_tax_code)
        for w in inspections
    }
    return {
        "province": province,
        "year": year,
        "until": inspected.until.isoformat(),
        "known_at": known_at.isoformat() if known_at else None,
        "rule_pack": pack.name,
        "report_form": pack.report_form,
        "finding_kinds": {kind.code: {"vi": kind.vi, "en": kind.en} for kind in INSPECTED},
        "summary": [
            {
                "rank": place,
                "warehouse_id": w.warehouse.warehouse_id,
                "name": w.warehouse.name,
                "findings": len(w.findings),
                "by_kind": {kind.code: w.count(kind.code) for kind in INSPECTED},
            }
            for place, w in enumerate(inspections, 1)
        ],
        "warehouses": [_warehouse(w, owners) for w in inspections],
    }


def _warehouse(inspection: WarehouseInspection, owners: dict[str, Any]) -> Document:
    warehouse = inspection.warehouse
    owner = owners.get(warehouse.owner_tax_code)
    return {
        "warehouse_id": warehouse.warehouse_id,
        "name": warehouse.name,
        "owner_tax_code": warehouse.owner_tax_code,
        "owner_name": owner.name if owner is not None else "",
        "customs_office": warehouse.customs_office,
        "stock": [
            {
                "hs_code": row.hs_code,
                "description": row.description,
                "unit": row.unit,
                "quantity": decimal_text(row.closing),
            }
            for row in inspection.stock
        ],
        "reports": [
            {
                "period": r.period,
                "due_on": r.due_on.isoformat(),
                "submitted_on": r.submitted_on.isoformat() if r.submitted_on else None,
                "status": r.status.value,
            }
            for r in inspection.reports
        ],
        "findings": [_finding(f) for f in inspection.findings],
    }


def _finding(finding: Finding) -> Document:
    return {
        "kind": finding.kind,
        "subject": finding.subject,
        "summary": finding.summary,
        "details": dict(finding.details),
        "evidence": [_reference(ref) for ref in finding.evidence],
    }


def _reference(ref: EventRef) -> Document:
    return {
        "stream": ref.stream,
        "version": ref.version,
        "event": ref.event,
        "effective_at": ref.effective_at.isoformat(),
        "recorded_at": ref.recorded_at.isoformat(),
    }


def evidence_text(evidence: list[Document]) -> str:
    """The events a finding rests on, as a cell or a line shows them: ``lot:X v3 (Kind)``."""
    return "; ".join(f"{e['stream']} v{e['version']} ({e['event']})" for e in evidence)


# --- XLSX -----------------------------------------------------------------------------------


def as_xlsx(document: Document) -> bytes:
    """A summary sheet ranking the warehouses by findings, then one sheet per warehouse: its
    stock at the end, the periodic reports due, and every finding with its evidence."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "Tổng hợp - Summary"
    put(
        summary,
        1,
        1,
        f"BIÊN BẢN KIỂM TRA KHO NGOẠI QUAN NĂM {document['year']} / ANNUAL INSPECTION OF "
        f"BONDED WAREHOUSES, {document['year']}",
    ).font = Font(bold=True, size=13)
    put(summary, 2, 1, f"Tỉnh, thành phố / Province: {document['province']}")
    put(
        summary,
        3,
        1,
        f"Đến ngày / Up to: {document['until']} — theo dữ liệu tại / as known at: "
        f"{document['known_at'] or 'now / hiện tại'} — quy định / rule pack: "
        f"{document['rule_pack']}",
    )
    kinds = list(document["finding_kinds"].items())
    titles = [
        "Hạng / Rank",
        "Kho / Warehouse",
        "Tên / Name",
        "Tổng phát hiện / Findings",
        *(f"{names['vi']} / {names['en']}" for _, names in kinds),
    ]
    for column, title in enumerate(titles, 1):
        cell = put(summary, 5, column, title)
        cell.font, cell.alignment = bold, Alignment(wrap_text=True, vertical="center")
    for offset, line in enumerate(document["summary"], 6):
        values = [
            line["rank"],
            line["warehouse_id"],
            line["name"],
            line["findings"],
            *(line["by_kind"][kind] for kind, _ in kinds),
        ]
        for column, value in enumerate(values, 1):
            put(summary, offset, column, value)
    summary.column_dimensions["B"].width = 14
    summary.column_dimensions["C"].width = 30
    for column in range(4, len(titles) + 1):
        summary.column_dimensions[get_column_letter(column)].width = 16
    for warehouse in document["warehouses"]:
        _warehouse_sheet(book, warehouse, document, bold)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _warehouse_sheet(book: Any, warehouse: Document, document: Document, bold: Any) -> None:
    sheet = book.create_sheet(warehouse["warehouse_id"][:31])
    put(sheet, 1, 1, f"{warehouse['warehouse_id']} — {warehouse['name']}").font = bold
    put(
        sheet,
        2,
        1,
        f"Chủ kho / Owner: {warehouse['owner_name']} (MST {warehouse['owner_tax_code']}); "
        f"Hải quan / Customs office: {warehouse['customs_office']}",
    )
    row = 4
    put(sheet, row, 1, f"Tồn kho đến {document['until']} / Stock at the end").font = bold
    for column, title in enumerate(["Mã HS / HS code", "Tên hàng / Goods", "ĐVT / Unit"], 1):
        put(sheet, row + 1, column, title).font = bold
    put(sheet, row + 1, 4, "Số lượng / Quantity").font = bold
    row += 2
    for item in warehouse["stock"]:
        put(sheet, row, 1, item["hs_code"])
        put(sheet, row, 2, item["description"])
        put(sheet, row, 3, item["unit"])
        cell = put(sheet, row, 4, Decimal(item["quantity"]))
        cell.number_format = "#,##0.#########"
        row += 1
    row += 1
    put(sheet, row, 1, "Báo cáo định kỳ / Periodic reports due").font = bold
    heads = ["Kỳ / Period", "Hạn / Due", "Ngày nộp / Submitted", "Tình trạng / Status"]
    for column, title in enumerate(heads, 1):
        put(sheet, row + 1, column, title).font = bold
    row += 2
    for report in warehouse["reports"]:
        values = [report["period"], report["due_on"], report["submitted_on"], report["status"]]
        for column, value in enumerate(values, 1):
            put(sheet, row, column, value)
        row += 1
    row += 1
    put(sheet, row, 1, "Phát hiện / Findings").font = bold
    heads = ["STT / No.", "Loại / Kind", "Đối tượng / Subject", "Nội dung / Finding"]
    heads.append("Căn cứ (sự kiện) / Resting on (events)")
    for column, title in enumerate(heads, 1):
        put(sheet, row + 1, column, title).font = bold
    row += 2
    names = document["finding_kinds"]
    for number, finding in enumerate(warehouse["findings"], 1):
        kind = names[finding["kind"]]
        values = [
            number,
            f"{kind['vi']} / {kind['en']}",
            finding["subject"],
            finding["summary"],
            evidence_text(finding["evidence"]),
        ]
        for column, value in enumerate(values, 1):
            put(sheet, row, column, value)
        row += 1
    for letter, width in zip("ABCDE", (16, 34, 22, 70, 60), strict=True):
        sheet.column_dimensions[letter].width = width


# --- HTML -----------------------------------------------------------------------------------


def as_html(document: Document) -> str:
    """One page: the summary table, then a section per warehouse (autoescaped)."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    environment = Environment(
        loader=PackageLoader("api", "templates"),
        autoescape=select_autoescape(["html"]),
        keep_trailing_newline=True,
    )
    environment.filters["evidence"] = evidence_text
    return environment.get_template("inspection.html").render(pack=document)
