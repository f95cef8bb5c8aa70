"""Stock counts by the provincial department (55.8e) and the owner's reports (55.8c)."""

from __future__ import annotations

from ledger.calendar import duration_text, end_of_day, local_date
from ledger.decide.common import check_not_in_future
from ledger.decide.reference import require_warehouse
from ledger.errors import Conflict, Invalid, LedgerError, NotFound
from ledger.events import ReportSubmitted, StockCounted
from ledger.intents import Envelope, RecordStockCount, SubmitReport
from ledger.periods import parse_period, submitted_late
from ledger.recorded import Recorded
from ledger.report import content_digest, first_held, periodic_report
from ledger.rulepacks import RulePack
from ledger.values import CountedLot


def record_stock_count(
    intent: RecordStockCount, envelope: Envelope, recorded: Recorded, pack: RulePack
) -> list[StockCounted]:
    """Book quantities at the count's moment beside what was counted; nothing is adjusted."""
    check_not_in_future(intent.effective_at, envelope)
    require_warehouse(recorded, intent.warehouse_id, "warehouse_id")
    if not intent.counts:
        raise Invalid("no_counts", "a stock count names at least one lot", "counts")
    lots = recorded.lots(c.lot_id for c in intent.counts)
    rows: list[CountedLot] = []
    seen: set[str] = set()
    for index, count in enumerate(intent.counts):
        field = f"counts[{index}].lot_id"
        if count.lot_id in seen:
            raise LedgerError("duplicate_lot", f"lot {count.lot_id} is counted twice", field)
        seen.add(count.lot_id)
        facts = lots[count.lot_id].facts_at(intent.effective_at)
        if facts is None:
            raise NotFound(
                "unknown_lot", f"lot {count.lot_id} was not recorded at the count's time", field
            )
        if facts.warehouse_id != intent.warehouse_id:
            raise LedgerError(
                "lot_elsewhere",
                f"lot {count.lot_id} is in warehouse {facts.warehouse_id}, "
                f"not {intent.warehouse_id}",
                field,
            )
        rows.append(
            CountedLot(
                lot_id=count.lot_id,
                book_quantity=facts.on_hand,
                counted_quantity=count.counted_quantity,
                difference=count.counted_quantity - facts.on_hand,
            )
        )
    return [envelope.event(StockCounted, intent, counts=tuple(rows))]


def submit_report(
    intent: SubmitReport, envelope: Envelope, recorded: Recorded, pack: RulePack
) -> list[ReportSubmitted]:
    """Stores the digest of the report as the ledger knows it now, so an auditor can later
    re-create it as known at submission and compare. A report is submitted when it is
    recorded, and late if that is after its due date (DOMAIN.md §5)."""
    effective_at = intent.effective_at or envelope.recorded_at
    check_not_in_future(effective_at, envelope)
    allowance = pack.late_entry_threshold()
    if effective_at < envelope.recorded_at - allowance:
        raise Invalid(
            "submission_backdated",
            f"a report is submitted when it is recorded ({envelope.recorded_at.isoformat()}); "
            f"effective_at may precede that by {duration_text(allowance)} at most",
            "effective_at",
        )
    require_warehouse(recorded, intent.warehouse_id, "warehouse_id")
    try:
        period = parse_period(intent.period)
    except ValueError as error:
        raise Invalid("invalid_period", str(error), "period") from None
    if envelope.recorded_at <= end_of_day(period.ends_on):
        raise LedgerError(
            "period_not_ended",
            f"period {period.name} ends on {period.ends_on}; its report is submitted after that",
            "period",
        )
    lots = recorded.lots_ever_in(intent.warehouse_id)
    held = first_held(lots, intent.warehouse_id)
    if held is None or local_date(held) > period.ends_on:
        since = f"first held goods on {local_date(held)}" if held else "has never held goods"
        raise LedgerError(
            "period_before_goods",
            f"warehouse {intent.warehouse_id} {since}: no report is due for {period.name}, "
            f"which ended on {period.ends_on}",
            "period",
        )
    earlier = recorded.reports(intent.warehouse_id, period.name)
    if earlier and not intent.amends:
        raise Conflict(
            "report_already_submitted",
            f"the report of {intent.warehouse_id} for {period.name} was submitted on "
            f"{local_date(earlier[0].recorded_at)}; submit it with amends: true to amend it",
            "period",
        )
    if intent.amends and not earlier:
        raise LedgerError(
            "nothing_to_amend",
            f"no report of {intent.warehouse_id} for {period.name} was submitted; submit it "
            "without amends",
            "amends",
        )
    due = period.due_on(pack.report_due_days)
    return [
        envelope.event(
            ReportSubmitted,
            intent,
            effective_at=effective_at,
            period=period.name,
            form=pack.report_form,
            period_starts_on=period.starts_on,
            period_ends_on=period.ends_on,
            due_on=due,
            late=submitted_late(envelope.recorded_at, due),
            content_digest=content_digest(periodic_report(lots, intent.warehouse_id, period)),
            submission=len(earlier) + 1,
        )
    ]
