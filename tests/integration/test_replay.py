"""Replay: the read models as known at a moment, rebuilt in a scratch database, answer as the
live ones answer "as known at" that moment; the copied events are exactly as stored."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from api.replay import replay
from api.wiring import open_ledger
from commands.settings import Settings
from commands.store import EventStore
from projections.answers import Filters, When
from projections.audit_verify import verify
from tests.support import Harness, at, ex_warehousing, hold, transfer, warehousing


def test_replay_answers_as_the_ledger_knew_it(
    ledger: Harness, store: EventStore, database_url: str, tmp_path: Path
) -> None:
    ledger.given(warehousing("D1"), ex_warehousing(quantity="10"))
    known = ledger.now + timedelta(seconds=1)
    ledger.now = at("2026-11-23 15:00")
    ledger.given(transfer(quantity="5"), ex_warehousing("D1/1", "7", "2026-03-02"))  # late
    ledger.given(hold("D1/1", when="2026-06-02"))
    source = open_ledger(Settings(database_url))
    target = open_ledger(Settings(f"sqlite:///{tmp_path / 'scratch.db'}"))
    try:
        until, projected = replay(source, target, known)
        assert 0 < until < source.service.store.head() and projected == until
        day = When(date(2026, 11, 23))
        source.runner.catch_up()
        then = source.read_model.balances(Filters(), When(day.as_of, known))
        assert target.read_model.balances(Filters(), day) == then
        assert [r["on_hand"] for r in then] == ["90"]
        table = target.service.store.recorder.qualified_name  # type: ignore[attr-defined]
        assert verify(target.runner.engine, table).count == until
        with pytest.raises(ValueError, match="empty"):
            replay(source, target, known)
    finally:
        source.close()
        target.close()
