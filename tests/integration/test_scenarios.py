"""Stories of a warehouse, run unchanged on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from commands.parsing import parse_command
from commands.service import LedgerService
from commands.settings import Settings
from commands.store import EventStore
from commands.unit_of_work import UnitOfWork
from ledger.events import LotExWarehoused, LotWarehoused
from ledger.rulepacks import load_pack
from tests.support import (
    NOW,
    OWNER_B,
    Harness,
    at,
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


def balance(ledger: Harness, lot_id: str) -> tuple[Decimal, Decimal]:
    facts = UnitOfWork(ledger.store).lot(lot_id).current()
    assert facts is not None
    return facts.on_hand, facts.in_transit


def test_a_declarations_life_from_arrival_to_settlement(ledger: Harness) -> None:
    lot_ids = ledger.outcome(warehousing("D1", line(1, "1200"), line(2, "600.5"))).result["lot_ids"]
    assert lot_ids == ["D1/1", "D1/2"]
    ledger.given(ex_warehousing("D1/1", "200", "2026-03-02T14:00:00+07:00"))
    assert ledger.outcome(transfer("D1/1", "300")).result == {"lot_id": "D1/1.1"}
    assert ledger.outcome(dispatch("D1/2", "250")).result == {"lot_id": "D1/2.1"}
    assert balance(ledger, "D1/2.1") == (Decimal(0), Decimal(250))
    ledger.given(receipt("D1/2.1"))
    assert balance(ledger, "D1/2.1") == (Decimal(250), Decimal(0))
    assert balance(ledger, "D1/1") == (Decimal(700), Decimal(0))
    assert balance(ledger, "D1/2") == (Decimal("350.5"), Decimal(0))

    ledger.given(hold("D1/1", "2026-06-01"), hold("D1/1", "2026-06-03", release=True))
    for lot_id, quantity in (
        ("D1/1", "700"),
        ("D1/1.1", "300"),
        ("D1/2", "350.5"),
        ("D1/2.1", "250"),
    ):
        ledger.given(ex_warehousing(lot_id, quantity, "2026-07-01T10:00:00+07:00"))
    ledger.given(
        {"command": "settle_declaration", "declaration_no": "D1", "effective_at": "2026-07-10"}
    )
    refuses(ledger, reversal("D1/1", 2), "declaration_settled")


def test_events_keep_exact_decimals_and_zoned_times(ledger: Harness) -> None:
    ledger.given(warehousing("D1", line(1, "0.3")), ex_warehousing(quantity="0.1"))
    created, out = ledger.lot_events("D1/1")
    assert isinstance(created, LotWarehoused) and isinstance(out, LotExWarehoused)
    assert created.goods.quantity == Decimal("0.3") and out.quantity == Decimal("0.1")
    assert out.effective_at == at("2026-03-01 10:00")
    assert out.effective_at.utcoffset() == timedelta(hours=7)
    assert out.recorded_at == NOW


def test_backdated_entries_are_checked_against_later_ones(ledger: Harness) -> None:
    ledger.given(
        warehousing("D1", line(1, "100")), ex_warehousing(quantity="70", when="2026-06-01")
    )
    refuses(
        ledger,
        ex_warehousing(quantity="31", when="2026-03-01"),
        "insufficient_balance",
        "effective_at",
    )
    ledger.given(ex_warehousing(quantity="30", when="2026-03-01"))
    assert balance(ledger, "D1/1") == (Decimal(0), Decimal(0))


def test_reversal_and_correction(ledger: Harness) -> None:
    ledger.given(warehousing("D1", line(1, "100")), ex_warehousing(quantity="80"))
    ledger.given(reversal("D1/1", 2), ex_warehousing(quantity="8"))
    assert balance(ledger, "D1/1") == (Decimal(92), Decimal(0))
    refuses(ledger, reversal("D1/1", 2), "already_reversed")


def test_idempotency_survives_a_new_process(ledger: Harness, database_url: str) -> None:
    command = {**warehousing("D1"), "command_id": "import-2026-0001"}
    first = ledger.outcome(command)
    other = EventStore(Settings(database_url).event_store_env())
    try:
        service = LedgerService(other, load_pack("vn-2015"), clock=lambda: NOW)
        again = service.execute(parse_command(command))
    finally:
        other.close()
    assert again.status == "already_applied" and again.result == first.result
    assert len(ledger.lot_events("D1/1")) == 1


def test_a_batch_keeps_each_commands_all_or_nothing(ledger: Harness) -> None:
    commands = [
        parse_command(warehousing("D1", line(1, "10"))),
        parse_command(ex_warehousing(quantity="4")),
        parse_command(warehousing("D2", line(1, "5"), line(2, "1", hs_code="87032390"))),  # refused
        parse_command(ex_warehousing(quantity="7", when="2026-03-02")),  # refused: only 6 left
        parse_command(transfer(quantity="6", new_owner_tax_code=OWNER_B)),
    ]
    outcomes = list(ledger.service.execute_many(commands, batch_size=10))
    assert [o.status for o in outcomes] == ["applied", "applied", "refused", "refused", "applied"]
    assert outcomes[2].error is not None and outcomes[2].error.field == "lines[1].frame_no"
    assert ledger.lot_events("D2/1") == []
    assert [type(e).__name__ for e in ledger.lot_events("D1/1")] == [
        "LotWarehoused",
        "LotExWarehoused",
        "OwnershipTransferred",
    ]


def test_a_batch_that_collides_is_retried_one_by_one_without_loss_or_double(
    ledger: Harness, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger.given(warehousing("D1", line(1, "10")))
    other = EventStore(Settings(database_url).event_store_env())
    rival = LedgerService(other, load_pack("vn-2015"), clock=lambda: NOW)
    real_append = ledger.store.append
    collisions: list[int] = []

    def rival_takes_five() -> None:
        rival.execute(parse_command(ex_warehousing(quantity="5", when="2026-03-02")))

    def append_after_a_rival(records: Any) -> None:
        if not collisions:  # another writer takes 5 between our read and our write
            collisions.append(1)
            writer = threading.Thread(target=rival_takes_five)  # its own transaction context
            writer.start()
            writer.join()
        real_append(records)

    monkeypatch.setattr(ledger.store, "append", append_after_a_rival)
    batch = [
        parse_command(ex_warehousing(quantity="3", when="2026-03-03")),
        parse_command(ex_warehousing(quantity="3", when="2026-03-04")),
    ]
    outcomes = list(ledger.service.execute_many(batch))
    other.close()
    assert collisions == [1]
    assert [o.status for o in outcomes] == ["applied", "refused"]
    assert outcomes[1].error is not None and outcomes[1].error.code == "insufficient_balance"
    assert balance(ledger, "D1/1") == (Decimal(2), Decimal(0))
