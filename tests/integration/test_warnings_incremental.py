"""The warnings pusher looks only at what the events since its last look touched
(``projections.changes``), on both backends: after each batch it makes known exactly the
warnings a look at the whole ledger finds new, and a look at the whole ledger afterwards finds
none it missed; the subscriber's outbox is the same."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from api.http import changes_of
from api.wiring import Ledger, open_ledger
from commands.parsing import parse_command
from commands.settings import Settings
from ledger.calendar import WAREHOUSE_ZONE, local_date
from ledger.roles import Role
from ledger.users import OPERATOR, User
from projections import tables as t
from projections.answers import When
from projections.outbox import deliveries_of, make_known, subscribe
from projections.warnings import Only
from tests.support import (
    OWNER_A,
    OWNER_B,
    ex_warehousing,
    goods_list,
    licence,
    line,
    order,
    stop_notice,
    warehousing,
    world,
)

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=WAREHOUSE_ZONE)  # the pusher's clock: one day


@pytest.fixture
def shop(database_url: str) -> Iterator[Ledger]:
    ledger = open_ledger(Settings(database_url))
    ledger.runner.migrate()
    yield ledger
    ledger.close()


BATCHES: list[tuple[str, list[dict[str, Any]]]] = [
    (
        "the world, two lots in W1, a licence ending soon",
        [
            *world(),
            warehousing("D1", line(1, "100")),
            warehousing("D2", line(1, "100"), goods_owner_tax_code=OWNER_B, contract_no="C-B-W1"),
            goods_list("GL-1", {"hs_prefix": "8542", "requires": ["licence"]}),
            licence("L1", "100", valid_until="2027-03-20"),
        ],
    ),
    ("an order takes the licence low", [order("O-1", "95", lot_id="D1/1")]),
    (
        "a lot in W2",
        [warehousing("D3", line(1, "10"), warehouse_id="W2", contract_no="C-A-W2")],
    ),
    ("D2 emptied, never settled", [ex_warehousing("D2/1", "100", "2026-03-01T10:00:00+07:00")]),
    (
        "a count in W2 that differs from the book",
        [
            {
                "command": "record_stock_count",
                "warehouse_id": "W2",
                "effective_at": "2026-06-30T17:00:00+07:00",
                "counts": [{"lot_id": "D3/1", "counted_quantity": "7"}],
            }
        ],
    ),
    ("a stop notice over goods in stock", [stop_notice("N-1", "8542", when="2026-06-01")]),
]

EXPECTED_ONLY: dict[str, Only | None] = {
    "the world, two lots in W1, a licence ending soon": None,  # the first look
    "an order takes the licence low": Only(frozenset({"W1"}), frozenset({"L1"})),
    "a lot in W2": Only(frozenset({"W2"})),
    "D2 emptied, never settled": Only(frozenset({"W1"})),
    "a count in W2 that differs from the book": Only(frozenset({"W2"})),
    "a stop notice over goods in stock": None,  # a kind that may touch anything
}


def _known(shop: Ledger) -> set[str]:
    with shop.read_model.engine.connect() as connection:
        return set(connection.execute(select(t.warnings_known.c.warning_id)).scalars())


def test_the_pusher_looks_at_what_changed_and_misses_nothing(shop: Ledger) -> None:
    owner_a = User("a-clerk", Role.GOODS_OWNER, enterprise=OWNER_A)
    users = {"a-clerk": owner_a}
    changes = changes_of(shop)
    subscription = None
    made_by_batch = {}
    for label, commands in BATCHES:
        for command in commands:
            outcome = shop.service.execute(parse_command(command))
            assert not outcome.refused, (label, outcome.error)
        shop.catch_up()
        if subscription is None:
            subscription = subscribe(shop.read_model, owner_a, "http://127.0.0.1:9/", "s", NOW)
        before = _known(shop)
        only = changes.since_last(NOW)
        assert only == EXPECTED_ONLY[label], label
        standing = {w["warning_id"] for w in shop.read_model.warnings(OPERATOR, When(NOW.date()))}
        made_by_batch[label] = make_known(shop.read_model, users.get, NOW, only)
        assert _known(shop) - before == standing - before, label
        assert make_known(shop.read_model, users.get, NOW) == 0, label  # nothing missed
        assert changes.since_last(NOW) == Only(), label  # nothing new since: nothing to ask
    kinds = {w.split(":")[0] for w in _known(shop)}
    assert kinds >= {
        "overdue",
        "licence_low",
        "licence_expiring",
        "settlement_overdue",
        "count_variance",
        "exemption_stopped_in_stock",
    }
    assert all(made_by_batch[label] > 0 for label, _ in BATCHES[1:]), made_by_batch
    assert subscription is not None
    delivered = deliveries_of(shop.read_model.engine, owner_a, subscription["subscription_id"])
    assert delivered is not None
    in_sight = {w["warning_id"] for w in shop.read_model.warnings(owner_a, When(NOW.date()))}
    assert {row["warning_id"] for row in delivered} == in_sight
    assert changes.since_last(NOW.replace(day=2)) is None  # a new day: everything again
    assert local_date(NOW) == NOW.date()
