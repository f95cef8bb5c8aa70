"""reverse_entry: cancel an event as if it never happened; never make a balance negative."""

from __future__ import annotations

from ledger.events import EntryReversed
from tests.support import (
    Harness,
    dispatch,
    ex_warehousing,
    hold,
    line,
    receipt,
    refuses,
    reversal,
    transfer,
    warehousing,
)


def test_a_reversed_ex_warehousing_gives_the_quantity_back(ledger: Harness) -> None:
    ledger.given(warehousing("D1", line(1, "100")), ex_warehousing(quantity="100"))
    refuses(ledger, ex_warehousing(quantity="1", when="2026-03-02"), "insufficient_balance")
    (reversed_,) = ledger.when(reversal("D1/1", 2))
    assert isinstance(reversed_, EntryReversed)
    assert (reversed_.reversed_version, reversed_.reversed_event) == (2, "LotExWarehoused")
    assert reversed_.effective_at.isoformat() == "2026-03-01T10:00:00+07:00"
    ledger.when(ex_warehousing(quantity="100", when="2026-03-02"))


def test_an_entry_is_reversed_once_and_a_reversal_is_never_reversed(ledger: Harness) -> None:
    ledger.given(
        warehousing("D1", line(1, "100")), ex_warehousing(quantity="10"), reversal("D1/1", 2)
    )
    refuses(ledger, reversal("D1/1", 2), "already_reversed", "version")
    refuses(ledger, reversal("D1/1", 3), "cannot_reverse_reversal", "version")
    refuses(ledger, reversal("D1/1", 9), "unknown_version", "version")
    refuses(ledger, reversal("D9/1", 1), "unknown_lot", "lot_id")


def test_the_warehousing_of_goods_already_partly_gone_cannot_be_reversed(ledger: Harness) -> None:
    ledger.given(warehousing("D1", line(1, "100")), ex_warehousing(quantity="10"))
    refuses(ledger, reversal("D1/1", 1), "lot_has_later_entries", "version")
    ledger.given(reversal("D1/1", 2))
    ledger.when(reversal("D1/1", 1))
    refuses(
        ledger, ex_warehousing(quantity="1", when="2026-03-02"), "unknown_lot", "lot_id", "reversed"
    )


def test_reversing_a_receipt_would_not_make_a_balance_negative(ledger: Harness) -> None:
    ledger.given(warehousing("D1", line(1, "100")), dispatch(quantity="100"), receipt("D1/1"))
    ledger.given(ex_warehousing(quantity="100", when="2026-05-02"))
    refuses(ledger, reversal("D1/1", 3), "insufficient_balance", "version", "version 4")


def test_a_split_whose_child_has_moved_on_cannot_be_reversed(ledger: Harness) -> None:
    ledger.given(warehousing("D1", line(1, "100")), transfer(quantity="30"))
    ledger.given(ex_warehousing(lot_id="D1/1.1", quantity="5", when="2026-04-02"))
    refuses(ledger, reversal("D1/1", 2), "split_child_moved_on", "version")


def test_reversing_a_split_cancels_both_sides(ledger: Harness) -> None:
    ledger.given(warehousing("D1", line(1, "100")), transfer(quantity="30"))
    parent_side, child_side = ledger.when(reversal("D1/1", 2))
    assert (parent_side.lot_id, parent_side.reversed_version) == ("D1/1", 2)
    assert (child_side.lot_id, child_side.reversed_version) == ("D1/1.1", 1)
    ledger.when(ex_warehousing(quantity="100", when="2026-04-02"))
    refuses(ledger, ex_warehousing(lot_id="D1/1.1", quantity="1", when="2026-04-02"), "unknown_lot")


def test_reversing_the_child_creation_cancels_the_parents_split(ledger: Harness) -> None:
    ledger.given(warehousing("D1", line(1, "100")), dispatch(quantity="30"))
    child_side, parent_side = ledger.when(reversal("D1/1.1", 1))
    assert (child_side.lot_id, parent_side.lot_id, parent_side.reversed_version) == (
        "D1/1.1",
        "D1/1",
        2,
    )


def test_a_whole_transfer_cannot_be_reversed_under_later_movements(ledger: Harness) -> None:
    ledger.given(warehousing("D1", line(1, "100")), transfer(quantity="100"))
    ledger.given(ex_warehousing(quantity="10", when="2026-04-05"))
    refuses(ledger, reversal("D1/1", 2), "later_movements_depend_on_it", "version")


def test_reversing_a_hold_release_that_covers_a_movement_is_refused(ledger: Harness) -> None:
    ledger.given(warehousing(), hold(when="2026-03-05"), hold(when="2026-03-06", release=True))
    ledger.given(ex_warehousing(when="2026-03-07"))
    refuses(ledger, reversal("D1/1", 3), "lot_on_hold", "version")


def test_an_entry_before_a_whole_move_cannot_be_reversed_to_leave_goods_behind(
    ledger: Harness,
) -> None:
    """The move took the whole lot (90 after the ex-warehousing of 10): undoing that
    ex-warehousing would leave 10 bottles in a lot that has left for another warehouse."""
    ledger.given(warehousing("D1", line(1, "100")), ex_warehousing(quantity="10"))
    ledger.given(dispatch(quantity="90"))  # the whole lot: it keeps its id
    error = refuses(ledger, reversal("D1/1", 2), "handover_no_longer_whole", "version")
    assert "version 3, MoveDispatched" in error.message and "would then hold 100" in error.message
    refuses(ledger, ex_warehousing(quantity="5", when="2026-02-20"), "insufficient_balance")
