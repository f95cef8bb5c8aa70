"""DOMAIN.md §8, kind by kind: given what is recorded, when warnings are asked for as of a day
and as known at a moment, then exactly these, each raised on the day it arose. On SQLite and
on PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from ledger.users import OPERATOR
from projections.answers import Filters, When
from tests.integration.test_read_models import ReadSide
from tests.support import (
    Harness,
    at,
    ex_warehousing,
    goods_list,
    licence,
    line,
    order,
    refused,
    stop_notice,
    warehousing,
)


def raised(
    read: ReadSide, day: str, known: datetime | None = None, kind: str | None = None
) -> set[tuple[str, str, str]]:
    """(kind, subject, raised_on) of every warning standing at the end of ``day``."""
    rows = read.ask("warnings", OPERATOR, When(date.fromisoformat(day), known), kind)
    return {(w["kind"], w["subject"], w["raised_on"]) for w in rows}


def recorded_at(ledger: Harness, moment: str, *commands: dict[str, Any]) -> None:
    ledger.now = at(moment)
    ledger.given(*commands)


@pytest.fixture
def read(ledger: Harness) -> ReadSide:
    return ReadSide(ledger.store)


# --- storage clocks ---------------------------------------------------------------------------


def test_a_lot_is_due_soon_then_overdue_while_it_holds_goods(
    ledger: Harness, read: ReadSide
) -> None:
    """Warehoused 11 Feb 2026 for 12 months: deadline 10 Feb 2027, due soon 30 days before."""
    ledger.given(warehousing("D1", line(1, "100")), warehousing("D2", line(1, "100")))
    ledger.given(ex_warehousing("D2/1", "100", "2026-03-01T10:00:00+07:00"))
    assert raised(read, "2027-01-10", kind="due_soon") == set()
    assert raised(read, "2027-01-20", kind="due_soon") == {("due_soon", "lot:D1/1", "2027-01-11")}
    assert raised(read, "2027-02-11", kind="overdue") == {("overdue", "lot:D1/1", "2027-02-11")}


def test_a_declaration_unsettled_past_its_deadline(ledger: Harness, read: ReadSide) -> None:
    """Emptied on 1 March: due for settlement 15 days later; D2, settled, raises nothing."""
    ledger.given(warehousing("D1", line(1, "10")), warehousing("D2", line(1, "10")))
    ledger.given(
        ex_warehousing("D1/1", "10", "2026-03-01T10:00:00+07:00"),
        ex_warehousing("D2/1", "10", "2026-03-01T10:00:00+07:00"),
        {
            "command": "settle_declaration",
            "declaration_no": "D2",
            "effective_at": "2026-03-05T10:00:00+07:00",
        },
    )
    assert raised(read, "2026-03-16", kind="settlement_overdue") == set()
    assert raised(read, "2026-03-17", kind="settlement_overdue") == {
        ("settlement_overdue", "declaration:D1", "2026-03-17")
    }


# --- event-borne ------------------------------------------------------------------------------


def test_entries_recorded_later_than_the_pack_allows(ledger: Harness, read: ReadSide) -> None:
    """An ex-warehousing abroad may be recorded 30 minutes after it; a licence 2 hours after
    its release. Late ones are warned of from the day they were recorded, as known since."""
    recorded_at(ledger, "2026-02-11 09:30", warehousing("D1", line(1, "100")))
    recorded_at(
        ledger, "2026-03-01 10:10", ex_warehousing("D1/1", "1", "2026-03-01T10:00:00+07:00")
    )
    recorded_at(
        ledger, "2026-03-02 10:40", ex_warehousing("D1/1", "1", "2026-03-02T10:00:00+07:00")
    )
    recorded_at(ledger, "2026-03-03 10:00", licence("L1", released="2026-03-03T09:00:00+07:00"))
    recorded_at(ledger, "2026-03-04 12:00", licence("L2", released="2026-03-04T09:00:00+07:00"))
    assert raised(read, "2026-03-31", kind="late_entry") == {
        ("late_entry", "lot:D1/1", "2026-03-02"),
        ("late_entry", "licence:L2", "2026-03-04"),
    }
    assert raised(read, "2026-03-31", at("2026-03-03 12:00"), "late_entry") == {
        ("late_entry", "lot:D1/1", "2026-03-02")
    }


def count(day: str, **counted: str) -> dict[str, Any]:
    return {
        "command": "record_stock_count",
        "warehouse_id": "W1",
        "effective_at": f"{day}T17:00:00+07:00",
        "counts": [{"lot_id": f"{d}/1", "counted_quantity": q} for d, q in counted.items()],
    }


def test_a_stock_count_that_differs_from_the_book(ledger: Harness, read: ReadSide) -> None:
    """The June count agrees with the book; September's finds 5 pieces of D1/1 missing."""
    ledger.given(warehousing("D1", line(1, "100")), warehousing("D2", line(1, "50")))
    recorded_at(ledger, "2026-06-30 17:30", count("2026-06-30", D1="100", D2="50"))
    recorded_at(ledger, "2026-09-30 17:30", count("2026-09-30", D1="95", D2="50"))
    assert raised(read, "2026-09-29", kind="count_variance") == set()
    (found,) = read.ask("warnings", OPERATOR, When(date(2026, 9, 30)), "count_variance")
    assert (found["subject"], found["raised_on"]) == ("warehouse:W1", "2026-09-30")
    assert found["detail"] == "lot D1/1: book 100, counted 95"


