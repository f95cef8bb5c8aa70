"""Warnings pushed (DOMAIN.md §8), on both backends: a real receiver on loopback that fails
its first attempts; every warning in the subscriber's scope arrives, signed, none is lost,
and a duplicate carries the same warning_id. The worker is driven turn by turn at a clock
the test moves, so no test waits on time."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from api.callers import user_named
from api.delivery import DeliveryWorker
from api.wiring import Ledger, open_ledger
from commands.destinations import Allowance
from commands.parsing import parse_command
from commands.settings import Settings
from ledger.roles import Role
from ledger.users import User
from projections.outbox import deliveries_of, make_known, subscribe
from tests.support import (
    OWNER_A,
    OWNER_B,
    goods_list,
    licence,
    line,
    order,
    warehousing,
    world,
)

SECRET = "a-secret-of-the-subscriber"
LOOPBACK = Allowance.parse("127.0.0.0/8")  # the receivers here; nothing else is allowed


class Receiver:
    """An HTTP receiver that answers 503 to its first ``failures`` requests, then 204."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.received: list[tuple[dict[str, Any], str, str]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                signature = self.headers["X-Bonded-Signature"]
                receiver.received.append((json.loads(body), signature, body.decode()))
                failing = len(receiver.received) <= receiver.failures
                self.send_response(503 if failing else 204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def shop(database_url: str) -> Iterator[Ledger]:
    ledger = open_ledger(Settings(database_url))
    ledger.runner.migrate()
    for command in [
        *world(),
        warehousing("D1", line(1, "100")),
        warehousing("D2", line(1, "100"), goods_owner_tax_code=OWNER_B, contract_no="C-B-W1"),
        goods_list(),
        licence("L1", "100"),
    ]:
        ledger.service.execute(parse_command(command))
    yield ledger
    ledger.close()


def test_every_warning_arrives_signed_despite_failures(shop: Ledger) -> None:
    clock = [datetime.now(UTC)]
    owner_a = User("a-clerk", Role.GOODS_OWNER, enterprise=OWNER_A)
    receiver = Receiver(failures=3)
    engine = shop.read_model.engine
    users = {"a-clerk": owner_a}
    subscription = subscribe(shop.read_model, owner_a, receiver.url, SECRET, clock[0])
    worker = DeliveryWorker(engine, allowance=LOOPBACK, base=1.0, cap=30.0, clock=lambda: clock[0])
    try:
        shop.catch_up()
        made = make_known(shop.read_model, users.get, clock[0])
        # L1 down to 5 of 100 makes licence_low known, in OWNER_A's scope
        shop.service.execute(parse_command(order("O-1", "95", lot_id="D1/1")))
        shop.catch_up()
        made += make_known(shop.read_model, users.get, clock[0])
        again = make_known(shop.read_model, users.get, clock[0])
        expected = {w["warning_id"] for w in shop.read_model.warnings(owner_a, _today(clock[0]))}
        assert made > 0 and again == 0
        assert any(w.startswith("licence_low:licence:L1") for w in expected)
        for _ in range(40):  # turns of the worker, the clock moved past each back-off
            worker.run_once()
            clock[0] += timedelta(seconds=40)
        delivered = {body["warning_id"] for body, _, _ in receiver.received}
        assert delivered == expected  # none lost, none outside the subscriber's scope
        for _, signature, raw in receiver.received:
            digest = hmac.new(SECRET.encode(), raw.encode(), hashlib.sha256).hexdigest()
            assert signature == f"sha256={digest}"
        assert len(receiver.received) == len(expected) + 3  # the failed attempts came again
        failed_ids = [body["warning_id"] for body, _, _ in receiver.received[:3]]
        assert set(failed_ids) <= delivered  # a duplicate carries the same warning_id
        rows = deliveries_of(engine, owner_a, subscription["subscription_id"])
        assert rows is not None and all(r["delivered_at"] for r in rows)
        assert sum(r["attempts"] for r in rows) == len(expected) + 3
        assert any(r["last_error"] is None and r["attempts"] > 1 for r in rows)
        # nobody else's subscription sees OWNER_A's warnings
        assert (
            deliveries_of(
                engine,
                User("x", Role.GOODS_OWNER, enterprise=OWNER_B),
                subscription["subscription_id"],
            )
            is None
        )
        assert user_named(shop.service.store, "nobody") is None

        # a subscriber who comes later starts with the warnings standing in its scope
        latecomer = Receiver(failures=0)
        try:
            subscribe(shop.read_model, owner_a, latecomer.url, SECRET, clock[0])
            worker.run_once()
            assert {body["warning_id"] for body, _, _ in latecomer.received} == expected
        finally:
            latecomer.close()
    finally:
        worker.close()
        receiver.close()


def _today(now: datetime) -> Any:
    from ledger.calendar import local_date
    from projections.answers import When

    return When(local_date(now))
