"""A lot's history, folded along the effective axis.

A lot is the list of its recorded events. Its balance and its facts (owner, warehouse,
contract, hold) at any effective time come from replaying the events that are not reversed,
in effective order (recorded order breaks ties). ``violations`` replays the whole history and
names the first rule it breaks: every decision about a lot adds or cancels an entry and asks
whether the history still holds, so a backdated entry is checked at its own time *and* at
every later time already recorded.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property

from ledger.calendar import local_date
from ledger.events import (
    EntryReversed,
    GoodsLine,
    HoldPlaced,
    HoldReleased,
    LotEvent,
    LotExWarehoused,
    LotLiquidated,
    LotSplitOff,
    LotWarehoused,
    MoveDispatched,
    MoveReceived,
    OwnershipTransferred,
    StorageExtended,
)
from ledger.numbers import decimal_text

ZERO = Decimal(0)
BLOCKED_BY_HOLD = (LotExWarehoused, OwnershipTransferred, MoveDispatched, LotLiquidated)
CREATIONS = (LotWarehoused, LotSplitOff)


@dataclass(frozen=True)
class Entry:
    version: int
    event: LotEvent

    @property
    def kind(self) -> str:
        return type(self.event).__name__


@dataclass(frozen=True)
class Posting:
    """How one step of an event changes the lot's two balances."""

    on_hand: Decimal = ZERO
    in_transit: Decimal = ZERO


def postings(event: LotEvent) -> tuple[Posting, ...]:
    """The balance steps of an event, applied in order; every step must leave both >= 0.

    A whole transfer takes its quantity out and puts it back, so the lot must hold it at
    that moment even though the balance does not change (DOMAIN.md §3).
    """
    match event:
        case LotWarehoused(goods=goods):
            return (Posting(on_hand=goods.quantity),)
        case LotSplitOff(cause="move", quantity=q):
            return (Posting(in_transit=q),)
        case LotSplitOff(quantity=q):
            return (Posting(on_hand=q),)
        case LotExWarehoused(quantity=q) | LotLiquidated(quantity=q):
            return (Posting(on_hand=-q),)
        case OwnershipTransferred(quantity=q, new_lot_id=new) if new == event.lot_id:
            return (Posting(on_hand=-q), Posting(on_hand=q))
        case OwnershipTransferred(quantity=q):
            return (Posting(on_hand=-q),)
        case MoveDispatched(quantity=q, travelling_lot_id=new) if new == event.lot_id:
            return (Posting(on_hand=-q, in_transit=q),)
        case MoveDispatched(quantity=q):
            return (Posting(on_hand=-q),)
        case MoveReceived(quantity=q):
            return (Posting(on_hand=q, in_transit=-q),)
    return ()


@dataclass
class LotFacts:
    """What holds for a lot at one effective moment."""

    lot_id: str
    declaration_no: str
    registered_on: date
    first_warehoused_on: date  # effective date of the warehousing the lot descends from
    goods: GoodsLine
    warehouse_id: str
    goods_owner_tax_code: str
    contract_no: str | None
    declared_expires_on: date | None
    created_at: datetime
    on_hand: Decimal = ZERO
    in_transit: Decimal = ZERO
    extension_days: int = 0
    extensions_granted: int = 0
    hold: HoldPlaced | LotEvent | None = None
    receiving_from: str | None = None  # origin warehouse while in transit

    @property
    def balance(self) -> Decimal:
        return self.on_hand + self.in_transit

    def copy(self) -> LotFacts:
        """A shallow copy: every field holds an immutable value."""
        twin = object.__new__(LotFacts)
        twin.__dict__.update(self.__dict__)
        return twin

    @property
    def held(self) -> bool:
        return self.hold is not None


def _facts_at_creation(event: LotEvent) -> LotFacts:
    match event:
        case LotWarehoused():
            return LotFacts(
                lot_id=event.lot_id,
                declaration_no=event.declaration_no,
                registered_on=event.registered_on,
                first_warehoused_on=local_date(event.effective_at),
                goods=event.goods,
                warehouse_id=event.warehouse_id,
                goods_owner_tax_code=event.goods_owner_tax_code,
                contract_no=event.contract_no,
                declared_expires_on=event.expires_on,
                created_at=event.effective_at,
                hold=event if event.on_hold else None,
            )
        case LotSplitOff():
            return LotFacts(
                lot_id=event.lot_id,
                declaration_no=event.declaration_no,
                registered_on=event.registered_on,
                first_warehoused_on=event.first_warehoused_on,
                goods=event.goods,
                warehouse_id=event.warehouse_id,
                goods_owner_tax_code=event.goods_owner_tax_code,
                contract_no=event.contract_no,
                declared_expires_on=event.declared_expires_on,
                created_at=event.effective_at,
                extension_days=event.extension_days,
                extensions_granted=1 if event.extension_days else 0,
                receiving_from=event.parent_lot_id if event.cause == "move" else None,
            )
    raise ValueError(f"{type(event).__name__} does not create a lot")


