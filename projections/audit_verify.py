"""Tamper evidence checked: the chain's verifier and its digest.

Each stored event's columns (its stream's 16-byte id, its version, its topic, its state) are
length-prefixed and hashed into the event's ``row_hash``; the chain links each position to the
one before: ``hash = SHA-256(previous hash ‖ position ‖ row_hash)``, from 32 zero bytes. The
audit follower (``AuditChainProjection``) appends each new event's link with its own tracking;
it never rewrites a link. ``verify`` re-reads the event table from its first row with plain
statements, recomputes every link and walks it beside the chain the follower kept: the first
position where they part says what was done there — changed, missing, inserted, reordered or
truncated. Stored events the chain has not reached yet are hashed directly from the store and
linked on from its head, as the follower will link them, so a check covers every stored event
and says how many it covered of how many are stored. A digest (the head: position, hash, count,
time) held outside the database also catches a chain rewritten to match a tampered log.
"""

from __future__ import annotations

import hashlib
import itertools
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Engine, create_engine, func, inspect, select

from projections import tables as t
from projections.audit_chain import EIGHT, GENESIS, link

PAGE = 20_000
_sha256 = hashlib.sha256  # the chain's hash (audit_chain), inlined where it is hot


@dataclass(frozen=True)
class Digest:
    """The chain's head: what an auditor keeps outside the database."""

    position: int
    hash: str  # hex
    count: int  # the stored events the hash covers
    time: datetime
    stored: int | None = None  # the events stored up to ``position`` (None: a digest not saying)

    def as_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "hash": self.hash,
            "count": self.count,
            "covered": self.count,
            "stored": self.stored,
            "time": self.time.isoformat(),
        }

    @classmethod
    def of(cls, data: dict[str, Any]) -> Digest:
        stored = data.get("stored")
        return cls(
            int(data["position"]),
            str(data["hash"]),
            int(data["count"]),
            datetime.fromisoformat(str(data["time"])),
            int(stored) if stored is not None else None,
        )

    def __str__(self) -> str:
        stored = f" of {self.stored:,} stored" if self.stored is not None else ""
        return f"digest covering {self.count:,}{stored} events up to position {self.position}"


def digest(connection: Connection, now: datetime) -> Digest:
    """The chain's own head, as far as its follower has written it."""
    position, hash_, count = _chain_head(connection)
    return Digest(position, hash_.hex(), count, now)


def digest_of_log(engine: Engine, events_table: str, now: datetime) -> Digest:
    """The head of the chain over every stored event: the chain's own, continued over the stored
    events past it, each hashed directly from the store and linked as the follower will link
    it (a database that takes no writes still gives the head of its whole log)."""
    with engine.connect() as connection:
        position, previous, count = _chain_head(connection)  # first: the chain never passes it
    stored, last = stored_extent(engine, events_table)
    for tail_position, row in _stored(engine, events_table, position, last):
        previous = link(previous, tail_position, row)
        position, count = tail_position, count + 1
    return Digest(position, previous.hex(), count, now, stored)


def _chain_head(connection: Connection) -> tuple[int, bytes, int]:
    """The chain's last position, its link there and how many links it holds; (0, the genesis
    link, 0) when it holds none or has no table yet (read models never migrated)."""
    if not inspect(connection).has_table(t.audit_chain.name):
        return 0, GENESIS, 0
    c = t.audit_chain.c
    last, count = connection.execute(select(func.max(c.position), func.count())).one()
    if last is None:
        return 0, GENESIS, 0
    found = connection.execute(select(c.hash).where(c.position == last)).scalar_one()
    return int(last), bytes(found), int(count)


def stored_extent(engine: Engine, events_table: str) -> tuple[int, int]:
    """How many events are stored and the last one's position, in one statement (one
    snapshot). The count is the number of events: on PostgreSQL positions can skip numbers
    (a position taken by a transaction that rolled back), so the last position may be more."""
    ((count, last),) = _fetch(engine, f"SELECT count(*), max(id) FROM {events_table}", [])
    return int(count), int(last or 0)


