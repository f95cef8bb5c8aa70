"""Tamper evidence: a SHA-256 hash chain over every stored event, exactly as stored.

Each stored event's columns (its stream's 16-byte id, its version, its topic, its state) are
length-prefixed and hashed into the event's ``row_hash``; the chain links each position to the
one before: ``hash = SHA-256(previous hash ‖ position ‖ row_hash)``, from 32 zero bytes. The
audit follower (``AuditChainProjection``) appends each new event's link with its own tracking;
it never rewrites a link. ``verify`` re-reads the event table from its first row with plain
statements, recomputes every link and walks it beside the chain the follower kept: the first
position where they part says what was done there — changed, missing, inserted, reordered or
truncated. A digest (the head: position, hash, count, time) held outside the database also
catches a chain rewritten to match a tampered log.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Engine, func, select

from projections import tables as t
from projections.bulk import insert_rows
from projections.projection import ReadModelProjection, Recorded

GENESIS = bytes(32)
PAGE = 20_000


def _frame(part: bytes) -> bytes:
    return len(part).to_bytes(8, "big") + part


def row_hash(stream_id: bytes, version: int, topic: str, state: bytes) -> bytes:
    """The digest of one stored event's own columns (its position is bound by the link)."""
    return hashlib.sha256(
        _frame(stream_id)
        + _frame(version.to_bytes(8, "big", signed=True))
        + _frame(topic.encode("utf-8"))
        + _frame(state)
    ).digest()


def link(previous: bytes, position: int, row: bytes) -> bytes:
    return hashlib.sha256(previous + position.to_bytes(8, "big", signed=True) + row).digest()


class AuditChainProjection(ReadModelProjection):
    name = "audit_chain"
    tables = (t.audit_chain,)

    def __init__(self) -> None:
        self.head: bytes | None = None  # the last link written, when known

    def forget(self) -> None:
        self.head = None

    def apply(self, connection: Connection, batch: Sequence[Recorded]) -> None:
        previous = self.head if self.head is not None else _last_link(connection)
        rows = []
        for recorded in batch:
            row = row_hash(recorded.stream_id, recorded.version, recorded.topic, recorded.state)
            previous = link(previous, recorded.position, row)
            rows.append({"position": recorded.position, "row_hash": row, "hash": previous})
        insert_rows(connection, t.audit_chain, rows)
        self.head = previous


def _last_link(connection: Connection) -> bytes:
    c = t.audit_chain.c
    found = connection.execute(
        select(c.hash).order_by(c.position.desc()).limit(1)
    ).scalar_one_or_none()
    return bytes(found) if found is not None else GENESIS


@dataclass(frozen=True)
class Digest:
    """The chain's head: what an auditor keeps outside the database."""

    position: int
    hash: str  # hex
    count: int
    time: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "hash": self.hash,
            "count": self.count,
            "time": self.time.isoformat(),
        }

    @classmethod
    def of(cls, data: dict[str, Any]) -> Digest:
        return cls(
            int(data["position"]),
            str(data["hash"]),
            int(data["count"]),
            datetime.fromisoformat(str(data["time"])),
        )


def digest(connection: Connection, now: datetime) -> Digest:
    c = t.audit_chain.c
    row = connection.execute(
        select(c.position, c.hash).order_by(c.position.desc()).limit(1)
    ).first()
    count = connection.execute(select(func.count()).select_from(t.audit_chain)).scalar_one()
    if row is None:
        return Digest(0, GENESIS.hex(), 0, now)
    return Digest(int(row[0]), bytes(row[1]).hex(), int(count), now)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    count: int  # events verified
    position: int | None = None  # the first bad position
    what: str = ""  # changed, missing, inserted, reordered, truncated, digest

    def __str__(self) -> str:
        if self.ok:
            return f"OK: {self.count:,} events verified"
        return f"BAD at position {self.position}: {self.what}"