def test_a_periodic_report_not_submitted_by_its_due_date(ledger: Harness, read: ReadSide) -> None:
    """W1 holds goods from February: Q1's report is due 15 April, Q2's 15 July (vn-2015)."""
    ledger.given(warehousing("D1", line(1, "100")))
    recorded_at(
        ledger,
        "2026-04-10 16:05",
        {
            "command": "submit_report",
            "warehouse_id": "W1",
            "period": "2026-Q1",
            "effective_at": "2026-04-10T16:00:00+07:00",
        },
    )
    assert raised(read, "2026-07-15", kind="report_late") == set()
    assert raised(read, "2026-07-16", kind="report_late") == {
        ("report_late", "warehouse:W1", "2026-07-16")
    }


def test_report_lateness_is_one_rule_in_every_answer(ledger: Harness, read: ReadSide) -> None:
    """A report is submitted when it is recorded (DOMAIN.md §5): Q1's, due 15 April, claimed
    for its due date but recorded on 18 April, is refused as backdated; recorded without the
    claim it is late in the command's answer, the report's header, the inspection pack and the
    warnings alike."""
    from api.inspections import build as inspection_pack
    from api.reports import build as periodic_report
    from ledger.rulepacks import load_pack

    pack = load_pack("vn-2015")
    ledger.given(warehousing("D1", line(1, "100")))
    ledger.now = at("2026-04-18 10:00")
    submit = {"command": "submit_report", "warehouse_id": "W1", "period": "2026-Q1"}
    with refused("submission_backdated", "effective_at"):
        ledger.outcome({**submit, "effective_at": "2026-04-15T16:00:00+07:00"})
    assert ledger.outcome(submit).result["late"] is True
    header = periodic_report(ledger.store, pack, "W1", "2026-Q1")
    assert (header["submitted_on"], header["late"]) == ("2026-04-18", True)
    inspected = inspection_pack(ledger.store, pack, "Ho Chi Minh City", 2026, date(2026, 12, 31))
    (w1,) = [w for w in inspected["warehouses"] if w["warehouse_id"] == "W1"]
    (q1,) = [r for r in w1["reports"] if r["period"] == "2026-Q1"]
    assert (q1["status"], q1["submitted_on"]) == ("late", "2026-04-18")
    assert ("report_late", "warehouse:W1", "2026-04-16") in raised(read, "2026-04-20")
    owed = {
        (o.period, o.standing.value): o.submitted_at
        for o in read.ask("reports_owed", Filters(), When(date(2026, 4, 20)))
        if o.warehouse_id == "W1"
    }
    assert set(owed) == {("2026-Q1", "late"), ("2026-Q2", "not_yet_due")}  # the reports question
    before = read.ask("reports_owed", Filters(), When(date(2026, 4, 16)))  # due, not yet in
    assert [o.standing.value for o in before if o.period == "2026-Q1"] == ["missing"]


