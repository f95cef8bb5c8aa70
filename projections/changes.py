"""What the events recorded since warnings were last made known changed, as far as warnings
go (``projections.outbox``): the warehouses and licences they touched, or everything.

A warning is about a lot, a declaration, a warehouse's reports or a licence, and arises from
an event about its subject or from a day passing. So while the day is the same, only the
subjects of the events read since the last look can have new warnings: a lot's event touches
every warehouse the lot was ever in, a declaration's its warehouse, a warehouse's (a stock
count, a report) itself, a licence's the licence. Events that raise no warning (commands
accepted, users and tokens, order numbers, allowances) touch nothing; any other kind (a goods
list, a stop notice, a contract, a new warehouse) touches everything, as does a new day.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime

from sqlalchemy import Engine, select

from ledger.calendar import local_date
from ledger.ecommerce_events import (
    AllowanceEvent,
    LicenceEvent,
    LicenceListed,
    OrderNumberTaken,
)
from ledger.events import (
    CommandAccepted,
    DeclarationEvent,
    EnterpriseRegistered,
    Event,
    LotEvent,
    UserEvent,
    WarehouseEvent,
)
from projections import tables as t
from projections.warnings import Only

SILENT = (
    CommandAccepted,
    UserEvent,
    OrderNumberTaken,
    AllowanceEvent,
    LicenceListed,
    EnterpriseRegistered,
)

Read = Callable[[int, int], Iterable[Event]]  # the events after one position, up to another


class Changes:
    """Kept by the warnings pusher: the day and the read models' position of its last look."""

    def __init__(self, engine: Engine, position: Callable[[], int], read: Read) -> None:
        self.engine = engine
        self.position = position
        self.read = read
        self.day: date | None = None
        self.seen = 0

    def since_last(self, now: datetime) -> Only | None:
        """The subjects touched since the last call (None: everything: the first look, or a
        new day), and moves the mark on. Read the position first: whatever the read models
        take in after it is looked at again next time."""
        day, position = local_date(now), self.position()
        first_look_today = day != self.day
        only = None if first_look_today else self.touched(self.read(self.seen, position))
        self.day, self.seen = day, max(self.seen, position)  # once read: a failure reads again
        return only

    def touched(self, events: Iterable[Event]) -> Only | None:
        warehouses: set[str] = set()
        licences: set[str] = set()
        lots: set[str] = set()
        declarations: set[str] = set()
        for event in events:
            if isinstance(event, SILENT):
                continue
            if isinstance(event, LotEvent):
                lots.add(event.lot_id)
                warehouses.update(where for _, where in event.placements())
            elif isinstance(event, DeclarationEvent):
                declarations.add(event.declaration_no)
            elif isinstance(event, WarehouseEvent):
                warehouses.add(event.warehouse_id)
            elif isinstance(event, LicenceEvent):
                licences.add(event.licence_no)
            else:
                return None
        warehouses |= self._warehouses_of(lots, declarations)
        return Only(frozenset(warehouses), frozenset(licences))

    def _warehouses_of(self, lots: set[str], declarations: set[str]) -> set[str]:
        """Every warehouse these lots were ever in, and these declarations' warehouses."""
        p, d = t.lot_parties.c, t.declarations.c
        found: set[str] = set()
        with self.engine.connect() as connection:
            for chunk in _chunks(lots):
                query = select(p.value).where(p.kind == "warehouse", p.lot_id.in_(chunk))
                found.update(connection.execute(query).scalars())
            for chunk in _chunks(declarations):
                query = select(d.warehouse_id).where(d.declaration_no.in_(chunk))
                found.update(connection.execute(query).scalars())
        return found


def _chunks(ids: set[str], size: int = 500) -> Iterable[list[str]]:
    ordered = sorted(ids)
    return (ordered[start : start + size] for start in range(0, len(ordered), size))
