"""A lot's active entries in effective order, kept in blocks, so that an entry recorded late
costs what the entries near it cost, not what the lot's whole history costs.

Each block holds up to ``BLOCK`` entries (twice that after late insertions, then it splits),
the lot's facts just before its first entry, the net change its entries make to the on-hand
and in-transit balances, and the lowest on-hand balance any of its posting steps reaches,
counted from the block's start. The balances at a block's start are the sum of the blocks
before it, so a late entry that only takes goods out changes its own block and nothing after.
Those sums, and the lowest balance reached from any block on, are kept in a tree of running
totals (``ledger.running``): found in O(log blocks), changed in O(log blocks).

Then:
- the facts at a moment are the facts at the start of its block, folded on through at most
  one block;
- an entry that only takes goods out (an ex-warehousing, an order, a liquidation) inserted at
  a moment breaks a later entry exactly where a later posting step's on-hand balance, less the
  quantity taken, goes below zero: the running lowest balance says whether any does, and the
  blocks' lowest steps which block to fold again,
  and that block is checked entry by entry as the whole replay would (the same violation,
  message and all). The entries before it were valid when recorded and are unchanged.

Every other kind of late entry (one that sets the lot's holder, terms or hold) and every
reversal is still checked by replaying the whole history (``ledger.lot``).
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from ledger.entries import Entry, Violation, fold, step
from ledger.events import EntryReversed, LotCreation, LotEvent
from ledger.facts import NO_CHANGES, LotFacts
from ledger.prefix import Prefix
from ledger.running import NONE, ZERO, RunningTotals

BLOCK = 32  # entries; a block takes late entries up to twice that, then splits
_sharing = threading.Lock()  # the running totals are shared by a timeline's versions


def only_takes_out(event: LotEvent) -> bool:
    """The event changes nothing of the lot but lowering its on-hand balance: inserted
    anywhere, every later fact but that balance stays as it was."""
    return (
        not isinstance(event, LotCreation | EntryReversed)
        and type(event).evolve is LotEvent.evolve
        and event.changes() == NO_CHANGES
        and event.split_child() is None
        and all(p.in_transit == 0 and p.on_hand <= 0 for p in event.postings())
    )


def _effective(block: Block) -> datetime:
    return block.entries[0].event.effective_at


def _entry_effective(entry: Entry) -> datetime:
    return entry.event.effective_at


@dataclass(frozen=True, slots=True)
class Block:
    entries: tuple[Entry, ...]  # in effective order, version breaking ties (at most 2 BLOCK)
    start: LotFacts | None  # the facts before the first entry (None: it is the lot's creation)
    on_hand: Decimal  # what the entries add to the on-hand balance
    in_transit: Decimal
    lowest: Decimal  # the lowest on-hand after a posting step, from the block's start (NONE)

    @staticmethod
    def of(start: LotFacts | None, entries: Iterable[Entry]) -> Block:
        kept = tuple(entries)
        on_hand, in_transit, lowest = ZERO, ZERO, NONE
        for entry in kept:
            for posting in entry.postings:
                on_hand += posting.on_hand
                in_transit += posting.in_transit
                if on_hand < lowest:
                    lowest = on_hand
        return Block(kept, start, on_hand, in_transit, lowest)

    def with_entry(self, entry: Entry) -> Block:
        """The block with ``entry`` after its own."""
        on_hand, in_transit, lowest = self.on_hand, self.in_transit, self.lowest
        for posting in entry.postings:
            on_hand += posting.on_hand
            in_transit += posting.in_transit
            if on_hand < lowest:
                lowest = on_hand
        return Block((*self.entries, entry), self.start, on_hand, in_transit, lowest)

    def begin(self, on_hand: Decimal, in_transit: Decimal) -> LotFacts | None:
        """A copy of the facts at the block's start, with these balances."""
        if self.start is None:
            return None
        facts = self.start.copy()
        facts.on_hand, facts.in_transit = on_hand, in_transit
        return facts


@dataclass(frozen=True, slots=True)
class Folded:
    """The facts at a moment, and where it falls: its block and the place in it."""

    moment: datetime
    index: int
    at: int
    facts: LotFacts | None


