"""Checks shared by every decision: timing, lots that must exist, histories that must hold."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from ledger.calendar import CLOCK_TOLERANCE
from ledger.errors import Invalid, LedgerError, NotFound, unknown_lot
from ledger.events import LotEvent
from ledger.facts import LotFacts
from ledger.intents import Envelope
from ledger.lot import Lot, Violation

T = TypeVar("T")

VIOLATION_FIELDS = {
    "insufficient_balance": "quantity",
    "lot_on_hold": "lot_id",
    "already_on_hold": "lot_id",
    "not_on_hold": "lot_id",
    "before_lot_existed": "effective_at",
    "lot_exists": "lot_id",
}


def check_not_in_future(effective_at: datetime, envelope: Envelope) -> None:
    """``effective_at`` is never after the moment of recording (5 minutes' clock tolerance)."""
    if effective_at > envelope.recorded_at + CLOCK_TOLERANCE:
        raise Invalid(
            "effective_in_future",
            f"effective_at {effective_at.isoformat()} is after the moment of recording "
            f"({envelope.recorded_at.isoformat()}) by more than the 5 minutes' clock tolerance",
            "effective_at",
        )


def existing_lot(lot: Lot) -> LotFacts:
    facts = lot.current()
    if facts is None:
        why = "its creation was reversed" if lot.entries else "it has not been recorded"
        raise unknown_lot(lot.lot_id, why)
    return facts


def facts_when(lot: Lot, effective_at: datetime, envelope: Envelope) -> LotFacts:
    """The lot's facts at ``effective_at``; refused if the lot did not exist yet."""
    check_not_in_future(effective_at, envelope)
    facts = lot.facts_at(effective_at)
    if facts is None:
        created = existing_lot(lot).created_at
        raise LedgerError(
            "before_lot_existed",
            f"effective_at {effective_at.isoformat()} is before lot {lot.lot_id} came "
            f"into being ({created.isoformat()})",
            "effective_at",
        )
    return facts


def check_history(
    lot: Lot,
    proposed_version: int | None = None,
    field: str = "effective_at",
    violation: Violation | None = None,
) -> None:
    """Refuse unless the lot's whole history, with the proposed change, keeps every rule.

    Given no ``proposed_version``, the whole history of ``lot`` is checked; given one, the
    ``violation`` found for that proposal (if any) is reported. A violation at the proposed
    entry itself names that entry's field; one at an entry already recorded names ``field``,
    the part of the request that upsets it.
    """
    if proposed_version is None:
        violation = lot.first_violation()
    if violation is None:
        return
    if violation.entry.version == proposed_version:
        raise LedgerError(violation.code, violation.message, VIOLATION_FIELDS.get(violation.code))
    message = (
        f"an entry already recorded (version {violation.entry.version}, {violation.entry.kind}) "
        f"would break: {violation.message}"
    )
    raise LedgerError(violation.code, message, field)


def record_on_lot(lot: Lot, event: LotEvent) -> list[LotEvent]:
    """``[event]``, once the lot's history is known to hold with it appended."""
    check_history(lot, lot.version + 1, violation=lot.violation_if_appended(event))
    return [event]


def require_field(value: object, field: str, rule: str) -> None:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise Invalid("missing_field", f"{field} is required: {rule}", field)


def refuse_field(value: object, field: str, rule: str) -> None:
    if value is not None:
        raise Invalid("unexpected_field", f"{field} must not be given: {rule}", field)


def require_found(value: T | None, code: str, message: str, field: str) -> T:
    """``value``, unless the ledger never recorded it."""
    if value is None:
        raise NotFound(code, message, field)
    return value
