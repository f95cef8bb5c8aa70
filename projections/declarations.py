"""The declarations read model: each warehousing declaration, its settlement and extension,
each with when it took effect and when it was recorded."""

from __future__ import annotations

from functools import singledispatchmethod

from sqlalchemy import bindparam, insert, update

from ledger.events import DeclarationRegistered, DeclarationSettled, Event, SettlementExtended
from projections import tables as t
from projections.projection import EventByEvent, Write

declarations = t.declarations.c
REGISTERED = insert(t.declarations)
_DECLARATION = declarations.declaration_no == bindparam("key")
SETTLED = (
    update(t.declarations)
    .where(_DECLARATION)
    .values(settled_at=bindparam("settled"), settled_recorded_at=bindparam("recorded"))
)
EXTENDED = (
    update(t.declarations)
    .where(_DECLARATION)
    .values(
        extension_days=bindparam("days"),
        extension_effective_at=bindparam("effective"),
        extension_recorded_at=bindparam("recorded"),
    )
)


class DeclarationsProjection(EventByEvent):
    name = "declarations"
    tables = (t.declarations,)

    @singledispatchmethod
    def project(self, event: Event) -> Write | None:
        """Events of other kinds change nothing here."""
        return None

    @project.register
    def _(self, event: DeclarationRegistered) -> Write:
        return Write(
            REGISTERED,
            {
                "declaration_no": event.declaration_no,
                "warehouse_id": event.warehouse_id,
                "goods_owner_tax_code": event.goods_owner_tax_code,
                "registered_on": event.registered_on,
                "effective_at": event.effective_at,
                "recorded_at": event.recorded_at,
                "extension_days": 0,
            },
        )

    @project.register
    def _(self, event: DeclarationSettled) -> Write:
        return Write(
            SETTLED,
            {
                "key": event.declaration_no,
                "settled": event.effective_at,
                "recorded": event.recorded_at,
            },
        )

    @project.register
    def _(self, event: SettlementExtended) -> Write:
        return Write(
            EXTENDED,
            {
                "key": event.declaration_no,
                "days": event.days,
                "effective": event.effective_at,
                "recorded": event.recorded_at,
            },
        )
