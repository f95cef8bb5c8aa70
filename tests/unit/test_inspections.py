"""Stock counts (55.8e) and the owner's periodic reports (55.8c)."""

from __future__ import annotations

from decimal import Decimal

from ledger.events import ReportSubmitted, StockCounted
from tests.support import (
    OWNER_A,
    OWNER_B,
    Harness,
    at,
    dispatch,
    ex_warehousing,
    line,
    receipt,
    refuses,
    transfer,
    warehousing,
)


def count(
    *counts: tuple[str, str], when: str = "2026-06-30T16:00:00+07:00", warehouse_id: str = "W1"
) -> dict[str, object]:
    return {
        "command": "record_stock_count",
        "warehouse_id": warehouse_id,
        "effective_at": when,
        "counts": [{"lot_id": lot, "counted_quantity": q} for lot, q in counts],
    }


def report(period: str = "2026-Q1", warehouse_id: str = "W1", **extra: object) -> dict[str, object]:
    return {"command": "submit_report", "warehouse_id": warehouse_id, "period": period, **extra}


def submitted_on(ledger: Harness, moment: str, command: dict[str, object]) -> ReportSubmitted:
    """The report recorded at ``moment``: a report is submitted when it is recorded."""
    ledger.now = at(moment)
    (event,) = ledger.when(command)
    assert isinstance(event, ReportSubmitted)
    return event


def test_a_stock_count_reports_differences_and_changes_no_balance(ledger: Harness) -> None:
    ledger.given(warehousing("D1", line(1, "100"), line(2, "50")), ex_warehousing(quantity="10"))
    (counted,) = ledger.when(count(("D1/1", "88"), ("D1/2", "50")))
    assert isinstance(counted, StockCounted)
    assert [(c.lot_id, c.book_quantity, c.difference) for c in counted.counts] == [
        ("D1/1", Decimal("90"), Decimal("-2")),
        ("D1/2", Decimal("50"), Decimal("0")),
    ]
    ledger.when(ex_warehousing(quantity="90", when="2026-07-01"))  # the book still says 90


def test_a_count_names_lots_of_this_warehouse_once(ledger: Harness) -> None:
    ledger.given(warehousing("D1", line(1, "100")))
    refuses(ledger, count(("D1/1", "1"), ("D1/1", "2")), "duplicate_lot", "counts[1].lot_id")
    refuses(ledger, count(("D9/1", "1")), "unknown_lot", "counts[0].lot_id")
    refuses(ledger, count(("D1/1", "1"), warehouse_id="W2"), "lot_elsewhere", "counts[0].lot_id")
    refuses(ledger, count(("D1/1", "-1")), "invalid_command", "counts[0].counted_quantity")
    refuses(ledger, count(("D1/1", "1"), warehouse_id="W404"), "unknown_warehouse", "warehouse_id")


def test_a_report_stores_a_digest_of_the_report_as_known(ledger: Harness) -> None:
    ledger.given(warehousing("D1", line(1, "100")), ex_warehousing(quantity="10"))
    first = submitted_on(ledger, "2026-04-10 10:00", report())
    assert (
        first.form == "24/BC-KNQ/GSQL"
        and first.due_on.isoformat() == "2026-04-15"
        and not first.late
        and first.submission == 1
    )
    assert first.content_digest.startswith("sha256:")
    again = submitted_on(ledger, "2026-04-11 10:00", report(amends=True))
    assert again.content_digest == first.content_digest and again.submission == 2
    ledger.given(ex_warehousing(quantity="5", when="2026-03-20"))  # a late entry changes Q1
    third = submitted_on(ledger, "2026-04-20 10:00", report(amends=True))
    assert third.content_digest != first.content_digest and third.late


