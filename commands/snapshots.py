"""Snapshots: the summary of a long lot or licence, kept every ``SNAPSHOT_EVERY`` events in
the event-sourcing library's snapshot table, so that a process starting cold decides its
first order on a lot of a hundred thousand orders without reading and folding them.

A summary is only ever a head start, as the stream cache is: it is taken of the stream's
first ``version`` events, in the transaction that records the event at that version, and it
is used with the events after it. What it leaves out (a lot's entries one by one, a
licence's deductions) is read back from the stream when a decision asks for it: a late
entry, a reversal, a revocation. Summaries are stored as JSON in the events' own format
(``commands.codec``): never code, whoever can write to the database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import StoredEvent

from commands.codec import decode, decode_event, encode, encode_event
from commands.recorder import SnapshotRecorder
from ledger.ecommerce_events import LicenceRegistered
from ledger.entries import Entry
from ledger.events import Event, LotEvent
from ledger.facts import Hold, LotFacts
from ledger.licences import LicenceSummary
from ledger.lot import LotSummary
from ledger.streams import licence_stream, lot_stream

SNAPSHOT_EVERY = 1000  # events of one stream between two of its snapshots

Summary = LotSummary | LicenceSummary

LOT, LICENCE = "lot-summary/1", "licence-summary/1"  # the stored formats


_SUMMARIZED = (lot_stream(""), licence_stream(""))  # the kinds of stream kept in summaries


def summarized(stream: str) -> bool:
    """Whether the stream is of a kind that snapshots summarize (a lot, a licence)."""
    return stream.startswith(_SUMMARIZED)


def due(before: int, after: int) -> bool:
    """Whether a stream that grew from ``before`` to ``after`` events passed a snapshot."""
    return before // SNAPSHOT_EVERY != after // SNAPSHOT_EVERY


class Snapshots:
    def __init__(
        self,
        recorder: SnapshotRecorder,
        topic_of: Callable[[type[Event]], str],
        event_class: Callable[[str], type[Event]],
    ) -> None:
        self.recorder = recorder
        self._topic_of = topic_of
        self._event_class = event_class

    def latest(self, streams: Mapping[str, UUID]) -> dict[str, tuple[int, Summary]]:
        """The newest summary of each of these streams (given with their ids) that has one."""
        names = {oid: name for name, oid in streams.items()}
        found: dict[str, tuple[int, Summary]] = {}
        for oid, (version, topic, state) in self.recorder.latest(list(names)).items():
            try:
                found[names[oid]] = (version, self._decoded(topic, state))
            except (KeyError, TypeError, ValueError, AssertionError, orjson.JSONDecodeError):
                # kept by another version of the ledger: the stream is read whole instead,
                # and its next event stores a summary in this version's format
                continue
        return found

    def keep(self, summaries: Sequence[tuple[UUID, int, Summary]]) -> None:
        """Stores (stream id, version, summary) in the caller's transaction."""
        self.recorder.keep([StoredEvent(oid, v, *self._encoded(s)) for oid, v, s in summaries])

    # --- the stored format ---

    def _event(self, event: Event | None) -> dict[str, str] | None:
        if event is None:
            return None
        return {"topic": self._topic_of(type(event)), "event": encode_event(event).decode()}

    def _event_of(self, stored: dict[str, str] | None) -> Event | None:
        if stored is None:
            return None
        return decode_event(self._event_class(stored["topic"]), stored["event"].encode())

    def _encoded(self, summary: Summary) -> tuple[str, bytes]:
        if isinstance(summary, LotSummary):
            last = summary.last_active
            return LOT, encode(
                {
                    "lot_id": summary.lot_id,
                    "version": summary.version,
                    "facts": _facts(summary.facts),
                    "last": None
                    if last is None
                    else {"version": last.version, **(self._event(last.event) or {})},
                    "splits_recorded": summary.splits_recorded,
                    "reversed_versions": sorted(summary.reversed_versions),
                }
            )
        return LICENCE, encode(
            {
                "applied": summary.applied,
                "registered": self._event(summary.registered),
                "revoked_at": summary.revoked_at,
                "deducted": {str(line): q for line, q in summary.deducted.items()},
                "standing": summary.standing,
            }
        )

    def _decoded(self, topic: str, state: bytes) -> Summary:
        data = decode(state)
        if topic == LOT:
            last = data["last"]
            event = self._event_of(last)
            assert event is None or isinstance(event, LotEvent)
            return LotSummary(
                data["lot_id"],
                data["version"],
                _facts_of(data["facts"]),
                None if last is None or event is None else Entry(last["version"], event),
                data["splits_recorded"],
                frozenset(data["reversed_versions"]),
            )
        if topic == LICENCE:
            registered = self._event_of(data["registered"])
            assert registered is None or isinstance(registered, LicenceRegistered)
            revoked_at = data["revoked_at"]
            assert revoked_at is None or isinstance(revoked_at, datetime)
            return LicenceSummary(
                data["applied"],
                registered,
                revoked_at,
                {int(line): Decimal(q) for line, q in data["deducted"].items()},
                data["standing"],
            )
        raise ValueError(f"a snapshot in an unknown format: {topic}")


def _facts(facts: LotFacts | None) -> dict[str, Any] | None:
    if facts is None:
        return None
    found = {f.name: getattr(facts, f.name) for f in fields(facts)}
    found["hold"] = facts.hold.description if facts.hold is not None else None
    return found


def _facts_of(data: dict[str, Any] | None) -> LotFacts | None:
    if data is None:
        return None
    hold = data.pop("hold")
    return LotFacts(**data, hold=Hold(hold) if hold is not None else None)
