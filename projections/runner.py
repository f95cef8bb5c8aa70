"""Keeping the read models caught up with the event store: catch up, rebuild, follow.

Each batch of the log is read and decoded once, then handed to every projection that has not
applied it yet, in one transaction: each projection's rows and its own position move
together. The reference read model goes first, since the current lots read from it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from ledger.events import Event
from ledger.rulepacks import RulePack
from projections.audit import AuditChainProjection
from projections.declarations import DeclarationsProjection
from projections.ecommerce import EcommerceProjection
from projections.history import LotHistoryProjection
from projections.projection import PositionMoved, ReadModelProjection, Recorded
from projections.projector import CurrentLotsProjection, NotificationSource
from projections.reference import ReferenceProjection
from projections.schema import ensure_current
from projections.warning_facts import WarningFactsProjection

PAGE = 2000
ANALYZE_AFTER = 50_000  # events projected in one catch-up after which PostgreSQL re-plans
Progress = Callable[[int, int], None]  # (position, head)
Decode = Callable[[str, bytes], Event]


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
    positions: dict[str, int]

    @property
    def lag(self) -> int:
        return max(0, self.head - self.position)


class ReadModelRunner:
    def __init__(
        self,
        engine: Engine,
        source: NotificationSource,
        decode: Decode,
        projections: Sequence[ReadModelProjection],
    ) -> None:
        self.engine = engine
        self.source = source
        self.decode = decode
        self.projections = list(projections)
        self._migrated = False
        self._left_at: dict[str, int] = {}  # where this runner left each projection

    def migrate(self) -> None:
        if not self._migrated:
            ensure_current(self.engine)
            self._migrated = True

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
            positions = {p.name: p.position(connection) for p in self.projections}
        head = self.source.max_notification_id() or 0
        return Status(min(positions.values(), default=head), head, positions)

    def catch_up(self, progress: Progress | None = None, until: int | None = None) -> int:
        """Applies everything recorded up to ``until`` (default: the head as it is now) to
        every projection behind it. Returns how many events it read."""
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
                    connection.exec_driver_sql(f'ANALYZE "{table.name}"')

    def _catch_up(self, progress: Progress | None, until: int | None) -> int:
        self.migrate()
        head = until if until is not None else (self.source.max_notification_id() or 0)
        read = 0
        while True:
            try:
                with self.engine.begin() as connection:
                    positions = {p.name: p.position(connection) for p in self.projections}
                    self._forget_moved(positions)
                    low = min(positions.values())
                    if low >= head:
                        return read
                    rows = self.source.notification_rows(low, PAGE)
                    if not rows:
                        return read
                    batch = [
                        Recorded(position, version, topic, state, oid, self.decode(topic, state))
                        for position, version, topic, state, oid in rows
                    ]
                    for projection in self.projections:
                        since = positions[projection.name]
                        part = [r for r in batch if r.position > since]
                        if part:
                            projection.apply(connection, part)
                            projection.advance(connection, since, batch[-1].position)
                            self._left_at[projection.name] = batch[-1].position
            except PositionMoved:
                self._forget()  # another runner got there first: read again
                continue
            except BaseException:
                self._forget()
                raise
            read += len(batch)
            if progress is not None:
                progress(batch[-1].position, head)

    def rebuild(self, progress: Progress | None = None, names: Sequence[str] = ()) -> int:
        """Drops the named read models' rows (every one's by default) and projects the whole
        event log into them again."""
        self.migrate()
        chosen = self.named(names)
        with self.engine.begin() as connection:
            for projection in chosen:
                projection.clear(connection)
        self._forget()
        return self.catch_up(progress)

    def _forget(self) -> None:
        for projection in self.projections:
            projection.forget()
        self._left_at.clear()

    def _forget_moved(self, positions: dict[str, int]) -> None:
        """A projection another process moved on since this runner left it has caches that
        miss what that process applied: they go, and are read again from its tables."""
        for projection in self.projections:
            if self._left_at.get(projection.name) != positions[projection.name]:
                projection.forget()
                self._left_at[projection.name] = positions[projection.name]

    def follow(
        self,
        poll_seconds: float = 0.5,
        should_stop: Callable[[], bool] = lambda: False,
        progress: Progress | None = None,
    ) -> None:
        """Keeps catching up until ``should_stop``; polls the event table (SQLite has no
        notifications, and on PostgreSQL a lost NOTIFY would stall a listener)."""
        while not should_stop():
            if self.catch_up(progress) == 0:
                time.sleep(poll_seconds)
