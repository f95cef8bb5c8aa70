"""The lot page's questions (DOMAIN.md §2–§5), asked by the one path every door takes:
``lineage`` (the family tree of splits, the quantities balancing at every lot, only the lots
the caller may see), ``clock-timeline`` (the storage clock's marks, its deadline the clocks
question's) and ``entry`` (an entry's balances before and after, as the stock card runs them,
and its link in the audit hash chain) — each as of a day and as known at a moment, and each
found by indexed queries, never a walk over a lot's whole history."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from api.asking import ask
from commands.store import EventStore
from ledger.errors import LedgerError
from ledger.roles import Role
from ledger.rulepacks import load_pack
from ledger.users import User
from projections.lineage import MARKED
from projections.queries import ReadModel
from projections.questions import question_named
from tests.integration.test_read_models import ReadSide
from tests.support import (
    OWNER_A,
    OWNER_B,
    Harness,
    at,
    dispatch,
    ex_warehousing,
    line,
    receipt,
    reversal,
    transfer,
    warehousing,
)

AUDITOR = User("auditor", Role.AUDITOR)
OWNER_OF_THE_SPLIT = User("b", Role.GOODS_OWNER, enterprise=OWNER_B)  # D1/1.1 only
FIRST_OWNER = User("a", Role.GOODS_OWNER, enterprise=OWNER_A)  # D1/1, D1/1.2, D1/1.1.1


class Asker:
    def __init__(self, store: EventStore) -> None:
        read = ReadSide(store)
        self.runner = read.runner
        self.model = ReadModel(
            read.engine, store.decode, load_pack("vn-2015"), None, store.stored_at
        )

    def __call__(self, name: str, caller: User = AUDITOR, **asked: Any) -> list[dict[str, Any]]:
        question = question_named(name)
        return ask(question, question.asked(**asked), caller, self.model, self.runner.catch_up).rows


@pytest.fixture
def asker(ledger: Harness) -> Asker:
    """D1/1 (100, W1, owner A): 5 ex-warehoused; 30 transferred to B (D1/1.1); 60 days'
    extension; 20 moved to W2 (D1/1.2, received); D1/1.1 then transfers 10 back to A
    (D1/1.1.1), recorded on 1 June."""
    ledger.now = at("2026-05-02 09:00")
    ledger.given(
        warehousing("D1", line(1, "100")),
        ex_warehousing(quantity="5", when="2026-03-01T10:00:00+07:00"),
        transfer(quantity="30", when="2026-04-01T10:00:00+07:00"),
        {
            "command": "extend_storage",
            "lot_id": "D1/1",
            "days": 60,
            "effective_at": "2026-04-10",
            "approval_ref": "CV-60",
            "reason": "buyer delayed",
        },
        dispatch(quantity="20", when="2026-05-01T08:00:00+07:00"),
        receipt("D1/1.2", when="2026-05-01T16:00:00+07:00"),
    )
    ledger.now = at("2026-06-01 12:00")
    ledger.given(
        transfer(
            "D1/1.1",
            "10",
            when="2026-06-01T10:00:00+07:00",
            new_owner_tax_code=OWNER_A,
            new_contract_no="C-A-W1",
        )
    )
    return Asker(ledger.store)


def tree(rows: list[dict[str, Any]]) -> list[tuple[str, int, str, str, str, str]]:
    return [
        (r["lot_id"], r["depth"], r["cause"], r["quantity_in"], r["split_out"], r["on_hand"])
        for r in rows
    ]


def test_the_lineage_balances_at_every_lot_as_of_and_as_known(asker: Asker) -> None:
    rows = asker("lineage", lot_id="D1/1.1", as_of="2026-11-23")
    assert tree(rows) == [
        ("D1/1", 0, "warehoused", "100", "50", "45"),
        ("D1/1.1", 1, "transfer", "30", "10", "20"),
        ("D1/1.1.1", 2, "transfer", "10", "0", "10"),
        ("D1/1.2", 1, "move", "20", "0", "20"),
    ]
    for row in rows:  # what it split off its lots received; the rest is accounted for
        assert row["balanced"] and row["split_out"] == row["children_in"], row
        assert Decimal(row["quantity_in"]) == sum(
            Decimal(row[k]) for k in ("split_out", "taken_out", "on_hand", "in_transit")
        )
    assert rows[0]["taken_out"] == "5" and rows[3]["warehouse_id"] == "W2"
    assert tree(asker("lineage", lot_id="D1/1", as_of="2026-04-15")) == [
        ("D1/1", 0, "warehoused", "100", "30", "65"),
        ("D1/1.1", 1, "transfer", "30", "0", "30"),
    ]
    known_before = asker("lineage", lot_id="D1/1", known_at="2026-05-31T12:00:00+07:00")
    assert [r["lot_id"] for r in known_before] == ["D1/1", "D1/1.1", "D1/1.2"]
    # each owner sees its own lots of the tree, and no other
    assert [r["lot_id"] for r in asker("lineage", OWNER_OF_THE_SPLIT, lot_id="D1/1.1")] == [
        "D1/1.1"
    ]
    mine = asker("lineage", FIRST_OWNER, lot_id="D1/1")
    assert [r["lot_id"] for r in mine] == ["D1/1", "D1/1.1.1", "D1/1.2"]
    with pytest.raises(LedgerError) as refused:
        asker("lineage", OWNER_OF_THE_SPLIT, lot_id="D1/1")
    assert refused.value.code == "unknown_lot"


def test_a_reversed_split_is_listed_and_counts_for_nothing_once_known(ledger: Harness) -> None:
    ledger.given(warehousing("D1", line(1, "100")), transfer(quantity="30"))
    asker, before = Asker(ledger.store), ledger.now.isoformat()
    ledger.now = at("2026-11-24 10:00")
    ledger.given(reversal("D1/1", 2))  # the split: both sides go
    rows = asker("lineage", lot_id="D1/1")
    assert [
        (r["lot_id"], r["quantity_in"], r["split_out"], r["on_hand"], r["reversed"]) for r in rows
    ] == [
        ("D1/1", "100", "0", "100", False),
        ("D1/1.1", "0", "0", "0", True),
    ]
    assert all(r["balanced"] for r in rows)
    known = asker("lineage", lot_id="D1/1", known_at=before)
    assert [(r["lot_id"], r["split_out"], r["children_in"]) for r in known] == [
        ("D1/1", "30", "30"),
        ("D1/1.1", "0", "0"),
    ]


def test_the_clock_timeline_marks_what_bears_on_the_deadline(asker: Asker) -> None:
    marks = asker("clock-timeline", lot_id="D1/1.2", as_of="2026-11-23")
    assert [(m["on"], m["mark"], m["lot_id"]) for m in marks] == [
        ("2026-02-11", "first_warehousing", "D1/1.2"),
        ("2026-02-11", "warehoused", "D1/1"),
        ("2026-04-10", "extension", "D1/1"),  # before the split: kept by D1/1.2
        ("2026-05-01", "split_off", "D1/1.2"),
        ("2026-05-01", "move_received", "D1/1.2"),
        ("2027-02-11", "storage_limit", "D1/1.2"),  # 12 months
        ("2027-04-12", "extended_limit", "D1/1.2"),  # and 60 days
        ("2027-04-12", "deadline", "D1/1.2"),  # the earlier of the limit and the contract's
        ("2027-06-30", "contract_expiry", "D1/1.2"),  # C-A-W2's
    ]
    (clock,) = asker("clocks", lot="D1/1.2", as_of="2026-11-23")
    assert clock["deadline"] == next(m["on"] for m in marks if m["mark"] == "deadline")
    assert next(m for m in marks if m["mark"] == "split_off")["cause"] == "move"
    # D1/1.1.1's line passes through B's lot: A is shown none of B's entries
    theirs = asker("clock-timeline", FIRST_OWNER, lot_id="D1/1.1.1")
    assert {m["lot_id"] for m in theirs if m["version"]} == {"D1/1", "D1/1.1.1"}
    assert asker("clock-timeline", lot_id="D1/1.2", as_of="2026-04-30") == []  # not yet


def test_an_entry_in_its_context_and_its_link_in_the_chain(asker: Asker) -> None:
    card = asker("stock-card", lot_id="D1/1")
    for entry in card:
        (found,) = asker("entry", lot_id="D1/1", version=entry["version"])
        after = Decimal(found["on_hand_after"]) + Decimal(found["in_transit_after"])
        assert str(after) == entry["balance"], (found, entry)
        assert found["position"] and found["chained"] is True and len(found["chain_hash"]) == 64
    (split,) = asker("entry", lot_id="D1/1", version=3)
    assert (split["event"], split["on_hand_before"], split["on_hand_after"]) == (
        "OwnershipTransferred",
        "95",
        "65",
    )
    with pytest.raises(LedgerError) as refused:
        asker("entry", lot_id="D1/1", version=3, as_of="2026-03-31")  # not yet in effect
    assert refused.value.code == "unknown_entry"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # its EXPLAIN QUERY PLAN
def test_marks_and_lineage_are_found_by_the_index_of_lot_and_kind(
    asker: Asker, database_url: str
) -> None:
    """A lot's history is not walked: the entries that mark its clock or split it are
    found by (lot, kind), however many ex-warehousings or orders it has."""
    asker.runner.catch_up()
    kinds = ", ".join(f"'{k}'" for k in MARKED)
    with asker.model.engine.connect() as connection:
        plan = connection.execute(
            text(
                "EXPLAIN QUERY PLAN SELECT version FROM rm_lot_history "
                f"WHERE lot_id IN ('D1/1', 'D1/1.1') AND kind IN ({kinds})"
            )
        ).all()
    assert any("rm_lot_history_kind" in str(row) for row in plan), plan