@dataclass(frozen=True)
class Verdict:
    """What a check found, and how many stored events it covered: OK only when it found
    nothing wrong and covered every event stored when it began."""

    ok: bool
    count: int  # stored events covered: walked beside the chain, or hashed past its head
    position: int | None = None  # the first bad position
    what: str = ""  # changed, missing, inserted, reordered, truncated, digest; or what it missed
    stored: int | None = None  # the events stored up to ``head`` when it began (None: uncounted)
    head: int = 0  # the last stored position when it began
    direct: int = 0  # of ``count``, the events past the chain's head, hashed directly

    @property
    def coverage(self) -> str:
        if self.stored is None:
            return f"{self.count:,} events verified"
        said = f"covered {self.count:,} of {self.stored:,} stored events up to position {self.head}"
        if self.direct:
            said += f" ({self.direct:,} past the chain's head: hashed directly from the store)"
        return said

    def __str__(self) -> str:
        if self.position is not None:
            return (
                f"BAD at position {self.position}: {self.what}; {self.coverage}: "
                "the check stops at the first bad one"
            )
        if self.ok:
            return f"OK: {self.coverage}"
        return f"NOT COVERED: {self.coverage}: {self.what}"


def _stored(
    engine: Engine, table: str, after: int = 0, upto: int | None = None
) -> Iterator[tuple[int, bytes]]:
    """(position, row hash) of every stored event after ``after`` (up to ``upto``), in
    position order, straight from the driver: nothing the store keeps about itself is
    trusted."""
    if engine.dialect.name == "postgresql":
        yield from _stored_postgres(engine, table, after, upto)
        return
    sql = (
        f"SELECT id, originator_id, originator_version, topic, state FROM {table} "
        f"WHERE id > ? ORDER BY id LIMIT {PAGE}"
    )
    topics: dict[Any, bytes] = {}  # a topic's length-prefixed UTF-8, once per kind
    sha256, join = _sha256, b"".join
    for rows in _pages(engine, sql, after, upto):
        for position, oid, version, topic, state in rows:  # ``row_hash``, inlined
            framed = topics.get(topic)
            if framed is None:
                name = _as_bytes(topic)
                framed = topics[topic] = len(name).to_bytes(8, "big") + name
            stream = oid if type(oid) is bytes else _uuid_bytes(oid)
            data = state if type(state) is bytes else _as_bytes(state)
            parts = (
                len(stream).to_bytes(8, "big"),
                stream,
                EIGHT,
                int(version).to_bytes(8, "big", signed=True),
                framed,
                len(data).to_bytes(8, "big"),
                data,
            )
            yield position, sha256(join(parts)).digest()


def _stored_postgres(
    engine: Engine, table: str, after: int = 0, upto: int | None = None
) -> Iterator[tuple[int, bytes]]:
    """The same row hashes computed by PostgreSQL's own ``pg_catalog.sha256`` over the same
    framing of the stored columns: 32 bytes a row cross the wire instead of the whole log
    (the driver decoding every state was 80 % of a verify)."""
    sql = (
        "SELECT id, pg_catalog.sha256("
        "int8send(16) || uuid_send(originator_id) || int8send(8) "
        "|| int8send(originator_version::int8) "
        "|| int8send(octet_length(convert_to(topic, 'UTF8'))::int8) || convert_to(topic, 'UTF8') "
        "|| int8send(octet_length(state)::int8) || state"
        f") FROM {table} WHERE id > %s ORDER BY id LIMIT {PAGE}"
    )
    for rows in _pages(engine, sql, after, upto):
        for position, digest_ in rows:
            yield position, bytes(digest_)


def _pages(
    engine: Engine, sql: str, after: int = 0, upto: int | None = None
) -> Iterator[list[Any]]:
    """The pages of a keyset query, its one parameter the last position read, up to position
    ``upto`` if given. (Reading the next page in another thread was slower: the driver builds
    its rows holding the GIL.)"""
    while rows := _fetch(engine, sql, [after]):
        if upto is not None and rows[-1][0] > upto:
            rows = [row for row in rows if row[0] <= upto]
            if rows:
                yield rows
            return
        yield rows
        after = rows[-1][0]


def _fetch(engine: Engine, sql: str, params: list[Any]) -> list[Any]:
    with engine.connect() as connection:
        cursor = connection.connection.cursor()
        try:
            cursor.execute(sql, params)
            return list(cursor.fetchall())
        finally:
            cursor.close()


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


