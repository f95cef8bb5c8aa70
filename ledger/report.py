"""The owner's periodic report (55.8c): per warehouse, period and goods item, opening, in,
out and closing on-hand quantities; closing = opening + in - out, always."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from ledger.calendar import end_of_day, start_of_day
from ledger.lot import Lot
from ledger.numbers import decimal_text
from ledger.periods import Period


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
            if not event.counts_in_report or where != warehouse_id:
                continue
            moved = sum((p.on_hand for p in event.postings()), Decimal(0))
            if moved == 0:
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
