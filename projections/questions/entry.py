"""One entry of a lot in its context (DOMAIN.md §3, §5): the balances just before and just
after it on the effective axis (as the stock card runs them), the event as stored, and its
link in the audit hash chain: its position in the log, the chain's hash up to it, and whether
the chain's digest of the stored event is the digest of the read model's copy."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from ledger.errors import NotFound
from projections.questions.question import Ask, Asking, Quantity, Question, Row
from projections.questions.stock_card import OfALot

if TYPE_CHECKING:
    from projections.answers import When


@dataclass(frozen=True, kw_only=True)
class OfAnEntry(OfALot):
    version: Annotated[
        int,
        Ask(
            "The entry's number in the lot's stream (the stock card's version)",
            subject=True,
            ge=1,
            le=2**31 - 1,
        ),
    ]


class EntryRow(Row):
    lot_id: str
    version: int
    event: str
    effective_at: str
    recorded_at: str
    reversed: bool
    on_hand_before: Quantity
    in_transit_before: Quantity
    on_hand_after: Quantity
    in_transit_after: Quantity
    position: int | None
    chain_hash: str | None
    chained: bool | None
    topic: str | None
    stored: str | None


def answer(asking: Asking, asked: OfAnEntry) -> Iterable[dict[str, Any]]:
    lot_id = asking.lot_in_sight(asked.lot_id)
    found = asking.model.entry(lot_id, asked.version, asking.when)
    if found is None:
        raise NotFound(
            "unknown_entry",
            f"lot {lot_id} has no entry {asked.version} that took effect by the end of "
            f"{asking.when.as_of}"
            + (f" as known at {asking.when.known_at.isoformat()}" if asking.when.known_at else ""),
            "version",
        )
    return [found]


def title(asked: OfAnEntry, when: When) -> str:
    return f"Entry {asked.version} of {asked.lot_id} as of {when.as_of}"


QUESTION = Question(
    name="entry",
    route="/lots/{lot_id:path}/entries/{version}",
    summary="One entry of a lot: balances before and after, the stored event, its chain link",
    doc="The lot's entry (its version on the stock card) as of the end of as_of, as known at "
    "known_at: on hand and in transit just before and just after it in effective order (a "
    "reversed entry changes nothing), the event as stored (topic, and its stored JSON body), "
    "and its place in the audit hash chain: position in the log, chain_hash (the chain's "
    "SHA-256 up to and including it, hex) and chained (whether the chain's digest of the "
    "stored event is that of the copy shown). Not found if the entry had not taken effect, "
    "or was not recorded, by then.",
    asked=OfAnEntry,
    row=EntryRow,
    answer=answer,
    title=title,
)
