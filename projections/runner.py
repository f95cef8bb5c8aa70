"""Keeping the read models caught up with the event store: catch up, rebuild, follow."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from projections.projector import NotificationSource, PositionMoved, Projector
from projections.schema import clear_read_models, ensure_current

PAGE = 2000
Progress = Callable[[int, int], None]  # (position, head)


@dataclass(frozen=True)
class Status:
    position: int
    head: int

    @property
    def lag(self) -> int:
        return max(0, self.head - self.position)


class ProjectionRunner:
    def __init__(self, engine: Engine, source: NotificationSource, projector: Projector) -> None:
        self.engine = engine
        self.source = source
        self.projector = projector
        self._migrated = False

    def migrate(self) -> None:
        if not self._migrated:
            ensure_current(self.engine)
            self._migrated = True

    def status(self) -> Status:
        self.migrate()
        with self.engine.connect() as connection:
            position = self.projector.position(connection)
        return Status(position, self.source.max_notification_id() or 0)

    def catch_up(self, progress: Progress | None = None, until: int | None = None) -> int:
        """Applies everything recorded up to ``until`` (default: the head as it is now).
        Returns how many events it applied."""
        self.migrate()
        head = until if until is not None else (self.source.max_notification_id() or 0)
        applied = 0
        while True:
            try:
                with self.engine.begin() as connection:
                    position = self.projector.position(connection)
                    if position >= head:
                        return applied
                    batch = self.source.notification_rows(position, PAGE)
                    if not batch:
                        return applied
                    self.projector.apply(connection, position, batch)
            except PositionMoved:
                self.projector.forget()  # another runner got there first: read again
                continue
            except BaseException:
                self.projector.forget()
                raise
            applied += len(batch)
            if progress is not None:
                progress(batch[-1][0], head)

    def rebuild(self, progress: Progress | None = None) -> int:
        """Drops every read-model row and projects the whole event log again."""
        self.migrate()
        clear_read_models(self.engine)
        self.projector.forget()
        return self.catch_up(progress)

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
