"""Reversing an entry: the original is cancelled as if it had never happened (DOMAIN.md §3)."""

from __future__ import annotations

from dataclasses import replace

from ledger.decide.common import check_history
from ledger.errors import Conflict, LedgerError, NotFound
from ledger.events import EntryReversed, LotEvent, LotSplitOff
from ledger.lot import CREATIONS, Entry, Lot, postings, split_child
from ledger.registry import Declaration


def target_of(lot: Lot, version: int) -> Entry:
    """The entry a reversal names; refused if it cannot be reversed at all."""
    entry = lot.entry(version)
    if entry is None:
        raise NotFound(
            "unknown_version",
            f"lot {lot.lot_id} has no version {version} (it has {lot.version} events)",
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


def counterpart(entry: Entry) -> str | None:
    """The other lot a split involves: the child of a split event, the parent of a split-off."""
    if isinstance(entry.event, LotSplitOff):
        return entry.event.parent_lot_id
    return split_child(entry.event)


def reverse_entry(
    lot: Lot,
    proposed: EntryReversed,
    *,
    declaration: Declaration | None,
    other: Lot | None = None,
) -> list[LotEvent]:
    """``other`` is the counterpart lot when the entry is one side of a split."""
    entry = target_of(lot, proposed.reversed_version)
    if declaration is not None and declaration.settled_at is not None:
        raise LedgerError(
            "declaration_settled",
            f"declaration {declaration.declaration_no} was settled at "
            f"{declaration.settled_at.isoformat()}; its lots can no longer be corrected",
            "lot_id",
        )
    reversal = replace(
        proposed,
        effective_at=entry.event.effective_at,
        reversed_event=entry.kind,
    )
    if isinstance(entry.event, CREATIONS):
        _require_nothing_after_creation(lot, entry)
    else:
        _require_no_dependent_movement(lot, entry)
    events: list[LotEvent] = [reversal]
    if other is not None:
        events.append(_reverse_counterpart(lot, entry, other, reversal))
    check_history(lot.with_event(reversal), field="version")
    return events


def _require_nothing_after_creation(
    lot: Lot, entry: Entry, code: str = "lot_has_later_entries"
) -> None:
    later = [e for e in lot.active if e.version != entry.version]
    if later:
        versions = ", ".join(str(e.version) for e in later)
        raise LedgerError(
            code,
            f"lot {lot.lot_id} has entries recorded on it (versions {versions}); reverse them "
            "before the entry that created it",
            "version",
        )


def _require_no_dependent_movement(lot: Lot, entry: Entry) -> None:
    """A whole transfer or move changes who holds the lot or where it is: movements recorded
    after it depend on it."""
    if split_child(entry.event) is not None or not _changes_holder(entry):
        return
    key = (entry.event.effective_at, entry.version)
    for later in lot.active:
        if (later.event.effective_at, later.version) > key and postings(later.event):
            raise LedgerError(
                "later_movements_depend_on_it",
                f"version {later.version} ({later.kind}) was recorded after version "
                f"{entry.version} and depends on it; reverse it first",
                "version",
            )


def _changes_holder(entry: Entry) -> bool:
    return entry.kind in ("OwnershipTransferred", "MoveDispatched")


def _reverse_counterpart(
    lot: Lot, entry: Entry, other: Lot, reversal: EntryReversed
) -> EntryReversed:
    """Both sides of a split go together: the child's creation and the parent's split."""
    if isinstance(entry.event, LotSplitOff):
        parent_entry = next(e for e in other.entries if split_child(e.event) == lot.lot_id)
        return replace(
            reversal,
            lot_id=other.lot_id,
            reversed_version=parent_entry.version,
            reversed_event=parent_entry.kind,
        )
    child_creation = other.entries[0]
    _require_nothing_after_creation(other, child_creation, "split_child_moved_on")
    if child_creation.version in other.reversed_versions:
        raise Conflict(
            "already_reversed", f"lot {other.lot_id}'s creation is already reversed", "version"
        )
    return replace(
        reversal,
        lot_id=other.lot_id,
        reversed_version=child_creation.version,
        reversed_event=child_creation.kind,
    )
