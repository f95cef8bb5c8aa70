"""The users of the ledger (DOMAIN.md §1): each folded from its own stream, the one field
that places it (its enterprise, office or province), and how a caller proves it is one."""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from ledger.errors import Unauthenticated
from ledger.events import (
    Event,
    PasswordSet,
    SubscriptionAdded,
    SubscriptionEnded,
    TokenIssued,
    TokensRevoked,
    UserAdded,
    UserDisabled,
)
from ledger.roles import Role

# The one field that places a user: which enterprise, office or province it acts for.
SCOPE_FIELD: Mapping[Role, str | None] = {
    Role.WAREHOUSE_OWNER: "enterprise",
    Role.GOODS_OWNER: "enterprise",
    Role.CUSTOMS_OFFICER: "office",
    Role.PROVINCIAL_INSPECTOR: "province",
    Role.AUDITOR: None,
    Role.ADMIN: None,
    Role.OPERATOR: None,
}


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    enterprise: str | None = None
    office: str | None = None
    province: str | None = None
    active: bool = True
    token_hashes: frozenset[str] = field(default_factory=frozenset)
    password_hash: str | None = None  # for the pages' sign-in
    subscriptions: frozenset[str] = field(default_factory=frozenset)  # the ids not ended

    @classmethod
    def from_events(cls, events: Sequence[Event]) -> User | None:
        user: User | None = None
        for event in events:
            match event:
                case UserAdded():
                    user = cls(
                        event.name,
                        Role(event.role),
                        event.enterprise,
                        event.office,
                        event.province,
                    )
                case UserDisabled() if user is not None:
                    user = replace(user, active=False, token_hashes=frozenset(), password_hash=None)
                case TokenIssued() if user is not None:
                    user = replace(user, token_hashes=user.token_hashes | {event.token_hash})
                case TokensRevoked() if user is not None:
                    user = replace(user, token_hashes=frozenset())
                case PasswordSet() if user is not None:
                    user = replace(user, password_hash=event.password_hash)
                case SubscriptionAdded() if user is not None:
                    user = replace(user, subscriptions=user.subscriptions | {event.subscription_id})
                case SubscriptionEnded() if user is not None:
                    user = replace(user, subscriptions=user.subscriptions - {event.subscription_id})
        return user

    @property
    def place(self) -> str | None:
        """The enterprise, office or province the user acts for."""
        name = SCOPE_FIELD[self.role]
        return getattr(self, name) if name else None


OPERATOR = User("operator", Role.OPERATOR)


@dataclass(frozen=True)
class Credentials:
    """What a caller presents: a user's name and the SHA-256 of its token's secret."""

    name: str
    secret_hash: str


def authenticate(user: User | None, credentials: Credentials) -> User:
    """The user the credentials prove, read from its own stream; refused alike whether the
    user is unknown, disabled or the token revoked."""
    known = user.token_hashes if user is not None and user.active else frozenset()
    if user is None or not any(
        hmac.compare_digest(credentials.secret_hash, token_hash) for token_hash in known
    ):
        raise Unauthenticated(
            "invalid_token", "the bearer token is not valid: unknown, revoked, or its user disabled"
        )
    return user