def _chained(
    engine: Engine, after: int = 0, upto: int | None = None
) -> Iterator[tuple[int, bytes, bytes]]:
    marker = "%s" if engine.dialect.name == "postgresql" else "?"
    sql = (
        f"SELECT position, row_hash, hash FROM {t.audit_chain.name} WHERE position > {marker} "
        f"ORDER BY position LIMIT {PAGE}"
    )
    for rows in _pages(engine, sql, after, upto):
        for position, row, chained in rows:
            yield position, bytes(row), bytes(chained)


PARALLEL_FROM = 200_000  # events: below this, starting processes costs more than it saves


def verify(
    engine: Engine,
    events_table: str,
    held: Digest | None = None,
    workers: int | None = None,
    parallel_from: int = PARALLEL_FROM,
) -> Verdict:
    """Checks every event stored when it begins. Up to the chain's head it walks the stored
    events beside the chain: the first position where they part, and what happened there.
    Past the chain's head (events the follower has not chained yet) it hashes them directly
    from the store, linked on from the chain's head as the follower will link them, and
    checks them against ``held`` if the digest lies there. The verdict says how many stored
    events it covered of how many there were; OK only when it covered them all.

    A long chain is first checked in ``workers`` processes (default: one per core), each
    walking a stretch of positions beside the chain, its first link against the chain's link
    before it: if every stretch holds, so does the whole chain. If any does not, the walk
    from the start finds the first bad position and says what is wrong there."""
    workers = workers or os.cpu_count() or 1
    with engine.connect() as connection:
        chained, previous, _ = _chain_head(connection)  # first: the chain never passes the store
    stored, last = stored_extent(engine, events_table)
    walked = Verdict(True, 0)
    if chained:
        quick = verify_in_parallel(engine, events_table, held, workers, parallel_from, chained)
        walked = (
            quick if quick is not None else _verify_from_start(engine, events_table, held, chained)
        )
    if not walked.ok:
        return replace(walked, stored=stored, head=last)
    count, direct = walked.count, 0
    for position, row in _stored(engine, events_table, chained, last):
        previous = link(previous, position, row)
        count, direct = count + 1, direct + 1
        if held is not None and position == held.position and previous.hex() != held.hash:
            why = "digest: the log up to here does not hash to the held digest"
            return Verdict(False, count, position, why, stored, last, direct)
    if held is not None and count < held.count:
        why = "truncated: fewer events than the held digest"
        return Verdict(False, count, held.position, why, stored, last, direct)
    return Verdict(count == stored, count, None, _missed(count, stored), stored, last, direct)


def _missed(count: int, stored: int) -> str:
    """What a walk that found nothing wrong still missed: events stored, or removed, while it
    read (rows are only ever appended, so this is someone writing to the table)."""
    if count == stored:
        return ""
    if count < stored:
        return f"{stored - count:,} of them were not checked: the stored log changed meanwhile"
    return f"{count - stored:,} more were read than were stored: the stored log changed meanwhile"


