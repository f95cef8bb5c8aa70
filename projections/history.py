"""The lot history read model: one row per lot event (``rm_lot_history``), with what it moves
and what it sets, and what each lot is from its creation (``rm_lot_origins``).

A reversal does not delete: it stamps ``reversed_at`` on the row it cancels, so an answer as
known before the reversal was recorded still counts the row. Events say themselves what they
move (``postings``) and set (``changes``); nothing here knows one kind from another but a lot's
creation and a reversal.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, insert, update

from ledger.events import EntryReversed, LotCreation, LotEvent, LotSplitOff
from projections import tables as t
from projections.projection import ReadModelProjection, Recorded

NANOS = 10**9


def exact_parts(value: Decimal) -> tuple[int, int]:
    """``value`` as (units, nanos): units rounded down, nanos from 0 to 10^9 - 1."""
    scaled = value.scaleb(9)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{value} has more than 9 decimal places")
    return divmod(int(scaled), NANOS)


def from_parts(units: int, nanos: int) -> Decimal:
    return Decimal(units) + Decimal(nanos).scaleb(-9)


def history_row(version: int, event: LotEvent) -> dict[str, Any]:
    """The event's row; one that moves nothing and sets nothing (a hold, a reversal) has zeros
    and NULLs, and still shows on the lot's stock card."""
    postings = event.postings()
    changes = event.changes()
    on_hand = sum((p.on_hand for p in postings), Decimal(0))
    in_transit = sum((p.in_transit for p in postings), Decimal(0))
    on_hand_units, on_hand_nanos = exact_parts(on_hand)
    in_transit_units, in_transit_nanos = exact_parts(in_transit)
    return {
        "lot_id": event.lot_id,
        "version": version,
        "kind": type(event).__name__,
        "related_lot_id": event.related_lot_id(),
        "effective_at": event.effective_at,
        "recorded_at": event.recorded_at,
        "reversed_at": None,
        "on_hand_units": on_hand_units,
        "on_hand_nanos": on_hand_nanos,
        "in_transit_units": in_transit_units,
        "in_transit_nanos": in_transit_nanos,
        "extension_days": changes.extension_days,
        "warehouse_id": changes.warehouse_id,
        "goods_owner_tax_code": changes.goods_owner_tax_code,
        "sets_terms": changes.sets_terms,
        "contract_no": changes.contract_no,
        "declared_expires_on": changes.declared_expires_on,
    }


def identity(creation: LotCreation) -> dict[str, Any]:
    """The columns of ``projections.tables.lot_identity``, from the lot's creation."""
    return {
        "lot_id": creation.lot_id,
        "declaration_no": creation.declaration_no,
        "parent_lot_id": creation.parent_lot_id if isinstance(creation, LotSplitOff) else None,
        "hs_code": creation.goods.hs_code,
        "description": creation.goods.description,
        "unit": creation.goods.unit,
        "registered_on": creation.registered_on,
    }


def origin_row(creation: LotCreation) -> dict[str, Any]:
    facts = creation.founding_facts()
    return {
        **identity(creation),
        "first_warehoused_on": facts.first_warehoused_on,
        "extension_days": facts.extension_days,
    }


class LotHistoryProjection(ReadModelProjection):
    """Writes the lot history rows of a batch of events, with one executemany per table."""

    name = "lot_history"
    tables = (t.lot_history, t.lot_origins)

    def apply(self, connection: Connection, batch: Sequence[Recorded]) -> None:
        rows: list[dict[str, Any]] = []
        origins: list[dict[str, Any]] = []
        reversals: list[EntryReversed] = []
        for recorded in batch:
            version, event = recorded.version, recorded.event
            if not isinstance(event, LotEvent):
                continue
            if isinstance(event, EntryReversed):
                reversals.append(event)
            elif isinstance(event, LotCreation):
                origins.append(origin_row(event))
            rows.append(history_row(version, event))
        if rows:
            connection.execute(insert(t.lot_history), rows)
        if origins:
            connection.execute(insert(t.lot_origins), origins)
        history = t.lot_history.c
        for reversal in reversals:
            connection.execute(
                update(t.lot_history)
                .where(
                    and_(
                        history.lot_id == reversal.lot_id,
                        history.version == reversal.reversed_version,
                    )
                )
                .values(reversed_at=reversal.recorded_at)
            )