def _evolve_attributes(facts: LotFacts, event: LotEvent) -> None:
    """Everything an event changes in a lot's facts but its balances."""
    match event:
        case OwnershipTransferred() if event.new_lot_id == facts.lot_id:
            facts.goods_owner_tax_code = event.new_owner_tax_code
            facts.contract_no = event.new_contract_no
            facts.declared_expires_on = None
        case MoveDispatched() if event.travelling_lot_id == facts.lot_id:
            facts.receiving_from = facts.warehouse_id
            facts.warehouse_id = event.to_warehouse_id
            facts.contract_no = event.contract_no
            facts.declared_expires_on = None
        case MoveReceived():
            facts.receiving_from = None
            if not event.seal_intact and facts.hold is None:
                facts.hold = event
        case StorageExtended():
            facts.extension_days += event.days
            facts.extensions_granted += 1
        case HoldPlaced():
            facts.hold = event
        case HoldReleased():
            facts.hold = None


@dataclass(frozen=True)
class Violation:
    code: str
    entry: Entry
    message: str


@dataclass(frozen=True)
class Lot:
    """A lot as recorded: its events in recorded order, versions 1, 2, …"""

    lot_id: str
    entries: tuple[Entry, ...] = ()

    @property
    def exists(self) -> bool:
        return bool(self.active)

    @property
    def version(self) -> int:
        return len(self.entries)

    def entry(self, version: int) -> Entry | None:
        if 1 <= version <= len(self.entries):
            return self.entries[version - 1]
        return None

    @property
    def reversed_versions(self) -> frozenset[int]:
        return frozenset(
            e.event.reversed_version for e in self.entries if isinstance(e.event, EntryReversed)
        )

    @cached_property
    def active(self) -> tuple[Entry, ...]:
        """Entries in effective order, reversals and what they cancel left out."""
        gone = self.reversed_versions
        kept = [
            e
            for e in self.entries
            if e.version not in gone and not isinstance(e.event, EntryReversed)
        ]
        kept.sort(key=lambda e: (e.event.effective_at, e.version))
        return tuple(kept)

    @property
    def splits_recorded(self) -> int:
        """Every split ever recorded from this lot, reversed ones too: ids are never reused."""
        return sum(1 for e in self.entries if split_child(e.event) is not None)

    def with_event(self, event: LotEvent) -> Lot:
        return Lot(self.lot_id, (*self.entries, Entry(self.version + 1, event)))

    def replay(self, until: datetime | None = None) -> Iterator[tuple[Entry, LotFacts]]:
        """Each active entry with the lot's facts just after it (one shared, mutated object),
        up to ``until`` (effective) if given."""
        facts: LotFacts | None = None
        for entry in self.active:
            if until is not None and entry.event.effective_at > until:
                return
            if facts is None:
                facts = _facts_at_creation(entry.event)
            for posting in postings(entry.event):
                facts.on_hand += posting.on_hand
                facts.in_transit += posting.in_transit
            _evolve_attributes(facts, entry.event)
            yield entry, facts

    def facts_at(self, moment: datetime) -> LotFacts | None:
        """The lot's facts at ``moment``, a copy; None before it existed."""
        if self.active and moment >= self.active[-1].event.effective_at:
            return self.current()
        result: LotFacts | None = None
        for _, facts in self.replay(until=moment):
            result = facts
        return result.copy() if result is not None else None

    @cached_property
    def _current(self) -> LotFacts | None:
        result: LotFacts | None = None
        for _, facts in self.replay():
            result = facts
        return result

    def current(self) -> LotFacts | None:
        """The lot's facts after every active entry, a copy."""
        return self._current.copy() if self._current is not None else None

    def children(self) -> list[str]:
        ids = (split_child(e.event) for e in self.entries)
        return [child for child in ids if child is not None]

    def violations(self) -> Iterator[Violation]:
        """Every way this history breaks the rules of DOMAIN.md §3, in effective order."""
        facts: LotFacts | None = None
        for entry in self.active:
            event = entry.event
            if facts is None:
                if not isinstance(event, CREATIONS):
                    yield Violation(
                        "before_lot_existed",
                        entry,
                        f"lot {self.lot_id} did not exist at {event.effective_at.isoformat()}",
                    )
                    return
                facts = _facts_at_creation(event)
                yield from _apply(self.lot_id, entry, facts)
            else:
                yield from _step(self.lot_id, entry, facts)

    def first_violation(self) -> Violation | None:
        return next(self.violations(), None)

    def violation_if_appended(self, event: LotEvent) -> Violation | None:
        """The first violation once ``event`` is recorded. An event later than every active
        one is checked against the current facts alone (the history before it was checked
        when it was recorded); an earlier one replays the whole history."""
        appended = self.with_event(event)
        last = self.active[-1] if self.active else None
        facts = self.current()
        if last is None or facts is None or event.effective_at < last.event.effective_at:
            return appended.first_violation()
        entry = appended.entries[-1]
        return next(_step(self.lot_id, entry, facts), None)


