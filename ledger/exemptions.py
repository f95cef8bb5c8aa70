"""Which goods list and which stop notices are in force at a moment (DOMAIN.md §7), folded
from their streams.

A list replaces the one before it from its ``effective_at`` on; the entry that governs an HS
code is the one with the longest ``hs_prefix`` that begins it. A stop notice covers an HS code
when one of its prefixes begins it, from its ``effective_at`` until its resumption's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ledger.ecommerce_events import ExemptionResumed, ExemptionStopped, GoodsListPublished
from ledger.events import Event
from ledger.folds import Fold
from ledger.values import ListEntry


class GoodsLists(Fold):
    def __init__(self) -> None:
        self.published: list[GoodsListPublished] = []  # in recorded order

    def apply(self, event: Event) -> None:
        if isinstance(event, GoodsListPublished):
            self.published.append(event)

    def has(self, list_ref: str) -> bool:
        return any(p.list_ref == list_ref for p in self.published)

    def in_force(self, moment: datetime) -> GoodsListPublished | None:
        """The list published last (by effective time, then recording) at ``moment``."""
        found: GoodsListPublished | None = None
        for published in self.published:  # recorded order: a later one wins a tie
            if published.effective_at <= moment and (
                found is None or published.effective_at >= found.effective_at
            ):
                found = published
        return found

    def entry_for(self, hs_code: str, moment: datetime) -> ListEntry | None:
        listed = self.in_force(moment)
        return entry_for(listed.entries, hs_code) if listed is not None else None


def entry_for(entries: Sequence[ListEntry], hs_code: str) -> ListEntry | None:
    """The entry with the longest prefix that begins ``hs_code``."""
    matching = [e for e in entries if hs_code.startswith(e.hs_prefix)]
    return max(matching, key=lambda e: len(e.hs_prefix), default=None)


@dataclass(frozen=True)
class StopNotice:
    stopped: ExemptionStopped
    resumed_at: datetime | None = None

    def in_force(self, moment: datetime) -> bool:
        return self.stopped.effective_at <= moment and (
            self.resumed_at is None or moment < self.resumed_at
        )

    def covers(self, hs_code: str) -> bool:
        return hs_code.startswith(tuple(self.stopped.hs_prefixes))


class StopNotices(Fold):
    def __init__(self) -> None:
        self.notices: dict[str, StopNotice] = {}

    def apply(self, event: Event) -> None:
        if isinstance(event, ExemptionStopped):
            self.notices[event.notice_ref] = StopNotice(event)
        elif isinstance(event, ExemptionResumed) and event.notice_ref in self.notices:
            notice = self.notices[event.notice_ref]
            self.notices[event.notice_ref] = StopNotice(notice.stopped, event.effective_at)

    def covering(self, hs_code: str, moment: datetime) -> StopNotice | None:
        """A notice in force at ``moment`` that covers ``hs_code``, if any."""
        return next(
            (n for n in self.notices.values() if n.in_force(moment) and n.covers(hs_code)), None
        )
