"""The SQL answers on both time axes equal the folded reference, for generated histories:
holdings (balances, clocks, overdue) with every filter, settlements of every warehouse, and
the stock card of every lot.

Histories are recorded over eight simulated months with the clock moving forward and many
entries backdated; they include partial and whole transfers and moves, receipts, storage and
contract extensions, holds and reversals. Each is asked at many (as of, known at) pairs, with
every filter, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from commands.store import EventStore
from ledger.calendar import WAREHOUSE_ZONE
from ledger.errors import LedgerError
from projections.answers import Filters, When
from projections.folded import folded_settlements, folded_stock_card
from projections.holdings import holdings_at
from projections.settlements import settlements
from projections.stock_cards import stock_card
from tests.integration.test_read_models import ReadSide, dump
from tests.support import (
    OWNER_A,
    OWNER_B,
    Harness,
    dispatch,
    ex_warehousing,
    hold,
    line,
    receipt,
    reversal,
    transfer,
    warehousing,
)

START = datetime(2026, 2, 1, 9, 0, tzinfo=WAREHOUSE_ZONE)
FILTERS = (
    Filters(),
    Filters(warehouse_id="W1"),
    Filters(warehouse_id="W2"),
    Filters(owner=OWNER_A),
    Filters(owner=OWNER_B),
    Filters(province="Ho Chi Minh City"),
    Filters(warehouse_id="W2", owner=OWNER_B),
    Filters(warehouses=frozenset({"W2", "W3"})),  # a caller's scope
)
SETTLEMENT_FILTERS = (
    Filters(),
    Filters(warehouse_id="W1"),
    Filters(warehouse_id="W2"),
    Filters(owner=OWNER_B),
    Filters(province="Ho Chi Minh City", warehouses=frozenset({"W1", "W3"})),
)


def _text(moment: datetime) -> str:
    return moment.isoformat()


def _extension(lot: str, when: datetime, days: int) -> dict[str, Any]:
    return {
        "command": "extend_storage",
        "lot_id": lot,
        "effective_at": _text(when),
        "days": days,
        "approval_ref": "GH-1",
        "reason": "buyer found",
    }


def _contract_extension(when: datetime, expires_on: date) -> dict[str, Any]:
    return {
        "command": "extend_rent_contract",
        "contract_no": "C-A-W1",
        "expires_on": expires_on.isoformat(),
        "effective_at": _text(when),
    }


def record_history(
    ledger: Harness, seed: int, after_each: Callable[[], object] = lambda: None
) -> list[datetime]:
    """Records a random history, calling ``after_each`` after every command recorded; returns
    the moments it was recorded at."""
    rng = random.Random(seed)
    moments = []
    lots: list[str] = []
    travelling: list[str] = []
    for step in range(220):
        ledger.now = START + timedelta(hours=26 * step)
        moments.append(ledger.now)
        back = timedelta(days=rng.choice((0, 0, 1, 5, 20, 45)), hours=rng.randint(0, 6))
        when = _text(max(START, ledger.now - back))
        choice = rng.random()
        command: dict[str, Any]
        if choice < 0.1 or not lots:
            n = len(lots) // 2 + 1
            command = warehousing(
                f"D{n}",
                line(1, str(rng.randint(20, 90))),
                line(2, f"{rng.randint(1, 9)}.{rng.randint(0, 999):03d}"),
                effective_at=_text(ledger.now),
                registered_on=ledger.now.date().isoformat(),
            )
        else:
            lot = rng.choice(lots)
            whole = rng.random() < 0.25
            quantity = _balance(ledger, lot) if whole else str(rng.randint(1, 12))
            if choice < 0.3:
                command = ex_warehousing(lot, quantity, when)
            elif choice < 0.42:
                command = transfer(lot, quantity, when)
            elif choice < 0.54:
                command = dispatch(lot, quantity, when)
            elif choice < 0.66 and travelling:
                command = receipt(rng.choice(travelling), when)
            elif choice < 0.74:
                command = _extension(lot, ledger.now - back, rng.choice((30, 90, 180)))
            elif choice < 0.78:
                command = _contract_extension(ledger.now - back, date(2027, rng.randint(1, 12), 28))
            elif choice < 0.9:
                command = reversal(lot, max(1, _versions(ledger, lot) - rng.randint(0, 2)))
            else:
                command = hold(lot, when, release=rng.random() < 0.5)
        try:
            result = ledger.outcome(command).result
        except LedgerError:  # random commands are often refused
            continue
        after_each()
        lot_id = result.get("lot_id")
        if command["command"] == "warehouse_goods":
            lots += result["lot_ids"]
        elif command["command"] == "transfer_ownership" and lot_id:
            lots.append(lot_id)
        elif command["command"] == "dispatch_move" and lot_id:
            lots.append(lot_id)
            travelling.append(lot_id)
    return moments


def _versions(ledger: Harness, lot_id: str) -> int:
    return len(ledger.lot_events(lot_id))


def _balance(ledger: Harness, lot_id: str) -> str:
    lot = ledger.service.cache.lot(lot_id)
    facts = lot.current() if lot is not None else None
    return str(facts.on_hand) if facts is not None and facts.on_hand > 0 else "1"


def _pairs(rng: random.Random, moments: list[datetime]) -> list[When]:
    pairs = [When(date(2026, 11, 30)), When(date(2026, 2, 1))]
    for _ in range(14):
        as_of = (START + timedelta(days=rng.randint(0, 250))).date()
        known_at = rng.choice([None, *moments])
        pairs.append(When(as_of, known_at))
    return pairs


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sql_answers_equal_the_folded_reference(store: EventStore, seed: int) -> None:
    ledger = Harness(store)
    from tests.support import world

    ledger.given(*world())
    read = ReadSide(store)
    moments = record_history(ledger, seed, after_each=read.runner.catch_up)  # live, event by event
    compared = nonempty = 0
    for when in _pairs(random.Random(seed), moments):
        for filters in FILTERS:
            reference = read.model.folded_holdings(filters, when)
            with read.engine.connect() as connection:
                answer = holdings_at(connection, filters, when, read.model.pack)
            assert answer == reference, (filters, when)
            compared += 1
            nonempty += bool(reference)
    assert compared == 16 * len(FILTERS)
    assert nonempty > len(FILTERS) * 4  # the histories are not trivially empty
    live = dump(read.engine)
    read.runner.rebuild()  # the whole log in one batch
    assert dump(read.engine) == live


def empty_declarations(ledger: Harness, read: ReadSide, rng: random.Random) -> list[datetime]:
    """Empties about half the declarations lot by lot, then settles or extends the settlement
    of some, backdated by up to ten days; returns the moments it recorded at."""
    with read.engine.connect() as connection:
        lots = connection.execute(
            text(
                "SELECT lot_id, declaration_no, on_hand, in_transit, held"
                " FROM rm_lots WHERE has_balance"
            )
        ).all()
    chosen = sorted({lot[1] for lot in lots if rng.random() < 0.5})
    moments = []
    for lot_id, declaration_no, on_hand, in_transit, held in lots:
        if declaration_no not in chosen:
            continue
        ledger.now += timedelta(hours=30)
        moments.append(ledger.now)
        if held:
            ledger.outcome(hold(lot_id, _text(ledger.now - timedelta(hours=2)), release=True))
        if in_transit != "0":
            ledger.outcome(receipt(lot_id, _text(ledger.now - timedelta(hours=1))))
        balance = Decimal(on_hand) + Decimal(in_transit)
        ledger.outcome(ex_warehousing(lot_id, str(balance), _text(ledger.now)))
    for declaration_no in chosen:
        ledger.now += timedelta(days=3)
        moments.append(ledger.now)
        effective = _text(ledger.now - timedelta(days=rng.choice((0, 1, 10))))
        command = rng.choice(("settle_declaration", "extend_settlement", None))
        if command is None:
            continue
        extra = {"approval_ref": "GH-2", "reason": "docs late"} if "extend" in command else {}
        with contextlib.suppress(LedgerError):
            ledger.outcome(
                {"command": command, "declaration_no": declaration_no, "effective_at": effective}
                | extra
            )
    return moments


@pytest.mark.parametrize("seed", [4, 5])
def test_settlements_and_stock_cards_equal_the_folded_reference(
    store: EventStore, seed: int
) -> None:
    ledger = Harness(store)
    from tests.support import world

    ledger.given(*world())
    moments = record_history(ledger, seed)
    read = ReadSide(store)
    read.runner.catch_up()
    moments += empty_declarations(ledger, read, random.Random(seed))
    read.runner.catch_up()
    pack, decode = read.model.pack, read.model.decode
    with read.engine.connect() as connection:
        lot_ids = [row[0] for row in connection.execute(text("SELECT lot_id FROM rm_lot_origins"))]
        cards = declarations = emptied = 0
        for when in _pairs(random.Random(seed), moments):
            for filters in SETTLEMENT_FILTERS:
                reference = folded_settlements(connection, decode, pack, filters, when)
                assert settlements(connection, pack, filters, when) == reference, when
                declarations += len(reference)
                emptied += sum(row["emptied_on"] is not None for row in reference)
            for lot_id in lot_ids:
                reference = folded_stock_card(connection, decode, lot_id, when)
                assert stock_card(connection, lot_id, when) == reference, (lot_id, when)
                cards += bool(reference)
    assert declarations > 20 and emptied > 3 and cards > 100  # not trivially empty


def test_a_backdated_whole_transfer_yields_to_the_later_one(store: EventStore) -> None:
    """Two whole transfers recorded out of effective order: the later in effect wins."""
    from tests.support import WAREHOUSE_OWNER, at, world

    ledger = Harness(store)
    ledger.given(*world(), warehousing("D1", line(1, "100")))
    ledger.given(transfer("D1/1", "100", "2026-06-01T10:00:00+07:00"))  # A -> B, recorded first
    ledger.given(  # A -> the warehouse owner, effective before, recorded after
        transfer(
            "D1/1",
            "100",
            "2026-05-01T10:00:00+07:00",
            new_owner_tax_code=WAREHOUSE_OWNER,
            new_contract_no=None,
        )
    )
    read = ReadSide(store)
    read.runner.catch_up()
    for as_of, owner in ((date(2026, 5, 15), WAREHOUSE_OWNER), (date(2026, 7, 1), OWNER_B)):
        when = When(as_of, at("2026-11-23 12:00"))
        with read.engine.connect() as connection:
            (held,) = holdings_at(connection, Filters(lot_id="D1/1"), when, read.model.pack)
        assert held.goods_owner_tax_code == owner
        assert read.model.folded_holdings(Filters(lot_id="D1/1"), when) == [held]
