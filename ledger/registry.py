"""Reference data as folded from its own streams: enterprises, warehouses, rent contracts,
declarations. Each ``from_events`` is a pure fold; None means "never registered"."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from ledger.events import (
    DeclarationRegistered,
    DeclarationSettled,
    EnterpriseRegistered,
    Event,
    RentContractExtended,
    RentContractRegistered,
    SettlementExtended,
    WarehouseRegistered,
)


@dataclass(frozen=True)
class Enterprise:
    tax_code: str
    name: str
    country: str

    @staticmethod
    def from_events(events: Sequence[Event]) -> Enterprise | None:
        for e in events:
            if isinstance(e, EnterpriseRegistered):
                return Enterprise(e.tax_code, e.name, e.country)
        return None


@dataclass(frozen=True)
class Warehouse:
    warehouse_id: str
    name: str
    owner_tax_code: str
    province: str
    customs_office: str
    in_port_area: bool

    @staticmethod
    def from_events(events: Sequence[Event]) -> Warehouse | None:
        for e in events:
            if isinstance(e, WarehouseRegistered):
                return Warehouse(
                    e.warehouse_id,
                    e.name,
                    e.owner_tax_code,
                    e.province,
                    e.customs_office,
                    e.in_port_area,
                )
        return None


@dataclass(frozen=True)
class RentContract:
    contract_no: str
    warehouse_id: str
    goods_owner_tax_code: str
    starts_on: date
    expires_on: date
    extensions: tuple[tuple[datetime, date], ...]  # (effective_at, new expiry), recorded order

    @staticmethod
    def from_events(events: Sequence[Event]) -> RentContract | None:
        contract: RentContract | None = None
        for e in events:
            if isinstance(e, RentContractRegistered):
                contract = RentContract.registered(e)
            elif isinstance(e, RentContractExtended) and contract is not None:
                contract = contract.extended(e)
        return contract

    @staticmethod
    def registered(e: RentContractRegistered) -> RentContract:
        return RentContract(
            e.contract_no, e.warehouse_id, e.goods_owner_tax_code, e.starts_on, e.expires_on, ()
        )

    def extended(self, e: RentContractExtended) -> RentContract:
        return replace(self, extensions=(*self.extensions, (e.effective_at, e.expires_on)))

    def extended_expiry_at(self, moment: datetime) -> date | None:
        """The expiry set by the latest extension in force at ``moment``, if any."""
        in_force = [expiry for at, expiry in self.extensions if at <= moment]
        return max(in_force) if in_force else None

    def expiry_at(self, moment: datetime) -> date:
        return self.extended_expiry_at(moment) or self.expires_on

    def valid_on(self, day: date, moment: datetime) -> bool:
        return self.starts_on <= day <= self.expiry_at(moment)


@dataclass(frozen=True)
class Declaration:
    declaration_no: str
    registered_on: date
    warehouse_id: str
    goods_owner_tax_code: str
    contract_no: str | None
    lot_ids: tuple[str, ...]
    settled_at: datetime | None
    settlement_extension_days: int
    settlement_extensions: int

    @staticmethod
    def from_events(events: Sequence[Event]) -> Declaration | None:
        registered = next((e for e in events if isinstance(e, DeclarationRegistered)), None)
        if registered is None:
            return None
        settled = next((e for e in events if isinstance(e, DeclarationSettled)), None)
        extensions = [e for e in events if isinstance(e, SettlementExtended)]
        return Declaration(
            declaration_no=registered.declaration_no,
            registered_on=registered.registered_on,
            warehouse_id=registered.warehouse_id,
            goods_owner_tax_code=registered.goods_owner_tax_code,
            contract_no=registered.contract_no,
            lot_ids=registered.lot_ids,
            settled_at=settled.effective_at if settled else None,
            settlement_extension_days=sum(e.days for e in extensions),
            settlement_extensions=len(extensions),
        )
