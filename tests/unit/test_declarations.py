"""Settlement of emptied declarations within 15 days, one 15-day extension (55.8d)."""

from __future__ import annotations

from tests.support import (
    Harness,
    dispatch,
    ex_warehousing,
    line,
    receipt,
    refuses,
    reversal,
    warehousing,
)


def settle(when: str = "2026-06-10", declaration_no: str = "D1") -> dict[str, object]:
    return {"command": "settle_declaration", "declaration_no": declaration_no, "effective_at": when}


def extend(when: str = "2026-06-05") -> dict[str, object]:
    return {
        "command": "extend_settlement",
        "declaration_no": "D1",
        "effective_at": when,
        "approval_ref": "CV-BG-1",
        "reason": "export delayed at the border gate",
    }


def test_settle_only_when_every_lot_is_empty(ledger: Harness) -> None:
    ledger.given(warehousing("D1", line(1, "100"), line(2, "50")), ex_warehousing(quantity="100"))
    refuses(ledger, settle(), "declaration_not_empty", "declaration_no", "50")
    ledger.given(ex_warehousing(lot_id="D1/2", quantity="50", when="2026-06-01"))
    refuses(ledger, settle(when="2026-05-31"), "declaration_not_empty")
    ledger.when(settle())
    refuses(ledger, settle(when="2026-06-11"), "already_settled", "declaration_no")


def test_goods_in_transit_keep_a_declaration_open(ledger: Harness) -> None:
    ledger.given(
        warehousing("D1", line(1, "100")), ex_warehousing(quantity="60"), dispatch(quantity="40")
    )
    refuses(ledger, settle(), "declaration_not_empty")
    ledger.given(receipt("D1/1"), ex_warehousing(quantity="40", when="2026-05-02"))
    ledger.when(settle())


def test_split_off_lots_belong_to_the_declaration(ledger: Harness) -> None:
    ledger.given(
        warehousing("D1", line(1, "100")), ex_warehousing(quantity="60"), dispatch(quantity="10")
    )
    ledger.given(ex_warehousing(quantity="30", when="2026-05-02"))
    refuses(ledger, settle(), "declaration_not_empty", match="10")


def test_the_settlement_extension_is_granted_once(ledger: Harness) -> None:
    ledger.given(warehousing("D1", line(1, "100")))
    refuses(ledger, extend(), "declaration_not_empty")
    ledger.given(ex_warehousing(quantity="100", when="2026-06-01"))
    (extended,) = ledger.when(extend())
    assert extended.days == 15
    refuses(ledger, extend(when="2026-06-06"), "already_extended")


def test_an_unknown_declaration_is_not_found(ledger: Harness) -> None:
    refuses(ledger, settle(declaration_no="D404"), "unknown_declaration", "declaration_no")


def test_a_settled_declarations_lots_cannot_be_corrected(ledger: Harness) -> None:
    ledger.given(warehousing("D1", line(1, "100")), ex_warehousing(quantity="100"), settle())
    refuses(ledger, reversal("D1/1", 2), "declaration_settled", "lot_id")
