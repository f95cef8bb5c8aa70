"""The edge of every request: one access-log line (method, path, status, milliseconds, user),
and a server error answered as a problem and logged once, with an id the problem repeats.

The line names the path alone: a query string may carry what must not be logged, and the
``Authorization`` header never is. The user is the one the request proved to be (noted by
``authenticated``), not a name a token merely claims."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import quote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import unexpected
from ledger.errors import LedgerError
from ledger.users import Credentials

log = logging.getLogger("bonded.access")

# the users a request proved, noted from whichever thread authenticated it
_proved: ContextVar[list[str] | None] = ContextVar("bonded_proved", default=None)


def authenticated(name: str) -> None:
    """Notes the user the current request proved to be, for its access-log line."""
    proved = _proved.get()
    if proved is not None:
        proved.append(name)


@contextmanager
def proving(credentials: Credentials) -> Iterator[None]:
    """For a block that checks ``credentials`` itself: once it ends, or is refused for
    anything but the token (401), they proved their user."""
    try:
        yield
    except LedgerError as error:
        if error.status != 401:
            authenticated(credentials.name)
        raise
    authenticated(credentials.name)


def path_of(scope: Scope) -> str:
    """The request's path as sent (percent-encoded), without its query string, safe to log:
    no space, control character or line break."""
    raw = scope.get("raw_path") or scope["path"].encode("utf-8")
    return quote(raw.decode("latin-1"), safe="/%:@!$&'()*+,;=-._~")


class AccessLog:
    """ASGI middleware, just inside Starlette's last-resort handler: it sees every answer,
    and answers a server error itself so that nothing re-raises it for uvicorn to log again."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status: int | None = None
        proved: list[str] = []
        noting = _proved.set(proved)

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        path = path_of(scope)
        request_line = f"{scope['method']} {path}"
        try:
            await self.app(scope, receive, sending)
        except Exception as error:  # noqa: BLE001 - every server error is answered and logged
            response = unexpected(error, request_line)
            if status is None:
                await response(scope, receive, sending)
            else:
                status = 500  # the answer had begun; the client sees it cut short
        finally:
            _proved.reset(noting)
            milliseconds = (time.perf_counter() - started) * 1000
            user = proved[-1] if proved else "-"
            log.info(
                "%s %s %.1fms user=%s",
                request_line,
                status if status is not None else "-",
                milliseconds,
                user,
                extra={
                    "method": scope["method"],
                    "path": path,
                    "status": status,
                    "milliseconds": round(milliseconds, 1),
                    "user": user if proved else None,
                },
            )
