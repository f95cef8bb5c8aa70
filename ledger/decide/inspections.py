"""Stock counts by the provincial department (55.8e) and the owner's reports (55.8c)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal

from ledger.calendar import end_of_day, local_date
from ledger.decide.common import check_not_in_future
from ledger.errors import LedgerError, NotFound
from ledger.events import CountedLot, Event, ReportSubmitted, StockCounted
from ledger.lot import Lot
from ledger.registry import Warehouse
from ledger.report import content_digest, parse_period, periodic_report
from ledger.rulepacks import RulePack


def _require_warehouse(warehouse: Warehouse | None, warehouse_id: str) -> Warehouse:
    if warehouse is None:
        raise NotFound(
            "unknown_warehouse", f"warehouse {warehouse_id} is not registered", "warehouse_id"
        )
    return warehouse


def record_stock_count(
    warehouse: Warehouse | None,
    lots: Mapping[str, Lot],
    counted: Sequence[tuple[str, Decimal]],
    proposed: StockCounted,
) -> list[Event]:
    """Book quantities at the count's moment beside what was counted; nothing is adjusted."""
    check_not_in_future(proposed)
    _require_warehouse(warehouse, proposed.warehouse_id)
    if not counted:
        raise LedgerError("no_counts", "a stock count names at least one lot", "counts")
    rows: list[CountedLot] = []
    seen: set[str] = set()
    for index, (lot_id, quantity) in enumerate(counted):
        field = f"counts[{index}].lot_id"
        if lot_id in seen:
            raise LedgerError("duplicate_lot", f"lot {lot_id} is counted twice", field)
        seen.add(lot_id)
        lot = lots.get(lot_id)
        facts = lot.facts_at(proposed.effective_at) if lot is not None else None
        if facts is None:
            raise NotFound(
                "unknown_lot", f"lot {lot_id} was not recorded at the count's time", field
            )
        if facts.warehouse_id != proposed.warehouse_id:
            raise LedgerError(
                "lot_elsewhere",
                f"lot {lot_id} is in warehouse {facts.warehouse_id}, not {proposed.warehouse_id}",
                field,
            )
        rows.append(
            CountedLot(
                lot_id=lot_id,
                book_quantity=facts.on_hand,
                counted_quantity=quantity,
                difference=quantity - facts.on_hand,
            )
        )
    return [replace(proposed, counts=tuple(rows))]


def submit_report(
    warehouse: Warehouse | None,
    lots: Sequence[Lot],
    proposed: ReportSubmitted,
    pack: RulePack,
) -> list[Event]:
    """Stores the digest of the report as the ledger knows it now, so an auditor can later
    re-create it as known at submission and compare."""
    check_not_in_future(proposed)
    _require_warehouse(warehouse, proposed.warehouse_id)
    period = parse_period(proposed.period)
    if proposed.effective_at <= end_of_day(period.ends_on):
        raise LedgerError(
            "period_not_ended",
            f"period {period.name} ends on {period.ends_on}; its report is submitted after that",
            "period",
        )
    rows = periodic_report(lots, proposed.warehouse_id, period)
    due = period.due_on(pack)
    return [
        replace(
            proposed,
            form=pack.report_form,
            period_starts_on=period.starts_on,
            period_ends_on=period.ends_on,
            due_on=due,
            late=local_date(proposed.effective_at) > due,
            content_digest=content_digest(proposed.warehouse_id, period, rows),
        )
    ]
