"""Every fact the ledger records, as immutable dataclasses, each with what the ledger knows
about its kind.

The event store keeps each event's class path (its *topic*): these names and this module's
path are part of the stored data. Rename or move a class only together with
``eventsourcing.utils.register_topic``; change its fields only with a ``class_version`` bump
and an upcaster. Class attributes and methods are not stored.

Every event carries the envelope of DOMAIN.md §3: ``effective_at`` (when it happened in the
warehouse), ``recorded_at`` (when the ledger learned it), ``actor`` and ``command_id``.

A lot event says itself how it changes the lot's balances (``postings``) and its other facts
(``evolve``), whether a hold blocks it, how messages name it, whether it splits the lot and
whether the periodic report counts it: adding a movement kind is adding a class here.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar, TypedDict

from ledger.calendar import local_date
from ledger.facts import NO_CHANGES, Changes, Hold, LotFacts, Posting
from ledger.report_columns import ReportColumn
from ledger.streams import (
    command_stream,
    contract_stream,
    declaration_stream,
    enterprise_stream,
    lot_stream,
    user_stream,
    warehouse_stream,
)
from ledger.values import CountedLot, GoodsLine, Seal

if TYPE_CHECKING:
    from ledger.rulepacks import RulePack


class Stamp(TypedDict):
    """The envelope fields every event carries (DOMAIN.md §3)."""

    effective_at: datetime
    recorded_at: datetime
    actor: str
    command_id: str | None


@dataclass(frozen=True, kw_only=True)
class Event:
    effective_at: datetime
    recorded_at: datetime
    actor: str
    command_id: str | None = None

    # whether it reports a fact of the warehouse, due in the ledger within the pack's time
    # (DOMAIN.md §4, late entry); a correction or a bookkeeping record is not
    is_entry: ClassVar[bool] = True

    def stamp(self) -> Stamp:
        """This event's envelope, for an event recorded with it."""
        return Stamp(
            effective_at=self.effective_at,
            recorded_at=self.recorded_at,
            actor=self.actor,
            command_id=self.command_id,
        )

    def late_after(self, pack: RulePack) -> timedelta:
        """How long after it took effect it may reach the ledger before it is a late entry."""
        return pack.late_entry_threshold()

    def is_late(self, pack: RulePack) -> bool:
        return self.is_entry and self.recorded_at - self.effective_at > self.late_after(pack)

    @property
    def stream(self) -> str:
        """The stream this event belongs to."""
        raise TypeError(f"{type(self).__name__} names no stream")


# --- reference data -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class EnterpriseRegistered(Event):
    tax_code: str
    name: str
    address: str
    country: str = "VN"

    @property
    def stream(self) -> str:
        return enterprise_stream(self.tax_code)


@dataclass(frozen=True, kw_only=True)
class WarehouseRegistered(Event):
    warehouse_id: str
    name: str
    owner_tax_code: str
    province: str
    customs_office: str
    address: str | None = None
    in_port_area: bool = False

    @property
    def stream(self) -> str:
        return warehouse_stream(self.warehouse_id)


@dataclass(frozen=True, kw_only=True)
class ContractEvent(Event):
    contract_no: str

    @property
    def stream(self) -> str:
        return contract_stream(self.contract_no)


@dataclass(frozen=True, kw_only=True)
class RentContractRegistered(ContractEvent):
    warehouse_id: str
    goods_owner_tax_code: str
    starts_on: date
    expires_on: date
    registered_on: date


@dataclass(frozen=True, kw_only=True)
class RentContractExtended(ContractEvent):
    expires_on: date


# --- declarations ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class DeclarationEvent(Event):
    declaration_no: str

    @property
    def stream(self) -> str:
        return declaration_stream(self.declaration_no)


@dataclass(frozen=True, kw_only=True)
class DeclarationRegistered(DeclarationEvent):
    """The warehousing declaration (form HQ/2002-KNQ) as registered; its lots follow."""

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

    is_entry: ClassVar[bool] = False  # recorded with the warehousing of its lots


