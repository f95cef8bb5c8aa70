"""The reference read model: warehouses, rent contracts and their extensions, as recorded."""

from __future__ import annotations

from functools import singledispatchmethod

from sqlalchemy import insert

from ledger.events import Event, RentContractExtended, RentContractRegistered, WarehouseRegistered
from projections import tables as t
from projections.projection import EventByEvent, Write

WAREHOUSE = insert(t.warehouses)
CONTRACT = insert(t.contracts)
CONTRACT_EXTENDED = insert(t.contract_extensions)


class ReferenceProjection(EventByEvent):
    name = "reference"
    tables = (t.warehouses, t.contracts, t.contract_extensions)

    @singledispatchmethod
    def project(self, event: Event) -> Write | None:
        """Events of other kinds change nothing here."""
        return None

    @project.register
    def _(self, event: WarehouseRegistered) -> Write:
        return Write(
            WAREHOUSE,
            {
                "warehouse_id": event.warehouse_id,
                "name": event.name,
                "owner_tax_code": event.owner_tax_code,
                "province": event.province,
                "customs_office": event.customs_office,
                "recorded_at": event.recorded_at,
            },
        )

    @project.register
    def _(self, event: RentContractRegistered) -> Write:
        return Write(
            CONTRACT,
            {
                "contract_no": event.contract_no,
                "warehouse_id": event.warehouse_id,
                "goods_owner_tax_code": event.goods_owner_tax_code,
                "starts_on": event.starts_on,
                "expires_on": event.expires_on,
                "recorded_at": event.recorded_at,
            },
        )

    @project.register
    def _(self, event: RentContractExtended) -> Write:
        return Write(
            CONTRACT_EXTENDED,
            {
                "contract_no": event.contract_no,
                "recorded_at": event.recorded_at,
                "effective_at": event.effective_at,
                "expires_on": event.expires_on,
            },
        )
