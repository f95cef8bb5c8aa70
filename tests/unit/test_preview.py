"""LedgerService.preview: what execute_many would answer, each command judged after the ones
before it as if they had been applied, and nothing recorded; the process's cache unharmed
(the same commands applied afterwards answer exactly as the preview said)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from commands.parsing import parse_command
from commands.service import Outcome
from ledger.errors import LedgerError
from tests.support import Harness, ex_warehousing, line, warehousing


def judged(outcomes: list[Outcome]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(o.status, o.error.code if o.error else "", o.result) for o in outcomes]


def test_a_preview_decides_in_order_and_records_nothing(ledger: Harness) -> None:
    ledger.given(warehousing("D1"))  # D1/1: 100 pieces
    ledger.outcome(ex_warehousing("D1/1", "5"))  # the process has D1/1 folded in its cache
    commands: list[Any] = [
        warehousing("D2", line(1, "40"), line(2, "8"), command_id="file-row-2"),
        ex_warehousing("D2/1", "30", command_id="file-row-4"),  # the lot the row above makes
        ex_warehousing("D2/1", "30", bill_no="PX-2"),  # only 10 left after the row above
        ex_warehousing("D1/1", "95"),
        ex_warehousing("D1/1", "1"),  # none left after the row above
        {"command": "ex_warehouse", "lot_id": "D2/2"},  # invalid: refused in its place
    ]
    items = [_parsed(c) for c in commands]
    head = ledger.store.head()

    preview = judged(list(ledger.service.preview(items, batch_size=2)))

    assert ledger.store.head() == head  # nothing recorded
    cache = ledger.service.cache  # nor kept as if it had been
    assert cache.lot("D2/1") is None
    kept = cache.lot("D1/1")
    assert kept is not None and kept.version <= len(ledger.lot_events("D1/1"))
    assert [(status, code) for status, code, _ in preview] == [
        ("applied", ""),
        ("applied", ""),
        ("refused", "insufficient_balance"),
        ("applied", ""),
        ("refused", "insufficient_balance"),
        ("refused", "invalid_command"),
    ]
    assert preview[0][2] == {"lot_ids": ["D2/1", "D2/2"]}
    ledger.now += timedelta(minutes=1)
    applied = judged(list(ledger.service.execute_many(items)))
    assert applied == preview  # the preview said what applying does
    again = judged(list(ledger.service.preview(items[:2])))
    assert [status for status, _, _ in again] == ["already_applied", "already_applied"]


def test_a_dry_run_never_commits(ledger: Harness) -> None:
    from commands.dry_run import DryRun

    with pytest.raises(RuntimeError, match="records nothing"):
        DryRun(ledger.store, ledger.service.cache).commit()


def _parsed(data: dict[str, Any]) -> Any:
    try:
        return parse_command(data)
    except LedgerError as error:
        return error
