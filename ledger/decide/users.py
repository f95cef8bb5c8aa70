"""Users and their rights: who was given which role and scope, when and by whom; and what
each subscribed to be sent (DOMAIN.md §8)."""

from __future__ import annotations

from ledger.decide.common import require_found
from ledger.errors import Conflict, Invalid, NotFound
from ledger.events import (
    PasswordSet,
    SubscriptionAdded,
    SubscriptionEnded,
    TokenIssued,
    TokensRevoked,
    UserAdded,
    UserDisabled,
)
from ledger.intents import (
    AddUser,
    DisableUser,
    EndSubscription,
    Envelope,
    IssueToken,
    RevokeTokens,
    SetPassword,
    SubscribeWarnings,
)
from ledger.recorded import Recorded
from ledger.roles import Role
from ledger.rulepacks import RulePack
from ledger.users import SCOPE_FIELD, User

PLACES = ("enterprise", "office", "province")


def add_user(
    intent: AddUser, envelope: Envelope, recorded: Recorded, pack: RulePack
) -> list[UserAdded]:
    if recorded.user(intent.name) is not None:
        raise Conflict("user_exists", f"user {intent.name} already exists", "name")
    role = Role(intent.role)
    needed = SCOPE_FIELD[role]
    for place in PLACES:
        given = getattr(intent, place)
        if place == needed and given is None:
            raise Invalid("missing_field", f"a {role} acts for one {place}: give --{place}", place)
        if place != needed and given is not None:
            raise Invalid(
                "unexpected_field",
                f"a {role} has no {place}"
                + (f"; it acts for one {needed}" if needed else "; it is not scoped"),
                place,
            )
    if intent.enterprise is not None and recorded.enterprise(intent.enterprise) is None:
        raise NotFound(
            "unknown_enterprise", f"enterprise {intent.enterprise} is not registered", "enterprise"
        )
    return [envelope.event(UserAdded, intent)]


def disable_user(
    intent: DisableUser, envelope: Envelope, recorded: Recorded, pack: RulePack
) -> list[UserDisabled]:
    user = _existing(recorded, intent.name)
    if not user.active:
        raise Conflict("user_disabled", f"user {intent.name} is already disabled", "name")
    return [envelope.event(UserDisabled, intent)]


def issue_token(
    intent: IssueToken, envelope: Envelope, recorded: Recorded, pack: RulePack
) -> list[TokenIssued]:
    _active(recorded, intent.name)
    return [envelope.event(TokenIssued, intent)]


def revoke_tokens(
    intent: RevokeTokens, envelope: Envelope, recorded: Recorded, pack: RulePack
) -> list[TokensRevoked]:
    _existing(recorded, intent.name)
    return [envelope.event(TokensRevoked, intent)]


def set_password(
    intent: SetPassword, envelope: Envelope, recorded: Recorded, pack: RulePack
) -> list[PasswordSet]:
    _active(recorded, intent.name)
    return [envelope.event(PasswordSet, intent)]


def subscribe_warnings(
    intent: SubscribeWarnings, envelope: Envelope, recorded: Recorded, pack: RulePack
) -> list[SubscriptionAdded]:
    user = _active(recorded, intent.name)
    if intent.subscription_id in user.subscriptions:
        raise Conflict(
            "subscription_exists",
            f"{intent.name} already has a subscription {intent.subscription_id}",
            "subscription_id",
        )
    return [envelope.event(SubscriptionAdded, intent)]


def end_subscription(
    intent: EndSubscription, envelope: Envelope, recorded: Recorded, pack: RulePack
) -> list[SubscriptionEnded]:
    user = _existing(recorded, intent.name)
    if intent.subscription_id not in user.subscriptions:
        raise NotFound(
            "unknown_subscription",
            f"{intent.name} has no subscription {intent.subscription_id} (or it has ended)",
            "subscription_id",
        )
    return [envelope.event(SubscriptionEnded, intent)]


def _existing(recorded: Recorded, name: str) -> User:
    return require_found(recorded.user(name), "unknown_user", f"no user named {name}", "name")


def _active(recorded: Recorded, name: str) -> User:
    user = _existing(recorded, name)
    if not user.active:
        raise Conflict("user_disabled", f"user {name} is disabled", "name")
    return user
