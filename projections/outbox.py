"""Warnings made known, and the outbox of their deliveries (DOMAIN.md §8).

``make_known`` asks the read side for the warnings standing now, as everybody (the operator)
sees them; those never made known before are recorded in ``warnings_known`` and, in the same
transaction, one ``deliveries`` row is written for every active subscription whose user may
see the warning. Given ``only`` (``Changes``: the subjects the events since the last look
touched, on the same day), it asks only for those subjects' warnings: a warning arises from an
event about its subject or from a day passing, so the others cannot have changed, and the
cost follows what was recorded, not the size of the ledger. A new subscription starts with
the known warnings standing in its user's scope, so a receiver begins in step with what the
ledger warns of. The delivery worker (``api.delivery``) sends the outbox until each receiver
answers 2xx: at least once, duplicates carrying the same ``warning_id``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from ledger.calendar import local_date
from ledger.users import OPERATOR, User
from projections import tables as t
from projections.answers import When
from projections.queries import ReadModel
from projections.warnings import Only

Users = Callable[[str], User | None]  # a user by name, from its own stream
s = t.subscriptions.c
k = t.warnings_known.c
d = t.deliveries.c


def make_known(model: ReadModel, users: Users, now: datetime, only: Only | None = None) -> int:
    """Records the warnings standing now that were never made known (of the subjects in
    ``only``, if given), with their outbox rows; returns how many."""
    when = When(local_date(now))
    standing = {w["warning_id"]: w for w in model.warnings(OPERATOR, when, only=only)}
    with model.engine.begin() as connection:
        known = _known(connection, sorted(standing))
        new = [w for key, w in standing.items() if key not in known]
        if not new:
            return 0
        connection.execute(
            insert(t.warnings_known),
            [{"warning_id": w["warning_id"], "body": _body(w), "known_at": now} for w in new],
        )
        outbox = []
        seen_by: dict[str, set[str]] = {}  # a user's many subscriptions see the same warnings
        for subscription in connection.execute(select(t.subscriptions).where(s.active)):
            user = users(subscription.user_name)
            if user is None or not user.active:
                continue
            if user.name not in seen_by:
                seen_by[user.name] = {
                    w["warning_id"] for w in model.warnings(user, when, only=only)
                }
            seen = seen_by[user.name]
            outbox += [
                {
                    "subscription_id": subscription.subscription_id,
                    "warning_id": w["warning_id"],
                    "created_at": now,
                    "attempts": 0,
                    "next_attempt_at": now,
                }
                for w in new
                if w["warning_id"] in seen
            ]
        if outbox:
            connection.execute(insert(t.deliveries), outbox)
    return len(new)


def _known(connection: Connection, ids: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found.update(
            connection.execute(select(k.warning_id).where(k.warning_id.in_(chunk))).scalars()
        )
    return found


def _body(warning: dict[str, Any]) -> str:
    return json.dumps(warning, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


# --- subscriptions --------------------------------------------------------------------------
# Who subscribed what, and who ended it, are events of the user's stream (``SubscriptionAdded``,
# ``SubscriptionEnded``); the row below is written in the same transaction as the event (the
# door hands these functions the event store's connection), with the secret, which no event
# carries.


def new_subscription(user: User, url: str, secret: str, now: datetime) -> dict[str, Any]:
    """The row of a new subscription of ``user``'s, under a new id."""
    return {
        "subscription_id": str(uuid.uuid4()),
        "user_name": user.name,
        "url": url,
        "secret": secret,
        "created_at": now,
        "active": True,
    }


def standing_for(model: ReadModel, user: User, now: datetime) -> list[str]:
    """The ids of the warnings standing now in ``user``'s scope: a new subscription starts
    with those already made known."""
    return sorted(w["warning_id"] for w in model.warnings(user, When(local_date(now))))


def add_subscription(connection: Connection, row: dict[str, Any], standing: list[str]) -> None:
    """Writes the subscription, and an outbox row for each warning of ``standing`` already
    made known (delivered like new ones); every warning made known later follows."""
    connection.execute(insert(t.subscriptions), row)
    known = _known(connection, standing)
    outbox = [
        {
            "subscription_id": row["subscription_id"],
            "warning_id": warning_id,
            "created_at": row["created_at"],
            "attempts": 0,
            "next_attempt_at": row["created_at"],
        }
        for warning_id in standing
        if warning_id in known
    ]
    if outbox:
        connection.execute(insert(t.deliveries), outbox)


def subscribe(model: ReadModel, user: User, url: str, secret: str, now: datetime) -> dict[str, Any]:
    """A subscription of ``user``'s in a transaction of its own, recorded in no event (the
    door records ``SubscriptionAdded`` with ``add_subscription``)."""
    row = new_subscription(user, url, secret, now)
    standing = standing_for(model, user, now)
    with model.engine.begin() as connection:
        add_subscription(connection, row, standing)
    return public(row)


