"""Reference data: enterprises, warehouses and rent contracts (55.1b.2)."""

from __future__ import annotations

from ledger.decide.common import check_not_in_future, require_found
from ledger.errors import Conflict, Invalid, LedgerError
from ledger.events import (
    EnterpriseRegistered,
    RentContractExtended,
    RentContractRegistered,
    WarehouseRegistered,
)
from ledger.intents import (
    Envelope,
    ExtendRentContract,
    RegisterEnterprise,
    RegisterRentContract,
    RegisterWarehouse,
)
from ledger.recorded import Recorded
from ledger.rulepacks import RulePack


def register_enterprise(
    intent: RegisterEnterprise, envelope: Envelope, recorded: Recorded, pack: RulePack
) -> list[EnterpriseRegistered]:
    if recorded.enterprise(intent.tax_code) is not None:
        raise Conflict(
            "enterprise_exists", f"enterprise {intent.tax_code} is already registered", "tax_code"
        )
    return [envelope.event(EnterpriseRegistered, intent)]


def register_warehouse(
    intent: RegisterWarehouse, envelope: Envelope, recorded: Recorded, pack: RulePack
) -> list[WarehouseRegistered]:
    if recorded.warehouse(intent.warehouse_id) is not None:
        raise Conflict(
            "warehouse_exists",
            f"warehouse {intent.warehouse_id} is already registered",
            "warehouse_id",
        )
    _require_enterprise(recorded, intent.owner_tax_code, "the warehouse owner", "owner_tax_code")
    return [envelope.event(WarehouseRegistered, intent)]


def register_rent_contract(
    intent: RegisterRentContract, envelope: Envelope, recorded: Recorded, pack: RulePack
) -> list[RentContractRegistered]:
    if recorded.contract(intent.contract_no) is not None:
        raise Conflict(
            "contract_exists",
            f"rent contract {intent.contract_no} is already registered",
            "contract_no",
        )
    require_warehouse(recorded, intent.warehouse_id, "warehouse_id")
    _require_enterprise(
        recorded, intent.goods_owner_tax_code, "the goods owner", "goods_owner_tax_code"
    )
    if intent.expires_on <= intent.starts_on:
        raise Invalid(
            "contract_dates",
            f"expires_on {intent.expires_on} must be after starts_on {intent.starts_on}",
            "expires_on",
        )
    return [envelope.event(RentContractRegistered, intent)]


def extend_rent_contract(
    intent: ExtendRentContract, envelope: Envelope, recorded: Recorded, pack: RulePack
) -> list[RentContractExtended]:
    check_not_in_future(intent.effective_at, envelope)
    contract = require_found(
        recorded.contract(intent.contract_no),
        "unknown_contract",
        f"rent contract {intent.contract_no} is not registered",
        "contract_no",
    )
    current = contract.expiry_at(intent.effective_at)
    if intent.expires_on <= current:
        raise LedgerError(
            "extension_not_later",
            f"the new expires_on {intent.expires_on} must be after the contract's current "
            f"expiry {current}",
            "expires_on",
        )
    return [envelope.event(RentContractExtended, intent)]


def require_warehouse(recorded: Recorded, warehouse_id: str, field: str, role: str = "") -> None:
    require_found(
        recorded.warehouse(warehouse_id),
        "unknown_warehouse",
        f"{role}warehouse {warehouse_id} is not registered",
        field,
    )


def _require_enterprise(recorded: Recorded, tax_code: str, who: str, field: str) -> None:
    require_found(
        recorded.enterprise(tax_code),
        "unknown_enterprise",
        f"{who} {tax_code} is not a registered enterprise",
        field,
    )
