"""transfer_ownership (55.6) and dispatch_move / receive_move (55.5): splits, transit, clocks."""

from __future__ import annotations

from decimal import Decimal

from ledger.events import LotSplitOff, MoveDispatched, MoveReceived, OwnershipTransferred
from tests.support import (
    OWNER_A,
    OWNER_B,
    Harness,
    dispatch,
    ex_warehousing,
    hold,
    line,
    receipt,
    refuses,
    transfer,
    warehousing,
)


def test_a_whole_transfer_keeps_the_lot_id(ledger: Harness) -> None:
    ledger.given(warehousing("D1", line(1, "100")))
    events = ledger.when(transfer(quantity="100"))
    assert [type(e) for e in events] == [OwnershipTransferred]
    assert events[0].new_lot_id == "D1/1"
    ledger.when(ex_warehousing(quantity="100", when="2026-04-02"))


def test_a_partial_transfer_splits_off_a_child_that_keeps_the_clock(ledger: Harness) -> None:
    ledger.given(warehousing("D1", line(1, "100")))
    parent, child = ledger.when(transfer(quantity="30"))
    assert isinstance(parent, OwnershipTransferred) and parent.new_lot_id == "D1/1.1"
    assert isinstance(child, LotSplitOff)
    assert (child.lot_id, child.parent_lot_id, child.quantity) == ("D1/1.1", "D1/1", Decimal("30"))
    assert child.goods_owner_tax_code == OWNER_B and child.contract_no == "C-B-W1"
    assert child.first_warehoused_on.isoformat() == "2026-02-11"
    assert child.goods.hs_code == "85423100"
    _, second = ledger.when(transfer(quantity="20", when="2026-04-02"))
    assert second.lot_id == "D1/1.2"
    refuses(ledger, ex_warehousing(quantity="51", when="2026-04-03"), "insufficient_balance")


def test_child_numbers_count_every_split_ever_recorded(ledger: Harness) -> None:
    ledger.given(warehousing("D1", line(1, "100")), transfer(quantity="30"))
    ledger.given({"command": "reverse_entry", "lot_id": "D1/1", "version": 2, "reason": "wrong"})
    _, child = ledger.when(transfer(quantity="30", when="2026-04-05"))
    assert child.lot_id == "D1/1.2"


def test_the_new_owner_needs_its_own_contract_for_this_warehouse(ledger: Harness) -> None:
    ledger.given(warehousing())
    refuses(ledger, transfer(new_contract_no=None), "contract_required", "new_contract_no")
    refuses(
        ledger, transfer(new_contract_no="C-B-W2"), "contract_other_warehouse", "new_contract_no"
    )
    refuses(ledger, transfer(new_contract_no="C-A-W1"), "contract_other_owner", "new_contract_no")
    refuses(
        ledger,
        transfer(new_owner_tax_code="0200456784"),
        "unknown_enterprise",
        "new_owner_tax_code",
    )
    refuses(ledger, transfer(new_owner_tax_code=OWNER_A, new_contract_no="C-A-W1"), "same_owner")


def test_the_warehouse_owner_needs_no_contract_to_take_goods(ledger: Harness) -> None:
    ledger.given(warehousing())
    ledger.when(transfer(new_owner_tax_code="0301234562", new_contract_no=None))


def test_transfer_needs_trading_contract_and_notice(ledger: Harness) -> None:
    ledger.given(warehousing())
    refuses(ledger, transfer(trading_contract_no=""), "invalid_command", "trading_contract_no")
    refuses(ledger, transfer(notice_no=None), "invalid_command", "notice_no")


def test_a_transfer_cannot_take_more_than_on_hand(ledger: Harness) -> None:
    ledger.given(warehousing("D1", line(1, "100")))
    refuses(ledger, transfer(quantity="100.01"), "insufficient_balance", "quantity")