def verify_in_parallel(
    engine: Engine,
    events_table: str,
    held: Digest | None,
    workers: int,
    parallel_from: int = PARALLEL_FROM,
    upto: int | None = None,
) -> Verdict | None:
    """OK with the count when every stretch of the chain (up to position ``upto``) holds; None
    when the walk from the start must judge (a stretch broken, a short log, one process, no
    fork)."""
    url = engine.url
    in_memory = url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")
    if workers < 2 or in_memory or "fork" not in multiprocessing.get_all_start_methods():
        return None
    c = t.audit_chain.c
    extent = select(func.max(c.position), func.count())
    if upto is not None:
        extent = extent.where(c.position <= upto)
    with engine.connect() as connection:
        head, count = connection.execute(extent).one()
        held_link = None
        if held is not None:
            held_link = connection.execute(
                select(c.hash).where(c.position == held.position)
            ).scalar()
    if head is None or count < parallel_from:
        return None
    kept = bytes(held_link).hex() if held_link is not None else None
    if held is not None and held.position <= head and kept != held.hash:  # past it: by ``verify``
        return None
    bounds = [head * n // workers for n in range(workers + 1)]
    address = url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        results = list(
            pool.map(
                _stretch_holds,
                itertools.repeat(address),
                itertools.repeat(events_table),
                bounds[:-1],
                bounds[1:],
            )
        )
    if all(ok for ok, _ in results) and sum(n for _, n in results) == count:
        return Verdict(True, count)
    return None


def _stretch_holds(address: str, events_table: str, after: int, upto: int) -> tuple[bool, int]:
    """In a worker process: whether the stored events after ``after`` up to ``upto`` are
    exactly the chain's there, link by link from the chain's link before them."""
    engine = create_engine(address)
    try:
        c = t.audit_chain.c
        with engine.connect() as connection:
            before = connection.execute(
                select(c.hash).where(c.position <= after).order_by(c.position.desc()).limit(1)
            ).scalar()
        previous = bytes(before) if before is not None else GENESIS
        count = 0
        sha256 = _sha256
        stored = _stored(engine, events_table, after, upto)
        chained = _chained(engine, after, upto)
        for mine, kept in itertools.zip_longest(stored, chained):
            if mine is None or kept is None:
                return False, count
            (position, row), (kept_position, kept_row, kept_hash) = mine, kept
            recomputed = sha256(previous + position.to_bytes(8, "big", signed=True) + row).digest()
            if recomputed != kept_hash or position != kept_position or row != kept_row:
                return False, count
            previous = recomputed
            count += 1
        return True, count
    finally:
        engine.dispose()


def _verify_from_start(
    engine: Engine, events_table: str, held: Digest | None, upto: int | None = None
) -> Verdict:
    """The stored events beside the chain from the first, up to position ``upto``."""
    stored = _stored(engine, events_table, 0, upto)
    chained = _chained(engine, 0, upto)
    previous = GENESIS
    count = 0
    digest_at = held.position if held is not None else -1
    sha256 = _sha256
    for (position, row), (kept_position, kept_row, kept_hash) in zip(stored, chained, strict=False):
        recomputed = sha256(previous + position.to_bytes(8, "big", signed=True) + row).digest()
        if recomputed == kept_hash and position == kept_position and row == kept_row:
            previous = recomputed
            count += 1
            if position == digest_at and held is not None and recomputed.hex() != held.hash:
                why = "digest: the log up to here does not hash to the held digest"
                return Verdict(False, count, position, why)
            continue
        return Verdict(
            False,
            count,
            *_what(
                engine,
                (position, row),
                (kept_position, kept_row),
                next(_stored(engine, events_table, position), None),  # past ``upto`` too
                next(chained, None),
            ),
        )
    missing = next(chained, None)  # the store ended first: what the chain holds beyond it
    if missing is not None:
        return Verdict(False, count, missing[0], "truncated: the stored log ends before it")
    return Verdict(True, count)


def _what(
    engine: Engine,
    mine: tuple[int, bytes],
    kept: tuple[int, bytes],
    after_mine: tuple[int, bytes] | None,
    after_kept: tuple[int, bytes, bytes] | None,
) -> tuple[int, str]:
    """Where and what, at the first position the log and the chain part."""
    (position, row), (kept_position, kept_row) = mine, kept
    next_row = after_mine[1] if after_mine is not None else None
    next_kept = after_kept[1] if after_kept is not None else None
    if after_kept is not None and row == next_kept and next_row == kept_row:
        return kept_position, f"reordered: it holds the event chained at position {after_kept[0]}"
    if row == next_kept:
        return kept_position, "missing: the event there was removed"
    if next_row == kept_row:
        return position, "inserted: an event the chain never saw"
    elsewhere = _chained_position(engine, row)
    if elsewhere is not None and elsewhere != kept_position:
        return kept_position, f"reordered: it holds the event chained at position {elsewhere}"
    if row == kept_row:
        return kept_position, "changed: its position or the chain's links differ"
    return kept_position, "changed: its stored columns differ from what was chained"


def _chained_position(engine: Engine, row: bytes) -> int | None:
    c = t.audit_chain.c
    with engine.connect() as connection:
        found = connection.execute(select(c.position).where(c.row_hash == row).limit(1)).first()
    return int(found[0]) if found is not None else None
