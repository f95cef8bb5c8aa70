"""Finding out who is calling: a user named by ``--as``, or the holder of a bearer token.
Users are read from their own event stream (never a projection), so a token works the moment
it is issued and stops the moment it is revoked."""

from __future__ import annotations

from api.tokens import matches, split_token
from commands.store import EventStore
from ledger.access import User
from ledger.errors import LedgerError
from ledger.streams import user_stream


class Unauthenticated(LedgerError):
    status = 401


def user_named(store: EventStore, name: str) -> User | None:
    return User.from_events(store.read(user_stream(name)))


def user_for_token(store: EventStore, authorization: str | None) -> User:
    """The active user whose token is presented as ``Authorization: Bearer TOKEN``."""
    if not authorization:
        raise Unauthenticated("missing_token", "send your token as 'Authorization: Bearer TOKEN'")
    scheme, _, token = authorization.partition(" ")
    parts = split_token(token.strip()) if scheme.lower() == "bearer" else None
    user = user_named(store, parts[0]) if parts else None
    if parts is None or user is None or not user.active or not matches(parts[1], user.token_hashes):
        raise Unauthenticated(
            "invalid_token",
            "the bearer token is not valid: unknown, revoked, or its user disabled",
        )
    return user
