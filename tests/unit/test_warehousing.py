"""warehouse_goods: a declaration, one lot per line, all or nothing (55.1, 55.2)."""

from __future__ import annotations

from decimal import Decimal

from ledger.events import DeclarationRegistered, LotWarehoused
from tests.support import OWNER_A, OWNER_B, Harness, line, refuses, warehousing


def test_each_line_becomes_a_lot_with_its_own_id(ledger: Harness) -> None:
    events = ledger.when(warehousing("D1", line(1, "100"), line(2, "40.5")))
    declaration, *lots = events
    assert isinstance(declaration, DeclarationRegistered)
    assert declaration.lot_ids == ("D1/1", "D1/2")
    assert [type(e) for e in lots] == [LotWarehoused, LotWarehoused]
    assert [(e.lot_id, e.goods.quantity) for e in lots] == [
        ("D1/1", Decimal("100")),
        ("D1/2", Decimal("40.5")),
    ]
    assert all(not e.on_hold for e in lots)


def test_a_declaration_number_is_used_once(ledger: Harness) -> None:
    ledger.given(warehousing("D1"))
    refuses(ledger, warehousing("D1"), "declaration_exists", "declaration_no")


def test_the_warehouse_must_exist(ledger: Harness) -> None:
    refuses(ledger, warehousing(warehouse_id="NOPE"), "unknown_warehouse", "warehouse_id")


def test_a_goods_owner_needs_a_contract_of_this_warehouse(ledger: Harness) -> None:
    refuses(ledger, warehousing(contract_no=None), "contract_required", "contract_no")
    refuses(ledger, warehousing(contract_no="C-A-W2"), "contract_other_warehouse", "contract_no")
    refuses(ledger, warehousing(contract_no="C-B-W1"), "contract_other_owner", "contract_no")
    refuses(ledger, warehousing(contract_no="C-NONE"), "unknown_contract", "contract_no")


def test_the_contract_must_be_valid_on_the_registration_day(ledger: Harness) -> None:
    late = warehousing(registered_on="2027-07-01", effective_at="2026-02-11T09:00:00+07:00")
    # registered after the contract expired (and after the goods arrived, which is refused first)
    refuses(ledger, late, "warehoused_before_registration", "effective_at")
    early = warehousing(
        registered_on="2025-12-20",
        effective_at="2025-12-21T09:00:00+07:00",
        expires_on="2026-06-01",
    )
    refuses(ledger, early, "contract_not_valid", "contract_no")


def test_box_2_expiry_may_not_pass_the_contract(ledger: Harness) -> None:
    refuses(ledger, warehousing(expires_on="2027-07-01"), "expiry_after_contract", "expires_on")


def test_the_warehouse_owner_needs_no_contract_for_its_own_goods(ledger: Harness) -> None:
    events = ledger.when(
        warehousing(warehouse_id="W3", goods_owner_tax_code=OWNER_A, contract_no=None)
    )
    assert events[1].contract_no is None


def test_source_inland_needs_an_export_declaration(ledger: Harness) -> None:
    refuses(ledger, warehousing(source="inland"), "missing_field", "export_declaration_no")
    events = ledger.when(warehousing(source="inland", export_declaration_no="XK-9"))
    assert events[1].source == "inland"


def test_forced_reexport_needs_a_decision(ledger: Harness) -> None:
    refuses(ledger, warehousing(source="forced_reexport"), "missing_field", "decision_ref")
    ledger.when(warehousing(source="forced_reexport", decision_ref="QD-77"))


def test_after_processing_is_a_source_and_unknown_sources_are_refused(ledger: Harness) -> None:
    ledger.when(warehousing("D2", source="inland_after_processing"))
    refuses(ledger, warehousing("D3", source="smuggled"), "invalid_source", "source")


def test_vehicles_need_frame_and_engine_numbers(ledger: Harness) -> None:
    car = line(1, "2", hs_code="87032390")
    refuses(ledger, warehousing("D1", car), "missing_field", "lines[0].frame_no")
    refuses(
        ledger, warehousing("D1", {**car, "frame_no": "F1"}), "missing_field", "lines[0].engine_no"
    )
    ledger.when(warehousing("D1", {**car, "frame_no": "F1", "engine_no": "E1"}))


def test_a_broken_seal_puts_every_new_lot_on_hold(ledger: Harness) -> None:
    seals = [{"container_no": "MSKU1", "seal_no": "S1", "intact": False}]
    events = ledger.when(warehousing("D1", line(1), line(2), seals=seals))
    assert all(e.on_hold for e in events[1:])
    refuses(
        ledger,
        {
            "command": "ex_warehouse",
            "lot_id": "D1/1",
            "quantity": "1",
            "effective_at": "2026-03-01",
            "destination": "non_tariff_zone",
            "bill_no": "B",
        },
        "lot_on_hold",
        "lot_id",
    )


def test_one_bad_line_records_nothing_of_the_declaration(ledger: Harness) -> None:
    bad = warehousing("D1", line(1), line(2, hs_code="87111000"))
    refuses(ledger, bad, "missing_field", "lines[1].frame_no")
    assert ledger.lot_events("D1/1") == []


def test_line_numbers_are_unique(ledger: Harness) -> None:
    refuses(ledger, warehousing("D1", line(1), line(1)), "duplicate_line_no", "lines[1].line_no")


def test_goods_cannot_arrive_before_the_declaration_is_registered(ledger: Harness) -> None:
    refuses(
        ledger,
        warehousing(effective_at="2026-02-09"),
        "warehoused_before_registration",
        "effective_at",
    )


def test_goods_cannot_be_warehoused_in_the_future(ledger: Harness) -> None:
    refuses(
        ledger,
        warehousing(effective_at="2026-11-23T10:06:00+07:00"),
        "effective_in_future",
        "effective_at",
    )
    ledger.when(warehousing(effective_at="2026-11-23T10:04:00+07:00"))  # within the 5 minutes


def test_an_unregistered_goods_owner_is_refused(ledger: Harness) -> None:
    refuses(
        ledger,
        warehousing(goods_owner_tax_code="0200456784"),
        "unknown_enterprise",
        "goods_owner_tax_code",
    )


def test_shape_errors_name_the_field(ledger: Harness) -> None:
    refuses(ledger, warehousing("D1", line(1, "0")), "invalid_command", "lines[0].quantity")
    refuses(
        ledger, warehousing("D1", line(1, hs_code="85.42")), "invalid_command", "lines[0].hs_code"
    )
    refuses(
        ledger, warehousing("D1", line(1, currency="XXY")), "invalid_command", "lines[0].currency"
    )
    refuses(
        ledger,
        warehousing("D1", line(1, origin_country="ZZ")),
        "invalid_command",
        "lines[0].origin_country",
    )
    refuses(ledger, {**warehousing("D1"), "colour": "red"}, "invalid_command", "colour")
    refuses(
        ledger, warehousing(effective_at="2026-02-11T09:00:00"), "invalid_command", "effective_at"
    )
    refuses(ledger, warehousing("D/1"), "invalid_command", "declaration_no")


def test_other_owner_at_the_same_warehouse_uses_its_own_contract(ledger: Harness) -> None:
    events = ledger.when(warehousing("D9", goods_owner_tax_code=OWNER_B, contract_no="C-B-W1"))
    assert events[1].goods_owner_tax_code == OWNER_B
