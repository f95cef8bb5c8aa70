"""Reversing an entry: the original is cancelled as if it had never happened (DOMAIN.md §3)."""

from __future__ import annotations

from datetime import datetime

from ledger.decide.common import check_history, existing_lot
from ledger.errors import Conflict, LedgerError, NotFound
from ledger.events import EntryReversed, Event, LotCreation
from ledger.intents import Envelope, ReverseEntry
from ledger.lot import Entry, Lot
from ledger.recorded import Recorded
from ledger.rulepacks import RulePack


def reverse_entry(
    intent: ReverseEntry, envelope: Envelope, recorded: Recorded, pack: RulePack
) -> list[Event]:
    """Cancels the entry; one side of a split goes with the other (its counterpart lot)."""
    lot = recorded.lot(intent.lot_id)
    if not lot.entries:
        existing_lot(lot)
    entry = _target(lot, intent.version)
    first = lot.entries[0].event
    if isinstance(first, LotCreation):
        declaration = recorded.declaration(first.declaration_no)
        if declaration is not None and declaration.settled_at is not None:
            raise LedgerError(
                "declaration_settled",
                f"declaration {declaration.declaration_no} was settled at "
                f"{declaration.settled_at.isoformat()}; its lots can no longer be corrected",
                "lot_id",
            )
    reversal = _reversal(entry, intent, envelope)
    if isinstance(entry.event, LotCreation):
        _require_nothing_after_creation(lot, entry)
    else:
        _require_no_dependent_movement(lot, entry)
    events: list[Event] = [reversal]
    other_id = entry.event.related_lot_id()
    if other_id is not None:
        other = _counterpart_entry(lot, entry, recorded.lot(other_id))
        events.append(_reversal(other, intent, envelope, effective_at=entry.event.effective_at))
    check_history(lot.with_event(reversal), field="version")
    events.extend(entry.event.given_back(envelope.stamp(entry.event.effective_at)))
    return events


def _reversal(
    entry: Entry, intent: ReverseEntry, envelope: Envelope, effective_at: datetime | None = None
) -> EntryReversed:
    """Cancels ``entry`` on its own lot, dated when the cancelled event took effect."""
    return envelope.event(
        EntryReversed,
        intent,
        effective_at=effective_at or entry.event.effective_at,
        lot_id=entry.event.lot_id,
        reversed_version=entry.version,
        reversed_event=entry.kind,
    )


def _target(lot: Lot, version: int) -> Entry:
    """The entry a reversal names; refused if it cannot be reversed at all."""
    entry = lot.entry(version)
    if entry is None:
        raise NotFound(
            "unknown_version",
            f"lot {lot.lot_id} has no version {version} (its versions are 1 to {lot.version})",
            "version",
        )
    if isinstance(entry.event, EntryReversed):
        raise LedgerError(
            "cannot_reverse_reversal",
            f"version {version} of lot {lot.lot_id} is itself a reversal; "
            "record the fact anew instead",
            "version",
        )
    if version in lot.reversed_versions:
        raise Conflict(
            "already_reversed",
            f"version {version} of lot {lot.lot_id} is already reversed",
            "version",
        )
    return entry


def _require_nothing_after_creation(lot: Lot, entry: Entry) -> None:
    later = _entries_after(lot, entry)
    if later:
        raise LedgerError(
            "lot_has_later_entries",
            f"lot {lot.lot_id} has entries recorded on it (versions {later}); reverse them "
            "before the entry that created it",
            "version",
        )


def _entries_after(lot: Lot, creation: Entry) -> str:
    """The versions of the lot's active entries but its creation, as a list to print."""
    return ", ".join(str(e.version) for e in lot.active if e.version != creation.version)


def _require_no_dependent_movement(lot: Lot, entry: Entry) -> None:
    """A whole transfer or move changes who holds the lot or where it is: movements recorded
    after it depend on it."""
    if not entry.event.hands_over():
        return
    key = (entry.event.effective_at, entry.version)
    for later in lot.active:
        if (later.event.effective_at, later.version) > key and later.event.postings():
            raise LedgerError(
                "later_movements_depend_on_it",
                f"version {later.version} ({later.kind}) was recorded after version "
                f"{entry.version} and depends on it; reverse it first",
                "version",
            )


def _counterpart_entry(lot: Lot, entry: Entry, other: Lot) -> Entry:
    """Both sides of a split go together: the child's creation and the parent's split."""
    if isinstance(entry.event, LotCreation):  # a split-off child: its parent's split event
        return next(e for e in other.entries if e.event.split_child() == lot.lot_id)
    child_creation = other.entries[0]
    later = _entries_after(other, child_creation)
    if later:
        raise LedgerError(
            "split_child_moved_on",
            f"this entry split lot {other.lot_id} off, and {other.lot_id} has entries recorded "
            f"on it since (versions {later}); reverse them first",
            "version",
        )
    if child_creation.version in other.reversed_versions:
        raise Conflict(
            "already_reversed", f"lot {other.lot_id}'s creation is already reversed", "version"
        )
    return child_creation
