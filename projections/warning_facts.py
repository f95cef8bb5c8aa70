"""What the read side raises event-borne warnings from (DOMAIN.md §8): every entry recorded
later than the pack allows (§4; a licence more than its update limit after release), every
stock count that differs from the book, and every periodic report submitted (for
``report_late``). Date-borne warnings (due soon, overdue, settlement, licences low or
expiring, stop notices over stock) are answered from the other read models.

A warning's id is its kind, its subject (the stream the event belongs to: ``lot:D1/1``,
``licence:L1``, ``warehouse:W1``) and the day it arose: two late entries of one lot on one
day are one warning.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, insert, select

from ledger.calendar import local_date
from ledger.ecommerce_events import LicenceRegistered
from ledger.events import Event, LotEvent, ReportSubmitted, StockCounted, WarehouseEvent
from ledger.findings import COUNT_VARIANCE, LATE_ENTRY, FindingKind, count_variances, late_entry
from ledger.numbers import decimal_text
from ledger.rulepacks import RulePack
from projections import tables as t
from projections.projection import ReadModelProjection, Recorded

FACT = insert(t.warning_facts)
REPORT = insert(t.reports)


def warning_id(kind: str, subject: str, day: object) -> str:
    return f"{kind}:{subject}:{day}"


class WarningFactsProjection(ReadModelProjection):
    name = "warning_facts"
    version = 2  # 2: a late entry's detail in the words of ledger.findings
    weight = 2
    tables = (t.warning_facts, t.reports)

    def __init__(self, pack: RulePack) -> None:
        self.pack = pack

    def apply(self, connection: Connection, batch: Sequence[Recorded]) -> None:
        facts: dict[str, dict[str, object]] = {}
        reports = []
        for recorded in batch:
            event = recorded.event
            if isinstance(event, ReportSubmitted):
                reports.append(
                    {
                        "warehouse_id": event.warehouse_id,
                        "period": event.period,
                        "recorded_at": event.recorded_at,
                        "period_ends_on": event.period_ends_on,
                        "due_on": event.due_on,
                    }
                )
            for fact in self._facts(event):
                facts.setdefault(str(fact["warning_id"]), fact)
        if facts:
            known = set(
                connection.execute(
                    select(t.warning_facts.c.warning_id).where(
                        t.warning_facts.c.warning_id.in_(sorted(facts))
                    )
                ).scalars()
            )
            new = [fact for key, fact in facts.items() if key not in known]
            if new:
                connection.execute(FACT, new)
        if reports:
            connection.execute(REPORT, reports)

    def _facts(self, event: Event) -> list[dict[str, object]]:
        found = []
        lateness = late_entry(event, self.pack)
        if lateness is not None:
            found.append(
                self._fact(
                    event,
                    LATE_ENTRY,
                    f"{type(event).__name__} effective {event.effective_at.isoformat()} {lateness}",
                )
            )
        if isinstance(event, StockCounted):
            differing = count_variances(event.counts)
            if differing:
                detail = "; ".join(
                    f"lot {c.lot_id}: book {decimal_text(c.book_quantity)}, counted "
                    f"{decimal_text(c.counted_quantity)}"
                    for c in differing
                )
                found.append(self._fact(event, COUNT_VARIANCE, detail))
        return found

    def _fact(self, event: Event, kind: FindingKind, detail: str) -> dict[str, object]:
        raised_on = local_date(event.recorded_at)
        return {
            "warning_id": warning_id(kind.code, event.stream, raised_on),
            "kind": kind.code,
            "subject": event.stream,
            "lot_id": event.lot_id if isinstance(event, LotEvent) else None,
            "warehouse_id": event.warehouse_id if isinstance(event, WarehouseEvent) else None,
            "goods_owner_tax_code": (
                event.goods_owner_tax_code if isinstance(event, LicenceRegistered) else None
            ),
            "raised_on": raised_on,
            "detail": detail,
            "effective_at": event.effective_at,
            "recorded_at": event.recorded_at,
        }
