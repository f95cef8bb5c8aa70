"""Sign-in sessions: the cookie holds a random secret; the installation keeps its SHA-256, the
user, the session's CSRF token and when it was last seen. A session ends at sign-out, after
``IDLE`` without a request, or ``LONGEST`` after sign-in, whichever comes first; a user
disabled, or whose password or tokens changed, is checked again at every request (its stream
is read as for a bearer token)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, insert, select, update

from projections import tables as t

COOKIE = "bonded_session"
IDLE = timedelta(hours=2)
LONGEST = timedelta(hours=12)
SEEN_EVERY = timedelta(minutes=1)  # how stale ``seen_at`` may get before a request moves it


@dataclass(frozen=True)
class Session:
    user_name: str
    csrf_token: str
    created_at: datetime
    seen_at: datetime


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def start(engine: Engine, user_name: str, now: datetime) -> tuple[str, Session]:
    """A new session for the user: (the cookie's secret, the session)."""
    secret = secrets.token_urlsafe(32)
    session = Session(user_name, secrets.token_urlsafe(32), now, now)
    with engine.begin() as connection:
        connection.execute(
            insert(t.web_sessions).values(
                session_hash=_hash(secret),
                user_name=user_name,
                csrf_token=session.csrf_token,
                created_at=now,
                seen_at=now,
            )
        )
    return secret, session


def find(engine: Engine, secret: str | None, now: datetime) -> Session | None:
    """The session the cookie's secret opens, if it has not ended; its ``seen_at`` moved."""
    if not secret or len(secret) > 100:
        return None
    s = t.web_sessions.c
    key = _hash(secret)
    with engine.connect() as connection:
        row = connection.execute(select(t.web_sessions).where(s.session_hash == key)).first()
    if row is None:
        return None
    session = Session(row.user_name, row.csrf_token, row.created_at, row.seen_at)
    if now - session.seen_at > IDLE or now - session.created_at > LONGEST:
        end(engine, secret)
        return None
    if now - session.seen_at > SEEN_EVERY:
        with engine.begin() as connection:
            connection.execute(
                update(t.web_sessions).where(s.session_hash == key).values(seen_at=now)
            )
    return session


def end(engine: Engine, secret: str | None) -> None:
    if secret:
        with engine.begin() as connection:
            connection.execute(
                delete(t.web_sessions).where(t.web_sessions.c.session_hash == _hash(secret))
            )
