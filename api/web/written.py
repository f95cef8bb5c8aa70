"""The session's last write, for reading it back: a form that records a command remembers
its position in a cookie, and the pages' tables, where a replica answers them, wait for the
read models to reach it (``Ledger.catch_up``) — the person who just recorded a movement sees
it on the next page."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

COOKIE = "bonded_written"
KEPT = 12 * 3600  # seconds: as long as a session can last


def remember(request: Request, response: Response, position: int | None) -> None:
    if position is None:
        return
    response.set_cookie(
        COOKIE,
        str(position),
        max_age=KEPT,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def last_written(request: Request) -> int | None:
    """The position the session last wrote at; None without one (or a cookie not ours)."""
    found = request.cookies.get(COOKIE, "")
    return int(found) if found.isdigit() and len(found) < 19 else None