def _step(lot_id: str, entry: Entry, facts: LotFacts) -> Iterator[Violation]:
    """Checks one entry after the lot came into being, and applies it to ``facts``."""
    if isinstance(entry.event, CREATIONS):
        yield Violation("lot_exists", entry, f"lot {lot_id} already exists")
    yield from _hold_violations(lot_id, entry, facts)
    yield from _apply(lot_id, entry, facts)


def _apply(lot_id: str, entry: Entry, facts: LotFacts) -> Iterator[Violation]:
    for posting in postings(entry.event):
        facts.on_hand += posting.on_hand
        facts.in_transit += posting.in_transit
        if facts.on_hand < 0 or facts.in_transit < 0:
            yield _negative_balance(lot_id, entry, facts, posting)
            break
    _evolve_attributes(facts, entry.event)


def _hold_violations(lot_id: str, entry: Entry, facts: LotFacts) -> Iterator[Violation]:
    event = entry.event
    at = event.effective_at.isoformat()
    if isinstance(event, BLOCKED_BY_HOLD) and facts.held:
        yield Violation(
            "lot_on_hold",
            entry,
            f"lot {lot_id} is on hold at {at} ({_hold_ref(facts)}); "
            f"{_describe(event)} is blocked until the hold is released",
        )
    if isinstance(event, HoldPlaced) and facts.held:
        yield Violation(
            "already_on_hold",
            entry,
            f"lot {lot_id} is already on hold at {at} ({_hold_ref(facts)}); "
            "a lot is held once at a time",
        )
    if isinstance(event, HoldReleased) and not facts.held:
        yield Violation("not_on_hold", entry, f"lot {lot_id} is not on hold at {at}")


def _hold_ref(facts: LotFacts) -> str:
    hold = facts.hold
    if isinstance(hold, HoldPlaced):
        return f"hold {hold.ref} placed {hold.effective_at.isoformat()}"
    if hold is not None:
        return f"seal not intact, {hold.effective_at.isoformat()}"
    return "no hold"


def _negative_balance(lot_id: str, entry: Entry, facts: LotFacts, posting: Posting) -> Violation:
    event = entry.event
    which = "on-hand" if facts.on_hand < 0 else "in-transit"
    before = (
        (facts.on_hand - posting.on_hand)
        if which == "on-hand"
        else facts.in_transit - posting.in_transit
    )
    needed = -(posting.on_hand if which == "on-hand" else posting.in_transit)
    return Violation(
        "insufficient_balance",
        entry,
        f"{_describe(event)} of {decimal_text(needed)} at {event.effective_at.isoformat()} needs "
        f"lot {lot_id}'s {which} balance, which is {decimal_text(before)} then",
    )


def _describe(event: LotEvent) -> str:
    names = {
        "LotExWarehoused": "the ex-warehousing",
        "OwnershipTransferred": "the ownership transfer",
        "MoveDispatched": "the move dispatch",
        "MoveReceived": "the move receipt",
        "LotLiquidated": "the liquidation",
    }
    return names.get(type(event).__name__, type(event).__name__)


def split_child(event: LotEvent) -> str | None:
    """The lot a partial transfer or move split off, if this event did that."""
    if isinstance(event, OwnershipTransferred) and event.new_lot_id != event.lot_id:
        return event.new_lot_id
    if isinstance(event, MoveDispatched) and event.travelling_lot_id != event.lot_id:
        return event.travelling_lot_id
    return None
