"""Each delivery goes only where the installation sends, on SQLite and PostgreSQL: the host is
resolved and checked again as the delivery connects (a name that resolved to a public address
when subscribed and to the loopback now is refused, recorded as failed, never connected to and
never tried again), the checked address is the one connected to with the URL's ``Host`` kept
(and over TLS its name asked and verified), redirects are not followed, an answer is read up to
a limit and a silent receiver times out.

Every receiver listens on loopback; made-up names resolve through a stand-in
(tests.resolution), and the public address a name resolves to at first is never connected to.
"""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import insert

from api.delivery import MAX_ANSWER_BYTES, CheckedTransport, DeliveryWorker
from api.wiring import Ledger, open_ledger
from commands.destinations import NOTHING_MORE, Allowance, check
from commands.settings import Settings
from ledger.roles import Role
from ledger.users import User
from projections import tables as t
from projections.outbox import deliveries_of, subscribe
from tests.resolution import stand_in

PUBLIC = "93.184.215.14"
LOOPBACK = Allowance.parse("127.0.0.0/8")
HUGE = 100 * 1024 * 1024  # what the talkative receiver would send: far beyond any buffer
CLERK = User("clerk", Role.AUDITOR)
NOW = datetime(2026, 7, 1, 3, 0, tzinfo=UTC)
WARNING = "overdue:lot:D1/1:2026-07-01"


