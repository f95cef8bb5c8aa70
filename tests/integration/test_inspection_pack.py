"""The annual inspection pack against a hand-built province: every finding DOMAIN.md §5 names,
each with the events it rests on; the ranking; the year-end stock and overdue lots equal to
the read models' answers; as known at a moment; the XLSX and HTML read back."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from openpyxl import load_workbook

from api.inspections import as_html, as_xlsx, build
from api.wiring import Ledger, open_ledger
from commands.parsing import parse_command
from commands.settings import Settings
from ledger.errors import Invalid, NotFound
from ledger.rulepacks import load_pack
from projections.answers import Filters, When
from tests.support import (
    OWNER_A,
    WAREHOUSE_OWNER,
    at,
    contract,
    dispatch,
    enterprise,
    ex_warehousing,
    hold,
    line,
    receipt,
    reversal,
    warehouse,
    warehousing,
)

PACK = load_pack("vn-2015")
AFTER_THE_YEAR = date(2027, 2, 1)


class Province:
    """A ledger whose clock each entry sets: recorded a few minutes after it took effect,
    unless the test says otherwise."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.now = at("2025-12-01 08:00")
        ledger.service.clock = lambda: self.now

    def record(self, recorded: str, *commands: dict[str, Any]) -> None:
        self.now = at(recorded)
        for command in commands:
            self.ledger.service.execute(parse_command(command))

    def pack(self, today: date = AFTER_THE_YEAR, known_at: datetime | None = None) -> Any:
        store = self.ledger.service.store
        return build(store, PACK, "Ho Chi Minh City", 2026, today, known_at)


def report(warehouse_id: str, period: str, day: str) -> dict[str, Any]:
    return {
        "command": "submit_report",
        "warehouse_id": warehouse_id,
        "period": period,
        "effective_at": f"{day}T16:00:00+07:00",
    }


def old_goods(declaration_no: str, quantity: str) -> dict[str, Any]:
    """Warehoused in March 2025 under a declaration expiring 28 Feb 2026: overdue from 1 March."""
    return warehousing(
        declaration_no,
        line(1, quantity),
        registered_on="2025-02-28",
        effective_at="2025-03-01T09:00:00+07:00",
        expires_on="2026-02-28",
    )


@pytest.fixture
def province(database_url: str) -> Iterator[Province]:
    ledger = open_ledger(Settings(database_url))
    built = Province(ledger)
    starts = {"starts_on": "2025-01-01"}
    built.record(
        "2025-12-01 08:00",
        enterprise(WAREHOUSE_OWNER, "Saigon Bonded Logistics"),
        enterprise(OWNER_A, "Hanoi Trading"),
        warehouse("W1", WAREHOUSE_OWNER),
        warehouse("W2", WAREHOUSE_OWNER),
        warehouse("W3", OWNER_A, province="Ha Noi"),
        contract("C-A-W1", "W1", OWNER_A, **starts),
        contract("C-A-W2", "W2", OWNER_A, **starts),
        contract("C-A-W3", "W3", OWNER_A, **starts),
    )
    try:
        yield built
    finally:
        ledger.close()


def findings(pack: Any, warehouse_id: str) -> list[dict[str, Any]]:
    (found,) = [w for w in pack["warehouses"] if w["warehouse_id"] == warehouse_id]
    return list(found["findings"])


def of_kind(pack: Any, warehouse_id: str, kind: str) -> list[dict[str, Any]]:
    return [f for f in findings(pack, warehouse_id) if f["kind"] == kind]


def rests_on(finding: dict[str, Any]) -> list[tuple[str, int, str]]:
    return [(e["stream"], e["version"], e["event"]) for e in finding["evidence"]]


