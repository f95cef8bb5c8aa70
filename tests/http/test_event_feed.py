"""The event feed: every event in recorded order with its position, as CloudEvents, each
caller seeing what its scope covers; a reader that keeps its last position misses nothing and
sees nothing twice, however it pages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.http import create_app
from api.wiring import open_ledger
from commands.parsing import parse_command
from commands.settings import Settings
from tests.http.world import ROLES, furnish
from tests.support import ex_warehousing


@pytest.fixture
def feed(database_url: str) -> Iterator[tuple[TestClient, dict[str, str], Any]]:
    ledger = open_ledger(Settings(database_url))
    tokens = furnish(ledger)
    ledger.service.execute(parse_command(ex_warehousing("D1/1", "1", "2026-03-01")))
    ledger.service.execute(parse_command(ex_warehousing("D4/1", "1", "2026-03-01")))
    with TestClient(create_app(ledger)) as client:
        yield client, tokens, ledger
    ledger.close()


def read_all(client: TestClient, token: str, limit: int) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    after = 0
    while True:
        page = client.get(
            "/events",
            params={"after": after, "limit": limit},
            headers={"Authorization": f"Bearer {token}"},
        ).json()
        events += page["events"]
        if page["next"] == after:
            return events
        after = page["next"]


def test_each_role_reads_its_part_of_the_log_in_order(
    feed: tuple[TestClient, dict[str, str], Any],
) -> None:
    client, tokens, ledger = feed
    head = ledger.service.store.head()
    everything = read_all(client, tokens["auditor"], 1000)
    assert [e["position"] for e in everything] == list(range(1, head + 1))
    assert everything[0]["specversion"] == "1.0" and everything[0]["id"] == "1"
    subjects: dict[str, set[str]] = {}
    for role in ROLES:
        small_pages = read_all(client, tokens[role], 3)
        assert small_pages == read_all(client, tokens[role], 1000)  # paging changes nothing
        positions = [e["position"] for e in small_pages]
        assert positions == sorted(set(positions))  # in order, never twice
        subjects[role] = {e["subject"] for e in small_pages}
    lots = {role: {s for s in subjects[role] if s.startswith("lot:")} for role in ROLES}
    assert lots["warehouse_owner"] == lots["customs_officer"] == {"lot:D1/1"}
    assert lots["goods_owner"] == lots["provincial_inspector"] == {"lot:D1/1"}
    assert lots["auditor"] == {"lot:D1/1", "lot:D4/1"}
    assert lots["admin"] == set()
    assert {s.split(":")[0] for s in subjects["admin"]} == {
        "enterprise",
        "warehouse",
        "contract",
        "user",
    }
    assert "declaration:D4" not in subjects["warehouse_owner"]
    assert "declaration:D1" in subjects["warehouse_owner"]
    moved = next(e for e in everything if e["type"] == "vn.bonded-ledger.LotExWarehoused")
    assert moved["data"]["quantity"] == "1" and moved["data"]["lot_id"] == "D1/1"


def test_reading_after_the_head_waits_for_new_events(
    feed: tuple[TestClient, dict[str, str], Any],
) -> None:
    client, tokens, ledger = feed
    auth = {"Authorization": f"Bearer {tokens['auditor']}"}
    head = ledger.service.store.head()
    page = client.get("/events", params={"after": head}, headers=auth).json()
    assert (page["events"], page["next"], page["head"]) == ([], head, head)
    ledger.service.execute(parse_command(ex_warehousing("D1/1", "2", "2026-03-02")))
    page = client.get("/events", params={"after": head}, headers=auth).json()
    assert [e["position"] for e in page["events"]] == [head + 1]


def test_only_an_auditor_reads_the_audit_digest(
    feed: tuple[TestClient, dict[str, str], Any],
) -> None:
    client, tokens, ledger = feed
    for role in ROLES:
        answer = client.get("/audit/digest", headers={"Authorization": f"Bearer {tokens[role]}"})
        assert answer.status_code == (200 if role == "auditor" else 403), role
    head = client.get("/audit/digest", headers={"Authorization": f"Bearer {tokens['auditor']}"})
    assert head.json()["position"] == ledger.service.store.head() == head.json()["count"]


def test_the_periodic_report_over_http_by_role_and_format(
    feed: tuple[TestClient, dict[str, str], Any],
) -> None:
    client, tokens, _ = feed
    asked = {"warehouse": "W1", "period": "2026-Q1"}
    expected = {
        "warehouse_owner": 200,
        "goods_owner": 403,
        "customs_officer": 200,
        "provincial_inspector": 200,
        "auditor": 200,
        "admin": 403,
    }
    for role, status in expected.items():
        auth = {"Authorization": f"Bearer {tokens[role]}"}
        assert client.get("/reports/periodic", params=asked, headers=auth).status_code == status
    owner = {"Authorization": f"Bearer {tokens['warehouse_owner']}"}
    other = client.get("/reports/periodic", params={**asked, "warehouse": "W4"}, headers=owner)
    assert other.status_code == 403
    (row,) = client.get("/reports/periodic", params=asked, headers=owner).json()["rows"]
    assert (row["opening"], row["in"]["warehoused"], row["out"]["abroad"]) == ("0", "100", "1")
    sheet = client.get(
        "/reports/periodic",
        params=asked,
        headers={
            **owner,
            "Accept": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        },
    )
    assert sheet.content[:2] == b"PK"  # a zip: the XLSX
    bad = client.get("/reports/periodic", params={**asked, "period": "2026-Q9"}, headers=owner)
    assert (bad.status_code, bad.json()["field"]) == (422, "/period")


def test_the_inspection_pack_over_http_by_role_and_format(
    feed: tuple[TestClient, dict[str, str], Any],
) -> None:
    client, tokens, _ = feed
    asked = {"province": "Ho Chi Minh City", "year": "2026"}
    expected = {
        "warehouse_owner": 403,
        "goods_owner": 403,
        "customs_officer": 403,
        "provincial_inspector": 200,  # of Ho Chi Minh City
        "auditor": 200,
        "admin": 200,
    }
    for role, status in expected.items():
        auth = {"Authorization": f"Bearer {tokens[role]}"}
        answer = client.get("/inspections", params=asked, headers=auth)
        assert answer.status_code == status, (role, answer.text)
        if status == 403:
            assert answer.headers["content-type"] == "application/problem+json"
    inspector = {"Authorization": f"Bearer {tokens['provincial_inspector']}"}
    elsewhere = client.get(
        "/inspections", params={**asked, "province": "Ha Noi"}, headers=inspector
    )
    assert (elsewhere.status_code, elsewhere.json()["field"]) == (403, "/province")
    pack = client.get("/inspections", params=asked, headers=inspector).json()
    assert [w["warehouse_id"] for w in pack["warehouses"]] == ["W1", "W2"]
    page = client.get("/inspections", params=asked, headers={**inspector, "Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html") and "W1" in page.text
    sheet = client.get(
        "/inspections",
        params=asked,
        headers={
            **inspector,
            "Accept": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        },
    )
    assert sheet.content[:2] == b"PK"
    auditor = {"Authorization": f"Bearer {tokens['auditor']}"}
    unknown = client.get("/inspections", params={**asked, "province": "Da Nang"}, headers=auditor)
    assert unknown.status_code == 404
    future = client.get("/inspections", params={**asked, "year": "2999"}, headers=auditor)
    assert (future.status_code, future.json()["field"]) == (422, "/year")


def test_a_position_beyond_the_head_is_refused_with_what_to_do(
    feed: tuple[TestClient, dict[str, str], Any],
) -> None:
    """A reader holding a position the log no longer reaches (it lost events: restored from
    an older backup, or failed over to a server that lacked them) is told to read again from
    0, not answered an empty page it would wait on for ever."""
    client, tokens, ledger = feed
    head = ledger.service.store.head()
    headers = {"Authorization": f"Bearer {tokens['auditor']}"}
    assert client.get("/events", params={"after": head}, headers=headers).json()["events"] == []
    beyond = client.get("/events", params={"after": head + 5}, headers=headers)
    assert beyond.status_code == 409
    assert beyond.headers["content-type"] == "application/problem+json"
    problem = beyond.json()
    assert (problem["code"], problem["field"]) == ("position_beyond_head", "/after")
    assert f"beyond the log's head {head}" in problem["detail"]
    assert "from position 0" in problem["detail"]
