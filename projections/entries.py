"""One entry of a lot in its context (DOMAIN.md §3, §5): the lot's balances just before and
just after it on the effective axis, as the stock card runs them, the event as it is stored,
and its link in the audit hash chain (``projections.audit_chain``).

The balances are the stock card's running sums (``projections.stock_cards``) up to the entry;
the stored event is the read model's copy of its columns (``rm_lot_events``); its position in
the log is found by the event store's own index of (stream, version), and its link is the
chain's row at that position, whose ``row_hash`` must be the hash of those same columns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, case, func, literal, or_, select

from ledger.calendar import WAREHOUSE_ZONE
from ledger.numbers import decimal_text
from ledger.streams import lot_stream
from projections import tables as t
from projections.answers import When
from projections.audit_chain import row_hash
from projections.exact import from_parts

Row = dict[str, Any]
StoredAt = Callable[[str, int], "tuple[int, bytes] | None"]  # stream, version → position, id

h = t.lot_history.c
PARTS = ("on_hand_units", "on_hand_nanos", "in_transit_units", "in_transit_nanos")


def _reversed(when: When) -> ColumnElement[bool]:
    if when.known_at is None:
        return h.reversed_at.is_not(None)
    return and_(h.reversed_at.is_not(None), h.reversed_at <= when.known_at)


def entry(
    connection: Connection, lot_id: str, version: int, when: When, stored_at: StoredAt | None
) -> Row | None:
    """The lot's entry ``version``, if it took effect by the end of ``as_of`` and was recorded
    by ``known_at``; else None."""
    known = [h.lot_id == lot_id, h.effective_at <= when.end]
    if when.known_at is not None:
        known.append(h.recorded_at <= when.known_at)
    reversed_ = _reversed(when)
    found = (
        connection.execute(
            select(
                h.kind,
                h.effective_at,
                h.recorded_at,
                *(h[part] for part in PARTS),
                case((reversed_, literal(True)), else_=literal(False)).label("reversed"),
            ).where(h.version == version, *known)
        )
        .mappings()
        .first()
    )
    if found is None:
        return None
    before = connection.execute(
        select(
            *(func.coalesce(func.sum(case((reversed_, literal(0)), else_=h[p])), 0) for p in PARTS)
        ).where(
            *known,
            or_(
                h.effective_at < found["effective_at"],
                and_(h.effective_at == found["effective_at"], h.version < version),
            ),
        )
    ).one()
    on_hand = from_parts(int(before[0]), int(before[1]))
    in_transit = from_parts(int(before[2]), int(before[3]))
    moved_on_hand = from_parts(found["on_hand_units"], found["on_hand_nanos"])
    moved_in_transit = from_parts(found["in_transit_units"], found["in_transit_nanos"])
    counts = not found["reversed"]
    stored = (
        connection.execute(
            select(t.lot_events.c.topic, t.lot_events.c.state).where(
                t.lot_events.c.lot_id == lot_id, t.lot_events.c.version == version
            )
        )
        .mappings()
        .first()
    )
    topic = stored["topic"] if stored is not None else None
    state = bytes(stored["state"]) if stored is not None else None
    position, link, chained = None, None, None
    place = stored_at(lot_stream(lot_id), version) if stored_at is not None else None
    if place is not None:
        position, stream = place
        chain = t.audit_chain.c
        linked = connection.execute(
            select(chain.row_hash, chain.hash).where(chain.position == position)
        ).first()
        if linked is not None:
            link = bytes(linked.hash).hex()
            if topic is not None and state is not None:
                chained = bytes(linked.row_hash) == row_hash(stream, version, topic, state)
    return {
        "lot_id": lot_id,
        "version": version,
        "event": found["kind"],
        "effective_at": found["effective_at"].astimezone(WAREHOUSE_ZONE).isoformat(),
        "recorded_at": found["recorded_at"].astimezone(WAREHOUSE_ZONE).isoformat(),
        "reversed": bool(found["reversed"]),
        "on_hand_before": decimal_text(on_hand),
        "in_transit_before": decimal_text(in_transit),
        "on_hand_after": decimal_text(on_hand + moved_on_hand if counts else on_hand),
        "in_transit_after": decimal_text(in_transit + moved_in_transit if counts else in_transit),
        "position": position,
        "chain_hash": link,
        "chained": chained,
        "topic": topic,
        "stored": state.decode("utf-8") if state is not None else None,
    }
