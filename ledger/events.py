"""Every fact the ledger records, as immutable dataclasses.

The event store keeps each event's class path (its *topic*): these names and this module's
path are part of the stored data. Rename or move a class only together with
``eventsourcing.utils.register_topic``; change its fields only with a ``class_version`` bump
and an upcaster.

Every event carries the envelope of DOMAIN.md §3: ``effective_at`` (when it happened in the
warehouse), ``recorded_at`` (when the ledger learned it), ``actor`` and ``command_id``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True, kw_only=True)
class Event:
    effective_at: datetime
    recorded_at: datetime
    actor: str
    command_id: str | None = None


# --- reference data -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class EnterpriseRegistered(Event):
    tax_code: str
    name: str
    address: str
    country: str = "VN"


@dataclass(frozen=True, kw_only=True)
class WarehouseRegistered(Event):
    warehouse_id: str
    name: str
    owner_tax_code: str
    province: str
    customs_office: str
    address: str | None = None
    in_port_area: bool = False


@dataclass(frozen=True, kw_only=True)
class RentContractRegistered(Event):
    contract_no: str
    warehouse_id: str
    goods_owner_tax_code: str
    starts_on: date
    expires_on: date
    registered_on: date


@dataclass(frozen=True, kw_only=True)
class RentContractExtended(Event):
    contract_no: str
    expires_on: date


# --- value types carried by events ----------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class GoodsLine:
    """One line of a warehousing declaration: what a lot holds."""

    line_no: int
    description: str
    hs_code: str
    quantity: Decimal
    unit: str
    customs_value: Decimal
    currency: str
    origin_country: str
    frame_no: str | None = None
    engine_no: str | None = None


@dataclass(frozen=True, kw_only=True)
class Seal:
    container_no: str
    seal_no: str
    intact: bool


# --- declarations ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class DeclarationRegistered(Event):
    """The warehousing declaration (form HQ/2002-KNQ) as registered; its lots follow."""

    declaration_no: str
    registered_on: date
    warehouse_id: str
    goods_owner_tax_code: str
    contract_no: str | None
    expires_on: date
    source: str
    export_declaration_no: str | None = None
    decision_ref: str | None = None
    transport_doc: str
    seals: tuple[Seal, ...] = ()
    lot_ids: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class DeclarationSettled(Event):
    declaration_no: str


@dataclass(frozen=True, kw_only=True)
class SettlementExtended(Event):
    declaration_no: str
    approval_ref: str
    reason: str
    days: int


# --- lots: every event below belongs to one lot's stream ------------------------------------


@dataclass(frozen=True, kw_only=True)
class LotEvent(Event):
    lot_id: str


@dataclass(frozen=True, kw_only=True)
class LotWarehoused(LotEvent):
    declaration_no: str
    registered_on: date
    warehouse_id: str
    goods_owner_tax_code: str
    contract_no: str | None
    expires_on: date
    source: str
    goods: GoodsLine
    on_hold: bool = False
    hold_reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class LotSplitOff(LotEvent):
    """The first event of a lot split off by a partial transfer or move.

    It carries what the child keeps from its parent: the goods line, the first warehousing
    date and any storage extension granted (DOMAIN.md §2).
    """

    parent_lot_id: str
    cause: str  # "transfer" or "move"
    quantity: Decimal
    declaration_no: str
    registered_on: date
    first_warehoused_on: date
    extension_days: int
    warehouse_id: str
    goods_owner_tax_code: str
    contract_no: str | None
    declared_expires_on: date | None  # box 2, while still stored under the declaration's terms
    goods: GoodsLine


@dataclass(frozen=True, kw_only=True)
class LotExWarehoused(LotEvent):
    quantity: Decimal
    destination: str
    bill_no: str
    export_declaration_no: str | None = None
    border_gate: str | None = None
    import_declaration_no: str | None = None
    purpose: str | None = None


@dataclass(frozen=True, kw_only=True)
class OwnershipTransferred(LotEvent):
    """On the lot that gives: ``new_lot_id`` is the lot itself for a whole transfer."""

    quantity: Decimal
    new_lot_id: str
    new_owner_tax_code: str
    new_contract_no: str | None
    trading_contract_no: str
    notice_no: str


@dataclass(frozen=True, kw_only=True)
class MoveDispatched(LotEvent):
    """On the origin lot: ``travelling_lot_id`` is the lot itself for a whole move."""

    quantity: Decimal
    travelling_lot_id: str
    from_warehouse_id: str
    to_warehouse_id: str
    contract_no: str | None
    approval_ref: str
    seal_no: str


@dataclass(frozen=True, kw_only=True)
class MoveReceived(LotEvent):
    quantity: Decimal
    warehouse_id: str
    seal_intact: bool


@dataclass(frozen=True, kw_only=True)
class StorageExtended(LotEvent):
    days: int
    approval_ref: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class HoldPlaced(LotEvent):
    ref: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class HoldReleased(LotEvent):
    ref: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class LotLiquidated(LotEvent):
    quantity: Decimal
    decision_ref: str
    method: str


@dataclass(frozen=True, kw_only=True)
class EntryReversed(LotEvent):
    """Cancels the lot's event ``reversed_version`` as if it had never happened."""

    reversed_version: int
    reversed_event: str
    reason: str


# --- warehouses: inspections and reports ----------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CountedLot:
    lot_id: str
    book_quantity: Decimal
    counted_quantity: Decimal
    difference: Decimal


@dataclass(frozen=True, kw_only=True)
class StockCounted(Event):
    """A physical count; differences are reported, never applied to any balance."""

    warehouse_id: str
    counts: tuple[CountedLot, ...]


@dataclass(frozen=True, kw_only=True)
class ReportSubmitted(Event):
    warehouse_id: str
    period: str
    form: str
    period_starts_on: date
    period_ends_on: date
    due_on: date
    late: bool
    content_digest: str


# --- idempotency ----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CommandAccepted(Event):
    """Remembers a caller's ``command_id``, the digest of its body and the answer given."""

    command: str
    body_digest: str
    result: dict[str, object] = field(default_factory=dict)


VALUE_TYPES: tuple[type, ...] = (GoodsLine, Seal, CountedLot)
