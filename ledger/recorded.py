"""What decide may read: the ledger's recorded streams, folded into lots and reference facts.

``Recorded`` is the lookup protocol every decision is handed. ``Streams`` implements it over
any source of streams (the unit of work over the event store; ``History`` over a plain list
of events, for tests with no database), so the folds are written once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from typing import Protocol

from ledger.allowances import Allowance
from ledger.ecommerce_events import LicenceListed, allowance_key, order_key
from ledger.events import Event, LotEvent, ReportSubmitted
from ledger.exemptions import GoodsLists, StopNotices
from ledger.folds import F, fold
from ledger.licences import Licence
from ledger.lot import Lot
from ledger.registry import Declaration, Enterprise, RentContract, Warehouse
from ledger.streams import (
    EXEMPTION_NOTICES,
    GOODS_LISTS,
    allowance_stream,
    contract_stream,
    declaration_stream,
    enterprise_stream,
    licence_stream,
    licences_of_stream,
    lot_stream,
    order_stream,
    user_stream,
    warehouse_stream,
)
from ledger.users import User


class Recorded(Protocol):
    """The facts a decision reads, each folded from its own stream as recorded now.

    Facts that change over effective time (where a lot was, which contract bound it, which
    extension was in force) are asked of the folded value at the intent's ``effective_at``.
    """

    def lot(self, lot_id: str) -> Lot: ...

    def lots(self, lot_ids: Iterable[str]) -> dict[str, Lot]: ...

    def lot_tree(self, roots: Iterable[str]) -> list[Lot]: ...

    def lots_ever_in(self, warehouse_id: str) -> list[Lot]: ...

    def enterprise(self, tax_code: str) -> Enterprise | None: ...

    def warehouse(self, warehouse_id: str) -> Warehouse | None: ...

    def reports(self, warehouse_id: str, period: str) -> list[ReportSubmitted]: ...

    def contract(self, contract_no: str) -> RentContract | None: ...

    def declaration(self, declaration_no: str) -> Declaration | None: ...

    def user(self, name: str) -> User | None: ...

    def goods_lists(self) -> GoodsLists: ...

    def stop_notices(self) -> StopNotices: ...

    def licence(self, licence_no: str) -> Licence: ...

    def licences_of(self, goods_owner_tax_code: str) -> list[Licence]: ...

    def allowance(self, buyer_id: str, year: int) -> Allowance: ...

    def order_taken(self, platform: str, order_no: str) -> bool: ...


class Streams(ABC):
    """``Recorded`` over a source of streams."""

    @abstractmethod
    def events(self, stream: str) -> Sequence[Event]:
        """A stream's events in recorded order."""

    @abstractmethod
    def lot_ids_ever_in(self, warehouse_id: str) -> set[str]:
        """Every lot ever placed in the warehouse."""

    def prefetch(self, streams: Iterable[str]) -> None:  # noqa: B027 - an optional hook
        """A hint: these streams will be read soon (a source may fetch them at once)."""

    def lot(self, lot_id: str) -> Lot:
        events = self.events(lot_stream(lot_id))
        return Lot.of(lot_id, [e for e in events if isinstance(e, LotEvent)])

    def lots(self, lot_ids: Iterable[str]) -> dict[str, Lot]:
        ids = list(lot_ids)
        self.prefetch(lot_stream(lot_id) for lot_id in ids)
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

    def lots_ever_in(self, warehouse_id: str) -> list[Lot]:
        return list(self.lots(sorted(self.lot_ids_ever_in(warehouse_id))).values())

    def enterprise(self, tax_code: str) -> Enterprise | None:
        return Enterprise.from_events(self.events(enterprise_stream(tax_code)))

    def warehouse(self, warehouse_id: str) -> Warehouse | None:
        return Warehouse.from_events(self.events(warehouse_stream(warehouse_id)))

    def reports(self, warehouse_id: str, period: str) -> list[ReportSubmitted]:
        """The reports of the warehouse for the period, in recorded order."""
        return [
            e
            for e in self.events(warehouse_stream(warehouse_id))
            if isinstance(e, ReportSubmitted) and e.period == period
        ]

    def contract(self, contract_no: str) -> RentContract | None:
        return RentContract.from_events(self.events(contract_stream(contract_no)))

    def declaration(self, declaration_no: str) -> Declaration | None:
        return Declaration.from_events(self.events(declaration_stream(declaration_no)))

    def user(self, name: str) -> User | None:
        return User.from_events(self.events(user_stream(name)))

    def folded(self, stream: str, kind: type[F]) -> F:
        """The stream folded into ``kind`` (a source may keep folds between calls)."""
        return fold(kind, self.events(stream))

    def goods_lists(self) -> GoodsLists:
        return self.folded(GOODS_LISTS, GoodsLists)

    def stop_notices(self) -> StopNotices:
        return self.folded(EXEMPTION_NOTICES, StopNotices)

    def licence(self, licence_no: str) -> Licence:
        return self.folded(licence_stream(licence_no), Licence)

    def licences_of(self, goods_owner_tax_code: str) -> list[Licence]:
        listed = self.events(licences_of_stream(goods_owner_tax_code))
        numbers = [e.licence_no for e in listed if isinstance(e, LicenceListed)]
        self.prefetch(licence_stream(no) for no in numbers)
        return [self.licence(no) for no in numbers]

    def allowance(self, buyer_id: str, year: int) -> Allowance:
        return self.folded(allowance_stream(allowance_key(year, buyer_id)), Allowance)

    def order_taken(self, platform: str, order_no: str) -> bool:
        return bool(self.events(order_stream(order_key(platform, order_no))))


class History(Streams):
    """Streams kept in memory: what tests are given."""

    def __init__(self, events: Iterable[Event] = ()) -> None:
        self.streams: dict[str, list[Event]] = {}
        self.add(events)

    def add(self, events: Iterable[Event]) -> None:
        for event in events:
            self.streams.setdefault(event.stream, []).append(event)

    def events(self, stream: str) -> Sequence[Event]:
        return self.streams.get(stream, [])

    def lot_ids_ever_in(self, warehouse_id: str) -> set[str]:
        return {
            lot_id
            for events in self.streams.values()
            for event in events
            if isinstance(event, LotEvent)
            for lot_id, where in event.placements()
            if where == warehouse_id
        }
