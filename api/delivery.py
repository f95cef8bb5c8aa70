"""The delivery worker: sends each warning in the outbox to its subscription's URL, signed,
until the receiver answers 2xx (DOMAIN.md §8).

Each POST carries the warning as JSON, ``X-Bonded-Signature: sha256=<HMAC-SHA256 of the body
with the subscription's secret>`` and ``X-Bonded-Warning-Id``. A failure (no answer, or not
2xx) is tried again after a back-off that doubles from ``base`` up to ``cap``, with jitter.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import Engine

from projections.outbox import Due, due_deliveries, record_attempt

log = logging.getLogger("bonded.delivery")


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class DeliveryWorker:
    def __init__(
        self,
        engine: Engine,
        *,
        base: float = 2.0,
        cap: float = 3600.0,
        timeout: float = 10.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.base = base
        self.cap = cap
        self.clock = clock
        self.client = httpx.Client(timeout=timeout, follow_redirects=False)

    def back_off(self, attempts: int) -> timedelta:
        """After the n-th failed attempt: base × 2^(n-1), at most cap, less up to a quarter."""
        seconds = min(self.cap, self.base * 2 ** max(attempts - 1, 0))
        return timedelta(seconds=seconds * random.uniform(0.75, 1.0))

    def run_once(self) -> int:
        """Tries every delivery due now; returns how many were delivered."""
        delivered = 0
        for due in due_deliveries(self.engine, self.clock()):
            delivered += self._send(due)
        return delivered

    def _send(self, due: Due) -> int:
        body = due.body.encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            "X-Bonded-Signature": signature(due.secret, body),
            "X-Bonded-Warning-Id": due.warning_id,
        }
        status: int | None = None
        error: str | None = None
        try:
            response = self.client.post(due.url, content=body, headers=headers)
            status = response.status_code
            if not 200 <= status < 300:
                error = f"the receiver answered {status}"
        except httpx.HTTPError as failure:
            error = f"{type(failure).__name__}: {failure}"[:500]
        now = self.clock()
        retry = None if error is None else now + self.back_off(due.attempts + 1)
        record_attempt(self.engine, due, now, status, error, retry)
        return 1 if error is None else 0

    def close(self) -> None:
        self.client.close()


class Pusher:
    """In the server: makes new warnings known after the read models move, and at least once
    a minute (a day passing raises warnings too); then delivers what is due."""

    def __init__(
        self,
        make_known: Callable[[], int],
        worker: DeliveryWorker,
        poll_seconds: float = 1.0,
        sweep_seconds: float = 60.0,
    ) -> None:
        self.make_known = make_known
        self.worker = worker
        self.poll_seconds = poll_seconds
        self.sweep_seconds = sweep_seconds
        self.stopped = threading.Event()
        self.moved = threading.Event()
        self.thread = threading.Thread(target=self._run, name="warnings", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=15)
        self.worker.close()

    def _run(self) -> None:
        last_sweep = 0.0
        while not self.stopped.is_set():
            try:
                if self.moved.is_set() or time.monotonic() - last_sweep > self.sweep_seconds:
                    self.moved.clear()
                    last_sweep = time.monotonic()
                    self.make_known()
                self.worker.run_once()
            except Exception:
                log.exception("warnings: tried again on the next turn")
            self.stopped.wait(self.poll_seconds)
