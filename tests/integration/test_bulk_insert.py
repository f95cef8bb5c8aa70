"""Rows inserted through the driver (``projections.bulk``) are stored exactly as SQLAlchemy
stores them, so queries binding through SQLAlchemy find them: moments in UTC from any offset,
dates, flags, exact decimal text, bytes, NULLs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select, text

from commands.store import EventStore
from projections import tables as t
from projections.bulk import COPY_FROM, insert_rows
from projections.schema import ensure_current

HANOI = timezone(timedelta(hours=7))


def history_row(lot_id: str, moment: datetime, reversed_at: datetime | None) -> dict[str, Any]:
    return {
        "lot_id": lot_id,
        "version": 3,
        "kind": "ExWarehoused",
        "related_lot_id": None,
        "effective_at": moment,
        "recorded_at": moment + timedelta(microseconds=1),
        "reversed_at": reversed_at,
        "on_hand_units": -12,
        "on_hand_nanos": -500_000_000,
        "in_transit_units": 0,
        "in_transit_nanos": 0,
        "extension_days": 0,
        "warehouse_id": "KNQ-1",
        "goods_owner_tax_code": None,
        "sets_terms": True,
        "contract_no": None,
        "declared_expires_on": date(2027, 2, 28),
    }


def lot_event_row(lot_id: str, moment: datetime) -> dict[str, Any]:
    return {
        "lot_id": lot_id,
        "version": 1,
        "effective_at": moment,
        "recorded_at": moment,
        "topic": "ledger.events:Warehoused",
        "state": b'{"\x00\xff"}',
    }


MOMENTS = [
    datetime(2025, 1, 1, tzinfo=UTC),
    datetime(2025, 6, 30, 23, 59, 59, 999_999, tzinfo=HANOI),
    datetime(9999, 12, 31, tzinfo=UTC),
]


@pytest.mark.parametrize("moment", MOMENTS)
def test_driver_rows_equal_sqlalchemy_rows(store: EventStore, moment: datetime) -> None:
    engine = store.recorder.datastore.engine  # type: ignore[attr-defined]
    assert isinstance(engine, Engine)
    ensure_current(engine)
    with engine.begin() as connection:
        connection.execute(insert(t.lot_history), [history_row("by-sqlalchemy", moment, None)])
        insert_rows(connection, t.lot_history, [history_row("by-driver", moment, None)])
        connection.execute(insert(t.lot_events), [lot_event_row("by-sqlalchemy", moment)])
        insert_rows(connection, t.lot_events, [lot_event_row("by-driver", moment)])
    with engine.connect() as connection:
        for table in (t.lot_history, t.lot_events):
            raw = {
                row[0]: row[1:]
                for row in connection.execute(text(f"SELECT * FROM {table.name} ORDER BY lot_id"))
            }
            assert raw["by-driver"] == raw["by-sqlalchemy"]
        # a query binding its moment through SQLAlchemy finds the row written by the driver
        found = connection.execute(
            select(t.lot_history.c.lot_id).where(
                t.lot_history.c.effective_at == moment, t.lot_history.c.reversed_at.is_(None)
            )
        ).scalars()
        assert sorted(found) == ["by-driver", "by-sqlalchemy"]


def test_a_moment_without_timezone_is_refused(store: EventStore) -> None:
    engine = store.recorder.datastore.engine  # type: ignore[attr-defined]
    ensure_current(engine)
    with pytest.raises(ValueError, match="timezone"), engine.begin() as connection:
        insert_rows(connection, t.lot_history, [history_row("naive", datetime(2025, 1, 1), None)])


AWKWARD = ["tab\there", "line\nbreak\r\n", "back\\slash \\N", "Kho ngoại quan — 倉庫", "", " "]


def test_many_rows_by_copy_equal_sqlalchemy_rows(store: EventStore) -> None:
    """Past ``COPY_FROM`` rows PostgreSQL takes them by COPY: text with tabs, line breaks,
    backslashes and a literal \\N, empty strings and NULLs, bytes, flags and moments come back
    as SQLAlchemy stores them (SQLite takes the same rows by executemany)."""
    engine = store.recorder.datastore.engine  # type: ignore[attr-defined]
    assert isinstance(engine, Engine)
    ensure_current(engine)
    count = COPY_FROM + 5
    history, events = [], []
    for n in range(count):
        moment = MOMENTS[n % len(MOMENTS)]
        row = history_row(f"lot-{n:04d}", moment, moment if n % 2 else None)
        row["warehouse_id"] = AWKWARD[n % len(AWKWARD)]
        row["goods_owner_tax_code"] = None if n % 3 else AWKWARD[(n + 1) % len(AWKWARD)]
        row["sets_terms"] = n % 2 == 0
        history.append(row)
        event = lot_event_row(f"lot-{n:04d}", moment)
        event["state"] = bytes(range(n % 256)) + b"\\\t\n"
        events.append(event)
    with engine.begin() as connection:
        connection.execute(insert(t.lot_history), history)
        connection.execute(insert(t.lot_events), events)
    with engine.connect() as connection:
        expected = {
            table.name: sorted(
                tuple(r) for r in connection.execute(text(f"SELECT * FROM {table.name}"))
            )
            for table in (t.lot_history, t.lot_events)
        }
    with engine.begin() as connection:
        for table in (t.lot_history, t.lot_events):
            connection.execute(table.delete())
        insert_rows(connection, t.lot_history, history)
        insert_rows(connection, t.lot_events, events)
    with engine.connect() as connection:
        for table in (t.lot_history, t.lot_events):
            rows = sorted(tuple(r) for r in connection.execute(text(f"SELECT * FROM {table.name}")))
            assert rows == expected[table.name]