def history(p: Province) -> None:
    """W1 has one finding of each kind; W2 has none; W3 is in another province."""
    p.record("2025-12-01 09:00", old_goods("D0", "50"), old_goods("D0B", "40"))
    p.record("2026-01-10 16:07", report("W1", "2025-Q4", "2026-01-10"))
    p.record("2026-02-11 09:05", warehousing("D1", line(1, "100")))
    p.record(
        "2026-03-01 09:05",
        warehousing(
            "D2",
            line(1, "10"),
            effective_at="2026-03-01T09:00:00+07:00",
            warehouse_id="W2",
            contract_no="C-A-W2",
        ),
    )
    p.record(
        "2026-03-02 09:05", old_goods("D9", "5") | {"warehouse_id": "W3", "contract_no": "C-A-W3"}
    )
    p.record("2026-03-20 14:05", ex_warehousing("D0B/1", "40", "2026-03-20T14:00:00+07:00"))
    p.record("2026-04-10 10:05", ex_warehousing("D0/1", "20", "2026-04-10T10:00:00+07:00"))
    p.record(
        "2026-04-10 16:07",
        report("W1", "2026-Q1", "2026-04-10"),
        report("W2", "2026-Q1", "2026-04-10"),
    )
    p.record(
        "2026-04-20 11:05",
        {
            "command": "settle_declaration",
            "declaration_no": "D0B",
            "effective_at": "2026-04-20T11:00:00+07:00",
        },
    )
    p.record("2026-05-05 10:05", hold("D1/1", "2026-05-05T10:00:00+07:00"))
    p.record("2026-05-07 10:05", hold("D1/1", "2026-05-07T10:00:00+07:00", release=True))
    p.record("2026-06-01 11:00", ex_warehousing("D1/1", "10", "2026-06-01T10:00:00+07:00"))
    inland = {
        "destination": "inland",
        "export_declaration_no": None,
        "border_gate": None,
        "import_declaration_no": "NK-1",
        "purpose": "domestic_sale",
    }
    p.record("2026-06-02 10:20", ex_warehousing("D1/1", "3", "2026-06-02T10:00:00+07:00", **inland))
    p.record("2026-06-03 10:25", ex_warehousing("D1/1", "2", "2026-06-03T10:00:00+07:00"))
    p.record("2026-07-01 10:05", ex_warehousing("D1/1", "5", "2026-07-01T10:00:00+07:00"))
    p.record("2026-07-02 09:00", reversal("D1/1", 7))
    p.record("2026-07-10 16:07", report("W2", "2026-Q2", "2026-07-10"))
    p.record("2026-07-20 16:07", report("W1", "2026-Q2", "2026-07-20"))
    p.record("2026-08-01 08:05", dispatch("D1/1", "5", "2026-08-01T08:00:00+07:00"))
    p.record("2026-08-02 16:05", receipt("D1/1.1", "2026-08-02T16:00:00+07:00"))
    p.record(
        "2026-09-30 17:05",
        {
            "command": "record_stock_count",
            "warehouse_id": "W1",
            "effective_at": "2026-09-30T17:00:00+07:00",
            "counts": [{"lot_id": "D1/1", "counted_quantity": "78"}],
        },
    )
    p.record("2026-10-10 16:07", report("W2", "2026-Q3", "2026-10-10"))


