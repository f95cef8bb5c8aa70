from __future__ import annotations

from collections.abc import Iterator

import pytest

from commands.settings import Settings
from commands.store import EventStore
from tests.support import Harness, world


@pytest.fixture
def store(database_url: str) -> Iterator[EventStore]:
    event_store = EventStore(Settings(database_url).event_store_env())
    yield event_store
    event_store.close()


@pytest.fixture
def ledger(store: EventStore) -> Harness:
    harness = Harness(store)
    harness.given(*world())
    return harness
