"""`GET /audit/digest` on a log the hash chain has not reached: the head covers every stored
event, chained first or, by a server whose database takes no writes, hashed directly from the
store, and says how many it covered of how many are stored; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.http import create_app
from api.wiring import Ledger, open_ledger
from commands.parsing import parse_command
from commands.settings import Settings
from tests.e2e.test_cli_audit import EVENTS, read_only
from tests.http.world import furnish
from tests.support import ex_warehousing


@pytest.fixture
def recorded(database_url: str) -> Iterator[tuple[Ledger, dict[str, str]]]:
    """A ledger whose events no read model has followed."""
    ledger = open_ledger(Settings(database_url))
    tokens = furnish(ledger)
    ledger.service.execute(parse_command(ex_warehousing("D1/1", "1", "2026-03-01")))
    yield ledger, tokens
    ledger.close()


def stored(ledger: Ledger) -> tuple[int, int]:
    with ledger.runner.engine.connect() as connection:
        found = connection.execute(text(f"SELECT count(*), max(id) FROM {EVENTS}")).one()
    return int(found[0]), int(found[1])


def asked(ledger: Ledger, token: str) -> dict[str, Any]:
    with TestClient(create_app(ledger)) as client:
        answer = client.get("/audit/digest", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def test_the_digest_chains_every_stored_event_first_and_says_so(
    recorded: tuple[Ledger, dict[str, str]],
) -> None:
    ledger, tokens = recorded
    count, head = stored(ledger)
    assert ledger.runner.status().lag_of("audit_chain") == head
    digest = asked(ledger, tokens["auditor"])
    assert (digest["position"], digest["covered"], digest["stored"]) == (head, count, count)
    assert digest["count"] == count
    assert ledger.runner.status().lag_of("audit_chain") == 0


def test_a_server_that_cannot_write_hashes_the_unchained_tail_directly(
    recorded: tuple[Ledger, dict[str, str]], database_url: str
) -> None:
    ledger, tokens = recorded
    ledger.runner.migrate()  # the read models' schema is in place (a server migrates on start)
    count, head = stored(ledger)
    reader = open_ledger(Settings(read_only(database_url)))
    try:
        direct = asked(reader, tokens["auditor"])
    finally:
        reader.close()
    assert (direct["position"], direct["covered"], direct["stored"]) == (head, count, count)
    assert ledger.runner.status().lag_of("audit_chain") == head  # nothing was chained
    chained = asked(ledger, tokens["auditor"])  # now chained by a server that can write
    assert (chained["position"], chained["hash"]) == (direct["position"], direct["hash"])