class Receiver:
    """An HTTP receiver on loopback that counts the connections made to it and answers each
    POST with ``status``, ``headers`` and ``body_size`` bytes of body (as far as it can)."""

    def __init__(
        self, status: int = 204, headers: dict[str, str] | None = None, body_size: int = 0
    ) -> None:
        self.connections = 0
        self.hosts: list[str] = []
        self.sent = 0
        self.cut_off = threading.Event()  # the client stopped reading
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                receiver.hosts.append(self.headers["Host"])
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(body_size))
                self.end_headers()
                chunk = b"0" * 65536
                try:
                    while receiver.sent < body_size:
                        self.wfile.write(chunk)
                        receiver.sent += len(chunk)
                except OSError:
                    receiver.cut_off.set()

            def log_message(self, *args: object) -> None:
                pass

        class Server(HTTPServer):
            def verify_request(self, request: Any, client_address: Any) -> bool:
                receiver.connections += 1
                return True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def names(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    return stand_in(monkeypatch)


@pytest.fixture
def ledger(database_url: str) -> Iterator[Ledger]:
    ledger = open_ledger(Settings(database_url))
    ledger.runner.migrate()
    yield ledger
    ledger.close()


@pytest.fixture
def receivers() -> Iterator[list[Receiver]]:
    made: list[Receiver] = []
    yield made
    for receiver in made:
        receiver.close()


def subscribed_and_due(ledger: Ledger, url: str) -> str:
    """A subscription to ``url`` with one warning to deliver; its id."""
    subscription = subscribe(ledger.read_model, CLERK, url, "a-long-shared-secret", NOW)
    with ledger.read_model.engine.begin() as connection:
        body = json.dumps({"warning_id": WARNING})
        connection.execute(
            insert(t.warnings_known), {"warning_id": WARNING, "body": body, "known_at": NOW}
        )
        connection.execute(
            insert(t.deliveries),
            {
                "subscription_id": subscription["subscription_id"],
                "warning_id": WARNING,
                "created_at": NOW,
                "attempts": 0,
                "next_attempt_at": NOW,
            },
        )
    return str(subscription["subscription_id"])


def delivery(ledger: Ledger, subscription_id: str) -> dict[str, Any]:
    rows = deliveries_of(ledger.read_model.engine, CLERK, subscription_id)
    assert rows is not None and len(rows) == 1
    return rows[0]


def test_a_name_that_resolves_inward_by_delivery_time_is_refused_and_never_connected(
    ledger: Ledger, names: dict[str, list[str]], receivers: list[Receiver]
) -> None:
    receivers.append(inside := Receiver())
    url = f"http://hooks.example.vn:{inside.port}/hook"
    names["hooks.example.vn"] = [PUBLIC]
    assert check(url, NOTHING_MORE)  # public when subscribed
    subscription_id = subscribed_and_due(ledger, url)
    names["hooks.example.vn"] = ["127.0.0.1"]  # ... and the installation itself now
    clock = [NOW]
    worker = DeliveryWorker(ledger.read_model.engine, clock=lambda: clock[0])
    try:
        assert worker.run_once() == 0
        clock[0] += timedelta(days=30)
        assert worker.run_once() == 0  # not tried again
    finally:
        worker.close()
    assert inside.connections == 0 and inside.hosts == []
    row = delivery(ledger, subscription_id)
    assert row["attempts"] == 1 and row["delivered_at"] is None
    assert row["next_attempt_at"] is None and row["last_status"] is None
    assert row["last_error"].startswith(
        "not sent: hooks.example.vn resolves to an address that is not public"
    )


def test_the_checked_address_is_connected_to_with_the_urls_host(
    ledger: Ledger, names: dict[str, list[str]], receivers: list[Receiver]
) -> None:
    receivers.append(inside := Receiver())
    names["hooks.example.vn"] = ["127.0.0.1"]
    subscription_id = subscribed_and_due(ledger, f"http://hooks.example.vn:{inside.port}/hook")
    worker = DeliveryWorker(ledger.read_model.engine, allowance=LOOPBACK, clock=lambda: NOW)
    try:
        assert worker.run_once() == 1
    finally:
        worker.close()
    assert inside.hosts == [f"hooks.example.vn:{inside.port}"]
    assert delivery(ledger, subscription_id)["last_status"] == 204


def test_a_redirect_is_not_followed(
    ledger: Ledger, names: dict[str, list[str]], receivers: list[Receiver]
) -> None:
    receivers.append(elsewhere := Receiver())
    receivers.append(moved := Receiver(302, {"Location": f"http://127.0.0.1:{elsewhere.port}/"}))
    subscription_id = subscribed_and_due(ledger, f"http://127.0.0.1:{moved.port}/hook")
    worker = DeliveryWorker(ledger.read_model.engine, allowance=LOOPBACK, clock=lambda: NOW)
    try:
        assert worker.run_once() == 0
    finally:
        worker.close()
    assert moved.connections == 1 and elsewhere.connections == 0
    row = delivery(ledger, subscription_id)
    assert (row["last_status"], row["last_error"]) == (302, "the receiver answered 302")
    assert row["next_attempt_at"] is not None  # an answer not 2xx is tried again


def test_an_answer_is_read_up_to_the_limit_and_no_further(
    ledger: Ledger, receivers: list[Receiver]
) -> None:
    receivers.append(talkative := Receiver(200, body_size=HUGE))
    subscription_id = subscribed_and_due(ledger, f"http://127.0.0.1:{talkative.port}/hook")
    worker = DeliveryWorker(ledger.read_model.engine, allowance=LOOPBACK, clock=lambda: NOW)
    try:
        assert worker.run_once() == 1
    finally:
        worker.close()
    assert talkative.cut_off.wait(timeout=30)  # the receiver could not send it all
    assert MAX_ANSWER_BYTES <= talkative.sent < HUGE // 4, talkative.sent
    assert delivery(ledger, subscription_id)["last_status"] == 200


def test_a_receiver_that_never_answers_times_out(ledger: Ledger) -> None:
    with socket.create_server(("127.0.0.1", 0)) as silent:  # listens, accepts nothing, says nothing
        port = silent.getsockname()[1]
        subscription_id = subscribed_and_due(ledger, f"http://127.0.0.1:{port}/hook")
        worker = DeliveryWorker(
            ledger.read_model.engine, allowance=LOOPBACK, timeout=0.5, clock=lambda: NOW
        )
        started = time.monotonic()
        try:
            assert worker.run_once() == 0
        finally:
            worker.close()
        assert time.monotonic() - started < 10
    row = delivery(ledger, subscription_id)
    assert row["last_error"].startswith("ReadTimeout") and row["attempts"] == 1
    assert row["next_attempt_at"] is not None  # tried again later, as any failure


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl makes the certificate")
def test_https_goes_to_the_checked_address_verified_for_the_urls_name(
    names: dict[str, list[str]], receivers: list[Receiver], tmp_path: Path
) -> None:
    """The TLS server name, and the name the certificate is verified for, stay the URL's
    while the connection goes to the address checked; a certificate for another name fails."""
    key, certificate = tmp_path / "key.pem", tmp_path / "certificate.pem"
    name = "hooks.example.vn"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(certificate), "-subj", f"/CN={name}"),
            *("-addext", f"subjectAltName=DNS:{name}"),
        ],
        check=True,
        capture_output=True,
    )
    receivers.append(inside := Receiver())
    served = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    served.load_cert_chain(certificate, key)
    asked: list[str | None] = []

    def server_name(_socket: ssl.SSLObject, asked_for: str | None, _: ssl.SSLContext) -> None:
        asked.append(asked_for)

    served.sni_callback = server_name
    inside.server.socket = served.wrap_socket(inside.server.socket, server_side=True)
    names["hooks.example.vn"] = ["127.0.0.1"]
    names["other.example.vn"] = ["127.0.0.1"]
    trusted = ssl.create_default_context(cafile=str(certificate))
    transport = CheckedTransport(LOOPBACK, verify=trusted)
    with httpx.Client(transport=transport, timeout=10) as client:
        answer = client.post(f"https://hooks.example.vn:{inside.port}/hook", content=b"{}")
        assert answer.status_code == 204
        with pytest.raises(httpx.ConnectError, match="certificate verify failed"):
            client.post(f"https://other.example.vn:{inside.port}/hook", content=b"{}")
    assert asked == ["hooks.example.vn", "other.example.vn"]
    assert inside.hosts == [f"hooks.example.vn:{inside.port}"]
