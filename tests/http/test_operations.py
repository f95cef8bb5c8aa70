"""Operations (issue 20): ``/health`` and ``/ready`` for probes, one access-log line per
request with its user and never its token, a server error logged once under the id its problem
repeats, and what the server refuses before the app (an overlong URL or header, bytes that are
not HTTP) answered as a problem like every other error."""

from __future__ import annotations

import logging
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.http import create_app
from api.serving import PROTOCOL
from api.wiring import Ledger, open_ledger
from commands.settings import Settings
from tests.http.server import free_port, serving
from tests.http.world import furnish
from tests.support import ex_warehousing

PROBLEM = "application/problem+json"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "db").mkdir()
    return tmp_path / "db"


@pytest.fixture
def ledger(folder: Path) -> Iterator[Ledger]:
    ledger = open_ledger(Settings(f"sqlite:///{folder / 'bonded.db'}"))
    yield ledger
    ledger.close()


@pytest.fixture
def tokens(ledger: Ledger) -> dict[str, str]:
    return furnish(ledger)


@pytest.fixture
def client(ledger: Ledger) -> Iterator[TestClient]:
    with TestClient(create_app(ledger)) as client:
        yield client


def database_gone(ledger: Ledger, folder: Path) -> None:
    """The database stops answering: its connections closed, its folder removed (SQLite
    cannot open the file again), whoever runs the test."""
    ledger.read_model.engine.dispose()
    shutil.rmtree(folder)


def test_health_answers_without_a_token_or_the_database(
    ledger: Ledger, folder: Path, client: TestClient
) -> None:
    database_gone(ledger, folder)
    answer = client.get("/health")
    assert (answer.status_code, answer.json()) == (200, {"status": "alive"})


def test_ready_reports_each_read_models_lag(
    ledger: Ledger, tokens: dict[str, str], client: TestClient
) -> None:
    head = ledger.service.store.head()
    behind = client.get("/ready")  # no token
    assert behind.status_code == 200, behind.text
    assert behind.json()["status"] == "ready"
    assert behind.json()["head"] == head
    read_models = behind.json()["read_models"]
    assert {"lots", "reference", "audit_chain"} <= set(read_models)
    assert read_models["lots"]["lag"] == head - read_models["lots"]["position"]
    assert behind.json()["lag"] == max(r["lag"] for r in read_models.values()) > 0
    ledger.catch_up()
    caught_up = client.get("/ready").json()
    assert (caught_up["position"], caught_up["lag"]) == (head, 0)
    assert {r["lag"] for r in caught_up["read_models"].values()} == {0}


def test_ready_is_a_503_problem_when_the_database_does_not_answer(
    ledger: Ledger, folder: Path, client: TestClient
) -> None:
    assert client.get("/ready").status_code == 200
    database_gone(ledger, folder)
    answer = client.get("/ready")
    assert answer.status_code == 503
    assert answer.headers["content-type"].startswith(PROBLEM)
    assert answer.headers["retry-after"] == "5"
    assert answer.json()["code"] == "database_unavailable"
    assert client.get("/health").status_code == 200


