"""Who subscribed what, and who ended it, are events of the user's own stream (DOMAIN.md §8):
any role subscribes for itself alone; a subscription ends once; its secret is in no event."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from ledger.events import SubscriptionAdded, SubscriptionEnded
from ledger.intents import AddUser, EndSubscription, SubscribeWarnings
from ledger.roles import Role
from ledger.users import User
from tests.support import WAREHOUSE_OWNER, Harness, refused

CLERK = User("clerk", Role.WAREHOUSE_OWNER, enterprise=WAREHOUSE_OWNER)
AUDITOR = User("auditor", Role.AUDITOR)
URL = "https://hooks.example.vn/bonded"


@pytest.fixture
def users(ledger: Harness) -> Harness:
    ledger.account(AddUser, name="clerk", role="warehouse_owner", enterprise=WAREHOUSE_OWNER)
    ledger.account(AddUser, name="auditor", role="auditor")
    return ledger


def subscription(ledger: Harness, name: str) -> User:
    user = User.from_events(ledger.store.read(f"user:{name}"))
    assert user is not None
    return user


def test_a_user_subscribes_and_ends_it_as_events_of_its_own(users: Harness) -> None:
    users.account(SubscribeWarnings, CLERK, name="clerk", subscription_id="s-1", url=URL)
    users.account(SubscribeWarnings, AUDITOR, name="auditor", subscription_id="s-2", url=URL)
    added = users.store.read("user:clerk")[-1]
    assert isinstance(added, SubscriptionAdded)
    said = (added.actor, added.name, added.subscription_id, added.url)
    assert said == ("clerk", "clerk", "s-1", URL) and "secret" not in asdict(added)
    assert subscription(users, "clerk").subscriptions == {"s-1"}

    users.account(EndSubscription, CLERK, name="clerk", subscription_id="s-1")
    ended = users.store.read("user:clerk")[-1]
    assert isinstance(ended, SubscriptionEnded) and ended.subscription_id == "s-1"
    assert subscription(users, "clerk").subscriptions == frozenset()
    assert subscription(users, "auditor").subscriptions == {"s-2"}


def test_a_user_subscribes_for_itself_alone(users: Harness) -> None:
    before = users.store.head()
    with refused("not_your_own", "name"):
        users.account(SubscribeWarnings, AUDITOR, name="clerk", subscription_id="s-1", url=URL)
    users.account(SubscribeWarnings, CLERK, name="clerk", subscription_id="s-1", url=URL)
    with refused("not_your_own", "name"):
        users.account(EndSubscription, AUDITOR, name="clerk", subscription_id="s-1")
    assert users.store.head() == before + 1


def test_a_subscription_ends_once_and_only_if_it_is_there(users: Harness) -> None:
    with refused("unknown_subscription", "subscription_id"):
        users.account(EndSubscription, CLERK, name="clerk", subscription_id="s-9")
    users.account(SubscribeWarnings, CLERK, name="clerk", subscription_id="s-1", url=URL)
    with refused("subscription_exists", "subscription_id"):
        users.account(SubscribeWarnings, CLERK, name="clerk", subscription_id="s-1", url=URL)
    users.account(EndSubscription, CLERK, name="clerk", subscription_id="s-1")
    with refused("unknown_subscription"):
        users.account(EndSubscription, CLERK, name="clerk", subscription_id="s-1")