def subscriptions_of(engine: Engine, user: User) -> list[dict[str, Any]]:
    """The user's own subscriptions, oldest first, as it sees them (never a secret)."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(t.subscriptions)
            .where(s.user_name == user.name)
            .order_by(s.created_at, s.subscription_id)
        ).mappings()
        return [public(dict(row)) for row in rows]


def subscription_of(engine: Engine, user: User, subscription_id: str) -> dict[str, Any] | None:
    """The user's subscription of that id, as it sees it; None if it is not the user's."""
    with engine.connect() as connection:
        row = (
            connection.execute(
                select(t.subscriptions).where(
                    s.subscription_id == subscription_id, s.user_name == user.name
                )
            )
            .mappings()
            .first()
        )
        return public(dict(row)) if row is not None else None


def end_subscription(connection: Connection, subscription_id: str) -> None:
    """Nothing more is sent to it (written with ``SubscriptionEnded``)."""
    connection.execute(
        update(t.subscriptions).where(s.subscription_id == subscription_id).values(active=False)
    )


def cancel(engine: Engine, user: User, subscription_id: str) -> bool:
    """Ends a subscription of ``user``'s in the table alone: one made before subscriptions
    were recorded as events, which the user's stream does not know."""
    with engine.begin() as connection:
        done = connection.execute(
            update(t.subscriptions)
            .where(s.subscription_id == subscription_id, s.user_name == user.name)
            .values(active=False)
        )
        return bool(done.rowcount)


def deliveries_of(engine: Engine, user: User, subscription_id: str) -> list[dict[str, Any]] | None:
    """The subscription's deliveries, newest first; None if it is not the user's."""
    with engine.connect() as connection:
        owner = connection.execute(
            select(s.user_name).where(s.subscription_id == subscription_id)
        ).scalar()
        if owner != user.name:
            return None
        rows = connection.execute(
            select(t.deliveries)
            .where(d.subscription_id == subscription_id)
            .order_by(d.created_at.desc(), d.warning_id)
        ).mappings()
        return [
            {
                "warning_id": row["warning_id"],
                "created_at": row["created_at"].isoformat(),
                "attempts": row["attempts"],
                "delivered_at": row["delivered_at"].isoformat() if row["delivered_at"] else None,
                "next_attempt_at": (
                    None
                    if row["delivered_at"] or row["next_attempt_at"] >= NEVER
                    else row["next_attempt_at"].isoformat()
                ),
                "last_status": row["last_status"],
                "last_error": row["last_error"],
            }
            for row in rows
        ]


def public(row: dict[str, Any]) -> dict[str, Any]:
    """A subscription as its user sees it: never its secret."""
    return {
        "subscription_id": row["subscription_id"],
        "url": row["url"],
        "created_at": row["created_at"].isoformat(),
        "active": row["active"],
    }


# the next attempt of a delivery given up (the column takes no NULL): due at no moment
NEVER = datetime(9999, 12, 31, tzinfo=UTC)


@dataclass(frozen=True)
class Due:
    subscription_id: str
    warning_id: str
    url: str
    secret: str
    body: str
    attempts: int


def due_deliveries(engine: Engine, now: datetime, limit: int = 100) -> list[Due]:
    query = (
        select(d.subscription_id, d.warning_id, s.url, s.secret, k.body, d.attempts)
        .join(t.subscriptions, s.subscription_id == d.subscription_id)
        .join(t.warnings_known, k.warning_id == d.warning_id)
        .where(d.delivered_at.is_(None), d.next_attempt_at <= now, s.active)
        .order_by(d.next_attempt_at)
        .limit(limit)
    )
    with engine.connect() as connection:
        return [Due(*row) for row in connection.execute(query)]


def record_attempt(
    engine: Engine,
    due: Due,
    now: datetime,
    status: int | None,
    error: str | None,
    next_attempt_at: datetime | None,
) -> None:
    """A 2xx delivers it; anything else is tried again at ``next_attempt_at``."""
    values: dict[str, Any] = {
        "attempts": due.attempts + 1,
        "last_status": status,
        "last_error": error,
    }
    if next_attempt_at is None:
        values["delivered_at"] = now
    else:
        values["next_attempt_at"] = next_attempt_at
    with engine.begin() as connection:
        connection.execute(
            update(t.deliveries)
            .where(d.subscription_id == due.subscription_id, d.warning_id == due.warning_id)
            .values(**values)
        )


def give_up(engine: Engine, due: Due, now: datetime, error: str) -> None:
    """A delivery refused before anything was sent (its URL now points where the ledger does
    not send): a failed attempt, never tried again."""
    record_attempt(engine, due, now, None, error, NEVER)
