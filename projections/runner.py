"""Keeping the read models caught up with the event store: catch up, rebuild, follow.

Each batch of the log is read and decoded once, then handed to every projection that has not
applied it yet, in one transaction: each projection's rows and its own position move
together. The reference read model goes first, since the current lots read from it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Connection, Engine, select, text

from ledger.events import Event
from ledger.rulepacks import RulePack
from projections import tables as t
from projections.audit import AuditChainProjection
from projections.declarations import DeclarationsProjection
from projections.ecommerce import EcommerceProjection
from projections.history import LotHistoryProjection
from projections.projection import (
    UNTRACKED,
    PositionMoved,
    ReadModelProjection,
    Recorded,
    Tracked,
    tracked,
)
from projections.projector import CurrentLotsProjection, NotificationSource
from projections.reference import ReferenceProjection
from projections.schema import ensure_current
from projections.shadow import Shadow
from projections.warning_facts import WarningFactsProjection

PAGE = 2000  # events a live batch applies in one transaction, holding the write lock
REBUILD_PAGE = 10_000  # in a shadow no one waits for its lock: fewer, larger transactions
SMOOTHING = 0.3  # weight of the newest batch in a read model's recent rate
SWAP_LOCK = 0x626F6E6465645F73  # "bonded_s": batches share it, a rebuild's swap takes it alone
log = logging.getLogger("bonded.projections")
ANALYZE_AFTER = 50_000  # events projected in one catch-up after which PostgreSQL re-plans
Progress = Callable[[int, int], None]  # (position, head)
Decode = Callable[[str, bytes], Event]
# builds a shadow's shares of read models up to a head in processes of their own
BuildShares = Callable[[Shadow, list[list[str]], int, Progress | None], None]


class Outages(Protocol):
    """What a follower does with an error of its turn: ``failed`` answers whether it is an
    outage to wait out (and says so once); ``over`` is told of each turn that went well."""

    def failed(self, error: Exception) -> bool: ...

    def over(self) -> None: ...


def _lock_live(connection: Connection, names: Sequence[str]) -> None:
    """One runner of each live read model at a time, and none while a rebuild swaps in: the
    write lock on SQLite; on PostgreSQL the read models' tracking rows (runners of other
    read models go on beside), under an advisory lock the swap takes alone (without it a
    swap's DROP TABLE and a batch's row locks could deadlock)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock_shared(:key)"), {"key": SWAP_LOCK})
        c = t.tracking.c
        query = select(c.projection).where(c.projection.in_(sorted(names))).with_for_update()
        connection.execute(query).all()
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def shares(projections: Sequence[ReadModelProjection], workers: int) -> list[list[str]]:
    """The read models split between ``workers`` processes, heaviest first onto the
    lightest share (each read model is projected by exactly one of them)."""
    count = max(1, min(workers, len(projections)))
    found: list[list[str]] = [[] for _ in range(count)]
    load = [0] * count
    for projection in sorted(projections, key=lambda p: -p.weight):
        lightest = load.index(min(load))
        found[lightest].append(projection.name)
        load[lightest] += projection.weight
    return found


def _stale(projection: ReadModelProjection, where: Tracked) -> bool:
    """Built by another version of the projection (one never built is not stale)."""
    return where.position > 0 and where.version != projection.version


def read_model_projections(decode: Decode, pack: RulePack) -> list[ReadModelProjection]:
    """Every read model's projection, in the order a batch is applied."""
    return [
        ReferenceProjection(),
        DeclarationsProjection(),
        CurrentLotsProjection(decode, pack),
        LotHistoryProjection(),
        AuditChainProjection(),
        EcommerceProjection(pack),
        WarningFactsProjection(pack),
    ]


@dataclass(frozen=True)
class Status:
    position: int  # the position every read model has reached
    head: int
    read_models: dict[str, Tracked]

    @property
    def lag(self) -> int:
        return max(0, self.head - self.position)

    @property
    def positions(self) -> dict[str, int]:
        return {name: tracked.position for name, tracked in self.read_models.items()}

    def lag_of(self, name: str) -> int:
        return max(0, self.head - self.read_models[name].position)

    def seconds_to_catch_up(self, name: str) -> float | None:
        """The lag over the last rate it moved at; None when it never moved."""
        tracked = self.read_models[name]
        if not self.lag_of(name):
            return 0.0
        return self.lag_of(name) / tracked.rate if tracked.rate else None


