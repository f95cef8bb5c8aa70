"""What a user asks the ledger to record, as typed intents: one frozen dataclass per command.

A handler turns a validated request into one of these and hands it to ``ledger.decide``
with the ``Envelope`` (who asks, under which ``command_id``, at which recorded moment);
decide builds every event whole from the two. Nothing here is checked yet: that is decide's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal, TypeVar, get_type_hints

from ledger.bounds import (
    Bound,
    ContractNo,
    CountedQuantity,
    Country,
    Day,
    Days,
    DeclarationNo,
    LicenceNo,
    LotId,
    Many,
    Moment,
    Money,
    Names,
    Period,
    Quantity,
    Ref,
    TaxCode,
    Text,
    Url,
    UserName,
    Version,
    WarehouseId,
    marks,
)
from ledger.calendar import local_date
from ledger.ecommerce_events import allowance_key, order_key
from ledger.events import Event, Stamp
from ledger.facts import LotFacts
from ledger.roles import (
    ADMIN,
    ANY_USER,
    CUSTOMS_OFFICER,
    PROVINCIAL_INSPECTOR,
    WAREHOUSE_OWNER,
    Role,
)
from ledger.streams import (
    EXEMPTION_NOTICES,
    GOODS_LISTS,
    allowance_stream,
    contract_stream,
    licence_stream,
    licences_of_stream,
    lot_stream,
    order_stream,
    warehouse_stream,
)
from ledger.values import GoodsLine, LicenceLine, ListEntry, Seal

E = TypeVar("E", bound=Event)


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

    def event(
        self,
        kind: type[E],
        intent: Intent | None = None,
        /,
        *,
        effective_at: datetime | None = None,
        **decided: Any,
    ) -> E:
        """An event of ``kind``, whole: this envelope, dated ``effective_at`` (by default the
        intent's own); every field the intent states under the event's name for it; and what
        decide decided, which wins over the intent."""
        carried = {
            name: getattr(intent, name)
            for name in _carried(kind, type(intent))
            if name not in decided
        }
        when = effective_at or getattr(intent, "effective_at", None)
        return kind(**self.stamp(when), **carried, **decided)


def command_name(intent_type: type[Intent]) -> str:
    """``ExWarehouse`` is asked for as ``ex_warehouse``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", intent_type.__name__).lower()


@dataclass(frozen=True, kw_only=True)
class Intent:
    """What one command asks for. Its command's name is the class name in snake case; the
    roles that may ask for it (besides the installation's operator, who may ask for any) are
    ``recorded_by``, declared by every kind (a test holds each to it)."""

    recorded_by: ClassVar[frozenset[Role]]

    def streams(self) -> tuple[str, ...]:
        """Streams the decision will read for sure (those its fields name): a batch fetches
        them in one query."""
        named = ((name, getattr(self, field)) for field, name in _naming(type(self)))
        return tuple(name(value) for name, value in named if value is not None)

    def writes(self) -> tuple[str, ...]:
        """Streams the decision will append to for sure: a process lets one writer at a time
        at each (the store's version check stays the guard between processes)."""
        return ()


# --- reference data -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RegisterEnterprise(Intent):
    """Register an enterprise: a warehouse operator or a goods owner (its MST checked)."""

    recorded_by: ClassVar[frozenset[Role]] = ADMIN

    country: Country = "VN"  # before tax_code: the tax code's check depends on it
    tax_code: TaxCode
    name: Text
    address: Text


@dataclass(frozen=True, kw_only=True)
class RegisterWarehouse(Intent):
    """Register a bonded warehouse with its owner, province and customs office."""

    recorded_by: ClassVar[frozenset[Role]] = ADMIN

    warehouse_id: WarehouseId
    name: Text
    owner_tax_code: TaxCode
    province: Text
    customs_office: Text
    address: Text | None = None
    in_port_area: bool = False


@dataclass(frozen=True, kw_only=True)
class RegisterRentContract(Intent):
    """Register a rent contract of a goods owner for a warehouse (55.1b.2)."""

    recorded_by: ClassVar[frozenset[Role]] = ADMIN

    contract_no: ContractNo
    warehouse_id: WarehouseId
    goods_owner_tax_code: TaxCode
    starts_on: Day
    expires_on: Day
    registered_on: Day


@dataclass(frozen=True, kw_only=True)
class ExtendRentContract(Intent):
    """Extend a rent contract to a later expiry, from a moment on."""

    recorded_by: ClassVar[frozenset[Role]] = ADMIN

    contract_no: ContractNo
    expires_on: Day
    effective_at: Moment


# --- warehousing and movements --------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class WarehouseGoods(Intent):
    """Warehouse the goods of a declaration (HQ/2002-KNQ): one lot per line (55.1, 55.2)."""

    recorded_by: ClassVar[frozenset[Role]] = WAREHOUSE_OWNER

    declaration_no: DeclarationNo
    registered_on: Day
    effective_at: Moment
    warehouse_id: WarehouseId
    goods_owner_tax_code: TaxCode
    contract_no: ContractNo | None
    expires_on: Day
    source: Ref
    export_declaration_no: Ref | None = None
    decision_ref: Ref | None = None
    transport_doc: Ref
    seals: Annotated[tuple[Seal, ...], Many(0, 500)] = ()
    lines: Annotated[tuple[GoodsLine, ...], Many(1, 2000)]


@dataclass(frozen=True, kw_only=True)
class LotIntent(Intent):
    """An intent about one lot, at one effective moment."""

    lot_id: LotId
    effective_at: Moment

    def writes(self) -> tuple[str, ...]:
        return (lot_stream(self.lot_id),)

    def likely(self, facts: LotFacts) -> tuple[str, ...]:
        """Streams the decision will probably read besides ``streams()``, given what the lot
        was when last folded: fetched in the same round trip (a wrong guess costs one more
        query, never a wrong answer)."""
        contract = (contract_stream(facts.contract_no),) if facts.contract_no else ()
        return (warehouse_stream(facts.warehouse_id), *contract)


@dataclass(frozen=True, kw_only=True)
class ExWarehouse(LotIntent):
    """Take goods out of a lot: abroad, inland or to a non-tariff zone (55.3, 55.4)."""

    recorded_by: ClassVar[frozenset[Role]] = WAREHOUSE_OWNER

    quantity: Quantity
    destination: Ref
    bill_no: Ref
    export_declaration_no: Ref | None = None
    border_gate: Ref | None = None
    import_declaration_no: Ref | None = None
    purpose: Ref | None = None


@dataclass(frozen=True, kw_only=True)
class TransferOwnership(LotIntent):
    """Transfer a quantity of a lot to a new owner; a partial one splits the lot (55.6)."""

    recorded_by: ClassVar[frozenset[Role]] = WAREHOUSE_OWNER

    quantity: Quantity
    new_owner_tax_code: TaxCode
    new_contract_no: ContractNo | None
    trading_contract_no: Ref
    notice_no: Ref


@dataclass(frozen=True, kw_only=True)
class DispatchMove(LotIntent):
    """Dispatch a quantity of a lot to another warehouse; it is in transit until received (55.5)."""

    recorded_by: ClassVar[frozenset[Role]] = WAREHOUSE_OWNER

    quantity: Quantity
    to_warehouse_id: WarehouseId
    contract_no: ContractNo | None
    approval_ref: Ref
    seal_no: Ref


@dataclass(frozen=True, kw_only=True)
class ReceiveMove(LotIntent):
    """Receive a travelling lot at its destination warehouse (55.5)."""

    recorded_by: ClassVar[frozenset[Role]] = WAREHOUSE_OWNER

    seal_intact: bool


# --- customs decisions ----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ExtendStorage(LotIntent):
    """Extend a lot's storage time, within the rule pack's limits (customs officer)."""

    recorded_by: ClassVar[frozenset[Role]] = CUSTOMS_OFFICER

    days: Days
    approval_ref: Ref
    reason: Text


@dataclass(frozen=True, kw_only=True)
class PlaceHold(LotIntent):
    """Place a lot on hold for inspection: nothing leaves it until released (55.1c.2, 55.8a)."""

    recorded_by: ClassVar[frozenset[Role]] = CUSTOMS_OFFICER

    ref: Ref
    reason: Text


@dataclass(frozen=True, kw_only=True)
class ReleaseHold(LotIntent):
    """Release a lot's hold (customs officer)."""

    recorded_by: ClassVar[frozenset[Role]] = CUSTOMS_OFFICER

    ref: Ref
    reason: Text


@dataclass(frozen=True, kw_only=True)
class LiquidateOverdue(LotIntent):
    """Liquidate overdue goods of a lot: auction, destruction or other (55.7)."""

    recorded_by: ClassVar[frozenset[Role]] = CUSTOMS_OFFICER

    quantity: Quantity
    decision_ref: Ref
    method: Literal["auction", "destruction", "other"]


# --- declarations ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SettleDeclaration(Intent):
    """Settle a declaration whose lots are all empty (55.8d)."""

    recorded_by: ClassVar[frozenset[Role]] = CUSTOMS_OFFICER

    declaration_no: DeclarationNo
    effective_at: Moment


@dataclass(frozen=True, kw_only=True)
class ExtendSettlement(Intent):
    """Extend a declaration's settlement deadline once, by the pack's days (55.8d)."""

    recorded_by: ClassVar[frozenset[Role]] = CUSTOMS_OFFICER

    declaration_no: DeclarationNo
    effective_at: Moment
    approval_ref: Ref
    reason: Text


# --- inspections, reports, corrections ------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Count:
    lot_id: LotId
    counted_quantity: CountedQuantity


@dataclass(frozen=True, kw_only=True)
class RecordStockCount(Intent):
    """Record a stock count of a warehouse; differences are reported, not applied (55.8e)."""

    recorded_by: ClassVar[frozenset[Role]] = PROVINCIAL_INSPECTOR

    warehouse_id: WarehouseId
    effective_at: Moment
    counts: Annotated[tuple[Count, ...], Many(1, 10000)]


@dataclass(frozen=True, kw_only=True)
class SubmitReport(Intent):
    """Submit the periodic report of a warehouse for a period (55.8c). It is submitted when it
    is recorded; ``effective_at``, if given, may precede that by the late-entry allowance at
    most. ``amends`` submits it again, beside the first, as its amendment."""

    recorded_by: ClassVar[frozenset[Role]] = WAREHOUSE_OWNER

    warehouse_id: WarehouseId
    period: Period
    effective_at: Moment | None = None
    amends: bool = False


@dataclass(frozen=True, kw_only=True)
class ReverseEntry(Intent):
    """Reverse an entry of a lot, named by its version, as if it never happened."""

    recorded_by: ClassVar[frozenset[Role]] = WAREHOUSE_OWNER

    lot_id: LotId
    version: Version
    reason: Text


# --- e-commerce (DOMAIN.md §7) ----------------------------------------------------------------

StopReason = Literal[
    "food_safety", "epidemic", "health", "environment", "morality", "economy", "security"
]


@dataclass(frozen=True, kw_only=True)
class Publication(Intent):
    """What the admin records as ministries publish it, all in one stream of its kind."""

    recorded_by: ClassVar[frozenset[Role]] = ADMIN

    published_in: ClassVar[str]

    def streams(self) -> tuple[str, ...]:
        return (self.published_in,)

    def writes(self) -> tuple[str, ...]:
        return (self.published_in,)


@dataclass(frozen=True, kw_only=True)
class PublishGoodsList(Publication):
    """Publish a goods list: what orders of goods under each HS prefix require (admin)."""

    list_ref: Ref
    effective_at: Moment
    entries: Annotated[tuple[ListEntry, ...], Many(1, 5000)]

    published_in: ClassVar[str] = GOODS_LISTS


@dataclass(frozen=True, kw_only=True)
class RegisterLicence(Intent):
    """Register a licence, condition or specialised-inspection result of a goods owner."""

    recorded_by: ClassVar[frozenset[Role]] = CUSTOMS_OFFICER

    licence_no: LicenceNo
    kind: Literal["licence", "condition", "specialised_inspection"]
    issuer: Text
    goods_owner_tax_code: TaxCode
    released_at: Moment
    valid_from: Day
    valid_until: Day
    use: Literal["single", "multiple"]
    lines: Annotated[tuple[LicenceLine, ...], Many(1, 1000)]

    def writes(self) -> tuple[str, ...]:
        return (licence_stream(self.licence_no),)


@dataclass(frozen=True, kw_only=True)
class RevokeLicence(Intent):
    """Revoke a licence: no order is deducted from it from ``effective_at`` on."""

    recorded_by: ClassVar[frozenset[Role]] = CUSTOMS_OFFICER

    licence_no: LicenceNo
    effective_at: Moment
    reason: Text

    def writes(self) -> tuple[str, ...]:
        return (licence_stream(self.licence_no),)


@dataclass(frozen=True, kw_only=True)
class StopExemption(Publication):
    """Record a ministry's notice: orders of these goods are no longer exempt (admin)."""

    notice_ref: Ref
    ministry: Text
    hs_prefixes: tuple[str, ...]
    reason: StopReason
    effective_at: Moment

    published_in: ClassVar[str] = EXEMPTION_NOTICES


@dataclass(frozen=True, kw_only=True)
class ResumeExemption(Publication):
    """End a stop notice in force: exemptions apply again from ``effective_at`` (admin)."""

    notice_ref: Ref
    effective_at: Moment

    published_in: ClassVar[str] = EXEMPTION_NOTICES


@dataclass(frozen=True, kw_only=True)
class ExWarehouseOrder(LotIntent):
    """Ex-warehouse one e-commerce order inland, exempt or deducted from a licence (§7)."""

    recorded_by: ClassVar[frozenset[Role]] = WAREHOUSE_OWNER

    order_no: Ref
    platform: Ref
    buyer_id: Ref
    quantity: Quantity
    customs_value: Money
    import_declaration_no: Ref
    waybill_no: Ref
    payment_ref: Ref
    licence_nos: tuple[str, ...] = ()

    @property
    def year(self) -> int:
        """The order's calendar year, Vietnam time: the year of the buyer's allowance."""
        return local_date(self.effective_at).year

    def streams(self) -> tuple[str, ...]:
        return (*super().streams(), GOODS_LISTS, EXEMPTION_NOTICES, *self.writes()[1:])

    def likely(self, facts: LotFacts) -> tuple[str, ...]:
        """With no licence named, the goods owner's licences are chosen from."""
        held = () if self.licence_nos else (licences_of_stream(facts.goods_owner_tax_code),)
        return (*super().likely(facts), *held)

    def writes(self) -> tuple[str, ...]:
        return (
            lot_stream(self.lot_id),
            order_stream(order_key(self.platform, self.order_no)),
            allowance_stream(allowance_key(self.year, self.buyer_id)),
            *(licence_stream(no) for no in self.licence_nos),
        )


INTENT_TYPES: tuple[type[Intent], ...] = (
    RegisterEnterprise,
    RegisterWarehouse,
    RegisterRentContract,
    ExtendRentContract,
    WarehouseGoods,
    ExWarehouse,
    TransferOwnership,
    DispatchMove,
    ReceiveMove,
    ExtendStorage,
    PlaceHold,
    ReleaseHold,
    LiquidateOverdue,
    SettleDeclaration,
    ExtendSettlement,
    RecordStockCount,
    SubmitReport,
    ReverseEntry,
    PublishGoodsList,
    RegisterLicence,
    RevokeLicence,
    StopExemption,
    ResumeExemption,
    ExWarehouseOrder,
)
"""Every command the ledger takes, in the order ``--help`` lists them."""


# --- users and their rights (not in the JSON vocabulary: `bonded users`, `bonded tokens`) ---

RoleName = Literal[
    "warehouse_owner",
    "goods_owner",
    "customs_officer",
    "provincial_inspector",
    "auditor",
    "admin",
]


@dataclass(frozen=True, kw_only=True)
class AddUser(Intent):
    """Add a user with a role and the place it acts for."""

    recorded_by: ClassVar[frozenset[Role]] = ADMIN

    name: UserName
    role: RoleName
    enterprise: TaxCode | None = None
    office: Text | None = None
    province: Text | None = None


@dataclass(frozen=True, kw_only=True)
class DisableUser(Intent):
    """Disable a user: none of its tokens work any more."""

    recorded_by: ClassVar[frozenset[Role]] = ADMIN

    name: UserName


@dataclass(frozen=True, kw_only=True)
class IssueToken(Intent):
    """Record a token issued to a user (its hash only)."""

    recorded_by: ClassVar[frozenset[Role]] = ADMIN

    name: UserName
    token_hash: Annotated[str, Bound.REF]  # made by the door from a random secret


@dataclass(frozen=True, kw_only=True)
class RevokeTokens(Intent):
    """Revoke every token of a user."""

    recorded_by: ClassVar[frozenset[Role]] = ADMIN

    name: UserName


@dataclass(frozen=True, kw_only=True)
class SetPassword(Intent):
    """Record a user's password for the pages (its argon2id hash only)."""

    recorded_by: ClassVar[frozenset[Role]] = ADMIN

    name: UserName
    password_hash: Text  # made by the door from the password: 1 to 200 characters


ACCOUNT_INTENT_TYPES: tuple[type[Intent], ...] = (
    AddUser,
    DisableUser,
    IssueToken,
    RevokeTokens,
    SetPassword,
)


# --- a user's own subscriptions to warnings (DOMAIN.md §8; `POST /subscriptions`) -----------


@dataclass(frozen=True, kw_only=True)
class OwnIntent(Intent):
    """What any user may ask for itself alone, whatever its role."""

    recorded_by: ClassVar[frozenset[Role]] = ANY_USER

    name: UserName


@dataclass(frozen=True, kw_only=True)
class SubscribeWarnings(OwnIntent):
    """Subscribe a URL to the warnings in the user's scope (its secret stays at the door)."""

    subscription_id: Ref  # made by the door
    url: Url  # checked by the door against where the installation sends


@dataclass(frozen=True, kw_only=True)
class EndSubscription(OwnIntent):
    """End a subscription of the user's: nothing more is sent to it."""

    subscription_id: Ref


SUBSCRIPTION_INTENT_TYPES: tuple[type[Intent], ...] = (SubscribeWarnings, EndSubscription)


_NAMING: dict[type[Intent], tuple[tuple[str, Callable[[str], str]], ...]] = {}


def _naming(intent_type: type[Intent]) -> tuple[tuple[str, Callable[[str], str]], ...]:
    """(field, stream name) for each field of ``intent_type`` that names a stream."""
    if intent_type not in _NAMING:
        hints = get_type_hints(intent_type, include_extras=True)
        _NAMING[intent_type] = tuple(
            (f.name, mark.stream)
            for f in fields(intent_type)
            for mark in marks(hints[f.name])
            if isinstance(mark, Names)
        )
    return _NAMING[intent_type]


_STAMPED = frozenset(Stamp.__annotations__)


_CARRIED: dict[tuple[type[Event], type[object]], tuple[str, ...]] = {}


def _carried(kind: type[Event], intent_type: type[object]) -> tuple[str, ...]:
    """The fields an intent of ``intent_type`` hands on to an event of ``kind``, by name."""
    key = (kind, intent_type)
    if key not in _CARRIED:
        stated = {f.name for f in fields(intent_type)} if intent_type is not type(None) else set()  # type: ignore[arg-type]
        _CARRIED[key] = tuple(
            f.name for f in fields(kind) if f.init and f.name in stated - _STAMPED
        )
    return _CARRIED[key]
