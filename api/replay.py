"""Replay: every read model as the ledger knew it at a moment, rebuilt in a scratch database.

The stored events recorded up to that moment are copied there exactly as stored
(``commands.copying``), then projected from scratch; the source is only read.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from api.wiring import Ledger
from commands.copying import copy_stored, last_position_known_at


def replay(
    source: Ledger,
    target: Ledger,
    moment: datetime,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[int, int]:
    """Copies the events known at ``moment`` into ``target`` (which must hold none) and
    projects them: (the last position copied, events projected)."""
    if target.service.store.head():
        raise ValueError("the target database already holds events: replay into an empty one")
    until = last_position_known_at(source.service.store, moment)
    copy_stored(source.service.store, target.service.store, until, progress)
    return until, target.runner.rebuild()
