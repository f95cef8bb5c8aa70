"""Reference data: enterprises, warehouses and rent contracts (55.1b.2)."""

from __future__ import annotations

from ledger.decide.common import check_not_in_future
from ledger.errors import Conflict, LedgerError, NotFound
from ledger.events import (
    EnterpriseRegistered,
    RentContractExtended,
    RentContractRegistered,
    WarehouseRegistered,
)
from ledger.registry import Enterprise, RentContract, Warehouse


def register_enterprise(
    existing: Enterprise | None, proposed: EnterpriseRegistered
) -> list[EnterpriseRegistered]:
    if existing is not None:
        raise Conflict(
            "enterprise_exists", f"enterprise {proposed.tax_code} is already registered", "tax_code"
        )
    return [proposed]


def register_warehouse(
    existing: Warehouse | None, owner: Enterprise | None, proposed: WarehouseRegistered
) -> list[WarehouseRegistered]:
    if existing is not None:
        raise Conflict(
            "warehouse_exists",
            f"warehouse {proposed.warehouse_id} is already registered",
            "warehouse_id",
        )
    if owner is None:
        raise NotFound(
            "unknown_enterprise",
            f"the warehouse owner {proposed.owner_tax_code} is not a registered enterprise",
            "owner_tax_code",
        )
    return [proposed]


def register_rent_contract(
    existing: RentContract | None,
    warehouse: Warehouse | None,
    goods_owner: Enterprise | None,
    proposed: RentContractRegistered,
) -> list[RentContractRegistered]:
    if existing is not None:
        raise Conflict(
            "contract_exists",
            f"rent contract {proposed.contract_no} is already registered",
            "contract_no",
        )
    if warehouse is None:
        raise NotFound(
            "unknown_warehouse",
            f"warehouse {proposed.warehouse_id} is not registered",
            "warehouse_id",
        )
    if goods_owner is None:
        raise NotFound(
            "unknown_enterprise",
            f"the goods owner {proposed.goods_owner_tax_code} is not a registered enterprise",
            "goods_owner_tax_code",
        )
    if proposed.expires_on <= proposed.starts_on:
        raise LedgerError(
            "contract_dates",
            f"expires_on {proposed.expires_on} must be after starts_on {proposed.starts_on}",
            "expires_on",
        )
    return [proposed]


def extend_rent_contract(
    contract: RentContract | None, proposed: RentContractExtended
) -> list[RentContractExtended]:
    check_not_in_future(proposed)
    if contract is None:
        raise NotFound(
            "unknown_contract",
            f"rent contract {proposed.contract_no} is not registered",
            "contract_no",
        )
    current = contract.expiry_at(proposed.effective_at)
    if proposed.expires_on <= current:
        raise LedgerError(
            "extension_not_later",
            f"the new expires_on {proposed.expires_on} must be after the contract's current "
            f"expiry {current}",
            "expires_on",
        )
    return [proposed]