def test_a_backdated_movement_may_not_leave_less_than_a_whole_transfer_took(
    ledger: Harness,
) -> None:
    ledger.given(warehousing("D1", line(1, "100")), transfer(quantity="100", when="2026-04-01"))
    refuses(
        ledger,
        ex_warehousing(quantity="1", when="2026-03-01"),
        "insufficient_balance",
        "effective_at",
    )


def test_a_partial_move_puts_the_quantity_in_transit_until_received(ledger: Harness) -> None:
    ledger.given(warehousing("D1", line(1, "100")))
    parent, child = ledger.when(dispatch(quantity="40"))
    assert isinstance(parent, MoveDispatched) and parent.travelling_lot_id == "D1/1.1"
    assert parent.from_warehouse_id == "W1"
    assert isinstance(child, LotSplitOff) and child.cause == "move" and child.warehouse_id == "W2"
    refuses(
        ledger,
        ex_warehousing(lot_id="D1/1.1", quantity="1", when="2026-05-01T12:00:00+07:00"),
        "insufficient_balance",
    )
    (received,) = ledger.when(receipt("D1/1.1"))
    assert isinstance(received, MoveReceived) and received.quantity == Decimal("40")
    assert received.warehouse_id == "W2"
    ledger.when(ex_warehousing(lot_id="D1/1.1", quantity="40", when="2026-05-02"))


def test_a_whole_move_keeps_the_lot_id_and_changes_its_warehouse(ledger: Harness) -> None:
    ledger.given(warehousing("D1", line(1, "100")))
    (dispatched,) = ledger.when(dispatch(quantity="100"))
    assert dispatched.travelling_lot_id == "D1/1"
    refuses(ledger, dispatch(quantity="1", when="2026-05-01T09:00:00+07:00"), "same_warehouse")
    ledger.given(receipt("D1/1"))
    refuses(ledger, receipt("D1/1", when="2026-05-02"), "not_in_transit", "lot_id")


def test_a_move_needs_a_destination_that_exists_and_differs(ledger: Harness) -> None:
    ledger.given(warehousing())
    refuses(ledger, dispatch(to_warehouse_id="W9"), "unknown_warehouse", "to_warehouse_id")
    refuses(
        ledger,
        dispatch(to_warehouse_id="W1", contract_no="C-A-W1"),
        "same_warehouse",
        "to_warehouse_id",
    )


def test_a_move_needs_the_goods_owner_contract_at_the_destination(ledger: Harness) -> None:
    ledger.given(warehousing())
    refuses(ledger, dispatch(contract_no=None), "contract_required", "contract_no")
    refuses(ledger, dispatch(contract_no="C-B-W2"), "contract_other_owner", "contract_no")
    refuses(ledger, dispatch(contract_no="C-A-W1"), "contract_other_warehouse", "contract_no")
    refuses(ledger, dispatch(approval_ref=""), "invalid_command", "approval_ref")
    refuses(ledger, dispatch(seal_no=None), "invalid_command", "seal_no")


def test_moving_to_the_goods_owners_own_warehouse_needs_no_contract(ledger: Harness) -> None:
    ledger.given(warehousing())
    ledger.when(dispatch(to_warehouse_id="W3", contract_no=None))


def test_a_broken_seal_on_receipt_puts_the_lot_on_hold(ledger: Harness) -> None:
    ledger.given(warehousing("D1", line(1, "100")), dispatch(quantity="40"))
    ledger.given(receipt("D1/1.1", intact=False))
    refuses(ledger, ex_warehousing(lot_id="D1/1.1", quantity="1", when="2026-05-02"), "lot_on_hold")
    ledger.given(hold("D1/1.1", when="2026-05-03", release=True))
    ledger.when(ex_warehousing(lot_id="D1/1.1", quantity="1", when="2026-05-04"))


def test_a_move_under_way_may_be_received_while_held(ledger: Harness) -> None:
    ledger.given(warehousing("D1", line(1, "100")), dispatch(quantity="40"))
    ledger.given(hold("D1/1.1", when="2026-05-01T12:00:00+07:00"))
    ledger.when(receipt("D1/1.1"))
