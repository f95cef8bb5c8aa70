"""Reading your writes by position (issue 23, point 6): every command's answer carries where
the log stood once it was recorded; a question given that position answers only once the read
models it reads have reached it — at once on the leader (it projects first), after waiting on
a replica, and with 503 ``not_yet_replicated`` and ``Retry-After`` when a replica takes too
long. The replica itself is tried on the real cluster (tests/e2e/test_failover.py); here one
stands in by reading the same database, its positions held back."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.http import create_app
from api.wiring import Ledger, open_ledger
from commands.settings import InvalidSetting, Settings
from projections.replica import NotYetReplicated, Replica
from tests.http.world import furnish
from tests.support import ex_warehousing


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    ledger = open_ledger(Settings(f"sqlite:///{tmp_path / 'bonded.db'}"))
    yield ledger
    ledger.close()


@pytest.fixture
def owner(ledger: Ledger) -> dict[str, str]:
    return {"Authorization": f"Bearer {furnish(ledger)['warehouse_owner']}"}


def test_a_command_answers_its_position_and_a_repeat_the_logs_head(
    ledger: Ledger, owner: dict[str, str]
) -> None:
    body = {k: v for k, v in ex_warehousing("D1/1", "5").items() if k != "command"}
    with TestClient(create_app(ledger)) as client:
        first = client.post(
            "/commands/ex_warehouse", json=body, headers={**owner, "Idempotency-Key": "k-1"}
        )
        assert first.status_code == 201, first.text
        head = ledger.service.store.head()
        assert first.json()["position"] == head
        client.post("/commands/ex_warehouse", json={**body, "quantity": "1"}, headers=owner)
        again = client.post(
            "/commands/ex_warehouse", json=body, headers={**owner, "Idempotency-Key": "k-1"}
        )
        assert again.status_code == 200
        assert again.json()["position"] == ledger.service.store.head() > head
        batch = client.post("/commands", json=[{**body, "command": "ex_warehouse"}], headers=owner)
        assert batch.json()["outcomes"][0]["position"] == ledger.service.store.head()
        on_leader = client.get("/balances", params={"position": head}, headers=owner)
        assert on_leader.status_code == 200  # the leader projects before answering anyway
        negative = client.get("/balances", params={"position": -1}, headers=owner)
        assert negative.status_code == 422
        beyond = client.get("/balances", params={"position": head + 10**6}, headers=owner)
        assert beyond.status_code == 409  # no write was answered with it: said at once
        assert (beyond.json()["code"], beyond.json()["field"]) == (
            "position_beyond_head",
            "/position",
        )


def test_a_replica_behind_a_position_waits_then_answers_503_with_retry_after(
    ledger: Ledger, owner: dict[str, str]
) -> None:
    ledger.project()
    head = ledger.service.store.head()
    names = [p.name for p in ledger.runner.projections]
    # a stand-in replica: the same read models, read without projecting, waiting 0.2 s at most
    replica = Replica(ledger.runner.engine, names, wait=0.2)
    assert replica.position() == head
    replica.reached(head)  # reached: at once
    with pytest.raises(NotYetReplicated):
        replica.reached(head + 1)
    reading = dataclasses.replace(ledger, replica=replica)
    replica.position = lambda: head - 1  # type: ignore[method-assign]  # behind the leader
    with TestClient(create_app(reading)) as client:
        answer = client.get("/balances", params={"position": head}, headers=owner)
        assert answer.status_code == 503, answer.text
        assert answer.headers["retry-after"] == "1"
        assert answer.headers["content-type"] == "application/problem+json"
        assert (answer.json()["code"], answer.json()["field"]) == (
            "not_yet_replicated",
            "/position",
        )
        on_time = client.get("/balances", params={"position": head - 1}, headers=owner)
        assert on_time.status_code == 200
        assert client.get("/balances", headers=owner).status_code == 200  # as the replica has it
        ready = client.get("/ready").json()
        assert ready["replica"] == {"position": head - 1, "lag": 1}  # for the monitoring


def test_a_replica_is_of_a_postgresql_database_only(tmp_path: Path) -> None:
    sqlite = f"sqlite:///{tmp_path / 'bonded.db'}"
    postgres = "postgresql+psycopg2://postgres@127.0.0.1:55411/bonded"
    for database, read in ((sqlite, postgres), (postgres, sqlite)):
        with pytest.raises(InvalidSetting, match="BONDED_READ_DATABASE_URL"):
            Settings(database, read_database_url=read)
    with pytest.raises(InvalidSetting, match="BONDED_READ_DATABASE_URL 'nonsense'"):
        Settings.from_env({"BONDED_DATABASE_URL": postgres, "BONDED_READ_DATABASE_URL": "nonsense"})
    found = Settings.from_env(
        {"BONDED_DATABASE_URL": postgres, "BONDED_READ_DATABASE_URL": postgres}
    )
    assert found.read_database_url == postgres
