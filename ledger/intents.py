"""What a user asks the ledger to record, as typed intents: one frozen dataclass per command.

A handler turns a validated request into one of these and hands it to ``ledger.decide``
with the ``Envelope`` (who asks, under which ``command_id``, at which recorded moment);
decide builds every event whole from the two. Nothing here is checked yet: that is decide's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TypedDict

from ledger.values import GoodsLine, Seal


class Stamp(TypedDict):
    """The envelope fields every event carries (DOMAIN.md §3)."""

    effective_at: datetime
    recorded_at: datetime
    actor: str
    command_id: str | None


@dataclass(frozen=True)
class Envelope:
    actor: str
    recorded_at: datetime
    command_id: str | None = None

    def stamp(self, effective_at: datetime | None = None) -> Stamp:
        """The envelope of an event that took effect at ``effective_at`` (default: now)."""
        return Stamp(
            effective_at=effective_at or self.recorded_at,
            recorded_at=self.recorded_at,
            actor=self.actor,
            command_id=self.command_id,
        )


@dataclass(frozen=True, kw_only=True)
class Intent:
    """What one command asks for."""


# --- reference data -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RegisterEnterprise(Intent):
    tax_code: str
    name: str
    address: str
    country: str = "VN"


@dataclass(frozen=True, kw_only=True)
class RegisterWarehouse(Intent):
    warehouse_id: str
    name: str
    owner_tax_code: str
    province: str
    customs_office: str
    address: str | None = None
    in_port_area: bool = False


@dataclass(frozen=True, kw_only=True)
class RegisterRentContract(Intent):
    contract_no: str
    warehouse_id: str
    goods_owner_tax_code: str
    starts_on: date
    expires_on: date
    registered_on: date


@dataclass(frozen=True, kw_only=True)
class ExtendRentContract(Intent):
    contract_no: str
    expires_on: date
    effective_at: datetime


# --- warehousing and movements --------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class WarehouseGoods(Intent):
    declaration_no: str
    registered_on: date
    effective_at: datetime
    warehouse_id: str
    goods_owner_tax_code: str
    contract_no: str | None
    expires_on: date
    source: str
    export_declaration_no: str | None = None
    decision_ref: str | None = None
    transport_doc: str
    seals: tuple[Seal, ...] = ()
    lines: tuple[GoodsLine, ...] = ()


@dataclass(frozen=True, kw_only=True)
class LotIntent(Intent):
    """An intent about one lot, at one effective moment."""

    lot_id: str
    effective_at: datetime


@dataclass(frozen=True, kw_only=True)
class ExWarehouse(LotIntent):
    quantity: Decimal
    destination: str
    bill_no: str
    export_declaration_no: str | None = None
    border_gate: str | None = None
    import_declaration_no: str | None = None
    purpose: str | None = None


@dataclass(frozen=True, kw_only=True)
class TransferOwnership(LotIntent):
    quantity: Decimal
    new_owner_tax_code: str
    new_contract_no: str | None
    trading_contract_no: str
    notice_no: str


@dataclass(frozen=True, kw_only=True)
class DispatchMove(LotIntent):
    quantity: Decimal
    to_warehouse_id: str
    contract_no: str | None
    approval_ref: str
    seal_no: str


@dataclass(frozen=True, kw_only=True)
class ReceiveMove(LotIntent):
    seal_intact: bool


# --- customs decisions ----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ExtendStorage(LotIntent):
    days: int
    approval_ref: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class PlaceHold(LotIntent):
    ref: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class ReleaseHold(LotIntent):
    ref: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class LiquidateOverdue(LotIntent):
    quantity: Decimal
    decision_ref: str
    method: str


# --- declarations ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SettleDeclaration(Intent):
    declaration_no: str
    effective_at: datetime


@dataclass(frozen=True, kw_only=True)
class ExtendSettlement(Intent):
    declaration_no: str
    effective_at: datetime
    approval_ref: str
    reason: str


# --- inspections, reports, corrections ------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Count:
    lot_id: str
    counted_quantity: Decimal


@dataclass(frozen=True, kw_only=True)
class RecordStockCount(Intent):
    warehouse_id: str
    effective_at: datetime
    counts: tuple[Count, ...]


@dataclass(frozen=True, kw_only=True)
class SubmitReport(Intent):
    warehouse_id: str
    period: str
    effective_at: datetime


@dataclass(frozen=True, kw_only=True)
class ReverseEntry(Intent):
    lot_id: str
    version: int
    reason: str
