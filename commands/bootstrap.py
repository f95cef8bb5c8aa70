"""The composition root: settings in, a ready ``LedgerService`` out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from commands.service import LedgerService, utc_now
from commands.settings import Settings
from commands.store import EventStore
from ledger.rulepacks import load_pack


def bootstrap(
    settings: Settings | None = None, clock: Callable[[], datetime] = utc_now
) -> LedgerService:
    settings = settings or Settings.from_env()
    store = EventStore(settings.event_store_env())
    return LedgerService(store, load_pack(settings.rule_pack), clock)
