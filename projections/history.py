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

from sqlalchemy import Connection, and_, update

from ledger.events import EntryReversed, LotCreation, LotEvent, LotSplitOff
from projections import tables as t
from projections.bulk import insert_rows
from projections.exact import exact_parts
from projections.projection import ReadModelProjection, Recorded
from projections.states import LotStates, StateWrites, load, movement_of, revise, write


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
    """Writes a batch's lot history rows and lot origins with one executemany per table, and
    revises the states of every lot the batch touches (``projections.states``)."""

    name = "lot_history"
    tables = (t.lot_history, t.lot_states, t.lot_origins)
    version = 2  # 2: the lot states a day at a time (1 kept one an entry)
    weight = 13
    lot_cache_limit = 200_000

    def __init__(self) -> None:
        self.lots: dict[str, LotStates] = {}

    def forget(self) -> None:
        self.lots.clear()

    def apply(self, connection: Connection, batch: Sequence[Recorded]) -> None:
        self._load(connection, batch)
        rows: list[dict[str, Any]] = []
        origins: list[dict[str, Any]] = []
        reversals: list[EntryReversed] = []
        writes = StateWrites()
        touched: dict[str, None] = {}  # in the order the batch first touches them
        for recorded in batch:
            version, event = recorded.version, recorded.event
            if not isinstance(event, LotEvent):
                continue
            row = history_row(version, event)
            rows.append(row)
            lot = self.lots[event.lot_id]
            touched[event.lot_id] = None
            if isinstance(event, EntryReversed):
                reversals.append(event)
                moment = lot.remove(event.reversed_version)
            else:
                if isinstance(event, LotCreation):
                    origins.append(origin_row(event))
                movement = movement_of(row)
                moment = lot.add(movement) if movement is not None else None
            if moment is not None:
                revise(event.lot_id, lot, moment, event.recorded_at, writes)
        insert_rows(connection, t.lot_history, rows)
        insert_rows(connection, t.lot_origins, origins)
        self._mark_reversed(connection, reversals)
        write(connection, {lot_id: self.lots[lot_id] for lot_id in touched}, writes)
        if len(self.lots) > self.lot_cache_limit:
            self.lots.clear()

    def _load(self, connection: Connection, batch: Sequence[Recorded]) -> None:
        """Every lot the batch touches, from the cache, new, or read from the read model."""
        missing: dict[str, None] = {}
        for recorded in batch:
            event = recorded.event
            if not isinstance(event, LotEvent) or event.lot_id in self.lots:
                continue
            if recorded.version == 1:  # its creation: nothing recorded before
                self.lots[event.lot_id] = LotStates()
            else:
                missing[event.lot_id] = None
        self.lots.update(load(connection, list(missing)))

    def _mark_reversed(self, connection: Connection, reversals: Sequence[EntryReversed]) -> None:
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