def test_every_finding_of_a_hand_built_province(province: Province) -> None:
    history(province)
    pack = province.pack()
    assert (pack["until"], [w["warehouse_id"] for w in pack["warehouses"]]) == (
        "2026-12-31",
        ["W1", "W2"],  # ranked by findings; W3 is in Ha Noi
    )
    assert [(s["rank"], s["warehouse_id"], s["findings"]) for s in pack["summary"]] == [
        (1, "W1", 10),
        (2, "W2", 0),
    ]
    assert Counter(f["kind"] for f in findings(pack, "W1")) == {
        "overdue": 2,
        "settlement_overdue": 1,
        "hold": 1,
        "late_entry": 2,
        "reversal": 1,
        "count_variance": 1,
        "report_late": 2,  # one submitted late, one missing: one kind, two standings
    }
    standings = sorted(f["details"]["standing"] for f in of_kind(pack, "W1", "report_late"))
    assert standings == ["late", "missing"]
    still, left = sorted(of_kind(pack, "W1", "overdue"), key=lambda f: f["subject"])
    assert (still["subject"], still["details"]["overdue_from"]) == ("D0/1", "2026-03-01")
    assert (still["details"]["days_overdue"], still["details"]["still_overdue_at_end"]) == (
        "306",
        "yes",
    )
    assert still["details"]["balance_at_end"] == "30"
    assert (left["subject"], left["details"]["days_overdue"]) == ("D0B/1", "19")
    assert left["details"]["still_overdue_at_end"] == "no"
    assert rests_on(still) == [("lot:D0/1", 1, "LotWarehoused")]
    (settlement,) = of_kind(pack, "W1", "settlement_overdue")
    assert settlement["subject"] == "D0B"
    assert (settlement["details"]["settlement_due_on"], settlement["details"]["overdue_from"]) == (
        "2026-04-04",
        "2026-04-05",
    )
    assert settlement["details"]["days_overdue"] == "15"  # 5 to 19 April; settled the 20th
    assert ("lot:D0B/1", 2, "LotExWarehoused") in rests_on(settlement)
    (held,) = of_kind(pack, "W1", "hold")
    assert (held["details"]["placed_on"], held["details"]["released_on"]) == (
        "2026-05-05",
        "2026-05-07",
    )
    assert rests_on(held) == [("lot:D1/1", 2, "HoldPlaced"), ("lot:D1/1", 3, "HoldReleased")]
    late = of_kind(pack, "W1", "late_entry")
    assert [(f["details"]["effective_at"][:10], f["details"]["delay"]) for f in late] == [
        ("2026-06-01", "1h00"),  # abroad: 30 minutes allowed
        ("2026-06-02", "0h20"),  # inland: 15 minutes allowed; 3 June's 25 minutes abroad is not
    ]
    assert [rests_on(f) for f in late] == [
        [("lot:D1/1", 4, "LotExWarehoused")],
        [("lot:D1/1", 5, "LotExWarehoused")],
    ]
    (reversed_,) = of_kind(pack, "W1", "reversal")
    assert (reversed_["details"]["reversed_version"], reversed_["details"]["reason"]) == (
        "7",
        "keyed twice",
    )
    assert reversed_["details"]["by"] == "operator"
    assert rests_on(reversed_) == [
        ("lot:D1/1", 8, "EntryReversed"),
        ("lot:D1/1", 7, "LotExWarehoused"),
    ]
    (count,) = of_kind(pack, "W1", "count_variance")
    assert (count["subject"], count["details"]["difference"]) == ("D1/1", "-2")
    assert rests_on(count) == [("warehouse:W1", 5, "StockCounted")]
    (w1,) = [w for w in pack["warehouses"] if w["warehouse_id"] == "W1"]
    assert [(r["period"], r["status"]) for r in w1["reports"]] == [
        ("2025-Q4", "on_time"),
        ("2026-Q1", "on_time"),
        ("2026-Q2", "late"),
        ("2026-Q3", "missing"),
    ]


def test_the_pack_agrees_with_the_read_models(province: Province) -> None:
    """The stock at the year's end and the lots still overdue then are what the read models
    answer as of 31 December; the lots found through the read models' index are the same."""
    history(province)
    pack = province.pack()
    province.ledger.catch_up()
    store, placed = province.ledger.service.store, province.ledger.read_model.lots_ever_in
    for known_at in (None, at("2026-06-01 10:30")):
        plain = build(store, PACK, "Ho Chi Minh City", 2026, AFTER_THE_YEAR, known_at)
        indexed = build(store, PACK, "Ho Chi Minh City", 2026, AFTER_THE_YEAR, known_at, placed)
        assert indexed == plain
    model, end = province.ledger.read_model, When(date(2026, 12, 31))
    for w in pack["warehouses"]:
        asked = Filters(warehouse_id=w["warehouse_id"])
        on_hand: Counter[tuple[str, str, str]] = Counter()
        for row in model.balances(asked, end):
            on_hand[(row["hs_code"], row["description"], row["unit"])] += Decimal(row["on_hand"])
        stock = {
            (s["hs_code"], s["description"], s["unit"]): Decimal(s["quantity"]) for s in w["stock"]
        }
        assert stock == {k: v for k, v in on_hand.items() if v}
        still = {
            f["subject"]
            for f in w["findings"]
            if f["kind"] == "overdue" and f["details"]["still_overdue_at_end"] == "yes"
        }
        assert still == {row["lot_id"] for row in model.overdue(asked, end)}
    (w1,) = [w for w in pack["warehouses"] if w["warehouse_id"] == "W1"]
    assert [s["quantity"] for s in w1["stock"]] == ["110"]  # 30 of D0, 80 of D1/1