def test_a_report_is_for_an_ended_period_in_which_the_warehouse_held_goods(
    ledger: Harness,
) -> None:
    ledger.given(warehousing("D1", line(1, "100")))  # first goods on 2026-02-11
    ledger.now = at("2026-11-01 10:00")
    refuses(ledger, report(period="2026-Q4"), "period_not_ended", "period")
    refuses(ledger, report(period="2026-Q5"), "invalid_command", "period")
    refuses(ledger, report(warehouse_id="W404"), "unknown_warehouse", "warehouse_id")
    refuses(ledger, report(period="2025-Q4"), "period_before_goods", "period")
    refuses(ledger, report(period="1989-Q4"), "invalid_command", "period")
    refuses(ledger, report(warehouse_id="W2"), "period_before_goods", "period")  # never held
    assert submitted_on(ledger, "2026-11-01 10:00", report(period="2026-Q1")).late


def test_one_report_per_warehouse_and_period_unless_it_amends(ledger: Harness) -> None:
    ledger.given(warehousing("D1", line(1, "100")))
    ledger.now = at("2026-04-10 10:00")
    refuses(ledger, report(amends=True), "nothing_to_amend", "amends")
    submitted_on(ledger, "2026-04-10 10:00", report())
    refuses(ledger, report(), "report_already_submitted", "period")
    amended = submitted_on(ledger, "2026-04-12 10:00", report(amends=True))
    assert (amended.submission, amended.late) == (2, False)


def test_a_report_is_submitted_when_it_is_recorded(ledger: Harness) -> None:
    """Its effective_at may precede the recording by the late-entry allowance at most, and its
    lateness is judged by the recording, never by the date it claims."""
    ledger.given(warehousing("D1", line(1, "100")))
    ledger.now = at("2026-04-18 10:00")
    refuses(ledger, report(effective_at="2026-04-15"), "submission_backdated", "effective_at")
    late = submitted_on(ledger, "2026-04-18 10:00", report(effective_at="2026-04-18T09:00+07:00"))
    assert late.late and late.due_on.isoformat() == "2026-04-15"
    assert late.effective_at == at("2026-04-18 09:00")


def test_half_year_reports_under_vn_2010(ledger_2010: Harness) -> None:
    ledger_2010.given(warehousing("D1", line(1, "100")))
    submitted = submitted_on(ledger_2010, "2026-07-16 10:00", report(period="2026-H1"))
    assert (submitted.form, submitted.due_on.isoformat(), submitted.late) == (
        "20-BC-KNQ/2010",
        "2026-07-15",
        True,
    )


def test_the_periodic_report_balances(ledger: Harness) -> None:
    from ledger.periods import parse_period
    from ledger.report import periodic_report

    ledger.given(
        warehousing("D1", line(1, "100")), ex_warehousing(quantity="10", when="2026-02-20")
    )
    ledger.given(
        transfer(quantity="20", when="2026-04-01"), dispatch(quantity="30", when="2026-05-01")
    )
    ledger.given(receipt("D1/1.2", when="2026-05-02"))
    lots = [ledger.service.store and _lot(ledger, i) for i in ("D1/1", "D1/1.1", "D1/1.2")]
    first = periodic_report(lots, "W1", parse_period("2026-Q2"))
    (w1,) = first.rows
    assert (w1.opening, w1.total_in, w1.total_out, w1.closing) == (90, 0, 30, 60)
    assert w1.outward["dispatched"] == 30 and w1.outward["abroad"] == 0
    (moved,) = first.transfers  # inside the warehouse: neither in nor out, listed apart
    assert (moved.lot_id, moved.new_lot_id, moved.quantity) == ("D1/1", "D1/1.1", 20)
    assert (moved.from_owner, moved.to_owner) == (OWNER_A, OWNER_B)
    (w2,) = periodic_report(lots, "W2", parse_period("2026-Q2")).rows
    assert (w2.opening, w2.inward["received"], w2.total_out, w2.closing) == (0, 30, 0, 30)
    (q1,) = periodic_report(lots, "W1", parse_period("2026-Q1")).rows
    assert (q1.opening, q1.inward["warehoused"], q1.outward["abroad"], q1.closing) == (
        0,
        100,
        10,
        90,
    )


def _lot(ledger: Harness, lot_id: str):  # type: ignore[no-untyped-def]
    from commands.unit_of_work import UnitOfWork

    return UnitOfWork(ledger.store).lot(lot_id)
