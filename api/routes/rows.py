"""The rows the questions answer, as the OpenAPI document shows them: exactly the fields of
``bonded … --format json`` (DOMAIN.md §6); decimals are strings, dates ISO 8601."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from ledger.licences import LicenceStatus

Decimal = str  # every decimal the product prints is a JSON string ("40.5")


class Row(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BalanceRow(Row):
    lot_id: str
    declaration_no: str
    warehouse_id: str
    goods_owner_tax_code: str
    hs_code: str
    description: str
    unit: str
    on_hand: Decimal
    in_transit: Decimal
    first_warehoused_on: str


class ClockRow(Row):
    lot_id: str
    warehouse_id: str
    first_warehoused_on: str
    deadline: str
    days_in_storage: int
    days_left: int
    status: Literal["ok", "due_soon", "overdue", "closed"]


class SettlementRow(Row):
    declaration_no: str
    warehouse_id: str
    emptied_on: str | None
    settlement_due_on: str | None
    settled_on: str | None
    status: Literal["open", "awaiting_settlement", "settlement_overdue", "settled"]


class CardRow(Row):
    version: int
    event: str
    effective_at: str
    recorded_at: str
    quantity_in: Decimal
    quantity_out: Decimal
    balance: Decimal
    on_hand: Decimal
    in_transit: Decimal
    related_lot_id: str | None
    reversed: bool


class LicenceRow(Row):
    licence_no: str
    kind: Literal["licence", "condition", "specialised_inspection"]
    issuer: str
    goods_owner_tax_code: str
    valid_until: str
    hs_prefix: str
    unit: str
    granted: Decimal
    deducted: Decimal
    remaining: Decimal
    status: LicenceStatus
    late: bool


class LicenceCardRow(Row):
    order_no: str
    platform: str
    lot_id: str
    effective_at: str
    recorded_at: str
    quantity: Decimal
    remaining: Decimal


class OrderRow(Row):
    order_no: str
    platform: str
    buyer_id: str
    lot_id: str
    quantity: Decimal
    customs_value: Decimal
    effective_at: str
    basis: Literal["not_controlled", "low_value", "quantity_list", "deducted"]
    licence_nos: list[str]


class AllowanceRow(Row):
    hs_prefix: str
    exempt_quantity: Decimal
    used: Decimal
    left: Decimal


class WarningRow(Row):
    warning_id: str
    kind: str
    subject: str
    warehouse_id: str | None
    goods_owner_tax_code: str | None
    raised_on: str
    detail: str