@dataclass(frozen=True, slots=True)
class Timeline:
    """The blocks: every one but the last closed (and summed in the running totals), the
    last still taking entries appended in effective order."""

    closed: Prefix[Block]
    tail: Block
    totals: RunningTotals
    stamp: object = field(default_factory=object, compare=False, repr=False)
    _last_fold: list[Folded] = field(default_factory=list, compare=False, repr=False)

    @staticmethod
    def of(active: Sequence[Entry]) -> Timeline:
        """From a lot's active entries in effective order (its creation first)."""
        blocks: list[Block] = []
        facts: LotFacts | None = None
        for start in range(0, max(len(active), 1), BLOCK):
            chunk = active[start : start + BLOCK]
            blocks.append(Block.of(facts.copy() if facts is not None else None, chunk))
            for entry in chunk:
                facts = fold(facts, entry)
        return Timeline.made(blocks[:-1], blocks[-1])

    @staticmethod
    def made(closed: list[Block], tail: Block) -> Timeline:
        stamp = object()
        return Timeline(Prefix(closed), tail, RunningTotals(closed, stamp), stamp)

    def _totals(self) -> RunningTotals:
        """The running totals of this version (call with ``_sharing`` held): the shared
        tree if no newer version changed it since, else a tree of its own."""
        if self.totals.holder is not self.stamp:
            object.__setattr__(self, "totals", RunningTotals(self.closed, self.stamp))
        return self.totals

    def _changed(self, closed: Prefix[Block], tail: Block, change: Change) -> Timeline:
        """A new version: the running totals changed for it, and now its own."""
        stamp = object()
        with _sharing:
            totals = self._totals()
            change(totals)
            totals.holder = stamp
        return Timeline(closed, tail, totals, stamp)

    @property
    def blocks(self) -> list[Block]:
        return [*self.closed, self.tail] if self.tail.entries else list(self.closed)

    def _block(self, index: int) -> Block:
        return self.closed[index] if index < len(self.closed) else self.tail

    def first_moment(self) -> datetime:
        """When the lot's first active entry took effect."""
        return _effective(self._block(0))

    @property
    def last(self) -> Entry | None:
        if self.tail.entries:
            return self.tail.entries[-1]
        return self.closed[-1].entries[-1] if self.closed else None

    def appended(self, entry: Entry, before: LotFacts) -> Timeline:
        """With ``entry`` after every entry; ``before`` is the lot's facts just before it."""
        if len(self.tail.entries) < BLOCK:
            return Timeline(self.closed, self.tail.with_entry(entry), self.totals, self.stamp)
        closing = self.tail
        new_tail = Block.of(before.copy(), [entry])
        return self._changed(self.closed.extended([closing]), new_tail, lambda t: t.append(closing))

    def _find(self, moment: datetime) -> tuple[int, Decimal, Decimal]:
        """The last block starting at or before ``moment`` (-1 if none), and the balances
        at its start."""
        closed = self.closed
        if self.tail.entries and _effective(self.tail) <= moment:
            index = len(closed)
        else:
            index = bisect_right(closed, moment, key=_effective) - 1
        with _sharing:
            on_hand, in_transit = self._totals().start_of(max(index, 0))
        return index, on_hand, in_transit

    def _folded_to(self, moment: datetime) -> Folded:
        """The facts after every entry effective at or before ``moment``, folded from the
        start of its block; the last answer is kept, since deciding a late entry asks for
        the facts at its moment and then checks it there."""
        kept = self._last_fold[-1:]  # one read: threads share a lot's timeline
        if kept and kept[0].moment == moment:
            return kept[0]
        index, on_hand, in_transit = self._find(moment)
        if index < 0:
            found = Folded(moment, index, 0, None)
        else:
            block = self._block(index)
            facts = block.begin(on_hand, in_transit)
            at = bisect_right(block.entries, moment, key=_entry_effective)
            for earlier in block.entries[:at]:
                facts = fold(facts, earlier)
            found = Folded(moment, index, at, facts)
        self._last_fold[:] = [found]
        return found

    def facts_at(self, moment: datetime) -> LotFacts | None:
        """The lot's facts after every entry effective at or before ``moment``: a new object."""
        facts = self._folded_to(moment).facts
        return facts.copy() if facts is not None else None

    def violation_if_inserted(self, lot_id: str, entry: Entry) -> Violation | None:
        """The first violation of the history with ``entry`` (one that ``only_takes_out``,
        effective within the lot's life, later in recorded order than every entry) inserted
        at its effective moment; None if it holds."""
        folded = self._folded_to(entry.event.effective_at)
        index, at = folded.index, folded.at
        assert index >= 0, "an entry before the lot's creation is refused before this"
        assert folded.facts is not None
        facts = folded.facts.copy()
        block = self._block(index)
        for later in (entry, *block.entries[at:]):
            violation = next(step(lot_id, later, facts), None)
            if violation is not None:
                return violation
        taken = -sum((p.on_hand for p in entry.postings), ZERO)
        with _sharing:
            totals = self._totals()
            lowest = totals.lowest_from(index + 1)
            on_hand, in_transit = totals.start_of(index + 1)
            tail_starts, _ = totals.total()
        if index < len(self.closed) and self.tail.entries:  # the tail is not in the totals
            lowest = min(lowest, tail_starts + self.tail.lowest)
        if lowest - taken >= 0:
            return None  # no later posting step goes below zero for what it takes
        # one does: the block it is in is checked entry by entry, as the whole replay would
        for later_block in self.blocks[index + 1 :]:
            if on_hand - taken + later_block.lowest < 0:
                shifted = later_block.begin(on_hand - taken, in_transit)
                assert shifted is not None
                for later in later_block.entries:
                    violation = next(step(lot_id, later, shifted), None)
                    if violation is not None:
                        return violation
            on_hand += later_block.on_hand
            in_transit += later_block.in_transit
        return None

    def inserted(self, entry: Entry) -> Timeline:
        """With ``entry`` (as for ``violation_if_inserted``, and found to hold) inserted."""
        index, _, _ = self._find(entry.event.effective_at)
        block = self._block(index)
        at = bisect_right(block.entries, entry.event.effective_at, key=_entry_effective)
        entries = [*block.entries[:at], entry, *block.entries[at:]]
        replacing = [Block.of(block.start, entries)]
        if len(entries) > 2 * BLOCK:
            facts = block.start.copy() if block.start is not None else None
            for earlier in entries[:BLOCK]:
                facts = fold(facts, earlier)
            replacing = [Block.of(block.start, entries[:BLOCK]), Block.of(facts, entries[BLOCK:])]
        closed = self.closed.as_list()
        if index == len(closed):  # the tail: the first of a split closes
            tail = replacing[-1]
            if len(replacing) == 1:
                return Timeline(self.closed, tail, self.totals, self.stamp)
            first = replacing[0]
            return self._changed(self.closed.extended([first]), tail, lambda t: t.append(first))
        if len(replacing) == 1:
            new = replacing[0]
            closed[index] = new
            return self._changed(Prefix(closed), self.tail, lambda t: t.set(index, new))
        closed[index : index + 1] = replacing
        return Timeline.made(closed, self.tail)  # every later block moves: summed again


Change = Callable[[RunningTotals], None]
