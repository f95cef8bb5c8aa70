"""Holds (55.1c.2, 55.8a), storage extensions (§4) and liquidation of overdue lots (55.7)."""

from __future__ import annotations

from tests.support import (
    Harness,
    at,
    dispatch,
    ex_warehousing,
    hold,
    line,
    refuses,
    transfer,
    warehousing,
)


def extension(days: int, lot_id: str = "D1/1", when: str = "2026-06-01") -> dict[str, object]:
    return {
        "command": "extend_storage",
        "lot_id": lot_id,
        "days": days,
        "effective_at": when,
        "approval_ref": "CV-EXT-1",
        "reason": "buyer delayed",
    }


def liquidation(
    quantity: str = "100", when: str = "2027-03-01", lot_id: str = "D1/1"
) -> dict[str, object]:
    return {
        "command": "liquidate_overdue",
        "lot_id": lot_id,
        "quantity": quantity,
        "effective_at": when,
        "decision_ref": "QD-TL-1",
        "method": "auction",
    }


def test_a_hold_blocks_ex_warehousing_transfer_dispatch_and_liquidation(ledger: Harness) -> None:
    ledger.given(warehousing("D1", line(1, "100")), hold(when="2026-03-05"))
    refuses(ledger, ex_warehousing(when="2026-03-06"), "lot_on_hold", "lot_id", "QD-HOLD-1")
    refuses(ledger, transfer(when="2026-03-06"), "lot_on_hold", "lot_id")
    refuses(ledger, dispatch(when="2026-03-06"), "lot_on_hold", "lot_id")
    ledger.given(hold(when="2026-03-10", release=True))
    ledger.when(ex_warehousing(when="2026-03-10"))


def test_movements_before_the_hold_are_not_blocked(ledger: Harness) -> None:
    ledger.given(warehousing("D1", line(1, "100")), hold(when="2026-03-05"))
    ledger.when(ex_warehousing(when="2026-03-04"))


def test_a_lot_is_held_once_at_a_time(ledger: Harness) -> None:
    ledger.given(warehousing(), hold(when="2026-03-05"))
    refuses(ledger, hold(when="2026-03-06"), "already_on_hold", "lot_id")


def test_a_hold_cannot_be_backdated_over_a_recorded_movement(ledger: Harness) -> None:
    ledger.given(warehousing(), ex_warehousing(when="2026-03-10"))
    refuses(ledger, hold(when="2026-03-05"), "lot_on_hold", "effective_at")


def test_only_a_held_lot_can_be_released(ledger: Harness) -> None:
    ledger.given(warehousing())
    refuses(ledger, hold(when="2026-03-05", release=True), "not_on_hold", "lot_id")


def test_an_extension_moves_the_statutory_limit_once(ledger: Harness) -> None:
    ledger.given(warehousing())
    (extended,) = ledger.when(extension(200))
    assert extended.days == 200
    refuses(ledger, extension(10, when="2026-06-02"), "already_extended", "lot_id")


def test_vn_2015_extends_by_at_most_12_calendar_months(ledger: Harness) -> None:
    ledger.given(
        warehousing()
    )  # first warehousing 2026-02-11: limit 2027-02-11, furthest 2028-02-11
    refuses(ledger, extension(366), "extension_too_long", "days", "2028-02-11")
    ledger.when(extension(365))


def test_vn_2010_extends_by_at_most_180_days(ledger_2010: Harness) -> None:
    ledger_2010.given(warehousing())
    refuses(ledger_2010, extension(181), "extension_too_long", "days")
    ledger_2010.when(extension(180))


def test_a_split_lot_keeps_its_parents_extension(ledger: Harness) -> None:
    ledger.given(
        warehousing("D1", line(1, "100")),
        extension(100),
        transfer(quantity="10", when="2026-06-05"),
    )
    refuses(ledger, extension(10, lot_id="D1/1.1", when="2026-06-06"), "already_extended", "lot_id")


def test_liquidation_only_of_overdue_lots_under_vn_2015(ledger: Harness) -> None:
    # box 2 expiry 2027-02-10 is earlier than 12 months from 2026-02-11
    ledger.given(warehousing("D1", line(1, "100")))
    ledger.now = at("2027-03-01 12:00")
    refuses(ledger, liquidation(when="2027-02-10"), "not_overdue", "effective_at", "2027-02-10")
    (liquidated,) = ledger.when(liquidation(quantity="60", when="2027-02-11"))
    assert liquidated.method == "auction"
    refuses(
        ledger, liquidation(quantity="41", when="2027-02-12"), "insufficient_balance", "quantity"
    )


def test_vn_2010_waits_90_days_past_the_deadline(ledger_2010: Harness) -> None:
    ledger_2010.given(warehousing("D1", line(1, "100")))
    ledger_2010.now = at("2027-08-01 12:00")
    refuses(
        ledger_2010, liquidation(when="2027-05-11"), "not_overdue", "effective_at", "2027-05-12"
    )
    ledger_2010.when(liquidation(when="2027-05-12"))


def test_a_contract_extension_moves_the_deadline(ledger: Harness) -> None:
    ledger.given(warehousing("D1", line(1, "100")))
    ledger.now = at("2027-03-01 12:00")
    ledger.given(
        {
            "command": "extend_rent_contract",
            "contract_no": "C-A-W1",
            "expires_on": "2027-12-31",
            "effective_at": "2027-01-15",
        }
    )
    # the deadline is now the statutory limit, 2027-02-11
    refuses(ledger, liquidation(when="2027-02-11"), "not_overdue")
    ledger.when(liquidation(when="2027-02-12"))


def test_a_held_lot_cannot_be_liquidated(ledger: Harness) -> None:
    ledger.now = at("2027-03-01 12:00")
    ledger.given(warehousing("D1", line(1, "100")), hold(when="2027-01-01"))
    refuses(ledger, liquidation(when="2027-02-15"), "lot_on_hold", "lot_id")