@dataclass(frozen=True, kw_only=True)
class DeclarationSettled(DeclarationEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class SettlementExtended(DeclarationEvent):
    approval_ref: str
    reason: str
    days: int


# --- lots: every event below belongs to one lot's stream ------------------------------------

Refusal = tuple[str, str]  # (code, message): a rule an event breaks at its step


@dataclass(frozen=True, kw_only=True)
class LotEvent(Event):
    lot_id: str

    label: ClassVar[str] = "the entry"  # how a message names it: "the ex-warehousing of 5"
    blocked_by_hold: ClassVar[bool] = False
    # The periodic report's columns (55.8c) this kind posts on-hand goods to, in or out of the
    # warehouse: () for what stays inside it (a transfer between owners, a hold). Every kind
    # declares it, none inherits it (a test holds each to it).
    report_columns: ClassVar[tuple[ReportColumn, ...]]

    def report_column(self) -> ReportColumn | None:
        """The column this event posts to."""
        return self.report_columns[0] if self.report_columns else None

    @property
    def stream(self) -> str:
        return lot_stream(self.lot_id)

    def postings(self) -> tuple[Posting, ...]:
        """The balance steps of the event, applied in order; each must leave both >= 0."""
        return ()

    def evolve(self, facts: LotFacts) -> None:
        """Changes every fact of the lot but its balances."""
        facts.take(self.changes())

    def changes(self) -> Changes:
        """What the event sets of the lot's warehouse, owner, terms and extension."""
        return NO_CHANGES

    def refusals(self, facts: LotFacts) -> Iterator[Refusal]:
        """Rules the event breaks against the lot's facts just before it."""
        if self.blocked_by_hold and facts.hold is not None:
            yield (
                "lot_on_hold",
                f"lot {self.lot_id} is on hold at {self.effective_at.isoformat()} "
                f"({facts.hold.description}); {self.label} is blocked until the hold is "
                "released",
            )

    def given_back(self, stamp: Stamp) -> tuple[Event, ...]:
        """Events on other streams that reversing this one records with the reversal (an
        order gives back its licences' deductions and its buyer's allowance)."""
        return ()

    def split_child(self) -> str | None:
        """The lot a partial transfer or move split off, if this event did that."""
        return None

    def related_lot_id(self) -> str | None:
        """The other lot of a split, as a stock card shows it."""
        return self.split_child()

    def hands_over(self) -> bool:
        """A whole transfer or move: who holds the lot, or where, changes with it."""
        return False

    def placements(self) -> tuple[tuple[str, str], ...]:
        """(lot, warehouse) pairs: the lots this event puts into a warehouse."""
        return ()

    def ownerships(self) -> tuple[tuple[str, str], ...]:
        """(lot, goods owner) pairs: the lots this event gives to an owner."""
        return ()


@dataclass(frozen=True, kw_only=True)
class LotCreation(LotEvent):
    """An event a lot begins with."""

    declaration_no: str
    registered_on: date
    warehouse_id: str
    goods_owner_tax_code: str
    contract_no: str | None
    goods: GoodsLine

    def changes(self) -> Changes:
        return Changes(
            warehouse_id=self.warehouse_id,
            goods_owner_tax_code=self.goods_owner_tax_code,
            sets_terms=True,
            contract_no=self.contract_no,
            declared_expires_on=self.declared_expires(),
        )

    def declared_expires(self) -> date | None:
        """Box 2 of the declaration, while the lot is stored under the declaration's terms."""
        return None

    def founding_facts(self) -> LotFacts:
        """The lot's facts as it begins."""
        raise TypeError(f"{type(self).__name__} does not say how the lot begins")

    def _facts(self, first_warehoused_on: date, declared_expires_on: date | None) -> LotFacts:
        """What every beginning lot states of itself; the kinds add the rest."""
        return LotFacts(
            lot_id=self.lot_id,
            declaration_no=self.declaration_no,
            registered_on=self.registered_on,
            first_warehoused_on=first_warehoused_on,
            goods=self.goods,
            warehouse_id=self.warehouse_id,
            goods_owner_tax_code=self.goods_owner_tax_code,
            contract_no=self.contract_no,
            declared_expires_on=declared_expires_on,
            created_at=self.effective_at,
        )

    def placements(self) -> tuple[tuple[str, str], ...]:
        return ((self.lot_id, self.warehouse_id),)

    def ownerships(self) -> tuple[tuple[str, str], ...]:
        return ((self.lot_id, self.goods_owner_tax_code),)


@dataclass(frozen=True, kw_only=True)
class LotWarehoused(LotCreation):
    expires_on: date
    source: str
    on_hold: bool = False
    hold_reason: str | None = None

    label: ClassVar[str] = "the warehousing"
    report_columns: ClassVar[tuple[ReportColumn, ...]] = (
        ReportColumn("warehoused", True, "Nhập kho", "Warehoused", 1),
    )

    def postings(self) -> tuple[Posting, ...]:
        return (Posting(on_hand=self.goods.quantity),)

    def declared_expires(self) -> date | None:
        return self.expires_on

    def founding_facts(self) -> LotFacts:
        facts = self._facts(local_date(self.effective_at), self.expires_on)
        facts.hold = _broken_seal(self) if self.on_hold else None
        return facts


@dataclass(frozen=True, kw_only=True)
class LotSplitOff(LotCreation):
    """The first event of a lot split off by a partial transfer or move.

    It carries what the child keeps from its parent: the goods line, the first warehousing
    date and any storage extension granted (DOMAIN.md §2).
    """

    parent_lot_id: str
    cause: str  # "transfer" or "move"
    quantity: Decimal
    first_warehoused_on: date
    extension_days: int
    declared_expires_on: date | None  # box 2, while still stored under the declaration's terms

    label: ClassVar[str] = "the split"
    report_columns: ClassVar[tuple[ReportColumn, ...]] = ()
    is_entry: ClassVar[bool] = False  # recorded with the handover that split it off

    def postings(self) -> tuple[Posting, ...]:
        if self.cause == "move":
            return (Posting(in_transit=self.quantity),)
        return (Posting(on_hand=self.quantity),)

    def related_lot_id(self) -> str | None:
        return self.parent_lot_id

    def declared_expires(self) -> date | None:
        return self.declared_expires_on

    def founding_facts(self) -> LotFacts:
        facts = self._facts(self.first_warehoused_on, self.declared_expires_on)
        facts.extension_days = self.extension_days
        facts.extensions_granted = 1 if self.extension_days else 0
        facts.receiving_from = self.parent_lot_id if self.cause == "move" else None
        return facts


@dataclass(frozen=True, kw_only=True)
class LotExWarehoused(LotEvent):
    quantity: Decimal
    destination: str
    bill_no: str
    export_declaration_no: str | None = None
    border_gate: str | None = None
    import_declaration_no: str | None = None
    purpose: str | None = None

    label: ClassVar[str] = "the ex-warehousing"
    blocked_by_hold: ClassVar[bool] = True
    report_columns: ClassVar[tuple[ReportColumn, ...]] = (  # one per destination
        ReportColumn("abroad", False, "Xuất ra nước ngoài", "Out: abroad", 1),
        ReportColumn("inland", False, "Xuất vào nội địa", "Out: inland", 2),
        ReportColumn(
            "non_tariff_zone", False, "Xuất vào khu phi thuế quan", "Out: non-tariff zone", 3
        ),
    )

    def report_column(self) -> ReportColumn | None:
        return next(c for c in self.report_columns if c.key == self.destination)

    def late_after(self, pack: RulePack) -> timedelta:
        return pack.late_entry_threshold(self.destination)

    def postings(self) -> tuple[Posting, ...]:
        return (Posting(on_hand=-self.quantity),)


@dataclass(frozen=True, kw_only=True)
class Handover(LotEvent, ABC):
    """A transfer or a move: the whole lot passes to its new holder, or a part of it splits
    off to a new lot that does (DOMAIN.md §2)."""

    quantity: Decimal

    blocked_by_hold: ClassVar[bool] = True
    split_cause: ClassVar[str]

    @abstractmethod
    def receiving_lot_id(self) -> str:
        """The lot that goes to the new holder: this lot itself when the whole of it goes."""

    @abstractmethod
    def handed_to(self) -> Changes:
        """Where, to whom and under which contract the goods that go are held afterwards
        (the lot itself when the whole of it goes, else the lot split off)."""

    def holder(self, facts: LotFacts) -> Holder:
        """(warehouse, goods owner, contract) of the goods that go, after the handover."""
        to = self.handed_to()
        return (
            to.warehouse_id or facts.warehouse_id,
            to.goods_owner_tax_code or facts.goods_owner_tax_code,
            to.contract_no,
        )

    def changes(self) -> Changes:
        return self.handed_to() if self.hands_over() else NO_CHANGES

    def hands_over(self) -> bool:
        return self.receiving_lot_id() == self.lot_id

    def refusals(self, facts: LotFacts) -> Iterator[Refusal]:
        yield from super().refusals(facts)
        if self.hands_over() and facts.on_hand > self.quantity:
            # recorded as the whole lot; a change before it (a reversal, a backdated entry)
            # would leave goods behind in a lot that has left (less is insufficient_balance)
            yield (
                "handover_no_longer_whole",
                f"{self.label} of {self.quantity} at {self.effective_at.isoformat()} took the "
                f"whole of lot {self.lot_id}, which would then hold {facts.on_hand}",
            )

    def postings(self) -> tuple[Posting, ...]:
        return self.whole_postings() if self.hands_over() else (Posting(on_hand=-self.quantity),)

    @abstractmethod
    def whole_postings(self) -> tuple[Posting, ...]:
        """How the goods go when the whole lot goes with them."""

    def split_child(self) -> str | None:
        return None if self.hands_over() else self.receiving_lot_id()

    def split_off(self, facts: LotFacts) -> LotSplitOff | None:
        """The lot a partial handover splits off from the lot of ``facts``: it keeps its
        parent's goods line, first warehousing date and extension."""
        child = self.split_child()
        if child is None:
            return None
        warehouse_id, owner, contract_no = self.holder(facts)
        return LotSplitOff(
            **self.stamp(),
            lot_id=child,
            parent_lot_id=facts.lot_id,
            cause=self.split_cause,
            quantity=self.quantity,
            warehouse_id=warehouse_id,
            goods_owner_tax_code=owner,
            contract_no=contract_no,
            declared_expires_on=None,
            **facts.kept_by_split(),
        )


Holder = tuple[str, str, str | None]  # (warehouse, goods owner, rent contract)


@dataclass(frozen=True, kw_only=True)
class OwnershipTransferred(Handover):
    """On the lot that gives: ``new_lot_id`` is the lot itself for a whole transfer."""

    new_lot_id: str
    new_owner_tax_code: str
    new_contract_no: str | None
    trading_contract_no: str
    notice_no: str

    label: ClassVar[str] = "the ownership transfer"
    report_columns: ClassVar[tuple[ReportColumn, ...]] = ()
    split_cause: ClassVar[str] = "transfer"

    def whole_postings(self) -> tuple[Posting, ...]:
        # out and back in: the lot must hold it all at that moment
        return (Posting(on_hand=-self.quantity), Posting(on_hand=self.quantity))

    def receiving_lot_id(self) -> str:
        return self.new_lot_id

    def handed_to(self) -> Changes:
        return Changes(
            goods_owner_tax_code=self.new_owner_tax_code,
            sets_terms=True,
            contract_no=self.new_contract_no,
        )

    def ownerships(self) -> tuple[tuple[str, str], ...]:
        return ((self.new_lot_id, self.new_owner_tax_code),)


@dataclass(frozen=True, kw_only=True)
class MoveDispatched(Handover):
    """On the origin lot: ``travelling_lot_id`` is the lot itself for a whole move."""

    travelling_lot_id: str
    from_warehouse_id: str
    to_warehouse_id: str
    contract_no: str | None
    approval_ref: str
    seal_no: str

    label: ClassVar[str] = "the move dispatch"
    report_columns: ClassVar[tuple[ReportColumn, ...]] = (
        ReportColumn("dispatched", False, "Chuyển kho đi", "Moves dispatched", 6),
    )
    split_cause: ClassVar[str] = "move"

    def whole_postings(self) -> tuple[Posting, ...]:
        return (Posting(on_hand=-self.quantity, in_transit=self.quantity),)

    def evolve(self, facts: LotFacts) -> None:
        if self.hands_over():
            facts.receiving_from = facts.warehouse_id
        super().evolve(facts)

    def receiving_lot_id(self) -> str:
        return self.travelling_lot_id

    def handed_to(self) -> Changes:
        return Changes(
            warehouse_id=self.to_warehouse_id, sets_terms=True, contract_no=self.contract_no
        )

    def placements(self) -> tuple[tuple[str, str], ...]:
        return ((self.travelling_lot_id, self.to_warehouse_id),)


@dataclass(frozen=True, kw_only=True)
class MoveReceived(LotEvent):
    quantity: Decimal
    warehouse_id: str
    seal_intact: bool

    label: ClassVar[str] = "the move receipt"
    report_columns: ClassVar[tuple[ReportColumn, ...]] = (
        ReportColumn("received", True, "Nhận chuyển kho", "Moves received", 2),
    )

    def postings(self) -> tuple[Posting, ...]:
        return (Posting(on_hand=self.quantity, in_transit=-self.quantity),)

    def evolve(self, facts: LotFacts) -> None:
        facts.receiving_from = None
        if not self.seal_intact and facts.hold is None:
            facts.hold = _broken_seal(self)


@dataclass(frozen=True, kw_only=True)
class StorageExtended(LotEvent):
    days: int
    approval_ref: str
    reason: str

    label: ClassVar[str] = "the storage extension"
    report_columns: ClassVar[tuple[ReportColumn, ...]] = ()

    def changes(self) -> Changes:
        return Changes(extension_days=self.days)

    def evolve(self, facts: LotFacts) -> None:
        super().evolve(facts)
        facts.extensions_granted += 1


@dataclass(frozen=True, kw_only=True)
class HoldPlaced(LotEvent):
    ref: str
    reason: str

    label: ClassVar[str] = "the hold"
    report_columns: ClassVar[tuple[ReportColumn, ...]] = ()

    def refusals(self, facts: LotFacts) -> Iterator[Refusal]:
        if facts.hold is not None:
            yield (
                "already_on_hold",
                f"lot {self.lot_id} is already on hold at {self.effective_at.isoformat()} "
                f"({facts.hold.description}); a lot is held once at a time",
            )

    def evolve(self, facts: LotFacts) -> None:
        facts.hold = Hold(f"hold {self.ref} placed {self.effective_at.isoformat()}")


@dataclass(frozen=True, kw_only=True)
class HoldReleased(LotEvent):
    ref: str
    reason: str

    label: ClassVar[str] = "the release"
    report_columns: ClassVar[tuple[ReportColumn, ...]] = ()

    def refusals(self, facts: LotFacts) -> Iterator[Refusal]:
        if facts.hold is None:
            yield (
                "not_on_hold",
                f"lot {self.lot_id} is not on hold at {self.effective_at.isoformat()}",
            )

    def evolve(self, facts: LotFacts) -> None:
        facts.hold = None


@dataclass(frozen=True, kw_only=True)
class LotLiquidated(LotEvent):
    quantity: Decimal
    decision_ref: str
    method: str

    label: ClassVar[str] = "the liquidation"
    blocked_by_hold: ClassVar[bool] = True
    report_columns: ClassVar[tuple[ReportColumn, ...]] = (
        ReportColumn("liquidated", False, "Thanh lý", "Liquidated", 5),
    )

    def postings(self) -> tuple[Posting, ...]:
        return (Posting(on_hand=-self.quantity),)


@dataclass(frozen=True, kw_only=True)
class EntryReversed(LotEvent):
    """Cancels the lot's event ``reversed_version`` as if it had never happened."""

    reversed_version: int
    reversed_event: str
    reason: str

    label: ClassVar[str] = "the reversal"
    report_columns: ClassVar[tuple[ReportColumn, ...]] = ()
    is_entry: ClassVar[bool] = False  # it takes effect when what it cancels did


def _broken_seal(event: LotEvent) -> Hold:
    return Hold(f"seal not intact, {event.effective_at.isoformat()}")


# --- warehouses: inspections and reports ----------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class WarehouseEvent(Event):
    warehouse_id: str

    @property
    def stream(self) -> str:
        return warehouse_stream(self.warehouse_id)


@dataclass(frozen=True, kw_only=True)
class StockCounted(WarehouseEvent):
    """A physical count; differences are reported, never applied to any balance."""

    counts: tuple[CountedLot, ...]


@dataclass(frozen=True, kw_only=True)
class ReportSubmitted(WarehouseEvent):
    """A periodic report submitted (55.8c): late if recorded after its due date. The first of
    a warehouse and period is submission 1; an amendment is the next number, linked to the one
    before it, and the latest is the report as submitted."""

    period: str
    form: str
    period_starts_on: date
    period_ends_on: date
    due_on: date
    late: bool
    content_digest: str
    submission: int = 1


# --- idempotency ----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CommandAccepted(Event):
    """Remembers a caller's ``command_id``, the digest of its body and the answer given."""

    command: str
    body_digest: str
    result: dict[str, object] = field(default_factory=dict)

    is_entry: ClassVar[bool] = False

    @property
    def stream(self) -> str:
        return command_stream(self.command_id or "")


# --- users and their rights -----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class UserEvent(Event):
    """Who was given which right, when and by whom (the envelope's ``actor``)."""

    name: str

    is_entry: ClassVar[bool] = False

    @property
    def stream(self) -> str:
        return user_stream(self.name)


@dataclass(frozen=True, kw_only=True)
class UserAdded(UserEvent):
    role: str
    enterprise: str | None = None  # warehouse_owner, goods_owner: whose enterprise
    office: str | None = None  # customs_officer: which customs office
    province: str | None = None  # provincial_inspector: which province


@dataclass(frozen=True, kw_only=True)
class UserDisabled(UserEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class TokenIssued(UserEvent):
    token_hash: str  # SHA-256 of the token's secret; the secret itself is never stored


@dataclass(frozen=True, kw_only=True)
class TokensRevoked(UserEvent):
    """Every token the user was issued stops working."""


@dataclass(frozen=True, kw_only=True)
class PasswordSet(UserEvent):
    """The user's password for signing in to the pages, replacing any before it."""

    password_hash: str  # argon2id, with its salt and parameters; the password is never stored


@dataclass(frozen=True, kw_only=True)
class SubscriptionAdded(UserEvent):
    """The user subscribed a URL to the warnings in its scope (DOMAIN.md §8). The secret that
    signs each delivery is not here: the installation keeps it with the subscription alone."""

    subscription_id: str
    url: str


@dataclass(frozen=True, kw_only=True)
class SubscriptionEnded(UserEvent):
    """Nothing more is sent to the subscription."""

    subscription_id: str
