"""The demo `make run` loads: every command accepted on both backends, and each thing the
README sends a newcomer to find is there."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from api.demo import apply_demo, demo_commands
from api.inspections import build
from api.wiring import open_ledger
from commands.settings import Settings
from ledger.calendar import WAREHOUSE_ZONE
from ledger.events import EntryReversed, HoldPlaced, LotLiquidated, StockCounted, StorageExtended
from projections.answers import Filters, When


def test_the_demo_loads_whole_and_shows_every_situation(database_url: str) -> None:
    today = datetime.now(WAREHOUSE_ZONE).date()
    commands = demo_commands(today)
    ledger = open_ledger(Settings(database_url))
    try:
        outcomes = list(apply_demo(ledger.service, commands))
        assert [o.error for o in outcomes if o.refused] == []
        ledger.runner.catch_up()
        model, now = ledger.read_model, When(today)
        clocks = Counter(row["status"] for row in model.clocks(Filters(), now))
        assert clocks["overdue"] >= 5 and clocks["due_soon"] >= 3 and clocks["ok"] >= 100
        assert len({r["warehouse_id"] for r in model.balances(Filters(), now)}) == 5
        assert any(row["in_transit"] != "0" for row in model.balances(Filters(), now))
        settlements = Counter(row["status"] for row in model.settlements(Filters(), now))
        assert settlements["settled"] and settlements["settlement_overdue"]
        assert settlements["open"] and settlements["awaiting_settlement"]
        kinds = Counter(type(e) for e in ledger.service.store.scan())
        for kind in (HoldPlaced, StorageExtended, LotLiquidated, EntryReversed, StockCounted):
            assert kinds[kind], kind
        counted = [e for e in ledger.service.store.scan() if isinstance(e, StockCounted)]
        assert any(c.difference != 0 for e in counted for c in e.counts)
        year = (today - timedelta(days=120)).year  # one report late or missing in any such year
        pack = build(ledger.service.store, ledger.service.pack, "Ho Chi Minh City", year, today)
        found = Counter(f["kind"] for w in pack["warehouses"] for f in w["findings"])
        assert found["overdue"] and found["settlement_overdue"] and found["late_entry"]
        assert found["report_late"] >= 1
        assert found["late_entry"] < 60  # entries are recorded minutes after the fact
    finally:
        ledger.close()
