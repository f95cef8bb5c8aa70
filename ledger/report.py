"""The owner's periodic report (55.8c): per warehouse, period and goods item, opening, in,
out and closing on-hand quantities; closing = opening + in - out, always."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from ledger.calendar import end_of_day, start_of_day
from ledger.errors import LedgerError
from ledger.events import (
    LotExWarehoused,
    LotLiquidated,
    LotSplitOff,
    LotWarehoused,
    MoveDispatched,
    MoveReceived,
)
from ledger.lot import Lot, postings
from ledger.numbers import decimal_text
from ledger.rulepacks import RulePack

_PERIOD = re.compile(r"(?P<year>\d{4})-(?:H(?P<half>[12])|Q(?P<quarter>[1-4]))")
INWARD = (LotWarehoused, MoveReceived)
OUTWARD = (LotExWarehoused, LotLiquidated, MoveDispatched)


@dataclass(frozen=True)
class Period:
    name: str
    starts_on: date
    ends_on: date

    def due_on(self, pack: RulePack) -> date:
        return self.ends_on + timedelta(days=pack.report_due_days)


def parse_period(text: str) -> Period:
    match = _PERIOD.fullmatch(text)
    if match is None:
        raise LedgerError(
            "invalid_period",
            f"period {text!r} must be a half-year (2025-H1) or a quarter (2025-Q3)",
            "period",
        )
    year = int(match["year"])
    first_month = (
        1 + 6 * (int(match["half"]) - 1) if match["half"] else 1 + 3 * (int(match["quarter"]) - 1)
    )
    months = 6 if match["half"] else 3
    starts = date(year, first_month, 1)
    next_start = date(
        year + (first_month + months - 1) // 12, (first_month + months - 1) % 12 + 1, 1
    )
    return Period(text, starts, next_start - timedelta(days=1))


@dataclass(frozen=True)
class ReportRow:
    hs_code: str
    description: str
    unit: str
    opening: Decimal
    inward: Decimal
    outward: Decimal

    @property
    def closing(self) -> Decimal:
        return self.opening + self.inward - self.outward


def periodic_report(lots: Iterable[Lot], warehouse_id: str, period: Period) -> list[ReportRow]:
    """Movements of on-hand goods in and out of one warehouse. Transfers between owners stay
    inside the warehouse and count neither way."""
    start, end = start_of_day(period.starts_on), end_of_day(period.ends_on)
    rows: dict[tuple[str, str, str], list[Decimal]] = {}
    for lot in lots:
        warehouse_before = None
        for entry, facts in lot.replay():
            event = entry.event
            where = warehouse_before or facts.warehouse_id
            warehouse_before = facts.warehouse_id
            if isinstance(event, LotSplitOff) or where != warehouse_id:
                continue
            moved = sum((p.on_hand for p in postings(event)), Decimal(0))
            if not isinstance(event, INWARD + OUTWARD) or moved == 0:
                continue
            key = (facts.goods.hs_code, facts.goods.description, facts.goods.unit)
            row = rows.setdefault(key, [Decimal(0), Decimal(0), Decimal(0)])
            if event.effective_at < start:
                row[0] += moved
            elif event.effective_at <= end:
                row[1 if moved > 0 else 2] += abs(moved)
    return [
        ReportRow(*key, opening=v[0], inward=v[1], outward=v[2])
        for key, v in sorted(rows.items())
        if any(v)
    ]


def content_digest(warehouse_id: str, period: Period, rows: list[ReportRow]) -> str:
    body = {
        "warehouse_id": warehouse_id,
        "period": period.name,
        "rows": [
            {
                "hs_code": r.hs_code,
                "description": r.description,
                "unit": r.unit,
                "opening": decimal_text(r.opening),
                "in": decimal_text(r.inward),
                "out": decimal_text(r.outward),
                "closing": decimal_text(r.closing),
            }
            for r in rows
        ],
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
