"""ex_warehouse: partial and whole, to abroad, inland and non-tariff zones (55.3, 55.4)."""

from __future__ import annotations

from decimal import Decimal

from ledger.events import LotExWarehoused
from tests.support import (
    OWNER_A,
    WAREHOUSE_OWNER,
    Harness,
    contract,
    ex_warehousing,
    line,
    refuses,
    warehouse,
    warehousing,
)


def test_partial_ex_warehousing_may_happen_many_times(ledger: Harness) -> None:
    ledger.given(warehousing("D1", line(1, "100")))
    for _ in range(3):
        events = ledger.when(ex_warehousing(quantity="30"))
        assert isinstance(events[0], LotExWarehoused)
    refuses(
        ledger,
        ex_warehousing(quantity="10.5"),
        "insufficient_balance",
        "quantity",
        "which is 10 then",
    )
    ledger.when(ex_warehousing(quantity="10"))


def test_quantities_are_exact_decimals(ledger: Harness) -> None:
    ledger.given(warehousing("D1", line(1, "0.3")))
    ledger.given(ex_warehousing(quantity="0.1"), ex_warehousing(quantity="0.1"))
    events = ledger.when(ex_warehousing(quantity="0.1"))
    assert events[0].quantity == Decimal("0.1")
    refuses(ledger, ex_warehousing(quantity="0.0000001"), "insufficient_balance", "quantity")


def test_abroad_needs_export_declaration_and_border_gate(ledger: Harness) -> None:
    ledger.given(warehousing())
    refuses(
        ledger, ex_warehousing(export_declaration_no=None), "missing_field", "export_declaration_no"
    )
    refuses(ledger, ex_warehousing(border_gate=None), "missing_field", "border_gate")


def test_inland_needs_import_declaration_and_a_purpose(ledger: Harness) -> None:
    ledger.given(warehousing())
    inland = ex_warehousing(destination="inland", export_declaration_no=None, border_gate=None)
    refuses(
        ledger, {**inland, "purpose": "domestic_sale"}, "missing_field", "import_declaration_no"
    )
    refuses(ledger, {**inland, "import_declaration_no": "NK-1"}, "invalid_purpose", "purpose")
    refuses(
        ledger,
        {**inland, "import_declaration_no": "NK-1", "purpose": "gift"},
        "invalid_purpose",
        "purpose",
    )
    events = ledger.when({**inland, "import_declaration_no": "NK-1", "purpose": "processing"})
    assert events[0].purpose == "processing"


def test_non_tariff_zone_needs_no_declaration(ledger: Harness) -> None:
    ledger.given(warehousing())
    ledger.when(
        ex_warehousing(destination="non_tariff_zone", export_declaration_no=None, border_gate=None)
    )
    refuses(ledger, ex_warehousing(destination="moon"), "invalid_destination", "destination")


WINE = "22042100"  # HS 2204: on both packs' not-for-inland lists


def inland_sale(**extra: object) -> dict[str, object]:
    """A domestic sale: an ex-warehousing into the inland with its import declaration."""
    return ex_warehousing(
        destination="inland",
        export_declaration_no=None,
        border_gate=None,
        import_declaration_no="NK-1",
        purpose="domestic_sale",
        **extra,
    )


def port_warehouse() -> dict[str, object]:
    return warehouse("PORT", WAREHOUSE_OWNER, in_port_area=True)


def test_goods_on_the_not_for_inland_list_may_not_go_inland(ledger: Harness) -> None:
    ledger.given(warehousing("D1", line(1, "10", hs_code=WINE)))
    refuses(ledger, inland_sale(), "not_for_inland", "destination", WINE)
    ledger.when(ex_warehousing(quantity="10"))  # abroad is fine


def test_vn_2015_exempts_warehouses_inside_a_port(ledger: Harness) -> None:
    ledger.given(
        port_warehouse(),
        contract("C-PORT", "PORT", OWNER_A),
        warehousing("D1", line(1, "10", hs_code=WINE), warehouse_id="PORT", contract_no="C-PORT"),
    )
    ledger.when(inland_sale())


def test_vn_2010_has_no_port_exemption(ledger_2010: Harness) -> None:
    ledger_2010.given(
        port_warehouse(),
        warehousing(
            "D1",
            line(1, "10", hs_code=WINE),
            warehouse_id="PORT",
            goods_owner_tax_code=WAREHOUSE_OWNER,
            contract_no=None,
        ),
    )
    refuses(ledger_2010, inland_sale(), "not_for_inland", "destination")


def test_an_unknown_lot_is_not_found(ledger: Harness) -> None:
    refuses(ledger, ex_warehousing(lot_id="D9/1"), "unknown_lot", "lot_id")


def test_nothing_leaves_before_the_lot_came_into_being(ledger: Harness) -> None:
    ledger.given(warehousing())
    refuses(
        ledger,
        ex_warehousing(when="2026-02-11T08:59:00+07:00"),
        "before_lot_existed",
        "effective_at",
    )


def test_a_backdated_ex_warehousing_may_not_undercut_a_later_one(ledger: Harness) -> None:
    ledger.given(
        warehousing("D1", line(1, "100")), ex_warehousing(quantity="80", when="2026-06-01")
    )
    error = refuses(
        ledger,
        ex_warehousing(quantity="30", when="2026-03-01"),
        "insufficient_balance",
        "effective_at",
    )
    assert "version 2" in error.message
    ledger.when(ex_warehousing(quantity="20", when="2026-03-01"))


def test_a_backdated_ex_warehousing_is_checked_at_its_own_time(ledger: Harness) -> None:
    ledger.given(
        warehousing("D1", line(1, "100")), ex_warehousing(quantity="50", when="2026-06-01")
    )
    # on 2026-03-01 100 were there; the later 50 still fit after it: 100 - 50 - 50 = 0
    ledger.when(ex_warehousing(quantity="50", when="2026-03-01"))
    refuses(ledger, ex_warehousing(quantity="1", when="2026-02-12"), "insufficient_balance")
