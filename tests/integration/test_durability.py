"""Durability stated and tested (issue 23, point 3): a commit the ledger acknowledges is on
disk — SQLite in WAL with ``synchronous=FULL``, PostgreSQL with ``synchronous_commit=on`` —
on every connection the event store and the read models take, whatever the server, the
database URL or the file said before."""

from __future__ import annotations

from urllib.parse import quote

from sqlalchemy import text

from commands.settings import Settings
from commands.store import EventStore
from tests.support import Harness, warehousing, world


def test_every_connection_commits_durably(database_url: str) -> None:
    url = database_url
    if url.startswith("postgresql"):  # a URL asking for less: the ledger asks for it again
        url += quote(" -csynchronous_commit=off")
    store = EventStore(Settings(url).event_store_env())
    try:
        ledger = Harness(store)
        ledger.given(*world(), warehousing("D1"))  # written: the SQLite file is in WAL now
        with store.engine.connect() as connection:
            if store.engine.dialect.name == "sqlite":
                assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
                assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
            else:
                assert connection.execute(text("SHOW synchronous_commit")).scalar() == "on"
    finally:
        store.close()
