"""One entry of a lot's history, and how one entry is checked and applied to the lot's facts
during a fold (``ledger.lot``, ``ledger.timeline``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from ledger.events import LotCreation, LotEvent
from ledger.facts import LotFacts, Posting
from ledger.numbers import decimal_text


@dataclass(frozen=True)
class Entry:
    version: int
    event: LotEvent

    @cached_property
    def postings(self) -> tuple[Posting, ...]:
        """The event's balance steps, made once: a lot's timeline folds an entry again each
        time a late one lands near it."""
        return self.event.postings()

    @property
    def kind(self) -> str:
        """The event's public name, as stock cards and messages show it."""
        return type(self.event).__name__


@dataclass(frozen=True)
class Violation:
    code: str
    entry: Entry
    message: str


def advance(facts: LotFacts, entry: Entry) -> None:
    """The one step of a lot's fold: the entry's postings move its balances, then its event
    sets what it sets (``LotEvent.evolve``). Every fold of a lot takes it (``ledger.lot``);
    ``apply`` is the same step, checking each balance as it moves."""
    for posting in entry.postings:
        facts.post(posting)
    entry.event.evolve(facts)


def fold(facts: LotFacts | None, entry: Entry) -> LotFacts | None:
    """``facts`` after ``entry`` (changed in place): the lot's founding facts for its
    creation, None for anything before it."""
    if facts is None:
        if not isinstance(entry.event, LotCreation):
            return None
        facts = entry.event.founding_facts()
    advance(facts, entry)
    return facts


def step(lot_id: str, entry: Entry, facts: LotFacts) -> Iterator[Violation]:
    """Checks one entry after the lot came into being, and applies it to ``facts``."""
    if isinstance(entry.event, LotCreation):
        yield Violation("lot_exists", entry, f"lot {lot_id} already exists")
    for code, message in entry.event.refusals(facts):
        yield Violation(code, entry, message)
    yield from apply(lot_id, entry, facts)


def apply(lot_id: str, entry: Entry, facts: LotFacts) -> Iterator[Violation]:
    for posting in entry.postings:
        facts.post(posting)
        if facts.on_hand < 0 or facts.in_transit < 0:
            yield _negative_balance(lot_id, entry, facts, posting)
            break
    entry.event.evolve(facts)


def _negative_balance(lot_id: str, entry: Entry, facts: LotFacts, posting: Posting) -> Violation:
    event = entry.event
    on_hand_short = facts.on_hand < 0
    which = "on-hand" if on_hand_short else "in-transit"
    before = (
        facts.on_hand - posting.on_hand if on_hand_short else facts.in_transit - posting.in_transit
    )
    needed = -(posting.on_hand if on_hand_short else posting.in_transit)
    return Violation(
        "insufficient_balance",
        entry,
        f"{event.label} of {decimal_text(needed)} at {event.effective_at.isoformat()} needs "
        f"lot {lot_id}'s {which} balance, which is {decimal_text(before)} then",
    )