def _stored(engine: Engine, table: str) -> Iterator[tuple[int, bytes]]:
    """(position, row hash) of every stored event, in position order, straight from the
    driver: nothing the store keeps about itself is trusted."""
    after = 0
    marker = "%s" if engine.dialect.name == "postgresql" else "?"
    sql = (
        f"SELECT id, originator_id, originator_version, topic, state FROM {table} "
        f"WHERE id > {marker} ORDER BY id LIMIT {PAGE}"
    )
    while True:
        with engine.connect() as connection:
            cursor = connection.connection.cursor()
            cursor.execute(sql, [after])
            rows = cursor.fetchall()
            cursor.close()
        if not rows:
            return
        for position, oid, version, topic, state in rows:
            text = topic.decode("utf-8", "replace") if isinstance(topic, bytes) else str(topic)
            yield position, row_hash(_uuid_bytes(oid), int(version), text, _as_bytes(state))
        after = rows[-1][0]


def _as_bytes(value: Any) -> bytes:
    """A state as stored; one an attacker rewrote as text hashes as its UTF-8 bytes."""
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


def _uuid_bytes(oid: Any) -> bytes:
    """A stream id as SQLite (16 bytes) or PostgreSQL (uuid) gives it back: its 16 bytes."""
    if isinstance(oid, UUID):
        return oid.bytes
    if isinstance(oid, bytes | memoryview):
        return bytes(oid)
    return UUID(str(oid)).bytes


def _chained(engine: Engine) -> Iterator[tuple[int, bytes, bytes]]:
    c = t.audit_chain.c
    after = 0
    while True:
        with engine.connect() as connection:
            rows = connection.execute(
                select(c.position, c.row_hash, c.hash)
                .where(c.position > after)
                .order_by(c.position)
                .limit(PAGE)
            ).all()
        if not rows:
            return
        for position, row, chained in rows:
            yield int(position), bytes(row), bytes(chained)
        after = int(rows[-1][0])


def verify(engine: Engine, events_table: str, held: Digest | None = None) -> Verdict:
    """Walks the stored events beside the chain; the first position where they part, and
    what happened there. Events recorded after the chain's head are not judged."""
    stored = _stored(engine, events_table)
    chained = _chained(engine)
    previous = GENESIS
    count = 0
    pending_store: list[tuple[int, bytes]] = []
    pending_chain: list[tuple[int, bytes, bytes]] = []

    def next_store() -> tuple[int, bytes] | None:
        return pending_store.pop(0) if pending_store else next(stored, None)

    def next_chain() -> tuple[int, bytes, bytes] | None:
        return pending_chain.pop(0) if pending_chain else next(chained, None)

    while True:
        mine = next_store()
        kept = next_chain()
        if kept is None:
            break  # the rest, if any, is newer than the chain
        if mine is None:
            return Verdict(False, count, kept[0], "truncated: the stored log ends before it")
        position, row = mine
        kept_position, kept_row, kept_hash = kept
        recomputed = link(previous, position, row)
        if position == kept_position and row == kept_row and recomputed == kept_hash:
            previous = recomputed
            count += 1
            at_digest = held is not None and position == held.position
            if at_digest and held is not None and recomputed.hex() != held.hash:
                why = "digest: the log up to here does not hash to the held digest"
                return Verdict(False, count, position, why)
            continue
        after_mine = next(stored, None)
        after_kept = next(chained, None)
        swapped = after_mine is not None and after_kept is not None
        if swapped and row == after_kept[1] and after_mine[1] == kept_row:  # type: ignore[index]
            return Verdict(
                False,
                count,
                kept_position,
                f"reordered: it holds the event chained at position {after_kept[0]}",  # type: ignore[index]
            )
        if after_kept is not None and row == after_kept[1]:
            return Verdict(False, count, kept_position, "missing: the event there was removed")
        if after_mine is not None and after_mine[1] == kept_row:
            return Verdict(False, count, position, "inserted: an event the chain never saw")
        elsewhere = _chained_position(engine, row)
        if elsewhere is not None and elsewhere != kept_position:
            return Verdict(
                False,
                count,
                kept_position,
                f"reordered: it holds the event chained at position {elsewhere}",
            )
        if row == kept_row:
            why = "changed: its position or the chain's links differ"
        else:
            why = "changed: its stored columns differ from what was chained"
        return Verdict(False, count, kept_position, why)
    if held is not None and count < held.count:
        return Verdict(False, count, held.position, "truncated: fewer events than the held digest")
    return Verdict(True, count)


def _chained_position(engine: Engine, row: bytes) -> int | None:
    c = t.audit_chain.c
    with engine.connect() as connection:
        found = connection.execute(select(c.position).where(c.row_hash == row).limit(1)).first()
    return int(found[0]) if found is not None else None