def test_the_pack_and_the_warnings_are_two_views_of_one_catalogue(
    ledger: Harness, read: ReadSide
) -> None:
    """A missing report, a stock count off the book and a late entry: the inspection pack and
    the warnings name each by the same kind (ledger.findings), and every kind either raises is
    in the catalogue. Before, the pack said ``report_missing`` and ``count_difference`` where
    the warnings said ``report_late`` and ``count_variance``."""
    from api.inspections import build as inspection_pack
    from ledger.findings import INSPECTED, WARNED
    from ledger.rulepacks import load_pack

    ledger.given(warehousing("D1", line(1, "100")))
    ledger.now = at("2026-05-10 10:00")
    ledger.given(
        {
            "command": "record_stock_count",
            "warehouse_id": "W1",
            "effective_at": "2026-05-10T09:00:00+07:00",
            "counts": [{"lot_id": "D1/1", "counted_quantity": "98"}],
        }
    )
    pack = inspection_pack(
        ledger.store, load_pack("vn-2015"), "Ho Chi Minh City", 2026, date(2026, 12, 31)
    )
    (w1,) = [w for w in pack["warehouses"] if w["warehouse_id"] == "W1"]
    inspected = {f["kind"] for f in w1["findings"]}
    warned = {kind for kind, _, _ in raised(read, "2026-12-31")}
    assert {"report_late", "count_variance"} <= inspected & warned
    assert inspected <= {k.code for k in INSPECTED} and warned <= {k.code for k in WARNED}
    assert set(pack["finding_kinds"]) == {k.code for k in INSPECTED}


# --- licences and stop notices ----------------------------------------------------------------


def test_a_licence_line_below_ten_percent_of_what_was_granted(
    ledger: Harness, read: ReadSide
) -> None:
    """L1 keeps exactly 10 % (not below); L2 falls to 9 % with the order of 5 March."""
    ledger.given(
        warehousing("D1", line(1, "500")),
        goods_list("GL-1", {"hs_prefix": "8542", "requires": ["licence"]}),
        licence("L1", "100"),
        licence("L2", "100"),
        order("O-1", "90", when="2026-03-01T10:00:00+07:00", licence_nos=["L1"]),
        order("O-2", "50", when="2026-03-02T10:00:00+07:00", licence_nos=["L2"]),
        order("O-3", "41", when="2026-03-05T10:00:00+07:00", licence_nos=["L2"]),
    )
    assert raised(read, "2026-03-04", kind="licence_low") == set()
    assert raised(read, "2026-03-05", kind="licence_low") == {
        ("licence_low", "licence:L2/8542", "2026-03-05")
    }


def test_a_licence_within_thirty_days_of_its_end(ledger: Harness, read: ReadSide) -> None:
    ledger.given(licence("L1", valid_until="2026-12-31"), licence("L2", valid_until="2027-06-30"))
    assert raised(read, "2026-11-30", kind="licence_expiring") == set()
    assert raised(read, "2026-12-05", kind="licence_expiring") == {
        ("licence_expiring", "licence:L1", "2026-12-01")
    }
    assert raised(read, "2027-01-01", kind="licence_expiring") == set()  # expired: no longer


def test_a_stop_notice_in_force_over_goods_in_stock(ledger: Harness, read: ReadSide) -> None:
    """D1 holds chips when the notice on HS 8542 takes effect; D2 was emptied before it, D3
    holds goods it does not cover."""
    ledger.given(
        warehousing("D1", line(1, "100")),
        warehousing("D2", line(1, "10")),
        warehousing("D3", line(1, "10", hs_code="61091000")),
        ex_warehousing("D2/1", "10", "2026-03-01T10:00:00+07:00"),
    )
    recorded_at(ledger, "2026-04-01 09:00", stop_notice("N-1", "8542", when="2026-04-01"))
    assert raised(read, "2026-03-31", kind="exemption_stopped_in_stock") == set()
    assert raised(read, "2026-04-02", kind="exemption_stopped_in_stock") == {
        ("exemption_stopped_in_stock", "lot:D1/1", "2026-04-01")
    }
    assert raised(read, "2026-04-02", at("2026-04-01 08:00"), "exemption_stopped_in_stock") == set()
