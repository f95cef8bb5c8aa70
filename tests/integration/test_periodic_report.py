"""The periodic report as the doors deliver it: per goods item, in and out by kind, closing =
opening + in - out on every row, transfers apart; as known at a moment; the digest stored at
submission re-created; late or on time; the XLSX opened again and its cells checked."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from api.reports import HEADINGS, as_json, as_xlsx, build, check_submitted
from commands.store import EventStore
from ledger.errors import NotFound
from ledger.report import content_digest
from ledger.rulepacks import load_pack
from projections.answers import Filters, When
from tests.integration.test_history_equivalence import record_history
from tests.integration.test_read_models import ReadSide
from tests.support import (
    OWNER_B,
    Harness,
    at,
    dispatch,
    ex_warehousing,
    line,
    receipt,
    transfer,
    warehousing,
    world,
)

PACK = load_pack("vn-2015")


def history(ledger: Harness) -> None:
    ledger.given(
        warehousing("D1", line(1, "100"), line(2, "50", hs_code="22042100")),
        ex_warehousing("D1/1", "10", "2026-03-10"),
        ex_warehousing("D1/1", "5", "2026-04-10"),
        ex_warehousing(
            "D1/1",
            "7",
            "2026-04-11",
            destination="inland",
            export_declaration_no=None,
            border_gate=None,
            import_declaration_no="NK-1",
            purpose="domestic_sale",
        ),
        transfer("D1/1", "20", "2026-05-01"),
        dispatch("D1/2", "15", "2026-05-02"),
        receipt("D1/2.1", "2026-05-03"),
    )


def rows_by_hs(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["hs_code"]: row for row in document["rows"]}


def test_the_report_counts_each_kind_and_balances(ledger: Harness, store: EventStore) -> None:
    history(ledger)
    document = build(store, PACK, "W1", "2026-Q2")
    chips, wine = rows_by_hs(document)["85423100"], rows_by_hs(document)["22042100"]
    assert (chips["opening"], chips["out"]["abroad"], chips["out"]["inland"]) == ("90", "5", "7")
    assert chips["closing"] == "78"  # the transfer of 20 stays inside: neither in nor out
    assert (wine["opening"], wine["out"]["dispatched"], wine["closing"]) == ("50", "15", "35")
    for row in document["rows"]:
        total_in = sum(Decimal(v) for v in row["in"].values())
        total_out = sum(Decimal(v) for v in row["out"].values())
        assert Decimal(row["closing"]) == Decimal(row["opening"]) + total_in - total_out
    (moved,) = document["transfers"]
    assert (moved["lot_id"], moved["new_lot_id"], moved["to"], moved["quantity"]) == (
        "D1/1",
        "D1/1.1",
        OWNER_B,
        "20",
    )
    received = rows_by_hs(build(store, PACK, "W2", "2026-Q2"))["22042100"]
    assert (received["in"]["received"], received["closing"]) == ("15", "15")


def test_as_known_at_a_moment_and_as_submitted(ledger: Harness, store: EventStore) -> None:
    history(ledger)
    ledger.given(ex_warehousing("D1/1", "4", "2026-11-02"))  # in 2026-Q4
    ledger.now = at("2027-01-05 09:00")  # on time: due 15 days after the quarter
    ledger.given(
        {
            "command": "submit_report",
            "warehouse_id": "W1",
            "period": "2026-Q4",
            "effective_at": "2027-01-05T09:00:00+07:00",
        }
    )
    submitted_at = ledger.now
    ledger.now = at("2027-01-20 09:00")  # a late entry, backdated into the quarter
    ledger.given(ex_warehousing("D1/1", "3", "2026-12-01"))
    now = build(store, PACK, "W1", "2026-Q4")
    then = build(store, PACK, "W1", "2026-Q4", submitted_at + timedelta(seconds=1))
    assert rows_by_hs(now)["85423100"]["out"]["abroad"] == "7"
    assert rows_by_hs(then)["85423100"]["out"]["abroad"] == "4"
    assert (then["submitted_on"], then["late"]) == ("2027-01-05", False)
    assert (
        now["submitted_digest"] == content_digest(then["_report"]) != content_digest(now["_report"])
    )


def test_a_report_submitted_after_its_due_date_is_late(ledger: Harness, store: EventStore) -> None:
    history(ledger)
    ledger.now = at("2026-08-01 09:00")
    ledger.given(
        {
            "command": "submit_report",
            "warehouse_id": "W1",
            "period": "2026-Q2",
            "effective_at": "2026-08-01T09:00:00+07:00",
        }
    )
    document = build(store, PACK, "W1", "2026-Q2")
    assert (document["due_on"], document["submitted_on"], document["late"]) == (
        "2026-07-15",
        "2026-08-01",
        True,
    )


def test_the_xlsx_reads_back_as_the_report(ledger: Harness, store: EventStore) -> None:
    history(ledger)
    document = build(store, PACK, "W1", "2026-Q2")
    sheet = load_workbook(io.BytesIO(as_xlsx(document))).active
    assert sheet is not None
    cells = {(c.row, c.column): c.value for row in sheet.iter_rows() for c in row if c.value}
    text = " ".join(str(v) for v in cells.values())
    assert PACK.report_form in str(cells[(1, 1)])
    assert "BÁO CÁO" in str(cells[(2, 1)]) and "REPORT" in str(cells[(2, 1)])
    assert "W1" in text and "2026-Q2" in text and "Ownership transfers" in text
    header = next(r for (r, c), v in cells.items() if v == "STT / No.")
    last = 1 + len(HEADINGS)  # No., then a column per heading, as the kinds declare them
    titles = [sheet.cell(row=header, column=c).value for c in range(1, last + 1)]
    assert titles[1:] == [f"{vietnamese} / {english}" for vietnamese, english in HEADINGS.values()]
    assert titles[1] == "Mã HS / HS code" and titles[-1] == "Tồn cuối kỳ / Closing"
    chips = next(r for (r, c), v in cells.items() if v == "85423100")
    values = [sheet.cell(row=chips, column=c).value for c in range(5, last + 1)]
    assert all(isinstance(v, int | float) for v in values)  # numbers, not text
    assert values[0] == 90 and values[-1] == 78
    total = next(r for (r, c), v in cells.items() if v == "Tổng cộng / Total")
    closing = sheet.cell(row=total, column=last).value
    assert str(closing).startswith(f"=SUM({get_column_letter(last)}")
    assert any("Director" in str(v) for v in cells.values())


def test_a_submitted_report_is_re_created_as_known_at_its_submission(
    ledger: Harness, store: EventStore
) -> None:
    history(ledger)
    with pytest.raises(NotFound):
        check_submitted(store, PACK, "W1", "2026-Q2")
    ledger.given({"command": "submit_report", "warehouse_id": "W1", "period": "2026-Q2"})
    ledger.now += timedelta(hours=1)
    ledger.given(ex_warehousing("D1/1", "3", "2026-06-01"))  # known only after submission
    submitted, recreated = check_submitted(store, PACK, "W1", "2026-Q2")
    assert recreated == submitted.content_digest
    assert content_digest(build(store, PACK, "W1", "2026-Q2")["_report"]) != recreated


@pytest.mark.parametrize("seed", [6, 7])
def test_the_report_arithmetic_holds_on_generated_histories(store: EventStore, seed: int) -> None:
    """Random histories with backdated entries, reversals, transfers, holds and moves left in
    transit: every row of every quarter's report closes at opening + in - out (a report that
    does not is never produced), each quarter opens with what the one before closed, and the
    closing is what the read models hold on hand in the warehouse at the quarter's end — as
    known now and as known halfway through."""
    ledger = Harness(store)
    ledger.now = at("2026-01-15 08:00")  # registered before the history begins
    ledger.given(*world())
    moments = record_history(ledger, seed)
    read = ReadSide(store)
    read.runner.catch_up()
    placed = read.model.lots_ever_in
    rows_seen = 0
    for warehouse_id in ("W1", "W2"):
        for known_at in (None, moments[len(moments) // 2]):
            previous: dict[tuple[str, str, str], Decimal] | None = None
            for quarter in ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"):
                document = build(store, PACK, warehouse_id, quarter, known_at)
                indexed = build(store, PACK, warehouse_id, quarter, known_at, placed)
                assert as_json(indexed) == as_json(document)  # lots found by the read models
                rows = {(r["hs_code"], r["description"], r["unit"]): r for r in document["rows"]}
                rows_seen += len(rows)
                closing = {k: Decimal(r["closing"]) for k, r in rows.items() if r["closing"] != "0"}
                opening = {k: Decimal(r["opening"]) for k, r in rows.items() if r["opening"] != "0"}
                end = When(date.fromisoformat(document["ends_on"]), known_at)
                held: Counter[tuple[str, str, str]] = Counter()
                for b in read.model.balances(Filters(warehouse_id=warehouse_id), end):
                    held[(b["hs_code"], b["description"], b["unit"])] += Decimal(b["on_hand"])
                assert closing == {k: v for k, v in held.items() if v}, (quarter, known_at)
                if previous is not None:
                    assert opening == previous, (quarter, known_at)
                previous = closing
    assert rows_seen > 20  # the histories are not trivially empty
