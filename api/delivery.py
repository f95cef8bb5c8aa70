"""The delivery worker: sends each warning in the outbox to its subscription's URL, signed,
until the receiver answers 2xx (DOMAIN.md §8).

Each POST carries the warning as JSON, ``X-Bonded-Signature: sha256=<HMAC-SHA256 of the body
with the subscription's secret>`` and ``X-Bonded-Warning-Id``. A failure (no answer, or not
2xx) is tried again after a back-off that doubles from ``base`` up to ``cap``, with jitter.

Only where the installation sends (``commands.destinations``): each delivery resolves its
URL's host as it connects, checks every address, and connects to the address it checked (the
``Host`` header and TLS name stay the URL's), so a name that resolves elsewhere since it was
subscribed cannot turn a delivery inward. One refused is a failed attempt, never tried again.
Redirects are not followed; each delivery has a timeout, and at most ``max_answer`` bytes of
the answer are read.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import random
import ssl
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import Engine

from commands import destinations
from commands.destinations import NOTHING_MORE, Allowance, DestinationRefused, Resolve
from commands.faults import Outage
from projections.outbox import Due, due_deliveries, give_up, record_attempt

log = logging.getLogger("bonded.delivery")

MAX_ANSWER_BYTES = 64 * 1024  # of a receiver's answer, read and dropped: only its status counts


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class CheckedTransport(httpx.BaseTransport):
    """Connects only where the installation sends: resolves the request's host, checks every
    address it resolves to, and hands the request on to the first of them, named by its
    address, with the host kept in the ``Host`` header and as the TLS server name. No
    connection is kept between deliveries (each is checked as it connects)."""

    def __init__(
        self,
        allowance: Allowance,
        resolve: Resolve = destinations.resolve,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self.allowance = allowance
        self.resolve = resolve
        self.inner = httpx.HTTPTransport(
            verify=verify, limits=httpx.Limits(max_keepalive_connections=0), trust_env=False
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme not in destinations.SCHEMES or url.userinfo:
            raise DestinationRefused("an http:// or https:// URL without a user name or password")
        host = url.raw_host.decode("ascii")  # as it goes on the wire: an IDN as xn--
        port = url.port or destinations.SCHEMES[url.scheme]
        try:
            found = destinations.addresses(host, port, self.allowance, self.resolve)
        except OSError as error:  # no address now: tried again later, as any failure
            raise httpx.ConnectError(f"{host} does not resolve ({error})") from None
        request.url = url.copy_with(host=str(found[0]))
        request.extensions = {**request.extensions, "sni_hostname": host}
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


class DeliveryWorker:
    def __init__(
        self,
        engine: Engine,
        *,
        allowance: Allowance = NOTHING_MORE,
        resolve: Resolve = destinations.resolve,
        base: float = 2.0,
        cap: float = 3600.0,
        timeout: float = 10.0,
        max_answer: int = MAX_ANSWER_BYTES,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.base = base
        self.cap = cap
        self.timeout = timeout
        self.max_answer = max_answer
        self.clock = clock
        self.client = httpx.Client(
            transport=CheckedTransport(allowance, resolve),
            timeout=timeout,
            follow_redirects=False,
            trust_env=False,  # no proxy or .netrc from the environment: straight to the address
        )

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
            destinations.shape(due.url)
            with self.client.stream("POST", due.url, content=body, headers=headers) as response:
                status = response.status_code
                self._read_within(response)
            if not 200 <= status < 300:
                error = f"the receiver answered {status}"
        except (DestinationRefused, httpx.InvalidURL) as refused:
            address = getattr(refused, "address", None)
            log.warning(
                "delivery of %s to subscription %s not sent (%s): %s",
                due.warning_id,
                due.subscription_id,
                address or "no address",
                refused,
            )
            give_up(self.engine, due, self.clock(), f"not sent: {refused}"[:500])
            return 0
        except httpx.HTTPError as failure:
            error = f"{type(failure).__name__}: {failure}"[:500]
        now = self.clock()
        retry = None if error is None else now + self.back_off(due.attempts + 1)
        record_attempt(self.engine, due, now, status, error, retry)
        return 1 if error is None else 0

    def _read_within(self, response: httpx.Response) -> None:
        """Reads the answer up to ``max_answer`` bytes (one network read more at most) and
        within the timeout as a whole, then lets the connection go."""
        deadline = time.monotonic() + self.timeout
        read = 0
        for chunk in response.iter_raw():
            read += len(chunk)
            if read >= self.max_answer or time.monotonic() > deadline:
                return

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
        outages = Outage(lambda said: log.warning("warnings: %s", said))
        while not self.stopped.is_set():
            try:
                if self.moved.is_set() or time.monotonic() - last_sweep > self.sweep_seconds:
                    self.moved.clear()
                    last_sweep = time.monotonic()
                    self.make_known()
                self.worker.run_once()
            except Exception as error:
                if not outages.failed(error):  # the database gone is said once, not a bug
                    log.exception("warnings: tried again on the next turn")
            else:
                outages.over()
            self.stopped.wait(self.poll_seconds)
