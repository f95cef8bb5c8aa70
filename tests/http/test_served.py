"""The HTTP API through a real uvicorn on loopback, on SQLite and PostgreSQL: what a newcomer
does with curl, and what must never happen (a refused request recording anything)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.wiring import open_ledger
from commands.models import ACCOUNT_COMMANDS
from commands.settings import Settings
from ledger.intents import RevokeTokens
from tests.http.server import serving
from tests.http.world import furnish
from tests.support import ex_warehousing, hold


class Served:
    def __init__(self, base: str, tokens: dict[str, str], database_url: str) -> None:
        self.base = base
        self.tokens = tokens
        self.database_url = database_url

    def as_(self, role: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.base,
            headers={"Authorization": f"Bearer {self.tokens[role]}"},
            timeout=30,
        )

    def head(self) -> int:
        ledger = open_ledger(Settings(self.database_url))
        try:
            return ledger.service.store.head()
        finally:
            ledger.close()


@pytest.fixture
def served(database_url: str, tmp_path: Path) -> Iterator[Served]:
    ledger = open_ledger(Settings(database_url))
    tokens = furnish(ledger)
    ledger.close()
    # subscriptions to receivers on loopback (a refused one: tests/http/test_subscriptions.py)
    allow = {"BONDED_WEBHOOK_ALLOW": "127.0.0.0/8,::1,localhost"}
    with serving(database_url, tmp_path, settings=allow) as base:
        yield Served(base, tokens, database_url)


def body(**extra: Any) -> dict[str, Any]:
    command = ex_warehousing("D1/1", "5", "2026-07-01")
    del command["command"]  # the route names it
    return {**command, **extra}


def on_hand(client: httpx.Client, lot_id: str) -> str:
    rows = client.get("/balances", params={"lot": lot_id}).json()
    return str(rows[0]["on_hand"]) if rows else "0"


def test_record_then_read_your_write_then_repeat(served: Served) -> None:
    with served.as_("warehouse_owner") as owner:
        assert on_hand(owner, "D1/1") == "100"
        first = owner.post(
            "/commands/ex_warehouse", json=body(), headers={"Idempotency-Key": "k-1"}
        )
        assert first.status_code == 201, first.text
        assert first.json() == {
            "command": "ex_warehouse",
            "status": "applied",
            "result": {"lot_id": "D1/1"},
            "position": first.json()["position"],  # where the log stood (test_positions.py)
        }
        assert isinstance(first.json()["position"], int)
        assert on_hand(owner, "D1/1") == "95"  # the very next read sees it
        again = owner.post(
            "/commands/ex_warehouse", json=body(), headers={"Idempotency-Key": "k-1"}
        )
        assert (again.status_code, again.json()["result"]) == (200, first.json()["result"])
        other = owner.post(
            "/commands/ex_warehouse", json=body(quantity="6"), headers={"Idempotency-Key": "k-1"}
        )
        assert (other.status_code, other.json()["code"]) == (409, "command_id_reused")
        assert on_hand(owner, "D1/1") == "95"
        csv = owner.get("/clocks", params={"warehouse": "W1"}, headers={"Accept": "text/csv"})
        assert csv.headers["content-type"].startswith("text/csv")
        assert csv.content.decode("utf-8-sig").splitlines()[0] == (  # behind a BOM, for Excel
            "lot_id,warehouse_id,first_warehoused_on,deadline,days_in_storage,days_left,status"
        )


def test_refusals_are_problems_and_record_nothing(served: Served) -> None:
    before = served.head()
    with served.as_("warehouse_owner") as owner:
        cases = [
            (owner.post("/commands/ex_warehouse", json=body(quantity="1000")), 409, "/quantity"),
            (owner.post("/commands/ex_warehouse", json=body(colour="red")), 422, "/colour"),
            (owner.post("/commands/ex_warehouse", json=body(quantity="-1")), 422, "/quantity"),
            (owner.post("/commands/ex_warehouse", content=b"{not json"), 422, None),
            (owner.post("/commands/place_hold", json={}), 403, None),
            (owner.get("/balances", params={"warehouse": "W4"}), 403, "/warehouse"),
            (owner.get("/lots/D4%2F1/stock-card"), 404, "/lot_id"),
            (owner.get("/balances", params={"as_of": "30/06/2026"}), 422, "/as_of"),
            (owner.get("/balances", params={"colour": "red"}), 422, "/colour"),
            (owner.get("/balances?lot=D1%2F1&lot=D1%2F2"), 422, "/lot"),
            (owner.get("/balances", params={"lot": ""}), 422, "/lot"),
            (owner.post("/commands/ex_warehouse", content=b" " * (1 << 20) + b"{}"), 413, None),
        ]
        for response, status, field in cases:
            assert response.status_code == status, response.text
            assert response.headers["content-type"] == "application/problem+json"
            problem = response.json()
            assert problem["status"] == status and problem["code"] and problem["detail"]
            assert problem["field"] == field, problem
    anonymous = httpx.get(f"{served.base}/balances")
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"] == "Bearer"
    forged = httpx.get(
        f"{served.base}/balances",
        headers={"Authorization": "Bearer warehouse-owner.forged-secret-xxxx"},
    )
    assert forged.status_code == 401
    assert served.head() == before


def test_a_revoked_token_stops_at_once(served: Served) -> None:
    with served.as_("auditor") as auditor:
        assert auditor.get("/balances").status_code == 200
        ledger = open_ledger(Settings(served.database_url))
        revoke = ACCOUNT_COMMANDS[RevokeTokens].model_validate({"name": "auditor"})
        ledger.service.execute(revoke)
        ledger.close()
        assert auditor.get("/balances").status_code == 401


def test_a_batch_answers_line_by_line(served: Served) -> None:
    lines = [
        {"command": "ex_warehouse", **body(quantity="1")},
        {"command": "ex_warehouse", **body(quantity="1000")},
        hold("D1/1", "2026-07-02"),  # a customs officer's
        {"command": "ex_warehouse", **body(quantity="2")},
    ]
    ndjson = "\n".join(json.dumps(line) for line in lines).encode()
    with served.as_("warehouse_owner") as owner:
        answer = owner.post(
            "/commands", content=ndjson, headers={"Content-Type": "application/x-ndjson"}
        )
        assert answer.status_code == 200, answer.text
        outcome = answer.json()
        assert (outcome["applied"], outcome["refused"]) == (2, 2)
        statuses = [
            (o["status"], (o.get("problem") or {}).get("status")) for o in outcome["outcomes"]
        ]
        assert statuses == [
            ("applied", None),
            ("refused", 409),
            ("refused", 403),
            ("applied", None),
        ]
        assert on_hand(owner, "D1/1") == "97"
        as_array = owner.post("/commands", json=lines[:1])
        assert as_array.json()["applied"] == 1
        assert on_hand(owner, "D1/1") == "96"


def test_the_api_docs_page_needs_nothing_but_this_server(served: Served) -> None:
    """``/docs`` loads Swagger UI from the package, not a CDN: every script, style sheet and
    icon it names is a path of this server, and each answers; the validator badge (a call to
    validator.swagger.io) is off; ReDoc, which only a CDN would serve, is not offered."""
    page = httpx.get(f"{served.base}/docs")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assets = re.findall(r"""(?:src|href)=['"]([^'"]+)['"]""", page.text)
    assert assets and all(a.startswith("/static/") for a in assets), assets
    assert '"validatorUrl": null' in page.text
    assert "cdn" not in page.text.lower()
    for asset in assets:
        answer = httpx.get(f"{served.base}{asset}")
        assert answer.status_code == 200 and len(answer.content) > 100, asset
    assert httpx.get(f"{served.base}/redoc").status_code == 404


def test_the_openapi_document_describes_every_operation(served: Served) -> None:
    document = httpx.get(f"{served.base}/openapi.json").json()
    assert httpx.get(f"{served.base}/docs").status_code == 200
    operations = [
        (path, method, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]
    assert len(operations) >= 18 + 1 + 5
    summaries = [operation["summary"] for _, _, operation in operations]
    assert len(set(summaries)) == len(summaries)  # each says what it does
    for path, _, operation in operations:
        assert operation.get("summary"), path
        assert "422" in operation["responses"], path
        if operation.get("security") != []:  # every route but the probes takes a token
            assert "401" in operation["responses"], path
        if path.startswith("/commands/"):
            content = operation["requestBody"]["content"]["application/json"]
            assert content["schema"]["properties"] and content["example"], path
            assert {"201", "200", "403", "404", "409", "413"} <= set(operation["responses"])


def test_a_subscription_is_its_subscribers_alone(served: Served) -> None:
    """What README's curl does (a form Content-Type, a JSON body) subscribes; a bad URL is a
    problem naming the field; deliveries and cancelling are the subscriber's alone."""
    with served.as_("warehouse_owner") as owner, served.as_("auditor") as other:
        made = owner.post(
            "/subscriptions",
            content=json.dumps({"url": "http://127.0.0.1:9/hook", "secret": "s" * 20}),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert made.status_code == 201, made.text
        subscription = made.json()["subscription_id"]

        bad = owner.post("/subscriptions", json={"url": "ftp://x.vn/a", "secret": "s" * 20})
        assert bad.status_code == 422
        assert bad.headers["content-type"].startswith("application/problem+json")
        assert (bad.json()["code"], bad.json()["field"]) == ("invalid_subscription", "/url")
        short = owner.post("/subscriptions", json={"url": "http://x.vn/a", "secret": "short"})
        assert (short.status_code, short.json()["field"]) == (422, "/secret")

        assert owner.get(f"/subscriptions/{subscription}/deliveries").status_code == 200
        assert other.get(f"/subscriptions/{subscription}/deliveries").status_code == 404
        assert other.delete(f"/subscriptions/{subscription}").status_code == 404
        assert owner.delete(f"/subscriptions/{subscription}").status_code == 204
        assert owner.delete(f"/subscriptions/{subscription}").status_code == 204  # idempotent


def test_a_rebuild_while_the_server_serves_and_records(served: Served, tmp_path: Path) -> None:
    """`bonded projections rebuild` beside a running server that records and answers: the
    rebuild succeeds, every answer meanwhile has every lot, and every write is seen."""
    import os
    import subprocess
    import threading

    from tests.e2e.test_cli_apply import BONDED

    stop = threading.Event()
    posted: list[int] = []
    seen: list[tuple[int, frozenset[str]]] = []

    def record() -> None:
        with served.as_("warehouse_owner") as owner:
            for n in range(90):
                if stop.is_set():
                    return
                one = body(quantity="1", command_id=f"rebuild-{n}")
                posted.append(owner.post("/commands/ex_warehouse", json=one).status_code)

    def ask() -> None:
        with served.as_("warehouse_owner") as owner:
            while not stop.is_set():
                answer = owner.get("/balances")
                lots = frozenset(r["lot_id"] for r in answer.json()) if answer.is_success else None
                seen.append((answer.status_code, lots or frozenset()))

    environment = {k: v for k, v in os.environ.items() if not k.startswith("BONDED_")}
    environment["BONDED_DATABASE_URL"] = served.database_url
    threads = [threading.Thread(target=work) for work in (record, ask)]
    for thread in threads:
        thread.start()
    try:
        rebuilds = [
            subprocess.run(
                [BONDED, "projections", "rebuild", *only],
                cwd=tmp_path,
                env=environment,
                capture_output=True,
                text=True,
                timeout=120,
            )
            for only in ([], ["--only", "lots"], [])
        ]
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert [r.returncode for r in rebuilds] == [0, 0, 0], [r.stderr for r in rebuilds]
    assert posted and set(posted) == {201}
    assert {status for status, _ in seen} == {200}
    assert len({lots for _, lots in seen}) == 1 and seen[0][1]  # never empty or partial
    with served.as_("warehouse_owner") as owner:
        assert on_hand(owner, "D1/1") == str(100 - len(posted))


def test_an_answer_read_a_page_at_a_time_by_its_next_links(served: Served) -> None:
    """``limit`` and ``after`` over HTTP: each page links to the next (RFC 8288, ``Link:
    <...>; rel="next"``) while more rows follow, in JSON and in CSV; the pages together are
    the whole answer. Bounds and unknown statuses are refused as problems."""
    with served.as_("auditor") as client:
        whole = client.get("/balances").json()
        assert len(whole) == 2
        rows, url = [], "/balances?limit=1"
        while url:
            answer = client.get(url)
            assert answer.status_code == 200
            rows += answer.json()
            link = answer.headers.get("link")
            url = re.fullmatch(r'<([^>]+)>; rel="next"', link).group(1) if link else ""
            assert len(answer.json()) == 1
        assert rows == whole
        first = client.get("/balances?limit=1", headers={"Accept": "text/csv"})
        assert first.headers["content-type"].startswith("text/csv")
        assert "after=D1%2F1" in first.headers["link"]
        for bad, field in (("limit=0", "limit"), ("limit=10001", "limit"), ("after=", "after")):
            refused = client.get(f"/clocks?{bad}")
            assert refused.status_code == 422, bad
            assert refused.headers["content-type"] == "application/problem+json"
            assert field in refused.text
        unknown = client.get("/settlements?status=open,awaiting")
        assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_status"
        assert "awaiting_settlement" in unknown.json()["detail"]
