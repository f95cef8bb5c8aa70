"""Several processes take e-commerce orders from one lot, one licence and one buyer's
allowance at once, platforms retrying the same order numbers from two nodes (DOMAIN.md §7):
the licence and the allowance end exactly spent, the lot exactly short of what was sold,
each order number taken once, and nothing ever below zero."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from commands.unit_of_work import UnitOfWork
from ledger.ecommerce_events import OrderExWarehoused
from tests.integration.machines import outcomes_of, run_workers
from tests.support import Harness, goods_list, licence, line, order, warehousing

WORKERS = 4
ORDERS_EACH = 30
LOT_QUANTITY = 100
LICENSED = 50  # the licence's pieces
EXEMPT = 5  # the buyer's exempt pieces this year


def _order_repeatedly(url: str, worker: int, barrier: Any) -> dict[str, int]:
    # workers 0 and 2 send the same numbers, as do 1 and 3: a platform retrying elsewhere
    orders = (
        order(f"O-{worker % 2}-{n}", "1", when="2026-03-01T10:00:00+07:00")
        for n in range(ORDERS_EACH)
    )
    return outcomes_of(url, barrier, orders, lambda outcome: str(outcome.result["basis"]))


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
    totals = run_workers(_order_repeatedly, database_url, WORKERS)
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