def test_each_request_is_one_access_log_line_with_its_user_never_its_token(
    tokens: dict[str, str], client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bonded.access")
    owner = {"Authorization": f"Bearer {tokens['warehouse_owner']}"}
    stranger = {"Authorization": "Bearer auditor.not-its-secret-at-all"}
    sound = {k: v for k, v in ex_warehousing("D1/1", "5").items() if k != "command"}
    too_many = {**sound, "quantity": "1000"}
    asked: list[tuple[str, str, dict[str, str], Any, int, str | None]] = [
        ("GET", "/balances?lot=D1%2F1", owner, None, 200, "warehouse-owner"),
        ("POST", "/commands/ex_warehouse", owner, sound, 201, "warehouse-owner"),
        ("POST", "/commands/ex_warehouse", owner, too_many, 409, "warehouse-owner"),
        ("GET", f"/balances?token={tokens['auditor']}", owner, None, 422, None),  # unproved
        ("GET", "/balances", stranger, None, 401, None),
        ("GET", "/nowhere", {}, None, 404, None),
    ]
    for method, target, headers, body, status, _ in asked:
        answer = client.request(method, target, headers=headers, json=body)
        assert answer.status_code == status, answer.text
    lines = [r for r in caplog.records if r.name == "bonded.access"]
    assert len(lines) == len(asked)
    for line, (method, target, _, _, status, user) in zip(lines, asked, strict=True):
        fields: Any = line  # the line's fields, for a handler that writes JSON
        path = target.split("?")[0]
        assert (fields.method, fields.path, fields.status, fields.user) == (
            method,
            path,
            status,
            user,
        )
        assert fields.milliseconds >= 0
        assert line.getMessage().startswith(f"{method} {path} {status} ")
        assert line.getMessage().endswith(f"ms user={user or '-'}")
    for token in tokens.values():
        assert token.split(".")[1] not in caplog.text
    assert "not-its-secret-at-all" not in caplog.text


@contextmanager
def uvicorn_serving(app: FastAPI) -> Iterator[str]:
    """The app under a real uvicorn in this process, its logs reaching caplog."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, http=PROTOCOL, log_config=None, lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            assert thread.is_alive(), "uvicorn did not start"
            time.sleep(0.01)  # waiting for it to listen, not for timing
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_a_server_error_is_logged_once_under_the_id_its_problem_repeats(
    ledger: Ledger,
    tokens: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def fails() -> None:
        raise RuntimeError("the tracking table said something internal")

    monkeypatch.setattr(ledger, "catch_up", fails)
    caplog.set_level(logging.INFO)
    headers = {"Authorization": f"Bearer {tokens['auditor']}"}
    with uvicorn_serving(create_app(ledger)) as base:
        answer = httpx.get(f"{base}/balances", headers=headers, timeout=10)
    assert answer.status_code == 500
    assert answer.headers["content-type"].startswith(PROBLEM)
    problem = answer.json()
    assert problem["code"] == "internal_error"
    assert "tracking table" not in answer.text and "RuntimeError" not in answer.text
    error_id = problem["error_id"]
    assert len(error_id) >= 12 and error_id in problem["detail"]
    logged = [r for r in caplog.records if r.exc_info]
    assert len(logged) == 1, [r.getMessage() for r in logged]  # not again by uvicorn
    assert logged[0].name == "bonded.http" and error_id in logged[0].getMessage()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == logged
    access = [r.getMessage() for r in caplog.records if r.name == "bonded.access"]
    assert len(access) == 1 and access[0].startswith("GET /balances 500 ")
    assert access[0].endswith("user=auditor")


def raw(base: str, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Sends bytes as they are (httpx refuses a URL this long) and reads the whole answer."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in header_lines)
    return int(status_line.split()[1]), headers, body


def test_bonded_serve_answers_what_it_refuses_itself_as_problems(tmp_path: Path) -> None:
    with serving(f"sqlite:///{tmp_path / 'bonded.db'}", tmp_path) as base:
        long_query = b"GET /events?after=0&x=" + b"a" * 100_000 + b" HTTP/1.1\r\n"
        long_header = b"GET /events HTTP/1.1\r\nX-Long: " + b"a" * 100_000 + b"\r\n"
        cases = [
            (long_query + b"Host: x\r\n\r\n", 414, "uri_too_long"),
            (long_header + b"Host: x\r\n\r\n", 431, "header_fields_too_large"),
            (b"NOT HTTP AT ALL\r\n\r\n", 400, "malformed_request"),
        ]
        for request, status, code in cases:
            answered, headers, body = raw(base, request)
            assert (answered, headers["content-type"]) == (status, PROBLEM), body[:200]
            problem = httpx.Response(status, content=body).json()
            assert (problem["status"], problem["code"]) == (status, code)
        assert httpx.get(f"{base}/health").status_code == 200  # it goes on serving


def test_bonded_serve_logs_each_request_once_with_its_user(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'bonded.db'}"
    ledger = open_ledger(Settings(database_url))
    tokens = furnish(ledger)
    ledger.close()
    with serving(database_url, tmp_path) as base:
        port = base.rsplit(":", 1)[1]
        headers = {"Authorization": f"Bearer {tokens['auditor']}"}
        assert httpx.get(f"{base}/balances?lot=D1%2F1", headers=headers).status_code == 200
    log = (tmp_path / f"serve-{port}.log").read_text()
    assert "bonded.access GET /balances 200 " in log
    assert log.count("GET /balances") == 1  # uvicorn's own access log is off
    assert "user=auditor" in log
    assert tokens["auditor"].split(".")[1] not in log
