"""Subscriptions only where they should go (DOMAIN.md §8), on SQLite and PostgreSQL: with no
allowance, a URL naming the installation itself, however spelt, is refused and nothing is
recorded; a public one is taken, recorded as an event of its subscriber's (never its secret),
listed to its subscriber alone, and ended as an event too. Names resolve through a stand-in
(tests.resolution): the public address is never connected to, nothing leaves the machine."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.http import create_app
from api.wiring import Ledger, open_ledger
from commands.settings import Settings
from ledger.events import Event, SubscriptionAdded, SubscriptionEnded
from projections import tables as t
from tests.http.world import furnish
from tests.resolution import stand_in

SECRET = "a-long-shared-secret-of-the-owner"
PUBLIC = "93.184.215.14"


@dataclass
class Door:
    client: TestClient
    ledger: Ledger
    tokens: dict[str, str]
    names: dict[str, list[str]]

    def as_(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def events_since(self, head: int) -> list[Event]:
        store = self.ledger.service.store
        return [store.decode(n.topic, n.state) for n in store.notifications(head, 10_000)]

    def rows(self) -> int:
        with self.ledger.read_model.engine.connect() as connection:
            return int(
                connection.execute(select(func.count()).select_from(t.subscriptions)).one()[0]
            )


@pytest.fixture
def door(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Door]:
    names = stand_in(monkeypatch)
    ledger = open_ledger(Settings(database_url))  # nothing allowed beyond public addresses
    tokens = furnish(ledger)
    with TestClient(create_app(ledger)) as client:
        yield Door(client, ledger, tokens, names)
    ledger.close()


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://127.0.0.1:8080/hook", "destination_not_allowed"),
        ("http://localhost/hook", "destination_not_allowed"),
        ("http://[::1]/hook", "destination_not_allowed"),
        ("http://127.1/hook", "destination_not_allowed"),
        ("http://2130706433/hook", "destination_not_allowed"),
        ("http://[::ffff:127.0.0.1]/hook", "destination_not_allowed"),
        ("http://0.0.0.0/hook", "destination_not_allowed"),
        ("http://inward.example.vn/hook", "destination_not_allowed"),  # resolves to loopback
        ("ftp://127.0.0.1/hook", "invalid_subscription"),
        ("http://user:pw@127.0.0.1/hook", "invalid_subscription"),
    ],
)
def test_a_url_of_the_installation_itself_is_refused_and_nothing_is_recorded(
    door: Door, url: str, code: str
) -> None:
    door.names["inward.example.vn"] = [PUBLIC, "127.0.0.1"]
    head = door.ledger.service.store.head()
    answer = door.client.post(
        "/subscriptions", json={"url": url, "secret": SECRET}, headers=door.as_("warehouse_owner")
    )
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert (problem["code"], problem["field"]) == (code, "/url"), problem
    assert door.ledger.service.store.head() == head  # no event
    assert door.rows() == 0  # no subscription
    mine = door.client.get("/users/me/subscriptions", headers=door.as_("warehouse_owner"))
    assert mine.json() == []


def test_a_public_url_is_taken_recorded_and_listed_to_its_subscriber_alone(door: Door) -> None:
    door.names["hooks.example.vn"] = [PUBLIC]
    head = door.ledger.service.store.head()
    made = door.client.post(
        "/subscriptions",
        json={"url": "https://hooks.example.vn/bonded", "secret": SECRET},
        headers=door.as_("warehouse_owner"),
    )
    assert made.status_code == 201, made.text
    subscription = made.json()
    assert set(subscription) == {"subscription_id", "url", "created_at", "active"}
    (added,) = door.events_since(head)
    assert isinstance(added, SubscriptionAdded)
    assert (added.name, added.actor, added.subscription_id, added.url) == (
        "warehouse-owner",
        "warehouse-owner",
        subscription["subscription_id"],
        "https://hooks.example.vn/bonded",
    )

    mine = door.client.get("/users/me/subscriptions", headers=door.as_("warehouse_owner"))
    assert mine.status_code == 200 and mine.json() == [subscription]
    theirs = door.client.get("/users/me/subscriptions", headers=door.as_("auditor"))
    assert theirs.status_code == 200 and theirs.json() == []
    assert door.client.get("/users/me/subscriptions").status_code == 401

    # the secret is in no answer and no event: the feed shows who subscribed what
    feed = door.client.get("/events", params={"after": head}, headers=door.as_("auditor"))
    assert [e["type"] for e in feed.json()["events"]] == ["vn.bonded-ledger.SubscriptionAdded"]
    store = door.ledger.service.store
    assert all(SECRET.encode() not in n.state for n in store.notifications(0, 100_000))
    assert SECRET not in mine.text + made.text + feed.text

    # another's subscription is not found, and ending it records nothing
    sid = subscription["subscription_id"]
    head = store.head()
    assert (
        door.client.delete(f"/subscriptions/{sid}", headers=door.as_("auditor")).status_code == 404
    )
    assert store.head() == head
    ended = door.client.delete(f"/subscriptions/{sid}", headers=door.as_("warehouse_owner"))
    assert ended.status_code == 204
    (end,) = door.events_since(head)
    assert isinstance(end, SubscriptionEnded) and (end.name, end.subscription_id) == (
        "warehouse-owner",
        sid,
    )
    again = door.client.delete(f"/subscriptions/{sid}", headers=door.as_("warehouse_owner"))
    assert again.status_code == 204 and store.head() == head + 1  # ended once
    mine = door.client.get("/users/me/subscriptions", headers=door.as_("warehouse_owner"))
    assert mine.json() == [{**subscription, "active": False}]


def test_the_event_and_the_row_are_written_together_or_not_at_all(
    door: Door, monkeypatch: pytest.MonkeyPatch
) -> None:
    door.names["hooks.example.vn"] = [PUBLIC]

    def failing(*args: Any) -> None:
        raise RuntimeError("the row could not be written")

    monkeypatch.setattr("api.routes.subscriptions.add_subscription", failing)
    head = door.ledger.service.store.head()
    with TestClient(door.client.app, raise_server_exceptions=False) as client:
        answer = client.post(
            "/subscriptions",
            json={"url": "https://hooks.example.vn/bonded", "secret": SECRET},
            headers=door.as_("warehouse_owner"),
        )
    assert answer.status_code == 500
    assert door.ledger.service.store.head() == head and door.rows() == 0


def test_a_subscription_made_before_they_were_recorded_still_ends(door: Door) -> None:
    """One in the table alone (subscribed by an earlier version): listed, and ended there."""
    from datetime import UTC, datetime

    from ledger.roles import Role
    from ledger.users import User
    from projections.outbox import subscribe

    owner = User("warehouse-owner", Role.WAREHOUSE_OWNER)
    old = subscribe(door.ledger.read_model, owner, "http://127.0.0.1:9/", SECRET, datetime.now(UTC))
    mine = door.client.get("/users/me/subscriptions", headers=door.as_("warehouse_owner"))
    assert mine.json() == [old]
    sid = old["subscription_id"]
    assert (
        door.client.delete(f"/subscriptions/{sid}", headers=door.as_("warehouse_owner")).status_code
        == 204
    )
    mine = door.client.get("/users/me/subscriptions", headers=door.as_("warehouse_owner"))
    assert mine.json() == [{**old, "active": False}]
