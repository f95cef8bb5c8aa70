"""Several processes ex-warehouse the same lot at once: the balance ends exactly right."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import pytest

from commands.parsing import parse_command
from commands.service import LedgerService
from commands.settings import Settings
from commands.store import EventStore
from commands.unit_of_work import UnitOfWork
from ledger.errors import LedgerError
from ledger.events import LotExWarehoused
from ledger.rulepacks import load_pack
from tests.integration.machines import run_workers
from tests.support import NOW, Harness, ex_warehousing, line, warehousing

WORKERS = 4
ATTEMPTS_EACH = 30
LOT_QUANTITY = 100


def _ex_warehouse_repeatedly(url: str, worker: int, barrier: Any) -> dict[str, int]:
    store = EventStore(Settings(url).event_store_env())
    service = LedgerService(store, load_pack("vn-2015"), clock=lambda: NOW)
    counts: Counter[str] = Counter()
    barrier.wait(timeout=60)
    for attempt in range(ATTEMPTS_EACH):
        command = ex_warehousing(
            quantity="1", when="2026-03-01T10:00:00+07:00", bill_no=f"W{worker}-{attempt}"
        )
        try:
            service.execute(parse_command(command))
            counts["applied"] += 1
        except LedgerError as error:
            counts[error.code] += 1
    store.close()
    return dict(counts)


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
