"""Tamper evidence: the hash chain catches six kinds of tampering with the stored events, each
at several positions, at the exact first bad position, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, text

from commands.store import EventStore
from projections.audit_verify import (
    Verdict,
    digest,
    digest_of_log,
    stored_extent,
    verify,
    verify_in_parallel,
)
from tests.integration.test_read_models import ReadSide
from tests.support import Harness, dispatch, ex_warehousing, hold, receipt, transfer, warehousing

COLUMNS = "originator_id, originator_version, topic, state"


@pytest.fixture
def chained(ledger: Harness, store: EventStore) -> tuple[Engine, str, int]:
    ledger.given(warehousing("D1"), ex_warehousing(quantity="1"), transfer(), dispatch())
    ledger.given(receipt("D1/1.2"), hold("D1/1", when="2026-06-02"))
    ledger.given(ex_warehousing("D1/1.1", when="2026-05-01"))
    read = ReadSide(store)
    read.runner.catch_up()
    table = store.recorder.qualified_name  # type: ignore[attr-defined]
    return read.engine, table, store.head()


def row(engine: Engine, table: str, position: int) -> Any:
    with engine.connect() as connection:
        return connection.execute(
            text(f"SELECT {COLUMNS} FROM {table} WHERE id = :p"), {"p": position}
        ).one()


def put(engine: Engine, table: str, position: int, values: Any) -> None:
    with engine.begin() as connection:
        connection.execute(
            text(
                f"UPDATE {table} SET originator_id = :o, originator_version = :v, topic = :t, "
                "state = :s WHERE id = :p"
            ),
            {"o": values[0], "v": values[1], "t": values[2], "s": values[3], "p": position},
        )


def insert(engine: Engine, table: str, position: int, values: Any) -> None:
    with engine.begin() as connection:
        connection.execute(
            text(f"INSERT INTO {table} (id, {COLUMNS}) VALUES (:p, :o, :v, :t, :s)"),
            {"p": position, "o": values[0], "v": values[1], "t": values[2], "s": values[3]},
        )


def shift(engine: Engine, table: str, start: int, by: int) -> None:
    """Moves the ids from ``start`` on by ``by`` (in two steps: no id collides midway)."""
    with engine.begin() as connection:
        connection.execute(
            text(f"UPDATE {table} SET id = id + 1000000 WHERE id >= :s"), {"s": start}
        )
        connection.execute(
            text(f"UPDATE {table} SET id = id - 1000000 + :b WHERE id >= 1000000"), {"b": by}
        )


@contextmanager
def changed_byte(engine: Engine, table: str, p: int) -> Iterator[None]:
    original = row(engine, table, p)
    state = bytearray(bytes(original[3]))
    state[len(state) // 2] ^= 0x01
    put(engine, table, p, (original[0], original[1], original[2], bytes(state)))
    yield
    put(engine, table, p, original)


@contextmanager
def changed_version(engine: Engine, table: str, p: int) -> Iterator[None]:
    original = row(engine, table, p)
    put(engine, table, p, (original[0], original[1] + 1000, original[2], original[3]))
    yield
    put(engine, table, p, original)


@contextmanager
def deleted(engine: Engine, table: str, p: int) -> Iterator[None]:
    original = row(engine, table, p)
    with engine.begin() as connection:
        connection.execute(text(f"DELETE FROM {table} WHERE id = :p"), {"p": p})
    yield
    insert(engine, table, p, original)


@contextmanager
def swapped(engine: Engine, table: str, p: int) -> Iterator[None]:
    first, second = row(engine, table, p), row(engine, table, p + 1)
    put(engine, table, p, (second[0], -1, second[2], second[3]))  # keeps the unique index
    put(engine, table, p + 1, first)
    put(engine, table, p, second)
    yield
    put(engine, table, p, (first[0], -1, first[2], first[3]))
    put(engine, table, p + 1, second)
    put(engine, table, p, first)


@contextmanager
def forged(engine: Engine, table: str, p: int) -> Iterator[None]:
    template = row(engine, table, p)
    shift(engine, table, p, 1)
    insert(engine, table, p, (template[0], 9999, template[2], b'{"forged": true}'))
    yield
    with engine.begin() as connection:
        connection.execute(text(f"DELETE FROM {table} WHERE id = :p"), {"p": p})
    shift(engine, table, p + 1, -1)


@contextmanager
def truncated(engine: Engine, table: str, p: int) -> Iterator[None]:
    with engine.connect() as connection:
        tail = connection.execute(
            text(f"SELECT id, {COLUMNS} FROM {table} WHERE id >= :p ORDER BY id"), {"p": p}
        ).all()
    with engine.begin() as connection:
        connection.execute(text(f"DELETE FROM {table} WHERE id >= :p"), {"p": p})
    yield
    for stored in tail:
        insert(engine, table, stored[0], stored[1:])


Tampering = Callable[[Engine, str, int], Any]
KINDS: list[tuple[Tampering, str]] = [
    (changed_byte, "changed"),
    (changed_version, "changed"),
    (deleted, "missing"),
    (swapped, "reordered"),
    (forged, "inserted"),
    (truncated, "truncated"),
]


@pytest.mark.parametrize(("tamper", "what"), KINDS, ids=[k.__name__ for k, _ in KINDS])
def test_each_tampering_is_caught_at_its_exact_position(
    chained: tuple[Engine, str, int], tamper: Tampering, what: str
) -> None:
    engine, table, head = chained
    with engine.connect() as connection:
        held = digest(connection, datetime.now(UTC))
    assert (held.position, held.count) == (head, head)
    assert verify(engine, table, held).ok
    for position in sorted({1, 2, head // 3, head // 2, head - 2}):
        with tamper(engine, table, position):
            verdict = verify(engine, table, held)
            assert not verdict.ok, (what, position)
            assert (verdict.position, verdict.what.split(":")[0]) == (position, what), verdict
        assert verify(engine, table, held).ok  # put back: whole again


@pytest.mark.parametrize(("tamper", "what"), KINDS, ids=[k.__name__ for k, _ in KINDS])
def test_the_check_in_several_processes_passes_only_a_whole_log(
    chained: tuple[Engine, str, int], tamper: Tampering, what: str
) -> None:
    """A long log is first checked in stretches by several processes: a whole log passes with
    its count; under any tampering they defer to the walk from the start, which names it."""
    engine, table, head = chained
    with engine.connect() as connection:
        held = digest(connection, datetime.now(UTC))
    assert verify_in_parallel(engine, table, held, 3, parallel_from=1) == Verdict(True, head)
    for position in sorted({1, head // 3, head // 2 + 1, head - 2}):
        with tamper(engine, table, position):
            assert verify_in_parallel(engine, table, held, 3, parallel_from=1) is None
            verdict = verify(engine, table, held, workers=3, parallel_from=1)
            assert (verdict.position, verdict.what.split(":")[0]) == (position, what), verdict


def test_a_chain_rebuilt_over_a_forged_log_misses_the_held_digest(
    chained: tuple[Engine, str, int], store: EventStore
) -> None:
    engine, table, head = chained
    with engine.connect() as connection:
        held = digest(connection, datetime.now(UTC))
    original = row(engine, table, 3)
    forged = bytes(original[3]).replace(b'"VN"', b'"VX"', 1)  # still a well-formed event
    assert forged != bytes(original[3])
    put(engine, table, 3, (original[0], original[1], original[2], forged))
    ReadSide(store).runner.rebuild(names=["audit_chain"])  # the chain now matches the forgery
    assert verify(engine, table).ok  # without a digest held outside, nothing shows
    verdict = verify(engine, table, held)
    assert (verdict.ok, verdict.position, verdict.what.split(":")[0]) == (False, head, "digest")


def test_events_past_the_chain_head_are_hashed_directly_and_counted(
    chained: tuple[Engine, str, int], ledger: Harness, store: EventStore
) -> None:
    """Events recorded after the chain's head are covered, in one process or several: hashed
    directly from the store, linked on from the head as the follower will link them."""
    engine, table, head = chained
    ledger.given(ex_warehousing("D1/1", quantity="1", when="2026-05-02"))  # not chained
    count, last = stored_extent(engine, table)
    assert last > head
    unchained = digest_of_log(engine, table, datetime.now(UTC))
    assert (unchained.position, unchained.count, unchained.stored) == (last, count, count)
    for workers in (1, 3):
        verdict = verify(engine, table, unchained, workers=workers, parallel_from=1)
        assert verdict == Verdict(True, count, None, "", count, last, last - head), workers
    ReadSide(store).runner.catch_up()
    with engine.connect() as connection:
        assert digest(connection, datetime.now(UTC)).hash == unchained.hash  # linked the same
    assert verify(engine, table, unchained) == Verdict(True, count, None, "", count, last, 0)
