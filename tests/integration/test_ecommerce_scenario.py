"""DOMAIN.md §7 end to end on SQLite and on PostgreSQL: every e-commerce command recorded
through the service, every e-commerce question answered by the read side, as of a day and as
known at a moment."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from ledger.errors import LedgerError
from ledger.users import OPERATOR
from projections.answers import When
from projections.ecommerce_queries import OrderFilters
from tests.integration.test_read_models import ReadSide
from tests.support import (
    Harness,
    at,
    goods_list,
    licence,
    line,
    order,
    resume_notice,
    revocation,
    stop_notice,
    warehousing,
)

CHIPS = {"hs_prefix": "8542", "requires": ["licence"], "exempt_quantity": "5"}
SUPPLEMENTS = {"hs_prefix": "2106", "requires": ["specialised_inspection"], "exempt_quantity": "3"}


@pytest.fixture
def shop(ledger: Harness) -> Harness:
    """Chips (D1/1) and supplements (D2/1) of OWNER_A in W1; the goods list; a licence for 100
    chips and an inspection result for 10 supplements; orders from 1 to 25 March."""

    def on(moment: str, *commands: dict[str, object]) -> None:
        ledger.now = at(moment)
        ledger.given(*commands)

    on(
        "2026-02-11 09:30",
        warehousing("D1", line(1, "100")),
        warehousing("D2", line(1, "50", hs_code="21069099")),
        goods_list("GL-1", CHIPS, SUPPLEMENTS),
    )
    on(
        "2026-02-12 09:00",
        licence("L1", "100", released="2026-02-12T08:00:00+07:00"),
        licence(
            "R1",
            "10",
            kind="specialised_inspection",
            hs_prefix="2106",
            released="2026-02-12T08:00:00+07:00",
        ),
    )
    on("2026-03-01 10:05", order("O-1", "1", "500000", when="2026-03-01T10:00:00+07:00"))
    on("2026-03-02 10:05", order("O-2", "3", when="2026-03-02T10:00:00+07:00"))
    on("2026-03-03 10:05", order("O-3", "4", when="2026-03-03T10:00:00+07:00"))
    on(
        "2026-03-04 10:05",
        order("O-4", "2", lot_id="D2/1", when="2026-03-04T10:00:00+07:00", platform="lazada"),
    )
    on("2026-03-10 08:00", stop_notice("N-1", "2106", when="2026-03-10"))
    on(
        "2026-03-11 10:05",
        order("O-5", "1", lot_id="D2/1", when="2026-03-11T10:00:00+07:00", platform="lazada"),
    )
    on("2026-03-20 08:00", revocation("R1", when="2026-03-20"))
    on("2026-03-21 08:00", resume_notice("N-1", "2026-03-21"))
    ledger.now = at("2026-03-25 10:05")
    return ledger


@pytest.fixture
def read(shop: Harness) -> ReadSide:
    return ReadSide(shop.store)


def test_each_order_has_the_basis_section_7_gives_it(shop: Harness, read: ReadSide) -> None:
    rows = read.ask("orders", OPERATOR, OrderFilters(), When(date(2026, 3, 31)))
    assert [(r["order_no"], r["basis"], r["licence_nos"]) for r in rows] == [
        ("O-1", "low_value", []),  # worth VND 500,000
        ("O-2", "quantity_list", []),  # 3 of the buyer's 5 exempt chips
        ("O-3", "deducted", ["L1"]),  # 3 + 4 > 5
        ("O-4", "quantity_list", []),  # 2 of 3 exempt supplements
        ("O-5", "deducted", ["R1"]),  # the stop notice ends exemptions from 10 March
    ]


def test_a_revoked_result_refuses_the_order_and_records_nothing(
    shop: Harness, read: ReadSide
) -> None:
    head = shop.store.head()
    with pytest.raises(LedgerError) as refused:
        shop.given(order("O-6", "2", lot_id="D2/1", when="2026-03-25T10:00:00+07:00"))
    assert refused.value.code == "licence_required"
    assert shop.store.head() == head
    # 2 + 2 > 3 exempt: O-6 was to be deducted, from a revoked result. Exemptions resumed on
    # 21 March: the buyer's last exempt supplement is still there
    shop.given(order("O-7", "1", "2000000", lot_id="D2/1", when="2026-03-25T10:00:00+07:00"))
    (row,) = read.ask("orders", OPERATOR, OrderFilters(lot_id="D2/1"), When(date(2026, 3, 25)))[-1:]
    assert (row["order_no"], row["basis"]) == ("O-7", "quantity_list")


def test_licences_as_of_and_as_known(shop: Harness, read: ReadSide) -> None:
    def lines(day: str, known: datetime | None = None) -> list[tuple[str, str, str, str]]:
        rows = read.ask("licences", OPERATOR, When(date.fromisoformat(day), known))
        return [(r["licence_no"], r["deducted"], r["remaining"], r["status"]) for r in rows]

    assert lines("2026-03-31") == [("L1", "4", "96", "valid"), ("R1", "1", "9", "revoked")]
    assert lines("2026-03-15") == [("L1", "4", "96", "valid"), ("R1", "1", "9", "valid")]
    assert lines("2026-03-31", at("2026-03-03 09:00")) == [
        ("L1", "0", "100", "valid"),
        ("R1", "0", "10", "valid"),
    ]


def test_reversing_an_order_gives_licence_and_allowance_back(shop: Harness, read: ReadSide) -> None:
    o3 = next(
        n for n, e in enumerate(shop.lot_events("D1/1"), 1) if getattr(e, "order_no", "") == "O-3"
    )
    o2 = o3 - 1
    shop.given(
        {"command": "reverse_entry", "lot_id": "D1/1", "version": o3, "reason": "cancelled"},
        {"command": "reverse_entry", "lot_id": "D1/1", "version": o2, "reason": "cancelled"},
    )
    card = read.ask("licence_card", OPERATOR, "L1", When(date(2026, 3, 31)))
    assert card == []
    before = read.ask(
        "licence_card", OPERATOR, "L1", When(date(2026, 3, 31), at("2026-03-24 00:00"))
    )
    assert [(r["order_no"], r["quantity"], r["remaining"]) for r in before] == [("O-3", "4", "96")]
    (supplements, chips) = read.ask("allowance", OPERATOR, "B-1", 2026, When(date(2026, 3, 31)))
    assert (chips["hs_prefix"], chips["used"], chips["left"]) == ("8542", "0", "5")
    assert (supplements["hs_prefix"], supplements["used"], supplements["left"]) == (
        "2106",
        "2",
        "1",
    )
