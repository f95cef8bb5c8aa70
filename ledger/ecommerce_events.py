"""The facts of e-commerce out of bonded stock (DOMAIN.md §7): goods lists and stop notices,
licences and their deductions, buyers' allowances, and the order itself, a lot event.

Stored by class path like every event (see ``ledger.events``). An order is recorded as one
transaction of up to four kinds of event: ``OrderExWarehoused`` on the lot,
``OrderNumberTaken`` on its number (so that a number is taken once per platform, by the
store's version check), ``LicenceDeducted`` on each licence used and ``AllowanceUsed`` on the
buyer's allowance. Reversing the order on its lot gives the licences and the allowance back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

from ledger.calendar import local_date
from ledger.events import Event, LotEvent, Stamp
from ledger.facts import Posting
from ledger.report_columns import ReportColumn
from ledger.streams import (
    EXEMPTION_NOTICES,
    GOODS_LISTS,
    allowance_stream,
    licence_stream,
    licences_of_stream,
    order_stream,
)
from ledger.values import LicenceLine, ListEntry

if TYPE_CHECKING:
    from ledger.rulepacks import RulePack

KINDS = ("licence", "condition", "specialised_inspection")
"""What a goods-list entry may require, and what a licence may be, in §7's order."""

BASES = ("not_controlled", "low_value", "quantity_list", "deducted")
"""An order's basis, in the order §7 decides it."""


def order_key(platform: str, order_no: str) -> str:
    return f"{platform}/{order_no}"


def allowance_key(year: int, buyer_id: str) -> str:
    return f"{year}/{buyer_id}"


# --- goods lists and stop notices (the admin records what ministries publish) --------------


@dataclass(frozen=True, kw_only=True)
class GoodsListPublished(Event):
    """A goods list, in force from ``effective_at`` until the next one's."""

    list_ref: str
    entries: tuple[ListEntry, ...]

    is_entry: ClassVar[bool] = False  # a publication, not a fact of a warehouse

    @property
    def stream(self) -> str:
        return GOODS_LISTS


@dataclass(frozen=True, kw_only=True)
class NoticeEvent(Event):
    notice_ref: str

    is_entry: ClassVar[bool] = False

    @property
    def stream(self) -> str:
        return EXEMPTION_NOTICES


@dataclass(frozen=True, kw_only=True)
class ExemptionStopped(NoticeEvent):
    """A ministry's written notice: orders of goods under these prefixes are not exempt."""

    ministry: str
    hs_prefixes: tuple[str, ...]
    reason: str


@dataclass(frozen=True, kw_only=True)
class ExemptionResumed(NoticeEvent):
    """The notice ``notice_ref`` stops being in force."""


# --- licences, conditions and inspection results --------------------------------------------


@dataclass(frozen=True, kw_only=True)
class LicenceEvent(Event):
    licence_no: str

    @property
    def stream(self) -> str:
        return licence_stream(self.licence_no)


@dataclass(frozen=True, kw_only=True)
class LicenceRegistered(LicenceEvent):
    """Takes effect when the issuing agency released it (``released_at``)."""

    kind: str
    issuer: str
    goods_owner_tax_code: str
    valid_from: date
    valid_until: date
    use: str  # single, multiple
    lines: tuple[LicenceLine, ...]

    def late_after(self, pack: RulePack) -> timedelta:
        return pack.result_update_limit


@dataclass(frozen=True, kw_only=True)
class LicenceRevoked(LicenceEvent):
    reason: str


@dataclass(frozen=True, kw_only=True)
class LicenceDeducted(LicenceEvent):
    """An order deducted from line ``line_no`` (1, 2, … as registered); dated as the order."""

    line_no: int
    quantity: Decimal
    platform: str
    order_no: str
    lot_id: str

    is_entry: ClassVar[bool] = False  # recorded with its order


@dataclass(frozen=True, kw_only=True)
class DeductionReversed(LicenceEvent):
    """The order's deduction is given back: its order was reversed."""

    platform: str
    order_no: str

    is_entry: ClassVar[bool] = False


@dataclass(frozen=True, kw_only=True)
class LicenceListed(Event):
    """Files a licence under its goods owner, so that an order finds the owner's licences."""

    goods_owner_tax_code: str
    licence_no: str

    is_entry: ClassVar[bool] = False

    @property
    def stream(self) -> str:
        return licences_of_stream(self.goods_owner_tax_code)


# --- a buyer's exempt quantities (quantity_list orders) --------------------------------------


@dataclass(frozen=True, kw_only=True)
class AllowanceEvent(Event):
    buyer_id: str
    year: int
    platform: str
    order_no: str

    is_entry: ClassVar[bool] = False  # recorded with its order

    @property
    def stream(self) -> str:
        return allowance_stream(allowance_key(self.year, self.buyer_id))


@dataclass(frozen=True, kw_only=True)
class AllowanceUsed(AllowanceEvent):
    """An order used ``quantity`` of the buyer's exempt quantity of the entry ``hs_prefix``."""

    hs_prefix: str
    quantity: Decimal
    lot_id: str


@dataclass(frozen=True, kw_only=True)
class AllowanceGivenBack(AllowanceEvent):
    """The order's use is given back: its order was reversed."""


# --- the order -----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class OrderNumberTaken(Event):
    """The order number is taken on its platform, by the order on ``lot_id``."""

    platform: str
    order_no: str
    lot_id: str

    is_entry: ClassVar[bool] = False

    @property
    def stream(self) -> str:
        return order_stream(order_key(self.platform, self.order_no))


@dataclass(frozen=True, kw_only=True)
class OrderExWarehoused(LotEvent):
    """One e-commerce order, ex-warehoused inland on its own, on the basis decided (§7)."""

    order_no: str
    platform: str
    buyer_id: str
    quantity: Decimal
    customs_value: Decimal
    import_declaration_no: str
    waybill_no: str
    payment_ref: str
    basis: str
    licence_nos: tuple[str, ...] = ()
    allowance_hs_prefix: str | None = None  # the entry whose exempt quantity it used

    label: ClassVar[str] = "the order"
    blocked_by_hold: ClassVar[bool] = True
    report_columns: ClassVar[tuple[ReportColumn, ...]] = (
        ReportColumn("ecommerce", False, "Xuất theo đơn TMĐT", "Out: e-commerce orders", 4),
    )

    def late_after(self, pack: RulePack) -> timedelta:
        return pack.late_entry_threshold("inland")

    def postings(self) -> tuple[Posting, ...]:
        return (Posting(on_hand=-self.quantity),)

    def given_back(self, stamp: Stamp) -> tuple[Event, ...]:
        """What reversing the order gives back beside the lot's goods: each licence's
        deduction and the buyer's allowance, dated as the order."""
        back: list[Event] = [
            DeductionReversed(
                **stamp, licence_no=no, platform=self.platform, order_no=self.order_no
            )
            for no in self.licence_nos
        ]
        if self.allowance_hs_prefix is not None:
            back.append(
                AllowanceGivenBack(
                    **stamp,
                    buyer_id=self.buyer_id,
                    year=local_date(self.effective_at).year,
                    platform=self.platform,
                    order_no=self.order_no,
                )
            )
        return tuple(back)
