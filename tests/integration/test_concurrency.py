"""Several processes ex-warehouse the same lot at once: the balance ends exactly right."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from commands.unit_of_work import UnitOfWork
from ledger.events import LotExWarehoused
from tests.integration.machines import outcomes_of, run_workers
from tests.support import Harness, ex_warehousing, line, warehousing

WORKERS = 4
ATTEMPTS_EACH = 30
LOT_QUANTITY = 100


def _ex_warehouse_repeatedly(url: str, worker: int, barrier: Any) -> dict[str, int]:
    commands = (
        ex_warehousing(quantity="1", when="2026-03-01T10:00:00+07:00", bill_no=f"W{worker}-{n}")
        for n in range(ATTEMPTS_EACH)
    )
    return outcomes_of(url, barrier, commands, lambda _: "applied")


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_concurrent_ex_warehousings_never_overdraw_a_lot(
    ledger: Harness, database_url: str
) -> None:
    ledger.given(warehousing("D1", line(1, str(LOT_QUANTITY))))
    totals = run_workers(_ex_warehouse_repeatedly, database_url, WORKERS)
    assert totals["applied"] == LOT_QUANTITY
    assert totals["insufficient_balance"] == WORKERS * ATTEMPTS_EACH - LOT_QUANTITY
    lot = UnitOfWork(ledger.store).lot("D1/1")
    outs = [e.event for e in lot.entries if isinstance(e.event, LotExWarehoused)]
    assert len(outs) == LOT_QUANTITY
    assert len({e.bill_no for e in outs}) == LOT_QUANTITY  # none doubled
    facts = lot.current()
    assert facts is not None and facts.on_hand == Decimal(0)
    assert lot.first_violation() is None  # never negative at any effective time
