"""A unit of work: the streams a batch of commands read, and the events they add, written in
one transaction with an optimistic version check on every stream they add to.

Streams are kept in a cache that outlives the unit of work. Each unit of work brings every
stream it reads up to date once, asking the store only for the events after the ones
already cached (one query for a whole batch), so a long lot is decoded once per process,
not once per command. Whatever another writer adds after that is caught by the version
check on commit, and the command is retried.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping

from commands.store import EventStore
from ledger.events import (
    CommandAccepted,
    DeclarationRegistered,
    DeclarationSettled,
    EnterpriseRegistered,
    Event,
    LotEvent,
    LotSplitOff,
    RentContractExtended,
    RentContractRegistered,
    ReportSubmitted,
    SettlementExtended,
    StockCounted,
    WarehouseRegistered,
)
from ledger.lot import Entry, Lot
from ledger.registry import Declaration, Enterprise, RentContract, Warehouse

StreamCache = MutableMapping[str, list[Event]]


def stream_of(event: Event) -> str:
    """The stream an event belongs to."""
    match event:
        case LotEvent():
            return f"lot:{event.lot_id}"
        case EnterpriseRegistered():
            return f"enterprise:{event.tax_code}"
        case WarehouseRegistered() | StockCounted() | ReportSubmitted():
            return f"warehouse:{event.warehouse_id}"
        case RentContractRegistered() | RentContractExtended():
            return f"contract:{event.contract_no}"
        case DeclarationRegistered() | DeclarationSettled() | SettlementExtended():
            return f"declaration:{event.declaration_no}"
        case CommandAccepted():
            return f"command:{event.command_id}"
    raise TypeError(f"no stream for {type(event).__name__}")


class UnitOfWork:
    def __init__(
        self,
        store: EventStore,
        cache: StreamCache | None = None,
        lots: dict[str, Lot] | None = None,
    ) -> None:
        self.store = store
        self.cache: StreamCache = cache if cache is not None else {}
        self.pending: dict[str, list[Event]] = {}
        self._synced: set[str] = set()
        self._lots: dict[str, Lot] = lots if lots is not None else {}  # folded, by version
        self._log: list[str] = []  # streams appended to, in order, for rollback to a mark

    # --- reading ---

    def events(self, stream: str) -> list[Event]:
        if stream not in self._synced:
            self.sync([stream])
        return self.cache[stream] + self.pending.get(stream, [])

    def sync(self, streams: Iterable[str]) -> None:
        """Brings these streams up to date with the store, in one round trip."""
        todo = [s for s in dict.fromkeys(streams) if s not in self._synced]
        if not todo:
            return
        newer = self.store.read_after({s: len(self.cache.get(s, ())) for s in todo})
        for stream in todo:
            self.cache.setdefault(stream, []).extend(newer.get(stream, ()))
            self._synced.add(stream)

    def lot(self, lot_id: str) -> Lot:
        events = self.events(f"lot:{lot_id}")
        known = self._lots.get(lot_id)
        if (
            known is not None
            and known.version == len(events)
            and (not events or known.entries[-1].event is events[-1])
        ):
            return known  # the same history: keep its folded facts
        entries = tuple(Entry(i, e) for i, e in enumerate(events, 1) if isinstance(e, LotEvent))
        self._lots[lot_id] = lot = Lot(lot_id, entries)
        return lot

    def lots(self, lot_ids: Iterable[str]) -> dict[str, Lot]:
        ids = list(lot_ids)
        self.sync(f"lot:{lot_id}" for lot_id in ids)
        return {lot_id: self.lot(lot_id) for lot_id in ids}

    def lot_tree(self, roots: Iterable[str]) -> list[Lot]:
        """The lots and every lot split off from them, however deep."""
        found: list[Lot] = []
        frontier = list(roots)
        while frontier:
            batch = self.lots(frontier)
            found.extend(batch.values())
            frontier = [child for lot in batch.values() for child in lot.children()]
        return found

    def enterprise(self, tax_code: str) -> Enterprise | None:
        return Enterprise.from_events(self.events(f"enterprise:{tax_code}"))

    def warehouse(self, warehouse_id: str) -> Warehouse | None:
        return Warehouse.from_events(self.events(f"warehouse:{warehouse_id}"))

    def contract(self, contract_no: str | None) -> RentContract | None:
        if contract_no is None:
            return None
        return RentContract.from_events(self.events(f"contract:{contract_no}"))

    def declaration(self, declaration_no: str) -> Declaration | None:
        return Declaration.from_events(self.events(f"declaration:{declaration_no}"))

    # --- writing ---

    def record(self, events: Iterable[Event]) -> None:
        for event in events:
            stream = stream_of(event)
            if stream not in self.cache and isinstance(event, LotSplitOff):
                # a split-off lot's id is new by construction; if another writer took it,
                # the version check refuses the commit and the retry reads it afresh
                self.cache[stream] = []
                self._synced.add(stream)
            self.events(stream)  # the committed version must be known before appending
            self.pending.setdefault(stream, []).append(event)
            self._log.append(stream)

    def mark(self) -> int:
        return len(self._log)

    def rollback_to(self, mark: int) -> None:
        """Forgets what was recorded since ``mark``: a refused command leaves nothing."""
        for stream in reversed(self._log[mark:]):
            self.pending[stream].pop()
            if not self.pending[stream]:
                del self.pending[stream]
        del self._log[mark:]

    @property
    def has_changes(self) -> bool:
        return bool(self._log)

    def commit(self) -> int:
        """Writes every pending event at once; returns how many. Raises the store's
        ``IntegrityError`` when another writer got to one of these streams first."""
        records: list[tuple[str, int, Event]] = []
        taken: dict[str, int] = {}
        for stream in self._log:  # recorded order, so the notification log reads as it happened
            index = taken.get(stream, 0)
            taken[stream] = index + 1
            version = len(self.cache[stream]) + index + 1
            records.append((stream, version, self.pending[stream][index]))
        if records:
            self.store.append(records)
        for stream, events in self.pending.items():
            self.cache[stream].extend(events)
        self.pending.clear()
        self._log.clear()
        return len(records)
