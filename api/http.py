"""The HTTP API: FastAPI, one router per area, thin. ``create_app`` wires it to a ledger;
``bonded serve`` runs it under uvicorn with a projection follower in the process."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api import docs_ui, problems
from api.access import AccessLog
from api.delivery import DeliveryWorker, Pusher
from api.routes import (
    audit,
    commands,
    feed,
    inspections,
    operations,
    questions,
    reports,
    subscriptions,
)
from api.web import ROUTERS as PAGES
from api.wiring import Ledger, open_ledger
from commands.faults import Outage
from commands.store import EventStore
from ledger.events import Event

if TYPE_CHECKING:
    from projections.changes import Changes

log = logging.getLogger("bonded.projections")

DESCRIPTION = """\
An event-sourced ledger for bonded warehouses (Circular 194/2010/TT-BTC Art. 55).

Every request but `/health` and `/ready` carries `Authorization: Bearer TOKEN` (`bonded tokens
issue NAME` prints one).
What a caller may record and see follows its role and scope (DOMAIN.md §1). Errors are
`application/problem+json` (RFC 9457) with a stable `code` and the `field` at fault as a JSON
pointer.
"""


class Follower:
    """Keeps the read models caught up in the background, so answers rarely wait."""

    def __init__(
        self, ledger: Ledger, poll_seconds: float = 0.5, moved: threading.Event | None = None
    ) -> None:
        self.ledger = ledger
        self.moved = moved  # set whenever a catch-up applied events
        self.poll_seconds = poll_seconds
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="projections", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=10)

    def _run(self) -> None:
        outages = Outage(lambda said: log.warning("projection follower: %s", said))
        while not self.stopped.is_set():
            try:
                if self.ledger.follow_once() and self.moved is not None:
                    self.moved.set()
            except Exception as error:
                if not outages.failed(error):
                    log.exception("projection follower: the batch is retried on the next turn")
            else:
                outages.over()
            self.stopped.wait(self.poll_seconds)


def warnings_pusher(ledger: Ledger) -> Pusher:
    """Makes new warnings known and delivers them to the subscriptions (DOMAIN.md §8): after
    each move of the read models, only the warnings of what the events since touched."""
    worker = DeliveryWorker(ledger.read_model.engine, allowance=ledger.settings.webhook_allow)
    changes = changes_of(ledger)
    return Pusher(lambda: make_known_now(ledger, changes), worker)


def changes_of(ledger: Ledger) -> Changes:
    """What the events since the pusher's last look touched, read from the event log up to
    the read models' position."""
    from projections.changes import Changes

    store = ledger.service.store
    return Changes(
        ledger.read_model.engine,
        lambda: ledger.runner.status().position,
        lambda after, upto: events_between(store, after, upto),
    )


def make_known_now(ledger: Ledger, changes: Changes | None = None) -> int:
    from datetime import UTC, datetime

    from api.callers import user_named
    from projections.outbox import make_known

    store = ledger.service.store
    now = datetime.now(UTC)
    only = changes.since_last(now) if changes is not None else None
    return make_known(ledger.read_model, lambda name: user_named(store, name), now, only)


def events_between(store: EventStore, after: int, upto: int) -> Iterator[Event]:
    """The events recorded after position ``after``, up to ``upto``, a page at a time."""
    position = after
    while position < upto:
        page = store.notifications(position, 1000)
        if not page:
            return
        for notification in page:
            if notification.id > upto:
                return
            yield store.decode(notification.topic, notification.state)
        position = page[-1].id


def create_app(ledger: Ledger | None = None, *, follow: bool = False) -> FastAPI:
    """The API over ``ledger`` (default: the one the environment names)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        the_ledger = ledger or open_ledger()
        app.state.ledger = the_ledger
        the_ledger.runner.migrate()
        pusher = warnings_pusher(the_ledger) if follow else None
        follower = Follower(the_ledger, moved=pusher.moved if pusher else None) if follow else None
        if follower and pusher:
            follower.start()
            pusher.start()
        yield
        if follower and pusher:
            follower.stop()
            pusher.stop()
        if ledger is None:
            the_ledger.close()

    app = FastAPI(
        title="Bonded Ledger",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served from the package (api/docs_ui.py), not a CDN
        redoc_url=None,
    )
    if ledger is not None:
        app.state.ledger = ledger  # also when the app is called without its lifespan
    problems.install(app)
    docs_ui.install(app)
    app.add_middleware(AccessLog)
    app.include_router(commands.router)
    app.include_router(questions.router)
    app.include_router(feed.router)
    app.include_router(audit.router)
    app.include_router(reports.router)
    app.include_router(inspections.router)
    app.include_router(subscriptions.router)
    app.include_router(operations.router)
    for router in PAGES:
        app.include_router(router)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            schema.setdefault("components", {}).setdefault("schemas", {}).update(commands.SCHEMAS)
            schema["components"]["securitySchemes"] = {
                "bearer": {"type": "http", "scheme": "bearer"}
            }
            schema["security"] = [{"bearer": []}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def app_from_environment() -> FastAPI:
    """For ``uvicorn --factory api.http:app_from_environment`` (several workers);
    ``BONDED_FOLLOW=0`` leaves following the log to ``bonded projections run``."""
    return create_app(follow=os.environ.get("BONDED_FOLLOW", "1") != "0")
