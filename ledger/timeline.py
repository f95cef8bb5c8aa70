"""A lot's active entries in effective order, kept in blocks, so that an entry recorded late
costs what the entries near it cost, not what the lot's whole history costs.

Each block holds up to ``BLOCK`` entries (twice that after late insertions, then it splits),
the lot's facts just before its first entry, the net change its entries make to the on-hand
and in-transit balances, and the lowest on-hand balance any of its posting steps reaches,
counted from the block's start. The balances at a block's start are the sum of the blocks
before it, so a late entry that only takes goods out changes its own block and nothing after.

Then:
- the facts at a moment are the facts at the start of its block, folded on through at most
  one block;
- an entry that only takes goods out (an ex-warehousing, an order, a liquidation) inserted at
  a moment breaks a later entry exactly where a later posting step's on-hand balance, less the
  quantity taken, goes below zero: the blocks' lowest steps show which block to fold again,
  and that block is checked entry by entry as the whole replay would (the same violation,
  message and all). The entries before it were valid when recorded and are unchanged.

Every other kind of late entry (one that sets the lot's holder, terms or hold) and every
reversal is still checked by replaying the whole history (``ledger.lot``).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from ledger.entries import Entry, Violation, step
from ledger.events import EntryReversed, LotCreation, LotEvent
from ledger.facts import NO_CHANGES, LotFacts
from ledger.prefix import Prefix

BLOCK = 128
ZERO = Decimal(0)


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
    entries: Prefix[Entry]  # in effective order, version breaking ties
    start: LotFacts | None  # the facts before the first entry (None: it is the lot's creation)
    on_hand: Decimal  # what the entries add to the on-hand balance
    in_transit: Decimal
    lowest: Decimal | None  # the lowest on-hand after a posting step, from the block's start

    @staticmethod
    def of(start: LotFacts | None, entries: Iterable[Entry]) -> Block:
        block = Block(Prefix(), start, ZERO, ZERO, None)
        for entry in entries:
            block = block.with_entry(entry)
        return block

    def with_entry(self, entry: Entry) -> Block:
        """The block with ``entry`` after its own."""
        on_hand, in_transit, lowest = self.on_hand, self.in_transit, self.lowest
        for posting in entry.event.postings():
            on_hand += posting.on_hand
            in_transit += posting.in_transit
            if lowest is None or on_hand < lowest:
                lowest = on_hand
        return Block(self.entries.extended([entry]), self.start, on_hand, in_transit, lowest)

    def begin(self, on_hand: Decimal, in_transit: Decimal) -> LotFacts | None:
        """A copy of the facts at the block's start, with these balances."""
        if self.start is None:
            return None
        facts = self.start.copy()
        facts.on_hand, facts.in_transit = on_hand, in_transit
        return facts


def fold(facts: LotFacts | None, entry: Entry) -> LotFacts | None:
    """``facts`` after ``entry`` (changed in place; the lot's founding facts for its creation)."""
    event = entry.event
    if facts is None:
        if not isinstance(event, LotCreation):
            return None
        facts = event.founding_facts()
    for posting in event.postings():
        facts.post(posting)
    event.evolve(facts)
    return facts


@dataclass(frozen=True, slots=True)
class Timeline:
    """The blocks: every one but the last closed, the last still taking entries appended in
    effective order."""

    closed: Prefix[Block]
    tail: Block

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
        return Timeline(Prefix(blocks[:-1]), blocks[-1])

    @property
    def blocks(self) -> list[Block]:
        return [*self.closed, self.tail] if self.tail.entries else list(self.closed)

    def first_moment(self) -> datetime:
        """When the lot's first active entry took effect."""
        first = self.closed[0] if self.closed else self.tail
        return first.entries[0].event.effective_at

    @property
    def last(self) -> Entry | None:
        if self.tail.entries:
            return self.tail.entries[-1]
        return self.closed[-1].entries[-1] if self.closed else None

    def appended(self, entry: Entry, before: LotFacts) -> Timeline:
        """With ``entry`` after every entry; ``before`` is the lot's facts just before it."""
        if len(self.tail.entries) < BLOCK:
            return Timeline(self.closed, self.tail.with_entry(entry))
        return Timeline(self.closed.extended([self.tail]), Block.of(before.copy(), [entry]))

    def _find(self, blocks: Sequence[Block], moment: datetime) -> tuple[int, Decimal, Decimal]:
        """The last block starting at or before ``moment`` (-1 if none), and the balances
        at its start."""
        index = bisect_right(blocks, moment, key=_effective) - 1
        on_hand = sum((b.on_hand for b in blocks[: max(index, 0)]), ZERO)
        in_transit = sum((b.in_transit for b in blocks[: max(index, 0)]), ZERO)
        return index, on_hand, in_transit

    def facts_at(self, moment: datetime) -> LotFacts | None:
        """The lot's facts after every entry effective at or before ``moment``: a new object."""
        blocks = self.blocks
        index, on_hand, in_transit = self._find(blocks, moment)
        if index < 0:
            return None
        block = blocks[index]
        facts = block.begin(on_hand, in_transit)
        for entry in block.entries:
            if entry.event.effective_at > moment:
                break
            facts = fold(facts, entry)
        return facts

    def violation_if_inserted(self, lot_id: str, entry: Entry) -> Violation | None:
        """The first violation of the history with ``entry`` (one that ``only_takes_out``,
        effective within the lot's life, later in recorded order than every entry) inserted
        at its effective moment; None if it holds."""
        blocks = self.blocks
        index, on_hand, in_transit = self._find(blocks, entry.event.effective_at)
        assert index >= 0, "an entry before the lot's creation is refused before this"
        block = blocks[index]
        facts = block.begin(on_hand, in_transit)
        at = bisect_right(block.entries, entry.event.effective_at, key=_entry_effective)
        for earlier in block.entries[:at]:
            facts = fold(facts, earlier)
        assert facts is not None
        for later in (entry, *block.entries[at:]):
            violation = next(step(lot_id, later, facts), None)
            if violation is not None:
                return violation
        taken = -sum((p.on_hand for p in entry.event.postings()), ZERO)
        on_hand += block.on_hand
        in_transit += block.in_transit
        for later_block in blocks[index + 1 :]:
            lowest = later_block.lowest
            if lowest is not None and on_hand - taken + lowest < 0:
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
        blocks = self.blocks
        index, _, _ = self._find(blocks, entry.event.effective_at)
        block = blocks[index]
        at = bisect_right(block.entries, entry.event.effective_at, key=_entry_effective)
        entries = [*block.entries[:at], entry, *block.entries[at:]]
        replacing = [Block.of(block.start, entries)]
        if len(entries) > 2 * BLOCK:
            facts = block.start.copy() if block.start is not None else None
            for earlier in entries[:BLOCK]:
                facts = fold(facts, earlier)
            replacing = [Block.of(block.start, entries[:BLOCK]), Block.of(facts, entries[BLOCK:])]
        blocks[index : index + 1] = replacing
        return Timeline(Prefix(blocks[:-1]), blocks[-1])
