"""A lot's history, folded along the effective axis.

A lot is the list of its recorded events. Its balance and its facts (owner, warehouse,
contract, hold) at any effective time come from replaying the events that are not reversed,
in effective order (recorded order breaks ties). ``violations`` replays the whole history and
names the first rule it breaks: every decision about a lot adds or cancels an entry and asks
whether the history still holds, so a backdated entry is checked at its own time *and* at
every later time already recorded. What each kind of event does is the event's own business
(``ledger.events``); this module only folds.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from ledger.entries import Entry, Violation, advance, apply, fold, step
from ledger.events import EntryReversed, LotCreation, LotEvent
from ledger.facts import LotFacts
from ledger.prefix import Deferred, Prefix
from ledger.timeline import Timeline, only_takes_out

__all__ = ["Entry", "Lot", "LotSummary", "Violation"]


@dataclass(frozen=True)
class LotSummary:
    """What deciding an entry after every other needs of a lot, without its history: kept
    as a snapshot every so many events (``commands.snapshots``), so that a process that
    starts cold on a long lot does not read and replay it for its first order."""

    lot_id: str
    version: int
    facts: LotFacts | None  # after every active entry
    last_active: Entry | None  # the active entry latest in effective order
    splits_recorded: int
    reversed_versions: frozenset[int]


@dataclass(frozen=True)
class Lot:
    """A lot as recorded: its events in recorded order, versions 1, 2, …"""

    lot_id: str
    entries: Prefix[Entry] = field(default_factory=Prefix)

    @staticmethod
    def of(lot_id: str, events: list[LotEvent]) -> Lot:
        return Lot(lot_id, Prefix(Entry(v, e) for v, e in enumerate(events, 1)))

    @property
    def version(self) -> int:
        return len(self.entries)

    def entry(self, version: int) -> Entry | None:
        if 1 <= version <= len(self.entries):
            return self.entries[version - 1]
        return None

    @cached_property
    def reversed_versions(self) -> frozenset[int]:
        return frozenset(
            e.event.reversed_version for e in self.entries if isinstance(e.event, EntryReversed)
        )

    @cached_property
    def active(self) -> Prefix[Entry]:
        """Entries in effective order, reversals and what they cancel left out."""
        gone = self.reversed_versions
        kept = [
            e
            for e in self.entries
            if e.version not in gone and not isinstance(e.event, EntryReversed)
        ]
        kept.sort(key=lambda e: (e.event.effective_at, e.version))
        return Prefix(kept)

    @cached_property
    def splits_recorded(self) -> int:
        """Every split ever recorded from this lot, reversed ones too: ids are never reused."""
        return sum(1 for e in self.entries if e.event.split_child() is not None)

    def summary(self) -> LotSummary:
        return LotSummary(
            self.lot_id,
            self.version,
            self.current(),
            self.last_active(),
            self.splits_recorded,
            self.reversed_versions,
        )

    @staticmethod
    def restored(summary: LotSummary, entries: Deferred[Entry]) -> Lot:
        """The lot a summary describes; its ``entries`` (as many as the summary's version)
        are read only when something asks for its past."""
        if len(entries) != summary.version:
            raise ValueError(f"{len(entries)} entries for a summary at version {summary.version}")
        lot = Lot(summary.lot_id, entries)
        lot.__dict__.update(  # the cached_property values, as folding would find them
            _current=summary.facts,
            _last=summary.last_active,
            splits_recorded=summary.splits_recorded,
            reversed_versions=summary.reversed_versions,
        )
        return lot

    def next_split_id(self) -> str:
        return f"{self.lot_id}.{self.splits_recorded + 1}"

    def with_event(self, event: LotEvent) -> Lot:
        return Lot(self.lot_id, self.entries.extended([Entry(self.version + 1, event)]))

    def appended(self, events: Sequence[LotEvent]) -> Lot:
        """The lot with ``events`` recorded after its own. When they all take effect after
        everything active and cancel nothing, the facts are folded on from the current ones
        instead of from the start: a long lot costs what its new events cost. When each only
        takes goods out (an order recorded late), the current facts lose its quantity and the
        timeline takes it in its block."""
        entries = [Entry(self.version + n, e) for n, e in enumerate(events, 1)]
        grown = Lot(self.lot_id, self.entries.extended(entries))
        if self.version == 0 and entries:
            return _founded(grown, entries)
        facts = self._current
        last = self.last_active()
        if facts is None or last is None or any(isinstance(e, EntryReversed) for e in events):
            return grown
        moments = [e.effective_at for e in events]
        timeline: Timeline | None = self.__dict__.get("_timeline")
        facts = facts.copy()
        if moments == sorted(moments) and moments[0] >= last.event.effective_at:
            for entry in entries:
                if timeline is not None:
                    timeline = timeline.appended(entry, facts)
                advance(facts, entry)
            if "active" in self.__dict__:
                grown.__dict__["active"] = self.active.extended(entries)
            grown.__dict__["_last"] = entries[-1]
        elif timeline is not None and all(only_takes_out(e) for e in events):
            for entry in entries:
                timeline = timeline.inserted(entry)
                advance(facts, entry)  # it only takes out: it sets nothing
        else:
            return grown
        grown.__dict__["reversed_versions"] = self.reversed_versions  # cached_property values
        if "_last" in self.__dict__ and "_last" not in grown.__dict__:
            grown.__dict__["_last"] = self.__dict__["_last"]
        if "splits_recorded" in self.__dict__:
            grown.__dict__["splits_recorded"] = self.splits_recorded + sum(
                1 for e in events if e.split_child() is not None
            )
        grown.__dict__["_current"] = facts
        if timeline is not None:
            grown.__dict__["_timeline"] = timeline
        return grown

    @cached_property
    def _timeline(self) -> Timeline:
        return Timeline.of(self.active)

    def last_active(self) -> Entry | None:
        """The active entry latest in effective order."""
        timeline: Timeline | None = self.__dict__.get("_timeline")
        if timeline is not None:
            return timeline.last
        if "_last" in self.__dict__:
            last: Entry | None = self.__dict__["_last"]
            return last
        return self.active[-1] if self.active else None

    def replay(self, until: datetime | None = None) -> Iterator[tuple[Entry, LotFacts]]:
        """Each active entry with the lot's facts just after it (one shared, mutated object),
        up to ``until`` (effective) if given."""
        facts: LotFacts | None = None
        for entry in self.active:
            if until is not None and entry.event.effective_at > until:
                return
            facts = fold(facts, entry)
            if facts is None:
                return
            yield entry, facts

    def facts_at(self, moment: datetime) -> LotFacts | None:
        """The lot's facts at ``moment``, a copy; None before it existed."""
        last = self.last_active()
        if last is not None and moment >= last.event.effective_at:
            return self.current()
        return self._timeline.facts_at(moment)

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
        ids = (e.event.split_child() for e in self.entries)
        return [child for child in ids if child is not None]

    def violations(self) -> Iterator[Violation]:
        """Every way this history breaks the rules of DOMAIN.md §3, in effective order."""
        facts: LotFacts | None = None
        for entry in self.active:
            event = entry.event
            if facts is None:
                if not isinstance(event, LotCreation):
                    yield Violation(
                        "before_lot_existed",
                        entry,
                        f"lot {self.lot_id} did not exist at {event.effective_at.isoformat()}",
                    )
                    return
                facts = event.founding_facts()
                yield from apply(self.lot_id, entry, facts)
            else:
                yield from step(self.lot_id, entry, facts)

    def first_violation(self) -> Violation | None:
        return next(self.violations(), None)

    def violation_if_appended(self, event: LotEvent) -> Violation | None:
        """The first violation once ``event`` is recorded. An event later than every active
        one is checked against the current facts alone (the history before it was checked
        when it was recorded); an earlier one that only takes goods out, against its block
        of the timeline and the lowest balances after it; any other earlier one replays the
        whole history."""
        last = self.last_active()
        facts = self.current()
        entry = Entry(self.version + 1, event)  # the lot's entries are not copied for it
        if last is None or facts is None:
            return self.with_event(event).first_violation()
        if event.effective_at >= last.event.effective_at:
            return next(step(self.lot_id, entry, facts), None)
        if only_takes_out(event) and event.effective_at >= self._timeline.first_moment():
            return self._timeline.violation_if_inserted(self.lot_id, entry)
        return self.with_event(event).first_violation()


def _founded(lot: Lot, entries: list[Entry]) -> Lot:
    """A new lot's first entries: when its creation comes first and every other follows it
    in effective order, cancelling nothing, its facts are folded as they come (what replaying
    them would give) instead of sorted and replayed when first asked for."""
    creation = entries[0].event
    moments = [e.event.effective_at for e in entries]
    if (
        not isinstance(creation, LotCreation)
        or moments != sorted(moments)
        or any(isinstance(e.event, EntryReversed) for e in entries)
    ):
        return lot
    facts = creation.founding_facts()
    for entry in entries:
        advance(facts, entry)
    lot.__dict__.update(
        _current=facts,
        _last=entries[-1],
        reversed_versions=frozenset(),
        splits_recorded=sum(1 for e in entries if e.event.split_child() is not None),
    )
    return lot
