"""Several processes take e-commerce orders from one lot, one licence and one buyer's
allowance at once, platforms retrying the same order numbers from two nodes (DOMAIN.md §7):
the licence and the allowance end exactly spent, the lot exactly short of what was sold,
each order number taken once, and nothing ever below zero."""

from __future__ import annotations

import multiprocessing
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest

from commands.parsing import parse_command
from commands.service import LedgerService
from commands.settings import Settings
from commands.store import EventStore
from commands.unit_of_work import UnitOfWork
from ledger.ecommerce_events import OrderExWarehoused
from ledger.errors import LedgerError
from ledger.rulepacks import load_pack
from tests.support import NOW, Harness, goods_list, licence, line, order, warehousing

WORKERS = 4
ORDERS_EACH = 30
LOT_QUANTITY = 100
LICENSED = 50  # the licence's pieces
EXEMPT = 5  # the buyer's exempt pieces this year


def _worker(url: str, worker: int, barrier: Any, results: Any) -> None:
    try:
        _order_repeatedly(url, worker, barrier, results)
    except BaseException as error:
        results.put({"crashed": f"{type(error).__name__}: {error}"})
        raise


def _order_repeatedly(url: str, worker: int, barrier: Any, results: Any) -> None:
    store = EventStore(Settings(url).event_store_env())
    service = LedgerService(store, load_pack("vn-2015"), clock=lambda: NOW)
    counts: Counter[str] = Counter()
    barrier.wait(timeout=60)
    for n in range(ORDERS_EACH):
        # workers 0 and 2 send the same numbers, as do 1 and 3: a platform retrying elsewhere
        command = order(f"O-{worker % 2}-{n}", "1", when="2026-03-01T10:00:00+07:00")
        try:
            outcome = service.execute(parse_command(command))
            counts[outcome.result["basis"]] += 1
        except LedgerError as error:
            counts[error.code] += 1
    store.close()
    results.put(dict(counts))


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_concurrent_orders_spend_licence_and_allowance_exactly(
    ledger: Harness, database_url: str
) -> None:
    ledger.given(
        warehousing("D1", line(1, str(LOT_QUANTITY))),
        goods_list(
            "GL-1", {"hs_prefix": "8542", "requires": ["licence"], "exempt_quantity": str(EXEMPT)}
        ),
        licence("L1", str(LICENSED)),
    )
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(WORKERS)
    results = context.Queue()
    processes = [
        context.Process(target=_worker, args=(database_url, n, barrier, results))
        for n in range(WORKERS)
    ]
    for process in processes:
        process.start()
    totals: Counter[str] = Counter()
    for _ in processes:
        totals.update(results.get(timeout=120))
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0

    assert "crashed" not in totals, totals
    assert totals["quantity_list"] == EXEMPT
    assert totals["deducted"] == LICENSED
    assert set(totals) <= {"quantity_list", "deducted", "order_no_used", "licence_required"}
    assert sum(totals.values()) == WORKERS * ORDERS_EACH

    recorded = UnitOfWork(ledger.store)
    assert recorded.licence("L1").remaining(1) == 0
    assert recorded.allowance("B-1", 2026).used("8542") == EXEMPT
    lot = recorded.lot("D1/1")
    orders = [e.event for e in lot.entries if isinstance(e.event, OrderExWarehoused)]
    assert len(orders) == EXEMPT + LICENSED
    assert len({o.order_no for o in orders}) == len(orders)  # no number taken twice
    facts = lot.current()
    assert facts is not None and facts.on_hand == Decimal(LOT_QUANTITY - EXEMPT - LICENSED)
    assert lot.first_violation() is None  # never negative at any effective time
