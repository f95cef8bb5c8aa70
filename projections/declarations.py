"""The declarations read model: each warehousing declaration, its settlement and extension,
each with when it took effect and when it was recorded."""

from __future__ import annotations

from functools import singledispatchmethod

from sqlalchemy import Connection, insert, update

from ledger.events import DeclarationRegistered, DeclarationSettled, Event, SettlementExtended
from projections import tables as t
from projections.projection import EventByEvent

declarations = t.declarations.c


class DeclarationsProjection(EventByEvent):
    name = "declarations"
    tables = (t.declarations,)

    @singledispatchmethod
    def project(self, event: Event, connection: Connection) -> None:
        """Events of other kinds change nothing here."""

    @project.register
    def _(self, event: DeclarationRegistered, connection: Connection) -> None:
        connection.execute(
            insert(t.declarations).values(
                declaration_no=event.declaration_no,
                warehouse_id=event.warehouse_id,
                goods_owner_tax_code=event.goods_owner_tax_code,
                registered_on=event.registered_on,
                effective_at=event.effective_at,
                recorded_at=event.recorded_at,
                extension_days=0,
            )
        )

    @project.register
    def _(self, event: DeclarationSettled, connection: Connection) -> None:
        connection.execute(
            update(t.declarations)
            .where(declarations.declaration_no == event.declaration_no)
            .values(settled_at=event.effective_at, settled_recorded_at=event.recorded_at)
        )

    @project.register
    def _(self, event: SettlementExtended, connection: Connection) -> None:
        connection.execute(
            update(t.declarations)
            .where(declarations.declaration_no == event.declaration_no)
            .values(
                extension_days=event.days,
                extension_effective_at=event.effective_at,
                extension_recorded_at=event.recorded_at,
            )
        )
