"""Unit tests run the real handlers and decisions on the library's in-memory recorder."""

from __future__ import annotations

import pytest

from commands.store import EventStore
from tests.support import Harness, world


@pytest.fixture
def memory_store() -> EventStore:
    return EventStore({"PERSISTENCE_MODULE": "eventsourcing.popo"})


@pytest.fixture
def ledger(memory_store: EventStore) -> Harness:
    harness = Harness(memory_store)
    harness.given(*world())
    return harness


@pytest.fixture
def ledger_2010() -> Harness:
    harness = Harness(EventStore({"PERSISTENCE_MODULE": "eventsourcing.popo"}), pack="vn-2010")
    harness.given(*world())
    return harness
