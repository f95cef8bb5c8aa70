"""Snapshots of long lots and licences (``commands.snapshots``): a process that starts cold
decides from a lot's and a licence's summary and the events after it, reading their history
only when a decision asks for it, and every decision is exactly the one a process that read
and folded the whole streams makes: the same events, or the same refusal, word for word."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from eventsourcing.persistence import StoredEvent

import commands.snapshots
from commands.handlers import Context, handle
from commands.parsing import parse_command
from commands.store import EventStore, stream_id
from commands.stream_cache import StreamCache
from commands.unit_of_work import UnitOfWork
from ledger.ecommerce_events import DeductionReversed
from ledger.errors import LedgerError
from ledger.events import LotEvent
from ledger.folds import fold
from ledger.intents import Envelope
from ledger.licences import Licence
from ledger.lot import Lot
from ledger.prefix import Deferred
from ledger.rulepacks import load_pack
from tests.support import (
    NOW,
    Harness,
    at,
    ex_warehousing,
    goods_list,
    hold,
    licence,
    line,
    order,
    reversal,
    revocation,
    transfer,
    warehousing,
)

EVERY = 4  # a snapshot every four events of a stream, so that a short history has several
ORDERS = 13
FIRST_ORDER = at("2026-03-01T10:00:00+07:00")


def _when(n: int) -> str:
    return (FIRST_ORDER + timedelta(minutes=n)).isoformat()


@pytest.fixture
def history(ledger: Harness, monkeypatch: pytest.MonkeyPatch) -> Harness:
    monkeypatch.setattr(commands.snapshots, "SNAPSHOT_EVERY", EVERY)
    ledger.given(
        warehousing("D1", line(1, "30")),
        goods_list("GL-1", {"hs_prefix": "8542", "requires": ["licence"]}),
        licence("L1", "30"),
        hold(when=_when(4)),
        hold(when=_when(6), release=True),
        transfer(quantity="3", when=_when(3)),  # a split, before the lot's snapshots
        *(order(f"O-{n}", "2", when=_when(n)) for n in (0, 1, 2, 3, 6)),
        reversal("D1/1", 6),  # order O-1, and its deduction: before the licence's snapshot
        *(order(f"O-{n}", "2", when=_when(n)) for n in range(7, ORDERS)),
    )
    return ledger


@contextmanager
def _cold(store: EventStore, snapshots: bool) -> Iterator[UnitOfWork]:
    """A unit of work of a process that has read nothing yet, with or without snapshots."""
    kept = store.snapshots
    if not snapshots:
        store.snapshots = None
    try:
        uow = UnitOfWork(store, StreamCache())
        with uow.transaction():
            yield uow
    finally:
        store.snapshots = kept


def _decided(store: EventStore, command: dict[str, Any], snapshots: bool) -> Any:
    """The events the command would record, or its refusal; nothing is committed."""
    intent = parse_command(command).intent
    with _cold(store, snapshots) as uow:
        try:
            answer = handle(intent, Context(uow, Envelope("op", NOW), load_pack("vn-2015")))
            return answer, {stream: list(events) for stream, events in uow.pending.items()}
        except LedgerError as error:
            return (error.code, error.message, error.field)


PROBES = {
    "a timely order": order("P-1", "2", when=_when(30)),
    "a late order": order("P-2", "1", when=_when(2)),
    "a late order the later history cannot spare": order("P-3", "8", when=_when(1)),
    "a late ex-warehousing during the hold": ex_warehousing(quantity="1", when=_when(5)),
    "a late transfer": transfer(quantity="1", when=_when(3)),
    "a timely transfer (the next split id)": transfer(quantity="1", when=_when(31)),
    "a reversal of the hold's release": reversal("D1/1", 3),
    "a reversal of an early order": reversal("D1/1", 8),
    "a revocation with deductions after it": revocation("L1", when="2026-03-01"),
    "a revocation after every deduction": revocation("L1", when="2026-03-02"),
    "an order the licence cannot cover": order("P-4", "11", when=_when(32)),
}


@pytest.mark.parametrize("probe", PROBES)
def test_a_cold_process_decides_as_one_that_read_everything(history: Harness, probe: str) -> None:
    store = history.store
    assert store.summaries(["lot:D1/1", "licence:L1"]).keys() == {"lot:D1/1", "licence:L1"}
    restored = _decided(store, PROBES[probe], snapshots=True)
    assert restored == _decided(store, PROBES[probe], snapshots=False)


def test_a_timely_order_reads_no_history(history: Harness) -> None:
    with _cold(history.store, snapshots=True) as uow:
        lot = uow.lot("D1/1")
        assert isinstance(lot.entries, Deferred)
        intent = parse_command(order("P-1", "2", when=_when(30))).intent
        handle(intent, Context(uow, Envelope("op", NOW), load_pack("vn-2015")))
        assert not lot.entries.read  # decided on the summary and the events after it
        assert uow.licence("L1").applied == len(uow.events("licence:L1"))  # with the order's
        # asked about its past, the lot reads its history and answers as a full fold does
        past = at(_when(5))
        whole = Lot.of("D1/1", [e for e in history.lot_events("D1/1") if isinstance(e, LotEvent)])
        assert lot.facts_at(past) == whole.facts_at(past)
        assert lot.entries.read
        assert list(lot.entries) == list(whole.entries)
        with_order = fold(Licence, uow.events("licence:L1"))  # the order's deduction too
        assert uow.licence("L1").deductions == with_order.deductions


def test_each_snapshot_is_the_summary_of_the_whole_stream(history: Harness) -> None:
    store = history.store
    events = [e for e in history.lot_events("D1/1") if isinstance(e, LotEvent)]
    found = store.summaries(["lot:D1/1", "licence:L1"])
    version, summary = found["lot:D1/1"]
    assert version == len(events) - len(events) % EVERY
    assert summary == Lot.of("D1/1", events[:version]).summary()
    licence_version, licence_summary = found["licence:L1"]
    with _cold(store, snapshots=False) as uow:
        licence_events = list(uow.events("licence:L1"))
    assert licence_version == len(licence_events) // EVERY * EVERY
    assert any(isinstance(e, DeductionReversed) for e in licence_events[:licence_version])
    assert licence_summary == fold(Licence, licence_events[:licence_version]).summary()


def test_orders_recorded_by_cold_processes_keep_the_streams_whole(history: Harness) -> None:
    """Each order through a new service (a process started cold on the lot): the lot, the
    licence and the next snapshots are those of a process that read everything."""
    for n in range(5):
        cold = Harness(history.store)
        cold.given(order(f"C-{n}", "1", when=_when(40 + n)))
    store = history.store
    events = [e for e in history.lot_events("D1/1") if isinstance(e, LotEvent)]
    version, summary = store.summaries(["lot:D1/1"])["lot:D1/1"]
    assert summary == Lot.of("D1/1", events[:version]).summary()
    with _cold(store, snapshots=True) as warm, _cold(store, snapshots=False) as whole:
        assert warm.lot("D1/1").current() == whole.lot("D1/1").current()
        assert warm.licence("L1").remaining(1) == whole.licence("L1").remaining(1)


def test_a_long_stream_recorded_before_snapshots_gets_one_with_its_next_event(
    ledger: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(commands.snapshots, "SNAPSHOT_EVERY", 1_000_000)  # none kept
    ledger.given(
        warehousing("D1", line(1, "30")),
        goods_list("GL-1", {"hs_prefix": "8542", "requires": ["licence"]}),
        licence("L1", "30"),
        *(order(f"O-{n}", "1", when=_when(n)) for n in range(6)),
    )
    assert ledger.store.summaries(["lot:D1/1", "licence:L1"]) == {}
    monkeypatch.setattr(commands.snapshots, "SNAPSHOT_EVERY", EVERY)
    Harness(ledger.store).given(order("O-6", "1", when=_when(6)))  # a process started cold
    found = ledger.store.summaries(["lot:D1/1", "licence:L1"])
    assert {stream: version for stream, (version, _) in found.items()} == {
        "lot:D1/1": 8,
        "licence:L1": 8,
    }


@pytest.mark.parametrize(
    ("topic", "state"),
    [
        ("lot-summary/0", b"{}"),  # a format this version does not know
        (commands.snapshots.LOT, b'{"lot_id": "D1/1", "version": 16}'),  # fields missing
        (commands.snapshots.LOT, b"not json"),
    ],
)
def test_a_summary_this_version_cannot_read_is_passed_over(
    history: Harness, topic: str, state: bytes
) -> None:
    store = history.store
    assert store.snapshots is not None
    version, _ = store.summaries(["lot:D1/1"])["lot:D1/1"]
    store.snapshots.recorder.keep([StoredEvent(stream_id("lot:D1/1"), version, topic, state)])
    assert "lot:D1/1" not in store.summaries(["lot:D1/1"])
    command = PROBES["a late order"]
    assert _decided(store, command, snapshots=True) == _decided(store, command, snapshots=False)
    Harness(store).given(order("N-1", "1", when=_when(50)))  # a cold process's next order
    assert store.summaries(["lot:D1/1"])["lot:D1/1"][0] == version + 1