def test_as_known_at_a_moment_and_up_to_a_day_of_the_year(province: Province) -> None:
    history(province)
    before = province.pack(known_at=at("2026-06-01 10:30"))  # the late entry not yet known
    assert [f["kind"] for f in of_kind(before, "W1", "late_entry")] == []
    midyear = province.pack(today=date(2026, 7, 16))
    assert midyear["until"] == "2026-07-16"
    (w1,) = [w for w in midyear["warehouses"] if w["warehouse_id"] == "W1"]
    assert [(r["period"], r["status"]) for r in w1["reports"]] == [
        ("2025-Q4", "on_time"),
        ("2026-Q1", "on_time"),
        ("2026-Q2", "missing"),  # due the 15th; submitted only on the 20th
        ("2026-Q3", "not_yet_due"),
    ]
    with pytest.raises(Invalid):
        province.pack(today=date(2025, 12, 31))
    with pytest.raises(NotFound):
        build(province.ledger.service.store, PACK, "Da Nang", 2026, AFTER_THE_YEAR)


def test_the_xlsx_and_the_html_read_back_as_the_pack(province: Province) -> None:
    history(province)
    pack = province.pack()
    book = load_workbook(io.BytesIO(as_xlsx(pack)))
    assert book.sheetnames == ["Tổng hợp - Summary", "W1", "W2"]
    summary = book["Tổng hợp - Summary"]
    assert "2026" in str(summary["A1"].value) and "Ho Chi Minh City" in str(summary["A2"].value)
    assert [summary.cell(row=6, column=c).value for c in range(1, 5)] == [
        1,
        "W1",
        "W1 store",
        10,
    ]
    assert summary.cell(row=7, column=4).value == 0
    sheet = book["W1"]
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    quantity = next(row[3] for row in cells if row[0] == "85423100")
    assert quantity == 110  # a number, not text
    listed = [row for row in cells if isinstance(row[0], int)]
    assert len(listed) == 10
    assert any("lot:D1/1 v8 (EntryReversed)" in str(row[4]) for row in listed)
    page = as_html(pack)
    parser = Cells()
    parser.feed(page)
    assert "W1" in parser.ids and "W2" in parser.ids
    assert parser.text.count("lot:D1/1 v4 (LotExWarehoused)") == 1
    assert "<script" not in page


class Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids |= {value for name, value in attrs if name == "id" and value}

    def handle_data(self, data: str) -> None:
        self.text += data


def test_a_contract_extension_lifts_an_overdue_lot_until_the_statutory_limit(
    province: Province,
) -> None:
    """Warehoused 1 June 2025 under a declaration expiring 28 February 2026: overdue from
    1 March; the contract extended from 10 March leaves only the statutory limit (1 June
    2026), so the lot is overdue 1-9 March and again from 2 June."""
    province.record(
        "2025-12-01 09:00",
        warehousing(
            "D5",
            line(1, "10"),
            registered_on="2025-05-31",
            effective_at="2025-06-01T09:00:00+07:00",
            expires_on="2026-02-28",
        ),
    )
    province.record(
        "2026-03-10 10:05",
        {
            "command": "extend_rent_contract",
            "contract_no": "C-A-W1",
            "expires_on": "2027-12-31",
            "effective_at": "2026-03-10T10:00:00+07:00",
        },
    )
    (overdue,) = of_kind(province.pack(), "W1", "overdue")
    assert (overdue["details"]["overdue_from"], overdue["details"]["days_overdue"]) == (
        "2026-03-01",
        "222",
    )
    assert overdue["details"]["still_overdue_at_end"] == "yes"
    province.ledger.catch_up()
    model = province.ledger.read_model
    for day, overdue_then in (
        (date(2026, 3, 9), True),
        (date(2026, 3, 10), False),
        (date(2026, 6, 1), False),
        (date(2026, 6, 2), True),
    ):
        rows = model.overdue(Filters(warehouse_id="W1"), When(day))
        assert bool(rows) is overdue_then, day