class ReadModelRunner:
    def __init__(
        self,
        engine: Engine,
        source: NotificationSource,
        decode: Decode,
        projections: Sequence[ReadModelProjection],
        shadow: Shadow | None = None,
        fresh: Callable[[], list[ReadModelProjection]] | None = None,
        build_shares: BuildShares | None = None,
    ) -> None:
        self.engine = engine
        self.source = source
        self.decode = decode
        self.projections = list(projections)
        # new projections with caches of their own, for a rebuild that runs beside this
        # runner's batches in another thread; without it a rebuild borrows this runner's
        self.fresh = fresh
        # builds shares of a shadow's read models in processes of their own (the composition
        # root's: it knows how to open the ledger in a new process)
        self.build_shares = build_shares
        self.shadow = shadow  # where this runner writes, when it builds beside the live ones
        self.page = REBUILD_PAGE if shadow is not None else PAGE
        self._migrated = shadow is not None
        self._left_at: dict[str, tuple[int, int]] = {}  # where this runner left each projection
        self.swap_seconds: float | None = None  # how long the last rebuild's swap held the lock

    def migrate(self) -> None:
        if not self._migrated:
            ensure_current(self.engine)
            self._migrated = True

    def only(self, names: Sequence[str]) -> ReadModelRunner:
        """A runner of these read models alone, for a process that shares the work with
        runners of the others (``shares``): a read model that reads another's tables is
        never projected past it."""
        return ReadModelRunner(
            self.engine,
            self.source,
            self.decode,
            self.named(names),
            self.shadow,
            self.fresh,
            self.build_shares,
        )

    def named(self, names: Sequence[str] | None) -> list[ReadModelProjection]:
        if not names:
            return self.projections
        known = {p.name: p for p in self.projections}
        unknown = [name for name in names if name not in known]
        if unknown:
            raise ValueError(
                f"no read model named {', '.join(unknown)}; there are {', '.join(known)}"
            )
        return [known[name] for name in names]

    def status(self) -> Status:
        self.migrate()
        with self.engine.connect() as connection:
            read_models = self._where(self._on(connection))
        head = self.source.max_notification_id() or 0
        position = min((r.position for r in read_models.values()), default=head)
        return Status(position, head, read_models)

    def stale(self) -> list[str]:
        """The read models built by another version of their projection than this one's."""
        self.migrate()
        with self.engine.connect() as connection:
            where = self._where(self._on(connection))
        return [p.name for p in self.projections if _stale(p, where[p.name])]

    def _astray(self) -> list[str]:
        """The read models to rebuild before going on: those built by another version of
        their projection, and those whose position lies beyond the log's head — the log
        lost events they projected (restored from an older backup; a failover to a server
        that lacked them), so their rows say what the log no longer does."""
        self.migrate()
        head = self.source.max_notification_id() or 0
        with self.engine.connect() as connection:
            where = self._where(self._on(connection))
        stale = [p.name for p in self.projections if _stale(p, where[p.name])]
        ahead = [p.name for p in self.projections if where[p.name].position > head]
        if ahead:
            log.warning(
                "read models %s are at positions beyond the event log's head %d (%s): the log "
                "lost events they had projected; rebuilding them from the log",
                ", ".join(ahead),
                head,
                ", ".join(str(where[name].position) for name in ahead),
            )
        return [p.name for p in self.projections if p.name in stale or p.name in ahead]

    def catch_up(
        self, progress: Progress | None = None, until: int | None = None, rebuild: bool = True
    ) -> int:
        """Applies everything recorded up to ``until`` (default: the head as it is now) to
        every projection behind it. Returns how many events it read. A read model built by
        another version of its projection is first rebuilt beside the live one; with
        ``rebuild`` false (a question that must not wait minutes) it is left as it is, not
        projected by a definition it was not built by, until a follower rebuilds it."""
        if self.shadow is None and rebuild and (astray := self._astray()):
            self.rebuild(progress, astray)
        read = self._catch_up(progress, until)
        if read >= ANALYZE_AFTER:
            self.analyze()
        return read

    def analyze(self) -> None:
        """Fresh planner statistics for the read models on PostgreSQL: after a rebuild its
        estimates (from the empty tables) chose sequential scans, 15 times slower (autovacuum
        catches up only later). SQLite plans from its indexes alone."""
        if self.engine.dialect.name != "postgresql":
            return
        with self.engine.begin() as connection:
            for projection in self.projections:
                for table in projection.tables:
                    where = self.shadow.qualified(table) if self.shadow else f'"{table.name}"'
                    connection.exec_driver_sql(f"ANALYZE {where}")

    def _on(self, connection: Connection) -> Connection:
        """The connection as this runner writes through it: into the shadow's tables when
        it builds beside the live ones (the connection is translated in place)."""
        return self.shadow.translated(connection) if self.shadow else connection

    def _catch_up(self, progress: Progress | None, until: int | None) -> int:
        self.migrate()
        head = until if until is not None else (self.source.max_notification_id() or 0)
        read = 0
        while True:
            try:
                with self.engine.begin() as connection:
                    moved = self.project_page(connection, head)
            except PositionMoved:
                self._forget()  # another runner got there first: read again
                continue
            except BaseException:
                self._forget()
                raise
            if moved is None:
                return read
            read += moved[0]
            if progress is not None:
                progress(moved[1], head)

    def project_page(
        self, connection: Connection, head: int, locked: bool = False
    ) -> tuple[int, int] | None:
        """Projects the next page of the log up to ``head`` in this transaction: (events
        read, the position reached), or None when every projection has reached ``head``.
        Unless the caller holds it (``locked``), the page takes what keeps other runners of
        the live read models out once it has read and decoded its events, and finds their
        positions where it read them, or raises ``PositionMoved``."""
        started = time.perf_counter()
        on = self._on(connection)
        everyone = tracked(on)
        where = self._where(on, everyone)
        self._forget_moved(where)
        current = [p for p in self.projections if not _stale(p, where[p.name])]
        limit = {p.name: self._limit(p, head, everyone) for p in current}
        behind = [p for p in current if where[p.name].position < limit[p.name]]
        if not behind:
            return None
        low = min(where[p.name].position for p in behind)
        high = max(limit[p.name] for p in behind)
        rows = self.source.notification_rows(low, min(self.page, high - low))
        rows = [row for row in rows if row[0] <= high]  # never past ``head`` (gaps on PostgreSQL)
        if not rows:
            return None
        batch = [
            Recorded(position, version, topic, state, oid, self.decode(topic, state))
            for position, version, topic, state, oid in rows
        ]
        if self.shadow is None and not locked:
            _lock_live(connection, [p.name for p in self.projections])
            if self._where(on) != where:
                raise PositionMoved("another runner moved the read models meanwhile")
        applied: list[tuple[ReadModelProjection, Tracked, int, int]] = []
        for projection in behind:
            since = where[projection.name]
            top = limit[projection.name]
            part = [r for r in batch if since.position < r.position <= top]
            if part:
                projection.apply(on, part)
                applied.append((projection, since, len(part), part[-1].position))
        seconds = max(time.perf_counter() - started, 1e-6)
        for projection, since, count, reached in applied:
            rate = count / seconds
            if since.rate:  # smoothed over the last few batches
                rate = SMOOTHING * rate + (1 - SMOOTHING) * since.rate
            projection.advance(on, since.position, reached, since.generation, rate)
            self._left_at[projection.name] = (reached, since.generation)
        if not applied:
            return None
        return len(batch), max(reached for *_, reached in applied)

    def _limit(
        self, projection: ReadModelProjection, head: int, everyone: dict[str, Tracked]
    ) -> int:
        """How far ``projection`` may go: ``head``, or less while a read model it reads is
        projected by another runner and behind."""
        mine = {p.name for p in self.projections}
        others = [everyone.get(name, UNTRACKED).position for name in projection.reads]
        return min(
            [head, *(p for n, p in zip(projection.reads, others, strict=True) if n not in mine)]
        )

    def _where(
        self, connection: Connection, found: dict[str, Tracked] | None = None
    ) -> dict[str, Tracked]:
        found = tracked(connection) if found is None else found
        return {p.name: found.get(p.name, UNTRACKED) for p in self.projections}

    def rebuild(
        self, progress: Progress | None = None, names: Sequence[str] = (), workers: int = 1
    ) -> int:
        """Projects the whole event log into the named read models (every one by default)
        again. Read models already built are rebuilt beside the live ones, which go on
        answering, and swapped in at once (``projections.bluegreen``); empty ones in place.
        On PostgreSQL, ``workers`` processes build the shadow's read models, each its share."""
        self.migrate()
        chosen = self.named(names)
        status = self.status()
        if self.shadow is None and any(status.read_models[p.name].position for p in chosen):
            from projections.bluegreen import rebuild_beside

            return rebuild_beside(self, [p.name for p in chosen], progress, workers)
        with self.engine.begin() as connection:
            for projection in chosen:
                projection.clear(self._on(connection))
        self._forget()
        return self.catch_up(progress)

    def _forget(self) -> None:
        for projection in self.projections:
            projection.forget()
        self._left_at.clear()

    def _forget_moved(self, where: dict[str, Tracked]) -> None:
        """A projection another process moved on (or a rebuild swapped in) since this
        runner left it has caches that miss what happened: they go, and are read again from
        its tables."""
        for projection in self.projections:
            if self._left_at.get(projection.name) != where[projection.name].where:
                projection.forget()
                self._left_at[projection.name] = where[projection.name].where

    def follow(
        self,
        poll_seconds: float = 0.5,
        should_stop: Callable[[], bool] = lambda: False,
        progress: Progress | None = None,
        outages: Outages | None = None,
    ) -> None:
        """Keeps catching up until ``should_stop``; polls the event table (SQLite has no
        notifications, and on PostgreSQL a lost NOTIFY would stall a listener). An error that
        ``outages`` takes for an outage (the database gone, say) is waited out: the next
        turn tries again, after ``poll_seconds``."""
        while not should_stop():
            try:
                moved = self.catch_up(progress)
            except Exception as error:
                if outages is None or not outages.failed(error):
                    raise
                moved = 0
            else:
                if outages is not None:
                    outages.over()
            if moved == 0:
                time.sleep(poll_seconds)
