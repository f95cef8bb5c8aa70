"""The read models on a replica (a PostgreSQL standby): projected on the leader, streamed to
it, read here and never written. A question that must see a write waits until the
replica's read models have reached that write's position, up to ``WAIT`` seconds; past it,
it is refused with 503 and when to ask again, rather than answered without the write."""

from __future__ import annotations

import time
from collections.abc import Sequence

from sqlalchemy import Engine

from ledger.errors import LedgerError
from projections.projection import tracked

WAIT = 5.0  # seconds a question waits for the replica to reach its position
POLL = 0.02
RETRY_AFTER = 1


class NotYetReplicated(LedgerError):
    """The replica's read models have not reached the position asked for in time."""

    status = 503
    retry_after = RETRY_AFTER


class Replica:
    def __init__(self, engine: Engine, read_models: Sequence[str], wait: float = WAIT) -> None:
        self.engine = engine
        self.read_models = list(read_models)
        self.wait = wait

    def position(self) -> int:
        """The position every read model on the replica has reached."""
        with self.engine.connect() as connection:
            found = tracked(connection)
        return min((found[name].position for name in self.read_models if name in found), default=0)

    def reached(self, position: int | None) -> None:
        """Returns once the read models have reached ``position`` (at once without one);
        ``NotYetReplicated`` after ``wait`` seconds."""
        if position is None:
            return
        deadline = time.monotonic() + self.wait
        while (found := self.position()) < position:
            if time.monotonic() >= deadline:
                raise NotYetReplicated(
                    "not_yet_replicated",
                    f"the replica answering questions has reached position {found}, not yet "
                    f"{position}: it is behind the leader; ask again shortly",
                    "position",
                )
            time.sleep(POLL)
