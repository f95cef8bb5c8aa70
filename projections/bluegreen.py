"""Blue/green rebuilds: the read models are built anew beside the live ones while every
question goes on answering from the live ones, then swapped in by one transaction.

1. A shadow (``projections.shadow``) gets empty tables for every read model and a tracking
   table of its own. Read models not being rebuilt are copied into it from one snapshot of the
   live ones, since the rebuilt ones may read them (the current lots read the reference).
2. The shadow is caught up from the first event to the head, as long as that takes, with the
   live read models untouched and still followed by every running process (on PostgreSQL by
   several processes at once if asked, each its share of the read models).
   It projects with projections of its own (``ReadModelRunner.fresh``), so it may run in
   another thread than the live runner's batches.
3. One transaction, holding what keeps the live runners out (the write lock on SQLite, an
   advisory lock every batch shares on PostgreSQL), catches the shadow up to the head as it is
   then, moves the rebuilt tables in (PostgreSQL: drop and ``SET SCHEMA``; SQLite: delete and
   copy from the attached file) and sets their tracking rows to the shadow's position, in a new
   generation. A reader sees the old read model or the new one, never an empty one; a runner
   of another process finds the generation moved, drops its caches and goes on from there.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from sqlalchemy import Connection, Table, delete, insert, text
from sqlalchemy.exc import OperationalError

from projections import tables as t
from projections.projection import ReadModelProjection, Tracked, tracked
from projections.runner import SWAP_LOCK, ReadModelRunner, shares
from projections.shadow import Shadow

Progress = Callable[[int, int], None]
SWAP_ATTEMPTS = 100
LOCK_WAIT = "200ms"  # well under PostgreSQL's deadlock_timeout (1 s): the swap gives way first
LOCK_NOT_AVAILABLE = "55P03"


def rebuild_beside(
    live: ReadModelRunner, names: Sequence[str], progress: Progress | None, workers: int = 1
) -> int:
    """Rebuilds the named read models beside the live ones and swaps them in; returns how
    many events the rebuild read. On PostgreSQL, given ``workers`` and a way to start them,
    the read models are built by that many processes at once, each its share; the swap then
    catches the shadow up to the head as it is by then."""
    named = {p.name for p in live.named(names)}
    borrowed = live.fresh is None  # the live runner's own projections: their caches go
    projections = live.projections if live.fresh is None else live.fresh()
    chosen = [p for p in projections if p.name in named]
    kept = [p for p in projections if p.name not in named]
    shadow = Shadow(live.engine)
    if borrowed:
        live._forget()
    try:
        shadow.create((*(table for p in projections for table in p.tables), t.tracking))
        if kept:
            _copy_into(shadow, kept)
        building = ReadModelRunner(
            shadow.engine, live.source, live.decode, projections, shadow=shadow
        )
        read = 0
        if workers > 1 and live.build_shares is not None and shadow.path is None:
            head = live.source.max_notification_id() or 0
            live.build_shares(shadow, shares(chosen, workers), head, progress)
            read = head
        read += building.catch_up(progress)
        started = time.perf_counter()
        read += _swap(shadow, building, chosen)
        live.swap_seconds = time.perf_counter() - started
    finally:
        if borrowed:
            live._forget()
        shadow.drop()
    live.analyze()
    return read


def _columns(table: Table) -> str:
    return ", ".join(f'"{column.name}"' for column in table.columns)


def _copy_into(shadow: Shadow, kept: Sequence[ReadModelProjection]) -> None:
    """The read models not rebuilt, and their positions, as one snapshot of the live ones."""
    with shadow.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            for table in (table for p in kept for table in p.tables):
                columns = _columns(table)
                connection.exec_driver_sql(
                    f"INSERT INTO {shadow.qualified(table)} ({columns}) "
                    f'SELECT {columns} FROM "{table.name}"'
                )
            names = ", ".join(f"'{p.name}'" for p in kept)
            columns = _columns(t.tracking)
            connection.exec_driver_sql(
                f"INSERT INTO {shadow.qualified(t.tracking)} ({columns}) "
                f'SELECT {columns} FROM "{t.tracking.name}" WHERE projection IN ({names})'
            )


def _swap(shadow: Shadow, building: ReadModelRunner, chosen: Sequence[ReadModelProjection]) -> int:
    """Swaps in, trying again while readers hold the live tables (PostgreSQL)."""
    for attempt in range(SWAP_ATTEMPTS):
        try:
            return _swap_once(shadow, building, chosen)
        except OperationalError as error:
            if getattr(error.orig, "pgcode", None) != LOCK_NOT_AVAILABLE:
                raise
            time.sleep(min(0.05 * (attempt + 1), 1.0))
    raise RuntimeError(f"readers held the read models through {SWAP_ATTEMPTS} swaps")


def _swap_once(
    shadow: Shadow, building: ReadModelRunner, chosen: Sequence[ReadModelProjection]
) -> int:
    read = 0
    with shadow.engine.connect() as connection, connection.begin():
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SWAP_LOCK})
            # A reader that read one live table and goes on to another would deadlock with a
            # swap holding the second: the swap takes every table first and, rather than make
            # a reader wait long (or be the one a deadlock aborts), gives way and tries again.
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'")
            names = ", ".join(f'"{table.name}"' for p in chosen for table in p.tables)
            connection.exec_driver_sql(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        head = building.source.max_notification_id() or 0
        while (moved := building.project_page(connection, head, locked=True)) is not None:
            read += moved[0]
        built = tracked(shadow.translated(connection))
        was = tracked(shadow.live(connection))
        live_schema = None
        if postgres:
            live_schema = connection.execute(text("SELECT current_schema()")).scalar()
        for projection in chosen:
            for table in projection.tables:
                _move(connection, shadow, table, live_schema)
            _track(connection, projection, built[projection.name], was.get(projection.name))
    return read


def _move(connection: Connection, shadow: Shadow, table: Table, live_schema: str | None) -> None:
    if live_schema is not None:  # PostgreSQL: the built table itself becomes the live one
        connection.exec_driver_sql(f'DROP TABLE "{table.name}"')
        connection.exec_driver_sql(
            f'ALTER TABLE {shadow.qualified(table)} SET SCHEMA "{live_schema}"'
        )
        return
    columns = _columns(table)  # SQLite: no table moves between files; its rows are copied
    connection.exec_driver_sql(f'DELETE FROM main."{table.name}"')
    source = shadow.qualified(table)
    connection.exec_driver_sql(
        f'INSERT INTO main."{table.name}" ({columns}) SELECT {columns} FROM {source}'
    )


def _track(
    connection: Connection, projection: ReadModelProjection, built: Tracked, was: Tracked | None
) -> None:
    """The live tracking row now says where the built read model is, in a new generation."""
    connection.execute(delete(t.tracking).where(t.tracking.c.projection == projection.name))
    connection.execute(
        insert(t.tracking).values(
            projection=projection.name,
            position=built.position,
            version=projection.version,
            generation=(was.generation if was else 0) + 1,
            moved_at=built.moved_at,
            rate=built.rate,
        )
    )
