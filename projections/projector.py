"""The current lots read model: each lot as of now, as known now (``rm_lots``, the fast path
of current answers), the lots' recorded events (``rm_lot_events``, for stock cards and the
folded reference) and every warehouse, province and owner a lot was ever with
(``rm_lot_parties``).

A lot's current row is folded by the ledger's own ``Lot`` from the lot's events, so the read
side and the write side cannot disagree about what a history means. Its deadline needs the
lot's contract and its province the warehouse's: both are read from the reference read
model (``projections.reference``), which the runner applies first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar, Protocol

from sqlalchemy import Connection, Table, delete, select

from ledger.clock import deadline, first_warehousing_date
from ledger.events import (
    Event,
    LotCreation,
    LotEvent,
    RentContractExtended,
    RentContractRegistered,
    WarehouseRegistered,
)
from ledger.lot import Entry, Lot
from ledger.numbers import decimal_text
from ledger.prefix import Prefix
from ledger.registry import RentContract
from ledger.rulepacks import RulePack
from projections import tables as t
from projections.bulk import insert_rows
from projections.history import identity
from projections.projection import ReadModelProjection, Recorded

END_OF_TIME = datetime(9999, 12, 31, tzinfo=UTC)

Notification = tuple[int, int, str, bytes, bytes]  # id, version, topic, state, stream id
Decode = Callable[[str, bytes], Event]


class NotificationSource(Protocol):
    def notification_rows(self, after: int, limit: int) -> list[Notification]: ...

    def max_notification_id(self) -> int | None: ...


@dataclass
class CurrentLotsProjection(ReadModelProjection):
    name: ClassVar[str] = "lots"
    tables: ClassVar[tuple[Table, ...]] = (t.lots, t.lot_events, t.lot_parties)
    reads: ClassVar[tuple[str, ...]] = ("reference",)  # warehouses' provinces, contracts
    weight: ClassVar[int] = 4

    decode: Decode
    pack: RulePack
    lot_cache_limit: int = 200_000

    def __post_init__(self) -> None:
        self.lots: dict[str, Lot] = {}  # folded on by each batch: a long lot costs its new events
        self.contracts: dict[str, RentContract | None] = {}
        self.provinces: dict[str, str] = {}

    def forget(self) -> None:
        """Drops every cache (after a failed batch or before a rebuild)."""
        self.lots.clear()
        self.contracts.clear()
        self.provinces.clear()

    # --- applying ---

    def apply(self, connection: Connection, batch: Sequence[Recorded]) -> None:
        lot_ids = {r.event.lot_id for r in batch if isinstance(r.event, LotEvent)}
        created = {
            r.event.lot_id for r in batch if isinstance(r.event, LotEvent) and r.version == 1
        }
        for lot_id in created - self.lots.keys():
            self.lots[lot_id] = Lot(lot_id)  # created in this batch: nothing recorded before
        self._load_lots(connection, lot_ids)
        arrived: dict[str, list[LotEvent]] = {}
        event_rows: list[dict[str, Any]] = []
        parties: set[tuple[str, str, str]] = set()
        extended_contracts: set[str] = set()
        for recorded in batch:
            event = recorded.event
            if isinstance(event, LotEvent):
                arrived.setdefault(event.lot_id, []).append(event)
                event_rows.append(
                    {
                        "lot_id": event.lot_id,
                        "version": recorded.version,
                        "effective_at": event.effective_at,
                        "recorded_at": event.recorded_at,
                        "topic": recorded.topic,
                        "state": recorded.state,
                    }
                )
                parties.update(self._parties(connection, event))
            elif isinstance(event, WarehouseRegistered):
                self.provinces[event.warehouse_id] = event.province
            elif isinstance(event, RentContractRegistered | RentContractExtended):
                self.contracts.pop(event.contract_no, None)  # read again when needed
                extended_contracts.add(event.contract_no)
        for lot_id, events in arrived.items():
            self.lots[lot_id] = self.lots[lot_id].appended(events)
        insert_rows(connection, t.lot_events, event_rows)
        self._insert_parties(connection, parties)
        touched = set(arrived) | self._lots_under(connection, extended_contracts)
        self._write_current(connection, touched)
        if len(self.lots) > self.lot_cache_limit:
            self.lots.clear()

    def _load_lots(self, connection: Connection, lot_ids: Iterable[str]) -> None:
        missing = [lot_id for lot_id in lot_ids if lot_id not in self.lots]
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            found: dict[str, list[Entry]] = {lot_id: [] for lot_id in chunk}
            rows = connection.execute(
                select(
                    t.lot_events.c.lot_id,
                    t.lot_events.c.version,
                    t.lot_events.c.topic,
                    t.lot_events.c.state,
                )
                .where(t.lot_events.c.lot_id.in_(chunk))
                .order_by(t.lot_events.c.lot_id, t.lot_events.c.version)
            )
            for lot_id, version, topic, state in rows:
                event = self.decode(topic, bytes(state))
                assert isinstance(event, LotEvent)
                found[lot_id].append(Entry(version, event))
            for lot_id, entries in found.items():
                self.lots[lot_id] = Lot(lot_id, Prefix(entries))

    def _parties(self, connection: Connection, event: LotEvent) -> set[tuple[str, str, str]]:
        """Every warehouse, province and owner the event puts a lot with."""
        found = {("owner", owner, lot_id) for lot_id, owner in event.ownerships()}
        for lot_id, warehouse_id in event.placements():
            found.add(("warehouse", warehouse_id, lot_id))
            province = self.province(connection, warehouse_id)
            if province is not None:
                found.add(("province", province, lot_id))
        return found

    def _insert_parties(self, connection: Connection, parties: set[tuple[str, str, str]]) -> None:
        """The batch's (kind, value, lot) parties; those already kept are left as they are
        (one statement, not a look-up of every touched lot's parties first)."""
        rows = [{"kind": k, "value": v, "lot_id": lot} for k, v, lot in sorted(parties)]
        insert_rows(connection, t.lot_parties, rows, skip_existing=True)

    def _lots_under(self, connection: Connection, contract_nos: set[str]) -> set[str]:
        if not contract_nos:
            return set()
        rows = connection.execute(
            select(t.lots.c.lot_id).where(t.lots.c.contract_no.in_(list(contract_nos)))
        )
        lot_ids = {row[0] for row in rows}
        self._load_lots(connection, lot_ids)
        return lot_ids

    def contract(self, connection: Connection, contract_no: str | None) -> RentContract | None:
        if contract_no is None:
            return None
        if contract_no not in self.contracts:
            self.contracts[contract_no] = load_contract(connection, contract_no)
        return self.contracts[contract_no]

    def _load_contracts(self, connection: Connection, lot_ids: Sequence[str]) -> None:
        """The contracts of these lots not yet kept, in one query (not one per lot)."""
        wanted = {
            facts.contract_no
            for lot_id in lot_ids
            if (facts := self.lots[lot_id].current()) is not None
        }
        missing = sorted(c for c in wanted if c is not None and c not in self.contracts)
        if missing:
            found = load_contracts(connection, missing)
            self.contracts.update({c: found.get(c) for c in missing})

    def province(self, connection: Connection, warehouse_id: str) -> str | None:
        if warehouse_id not in self.provinces:
            row = connection.execute(
                select(t.warehouses.c.province).where(t.warehouses.c.warehouse_id == warehouse_id)
            ).first()
            if row is None:
                return None
            self.provinces[warehouse_id] = row[0]
        return self.provinces[warehouse_id]

    def _write_current(self, connection: Connection, lot_ids: set[str]) -> None:
        if not lot_ids:
            return
        ids = sorted(lot_ids)
        self._load_contracts(connection, ids)
        for start in range(0, len(ids), 500):
            connection.execute(delete(t.lots).where(t.lots.c.lot_id.in_(ids[start : start + 500])))
        rows = [row for lot_id in ids if (row := self._current_row(connection, lot_id))]
        insert_rows(connection, t.lots, rows)

    def _current_row(self, connection: Connection, lot_id: str) -> dict[str, Any] | None:
        lot = self.lots[lot_id]
        facts = lot.current()
        last = lot.last_active()
        if facts is None or last is None:
            return None  # its creation was reversed: it is in no current answer
        contract = self.contract(connection, facts.contract_no)
        creation = lot.entries[0].event  # version 1; nothing is active before it
        assert isinstance(creation, LotCreation)
        return {
            **identity(creation),
            "warehoused_on": facts.first_warehoused_on,
            "first_warehoused_on": first_warehousing_date(facts, self.pack),
            "warehouse_id": facts.warehouse_id,
            "province": self.province(connection, facts.warehouse_id),
            "goods_owner_tax_code": facts.goods_owner_tax_code,
            "contract_no": facts.contract_no,
            "on_hand": decimal_text(facts.on_hand),
            "in_transit": decimal_text(facts.in_transit),
            "has_balance": facts.balance > 0,
            "deadline": deadline(facts, self.pack, contract, END_OF_TIME),
            "held": facts.held,
            "exists": True,
            "last_effective_at": last.event.effective_at,
        }


def load_contract(
    connection: Connection, contract_no: str, known_at: datetime | None = None
) -> RentContract | None:
    """A rent contract with its extensions, as known at ``known_at`` (default: now)."""
    return load_contracts(connection, [contract_no], known_at).get(contract_no)


def load_contracts(
    connection: Connection, contract_nos: Sequence[str], known_at: datetime | None = None
) -> dict[str, RentContract]:
    """Rent contracts with their extensions, as known at ``known_at`` (default: now): two
    queries for any number of them."""
    c, x = t.contracts.c, t.contract_extensions.c
    found: dict[str, RentContract] = {}
    for start in range(0, len(contract_nos), 500):
        chunk = list(contract_nos[start : start + 500])
        query = select(t.contracts).where(c.contract_no.in_(chunk))
        extensions = select(t.contract_extensions).where(x.contract_no.in_(chunk))
        if known_at is not None:
            query = query.where(c.recorded_at <= known_at)
            extensions = extensions.where(x.recorded_at <= known_at)
        terms: dict[str, list[tuple[datetime, Any]]] = {}
        for row in connection.execute(extensions.order_by(x.recorded_at)).mappings():
            terms.setdefault(row["contract_no"], []).append(
                (row["effective_at"], row["expires_on"])
            )
        for row in connection.execute(query).mappings():
            found[row["contract_no"]] = RentContract(
                row["contract_no"],
                row["warehouse_id"],
                row["goods_owner_tax_code"],
                row["starts_on"],
                row["expires_on"],
                tuple(terms.get(row["contract_no"], ())),
            )
    return found


__all__ = ["CurrentLotsProjection", "NotificationSource", "load_contract", "load_contracts"]
