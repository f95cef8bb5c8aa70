"""Finding out who is calling: a user named by ``--as``, or the holder of a bearer token.
Users are read from their own event stream (never a projection), so a token works the moment
it is issued and stops the moment it is revoked. A command's token is checked inside the
command's own transaction (``LedgerService.execute`` with ``Credentials``)."""

from __future__ import annotations

from api.tokens import secret_hash, split_token
from commands.store import EventStore
from ledger.errors import Unauthenticated
from ledger.streams import user_stream
from ledger.users import Credentials, User, authenticate


def user_named(store: EventStore, name: str) -> User | None:
    return User.from_events(store.read(user_stream(name)))


def credentials_of(authorization: str | None) -> Credentials:
    """``Authorization: Bearer NAME.SECRET`` as credentials; nothing is read yet."""
    if not authorization:
        raise Unauthenticated("missing_token", "send your token as 'Authorization: Bearer TOKEN'")
    scheme, _, token = authorization.partition(" ")
    parts = split_token(token.strip()) if scheme.lower() == "bearer" else None
    if parts is None:
        raise Unauthenticated(
            "invalid_token", "the bearer token is not valid: unknown, revoked, or its user disabled"
        )
    return Credentials(parts[0], secret_hash(parts[1]))


def identify(store: EventStore, credentials: Credentials) -> User:
    return authenticate(user_named(store, credentials.name), credentials)


def user_for_token(store: EventStore, authorization: str | None) -> User:
    """The active user whose token is presented as ``Authorization: Bearer TOKEN``."""
    return identify(store, credentials_of(authorization))
