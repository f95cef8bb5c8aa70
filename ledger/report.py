"""The owner's periodic report (55.8c): per warehouse, period and goods item, opening, in,
out and closing on-hand quantities; closing = opening + in - out, always."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from ledger.calendar import end_of_day, start_of_day
from ledger.errors import LedgerError
from ledger.events import OwnershipTransferred
from ledger.kinds import recorded_kinds
from ledger.lot import Lot
from ledger.numbers import decimal_text
from ledger.periods import Period
from ledger.report_columns import ReportColumn


def declared_columns() -> dict[str, ReportColumn]:
    """Every column some kind of lot event posts to, by key; a key two kinds declare must
    mean the same column to both."""
    found: dict[str, ReportColumn] = {}
    for kind in recorded_kinds():
        for column in getattr(kind, "report_columns", ()):
            if found.setdefault(column.key, column) != column:
                raise TypeError(f"{kind.__name__} declares report column {column.key} anew")
    return found


def _in_order(inward: bool) -> tuple[ReportColumn, ...]:
    chosen = [c for c in declared_columns().values() if c.inward == inward]
    return tuple(sorted(chosen, key=lambda c: c.order))


INWARD, OUTWARD = _in_order(True), _in_order(False)
IN_COLUMNS = tuple(c.key for c in INWARD)  # warehoused, received
OUT_COLUMNS = tuple(c.key for c in OUTWARD)  # abroad, inland, ..., dispatched


class ReportMismatch(LedgerError):
    """A row whose closing is not its opening plus in minus out: never produced."""

    status = 500


@dataclass(frozen=True)
class ReportRow:
    """One goods item (HS code, description, unit) of the warehouse over the period."""

    hs_code: str
    description: str
    unit: str
    opening: Decimal
    inward: dict[str, Decimal]  # by IN_COLUMNS
    outward: dict[str, Decimal]  # by OUT_COLUMNS
    closing: Decimal

    @property
    def total_in(self) -> Decimal:
        return sum(self.inward.values(), Decimal(0))

    @property
    def total_out(self) -> Decimal:
        return sum(self.outward.values(), Decimal(0))


@dataclass(frozen=True)
class Transfer:
    """An ownership transfer inside the warehouse: neither in nor out, listed on its own."""

    effective_at: datetime
    lot_id: str
    new_lot_id: str
    from_owner: str
    to_owner: str
    quantity: Decimal


@dataclass(frozen=True)
class PeriodicReport:
    warehouse_id: str
    period: Period
    rows: list[ReportRow]
    transfers: list[Transfer]


def periodic_report(lots: Iterable[Lot], warehouse_id: str, period: Period) -> PeriodicReport:
    """On-hand goods in and out of one warehouse over the period, per goods item (DOMAIN.md
    §5): opening at the end of the day before, in and out by kind, closing at the end of the
    last day, taken from the lots themselves and checked against opening + in - out."""
    start, end = start_of_day(period.starts_on), end_of_day(period.ends_on)
    sums: dict[tuple[str, str, str], dict[str, Decimal]] = {}
    closing: dict[tuple[str, str, str], Decimal] = {}
    transfers: list[Transfer] = []
    for lot in lots:
        warehouse_before = None
        for entry, facts in lot.replay():
            event = entry.event
            where = warehouse_before or facts.warehouse_id
            warehouse_before = facts.warehouse_id
            if where != warehouse_id:
                continue
            key = (facts.goods.hs_code, facts.goods.description, facts.goods.unit)
            if isinstance(event, OwnershipTransferred) and start <= event.effective_at <= end:
                owners = [owner for lot_id, owner in event.ownerships()]
                transfers.append(
                    Transfer(
                        event.effective_at,
                        lot.lot_id,
                        event.new_lot_id,
                        _owner_before(lot, entry.version),
                        owners[0],
                        event.quantity,
                    )
                )
            declared = event.report_column()
            column = declared.key if declared is not None else None
            moved = sum((p.on_hand for p in event.postings()), Decimal(0))
            if column is None or moved == 0:
                continue
            kept = sums.setdefault(key, {})
            if event.effective_at < start:
                kept["opening"] = kept.get("opening", Decimal(0)) + moved
            elif event.effective_at <= end:
                kept[column] = kept.get(column, Decimal(0)) + abs(moved)
        at_end = lot.facts_at(end)
        if at_end is not None and at_end.warehouse_id == warehouse_id and at_end.on_hand:
            key = (at_end.goods.hs_code, at_end.goods.description, at_end.goods.unit)
            closing[key] = closing.get(key, Decimal(0)) + at_end.on_hand
            sums.setdefault(key, {})
    rows = []
    for key in sorted(sums):
        values = sums[key]
        row = ReportRow(
            *key,
            opening=values.get("opening", Decimal(0)),
            inward={c: values.get(c, Decimal(0)) for c in IN_COLUMNS},
            outward={c: values.get(c, Decimal(0)) for c in OUT_COLUMNS},
            closing=closing.get(key, Decimal(0)),
        )
        if row.closing != row.opening + row.total_in - row.total_out:
            raise ReportMismatch(
                "report_mismatch",
                f"{key[0]} {key[1]}: closing {row.closing} is not opening {row.opening} + in "
                f"{row.total_in} - out {row.total_out}; the report is not produced",
            )
        if row.opening or row.total_in or row.total_out or row.closing:
            rows.append(row)
    transfers.sort(key=lambda t: (t.effective_at, t.lot_id))
    return PeriodicReport(warehouse_id, period, rows, transfers)


def first_held(lots: Iterable[Lot], warehouse_id: str) -> datetime | None:
    """The moment the warehouse first held goods (effective axis): its earliest entry that
    brought goods on hand into it. Reports are due from that moment's period on (DOMAIN.md §5)."""
    earliest: datetime | None = None
    for lot in lots:
        for entry, facts in lot.replay():
            event = entry.event
            column = event.report_column()
            if facts.warehouse_id != warehouse_id or column is None or not column.inward:
                continue
            if sum((p.on_hand for p in event.postings()), Decimal(0)) > 0:
                if earliest is None or event.effective_at < earliest:
                    earliest = event.effective_at
                break  # a lot's entries replay in effective order: its first is its earliest
    return earliest


def _owner_before(lot: Lot, version: int) -> str:
    owner = ""
    for entry, facts in lot.replay():
        if entry.version >= version:
            break
        owner = facts.goods_owner_tax_code
    return owner


def report_document(report: PeriodicReport) -> dict[str, Any]:
    """The report as JSON sees it; its canonical form is what ``content_digest`` hashes."""
    return {
        "warehouse_id": report.warehouse_id,
        "period": report.period.name,
        "starts_on": report.period.starts_on.isoformat(),
        "ends_on": report.period.ends_on.isoformat(),
        "rows": [
            {
                "hs_code": r.hs_code,
                "description": r.description,
                "unit": r.unit,
                "opening": decimal_text(r.opening),
                "in": {c: decimal_text(v) for c, v in r.inward.items()},
                "out": {c: decimal_text(v) for c, v in r.outward.items()},
                "closing": decimal_text(r.closing),
            }
            for r in report.rows
        ],
        "transfers": [
            {
                "effective_at": t.effective_at.isoformat(),
                "lot_id": t.lot_id,
                "new_lot_id": t.new_lot_id,
                "from": t.from_owner,
                "to": t.to_owner,
                "quantity": decimal_text(t.quantity),
            }
            for t in report.transfers
        ],
    }


def content_digest(report: PeriodicReport) -> str:
    canonical = json.dumps(
        report_document(report), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
