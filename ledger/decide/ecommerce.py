"""E-commerce out of bonded stock (DOMAIN.md §7): goods lists, stop notices, licences, and
the order, exempt or deducted ("trừ lùi").

An order's basis is decided in §7's order from the goods list and the stop notices in force
at its ``effective_at``: ``not_controlled``, ``low_value``, ``quantity_list``, ``deducted``.
Its events (the lot's, the number's, each licence's and the buyer allowance's) are built
together and recorded in one transaction, or none of them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ledger.calendar import CLOCK_TOLERANCE, local_date
from ledger.decide.common import check_not_in_future, facts_when, record_on_lot, require_found
from ledger.decide.movements import check_may_go_inland
from ledger.ecommerce_events import (
    KINDS,
    AllowanceUsed,
    ExemptionResumed,
    ExemptionStopped,
    GoodsListPublished,
    LicenceDeducted,
    LicenceListed,
    LicenceRegistered,
    LicenceRevoked,
    OrderExWarehoused,
    OrderNumberTaken,
)
from ledger.errors import Conflict, Invalid, LedgerError, NotFound
from ledger.events import Event
from ledger.facts import LotFacts
from ledger.intents import (
    Envelope,
    ExWarehouseOrder,
    PublishGoodsList,
    RegisterLicence,
    ResumeExemption,
    RevokeLicence,
    StopExemption,
)
from ledger.licences import Licence, choose
from ledger.numbers import decimal_text
from ledger.recorded import Recorded
from ledger.rulepacks import RulePack
from ledger.values import ListEntry

HS_PREFIX = re.compile(r"^[0-9]{2,10}$")


def _check_prefix(prefix: str, field: str) -> None:
    if not HS_PREFIX.match(prefix):
        raise Invalid("invalid_hs_prefix", f"an HS prefix is 2 to 10 digits, not {prefix!r}", field)


# --- goods lists and stop notices -----------------------------------------------------------


def publish_goods_list(
    intent: PublishGoodsList, envelope: Envelope, recorded: Recorded, pack: RulePack
) -> list[GoodsListPublished]:
    check_not_in_future(intent.effective_at, envelope)
    if recorded.goods_lists().has(intent.list_ref):
        raise Conflict(
            "list_ref_used", f"goods list {intent.list_ref} is already published", "list_ref"
        )
    seen: set[str] = set()
    for n, entry in enumerate(intent.entries):
        field = f"entries/{n}/hs_prefix"
        _check_prefix(entry.hs_prefix, field)
        if entry.hs_prefix in seen:
            raise Invalid(
                "duplicate_hs_prefix",
                f"HS prefix {entry.hs_prefix} is listed twice; each prefix once per list",
                field,
            )
        seen.add(entry.hs_prefix)
        if len(set(entry.requires)) != len(entry.requires):
            raise Invalid(
                "duplicate_requirement",
                f"entry {entry.hs_prefix} names a requirement twice",
                f"entries/{n}/requires",
            )
    return [envelope.event(GoodsListPublished, intent)]


def stop_exemption(
    intent: StopExemption, envelope: Envelope, recorded: Recorded, pack: RulePack
) -> list[ExemptionStopped]:
    check_not_in_future(intent.effective_at, envelope)
    if not intent.hs_prefixes:
        raise Invalid("missing_field", "hs_prefixes names at least one HS prefix", "hs_prefixes")
    for n, prefix in enumerate(intent.hs_prefixes):
        _check_prefix(prefix, f"hs_prefixes/{n}")
    if intent.notice_ref in recorded.stop_notices().notices:
        raise Conflict(
            "notice_ref_used", f"notice {intent.notice_ref} is already recorded", "notice_ref"
        )
    return [envelope.event(ExemptionStopped, intent)]


def resume_exemption(
    intent: ResumeExemption, envelope: Envelope, recorded: Recorded, pack: RulePack
) -> list[ExemptionResumed]:
    check_not_in_future(intent.effective_at, envelope)
    notice = require_found(
        recorded.stop_notices().notices.get(intent.notice_ref),
        "unknown_notice",
        f"no stop notice {intent.notice_ref} was recorded",
        "notice_ref",
    )
    if notice.resumed_at is not None:
        raise Conflict(
            "notice_not_in_force",
            f"notice {intent.notice_ref} was already resumed from {notice.resumed_at.isoformat()}",
            "notice_ref",
        )
    if intent.effective_at <= notice.stopped.effective_at:
        raise LedgerError(
            "resumed_before_stopped",
            f"notice {intent.notice_ref} is in force from "
            f"{notice.stopped.effective_at.isoformat()}; it can only be resumed after that",
            "effective_at",
        )
    return [envelope.event(ExemptionResumed, intent)]


# --- licences -------------------------------------------------------------------------------


def register_licence(
    intent: RegisterLicence, envelope: Envelope, recorded: Recorded, pack: RulePack
) -> list[Event]:
    if recorded.licence(intent.licence_no).exists:
        raise Conflict(
            "licence_exists", f"licence {intent.licence_no} is already registered", "licence_no"
        )
    require_found(
        recorded.enterprise(intent.goods_owner_tax_code),
        "unknown_enterprise",
        f"the goods owner {intent.goods_owner_tax_code} is not a registered enterprise",
        "goods_owner_tax_code",
    )
    if intent.released_at > envelope.recorded_at + CLOCK_TOLERANCE:
        raise Invalid(
            "released_in_future",
            f"released_at {intent.released_at.isoformat()} is after the moment of recording "
            f"({envelope.recorded_at.isoformat()}): a result is recorded once released",
            "released_at",
        )
    if intent.valid_until < intent.valid_from:
        raise Invalid(
            "invalid_validity",
            f"valid_until {intent.valid_until} is before valid_from {intent.valid_from}",
            "valid_until",
        )
    for n, line in enumerate(intent.lines):
        _check_prefix(line.hs_prefix, f"lines/{n}/hs_prefix")
    registered = envelope.event(LicenceRegistered, intent, effective_at=intent.released_at)
    listed = envelope.event(
        LicenceListed,
        intent,
        effective_at=intent.released_at,
    )
    return [registered, listed]


def revoke_licence(
    intent: RevokeLicence, envelope: Envelope, recorded: Recorded, pack: RulePack
) -> list[LicenceRevoked]:
    check_not_in_future(intent.effective_at, envelope)
    licence = _existing(recorded.licence(intent.licence_no), intent.licence_no)
    if licence.revoked_at is not None:
        raise Conflict(
            "licence_revoked",
            f"licence {intent.licence_no} is already revoked from {licence.revoked_at.isoformat()}",
            "licence_no",
        )
    standing = licence.deductions_from(intent.effective_at)
    if standing:
        first = min(standing, key=lambda d: d.effective_at)
        raise LedgerError(
            "deduction_after_revocation",
            f"{len(standing)} order(s) deducted from licence {intent.licence_no} at or after "
            f"{intent.effective_at.isoformat()} stand (the first: {first.platform} "
            f"{first.order_no} at {first.effective_at.isoformat()}); reverse them, or revoke "
            "from a later moment",
            "effective_at",
        )
    return [envelope.event(LicenceRevoked, intent)]


def _existing(licence: Licence, licence_no: str, field: str = "licence_no") -> Licence:
    if not licence.exists:
        raise NotFound("unknown_licence", f"licence {licence_no} has not been registered", field)
    return licence


# --- the order ------------------------------------------------------------------------------


def ex_warehouse_order(
    intent: ExWarehouseOrder, envelope: Envelope, recorded: Recorded, pack: RulePack
) -> list[Event]:
    lot = recorded.lot(intent.lot_id)
    facts = facts_when(lot, intent.effective_at, envelope)
    check_may_go_inland(facts, recorded, pack, "lot_id")
    if recorded.order_taken(intent.platform, intent.order_no):
        raise Conflict(
            "order_no_used",
            f"order {intent.order_no} is already recorded on platform {intent.platform}",
            "order_no",
        )
    basis, entry = _exemption(intent, facts, recorded, pack)
    deductions: list[LicenceDeducted] = []
    if basis == "deducted":
        assert entry is not None
        deductions = _deductions(intent, facts, entry, recorded, envelope)
    order = envelope.event(
        OrderExWarehoused,
        intent,
        basis=basis,
        licence_nos=tuple(d.licence_no for d in deductions),
        allowance_hs_prefix=entry.hs_prefix if basis == "quantity_list" and entry else None,
    )
    events: list[Event] = [*record_on_lot(lot, order)]
    events.append(envelope.event(OrderNumberTaken, intent))
    events.extend(deductions)
    if order.allowance_hs_prefix is not None:
        events.append(
            envelope.event(
                AllowanceUsed, intent, year=intent.year, hs_prefix=order.allowance_hs_prefix
            )
        )
    return events


def _exemption(
    intent: ExWarehouseOrder, facts: LotFacts, recorded: Recorded, pack: RulePack
) -> tuple[str, ListEntry | None]:
    """The order's basis and the goods-list entry that governs it, in §7's order."""
    hs_code = facts.goods.hs_code
    entry = recorded.goods_lists().entry_for(hs_code, intent.effective_at)
    if entry is None or not entry.requires:
        return "not_controlled", entry
    exemptible = (
        not entry.never_exempt
        and recorded.stop_notices().covering(hs_code, intent.effective_at) is None
    )
    if exemptible and intent.customs_value <= pack.order_exemption_value:
        return "low_value", entry
    if exemptible and entry.exempt_quantity is not None:
        used = recorded.allowance(intent.buyer_id, intent.year).used(entry.hs_prefix)
        if used + intent.quantity <= entry.exempt_quantity:
            return "quantity_list", entry
    return "deducted", entry


def _deductions(
    intent: ExWarehouseOrder,
    facts: LotFacts,
    entry: ListEntry,
    recorded: Recorded,
    envelope: Envelope,
) -> list[LicenceDeducted]:
    """For every kind the entry requires, the licence of that kind to deduct the order from:
    the one named, else the one that expires first (then the lowest number)."""
    named = _named(intent, recorded)
    owner = facts.goods_owner_tax_code
    hs_code, unit = facts.goods.hs_code, facts.goods.unit
    chosen: list[LicenceDeducted] = []
    for kind in (k for k in KINDS if k in entry.requires):
        licence = named.get(kind)
        if licence is not None:
            why = licence.why_not(hs_code, unit, intent.quantity, intent.effective_at)
            holder = licence.terms.goods_owner_tax_code
            if holder != owner:
                why = f"licence {licence.licence_no} is held by {holder}, not by {owner}"
            if why is not None:
                raise LedgerError(
                    "licence_not_usable",
                    f"{why}; the order of {decimal_text(intent.quantity)} {unit} of HS "
                    f"{hs_code} needs a {_kind_text(kind)} (a named one is never replaced)",
                    "licence_nos",
                )
        else:
            held = recorded.licences_of(owner)  # only when one is to be chosen
            of_kind = [c for c in held if c.exists and c.terms.kind == kind]
            usable = [
                c
                for c in of_kind
                if c.why_not(hs_code, unit, intent.quantity, intent.effective_at) is None
            ]
            licence = choose(usable)
            if licence is None:
                raise LedgerError(
                    "licence_required",
                    _wanting(intent, kind, hs_code, unit, of_kind, owner),
                    "licence_nos",
                )
        line_no = licence.line_for(hs_code, unit)
        assert line_no is not None
        chosen.append(
            envelope.event(LicenceDeducted, intent, licence_no=licence.licence_no, line_no=line_no)
        )
    return chosen


def _named(intent: ExWarehouseOrder, recorded: Recorded) -> dict[str, Licence]:
    """The licences the order names, by kind; one of each kind at most."""
    named: dict[str, Licence] = {}
    for n, no in enumerate(intent.licence_nos):
        licence = _existing(recorded.licence(no), no, f"licence_nos/{n}")
        if licence.terms.kind in named:
            raise Invalid(
                "licence_kind_named_twice",
                f"licence_nos names two of kind {licence.terms.kind}; an order uses one of each",
                f"licence_nos/{n}",
            )
        named[licence.terms.kind] = licence
    return named


def _wanting(
    intent: ExWarehouseOrder,
    kind: str,
    hs_code: str,
    unit: str,
    of_kind: Sequence[Licence],
    owner: str,
) -> str:
    """Why no licence of ``kind`` serves the order, naming what remains on each."""
    head = (
        f"the order of {decimal_text(intent.quantity)} {unit} of HS {hs_code} on "
        f"{local_date(intent.effective_at)} needs a {_kind_text(kind)} of goods owner {owner}"
    )
    if not of_kind:
        return f"{head}, and it holds none"
    reasons = "; ".join(
        c.why_not(hs_code, unit, intent.quantity, intent.effective_at) or "" for c in of_kind
    )
    return f"{head}, and none serves it: {reasons}"


def _kind_text(kind: str) -> str:
    return kind.replace("_", " ")


def remaining_after(recorded: Recorded, events: Sequence[Event]) -> list[dict[str, str]]:
    """What remains on each licence line an order deducted from, once it is recorded."""
    found = []
    for event in events:
        if isinstance(event, LicenceDeducted):
            licence = recorded.licence(event.licence_no)
            found.append(
                {
                    "licence_no": event.licence_no,
                    "deducted": decimal_text(event.quantity),
                    "remaining": decimal_text(licence.remaining(event.line_no)),
                }
            )
    return found
