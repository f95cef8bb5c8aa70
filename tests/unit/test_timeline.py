"""A lot's timeline (``ledger.timeline``) against the whole replay it stands in for.

Random histories of ex-warehousings (many recorded late), holds, releases and whole
transfers, with blocks of three entries so that a few dozen entries span many blocks: every
proposed entry gets exactly the violation the whole replay finds (code, entry and message),
and after each accepted one the lot's current facts and its facts at several moments equal
those folded from scratch.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commands.store import EventStore
from ledger import timeline
from ledger.events import (
    HoldPlaced,
    HoldReleased,
    LotEvent,
    LotExWarehoused,
    LotWarehoused,
    OwnershipTransferred,
)
from ledger.facts import LotFacts
from ledger.lot import Lot
from ledger.prefix import Prefix
from tests.support import OWNER_B, Harness, at, line, warehousing, world

START = at("2026-03-01 08:00")
RECORDED = at("2026-11-20 10:00")

operation = st.tuples(
    st.sampled_from(["out", "out", "out", "out", "hold", "release", "whole_transfer"]),
    st.integers(min_value=1, max_value=400),  # minutes after the warehousing
    st.integers(min_value=1, max_value=40),  # quantity
)


@pytest.fixture(scope="module")
def creation() -> LotWarehoused:
    harness = Harness(EventStore({"PERSISTENCE_MODULE": "eventsourcing.popo"}))
    harness.given(*world())
    recorded = harness.when(warehousing("D1", line(1, "100"), effective_at=START.isoformat()))
    (event,) = [e for e in recorded if isinstance(e, LotWarehoused)]
    return event


def replayed_at(lot: Lot, moment: datetime) -> LotFacts | None:
    """The facts at ``moment`` by the whole replay."""
    found: LotFacts | None = None
    for _, facts in lot.replay(until=moment):
        found = facts.copy()
    return found


def proposed(kind: str, minutes: int, quantity: int, lot: Lot, n: int) -> LotEvent:
    stamp = {
        "effective_at": START + timedelta(minutes=minutes),
        "recorded_at": RECORDED + timedelta(seconds=n),
        "actor": "clerk",
        "lot_id": lot.lot_id,
    }
    if kind == "hold":
        return HoldPlaced(**stamp, ref=f"H-{n}", reason="inspection")
    if kind == "release":
        return HoldReleased(**stamp, ref=f"H-{n}", reason="done")
    if kind == "whole_transfer":
        then = replayed_at(Lot(lot.lot_id, Prefix(lot.entries)), stamp["effective_at"])
        whole = then.on_hand if then is not None and then.on_hand > 0 else Decimal(quantity)
        return OwnershipTransferred(
            **stamp,
            quantity=whole,
            new_lot_id=lot.lot_id,
            new_owner_tax_code=OWNER_B,
            new_contract_no="C-B-W1",
            trading_contract_no=f"TC-{n}",
            notice_no=f"TB-{n}",
        )
    return LotExWarehoused(
        **stamp, quantity=Decimal(quantity), destination="non_tariff_zone", bill_no=f"PX-{n}"
    )


@contextmanager
def blocks_of_three() -> Iterator[None]:
    """Blocks of three entries: a few dozen entries span many blocks."""
    original = timeline.BLOCK
    timeline.BLOCK = 3
    try:
        yield
    finally:
        timeline.BLOCK = original


def whole(lot: Lot) -> Lot:
    """The same history with nothing folded: every answer by the whole replay."""
    return Lot(lot.lot_id, Prefix(lot.entries))


def holds_as_replayed(lot: Lot, event: LotEvent) -> bool:
    """Whether ``event`` may be recorded; the lot's check names exactly the violation the
    whole replay finds."""
    expected = whole(lot).with_event(event).first_violation()
    assert summary(lot.violation_if_appended(event)) == summary(expected)
    return expected is None


def answers_as_replayed(lot: Lot, every: int) -> None:
    scratch = whole(lot)
    for moment in range(0, 420, every):
        when = START + timedelta(minutes=moment)
        assert lot.facts_at(when) == replayed_at(scratch, when), when


def summary(violation: object) -> object:
    if violation is None:
        return None
    return (violation.code, violation.entry.version, violation.message)  # type: ignore[attr-defined]


@settings(max_examples=150, deadline=None)
@given(operations=st.lists(operation, min_size=1, max_size=40))
def test_the_timeline_answers_what_the_whole_replay_answers(
    creation: LotWarehoused, operations: list[tuple[str, int, int]]
) -> None:
    with blocks_of_three():
        lot = Lot.of("D1/1", [creation])
        assert lot.facts_at(START) is not None  # the timeline is built from here on
        for n, (kind, minutes, quantity) in enumerate(operations):
            event = proposed(kind, minutes, quantity, lot, n)
            if not holds_as_replayed(lot, event):
                continue
            lot = lot.appended([event])
            assert lot.current() == whole(lot).current()
            answers_as_replayed(lot, every=37)


def test_only_an_entry_that_only_takes_goods_out_is_inserted_in_its_block(
    creation: LotWarehoused,
) -> None:
    lot = Lot.of("D1/1", [creation])
    assert timeline.only_takes_out(proposed("out", 5, 1, lot, 1))
    for kind in ("hold", "release", "whole_transfer"):
        assert not timeline.only_takes_out(proposed(kind, 5, 1, lot, 1))
    assert not timeline.only_takes_out(creation)


small_outs = st.tuples(
    st.sampled_from(["out", "out", "out", "hold", "release"]),
    st.integers(min_value=1, max_value=400),
    st.integers(min_value=1, max_value=4),  # small: most are accepted, the blocks fill
)


@settings(max_examples=100, deadline=None)
@given(
    operations=st.lists(small_outs, min_size=2, max_size=40),
    taken_back=st.lists(st.booleans(), min_size=40, max_size=40),
)
def test_an_earlier_version_of_a_lot_still_answers_for_its_own_history(
    creation: LotWarehoused, operations: list[tuple[str, int, int]], taken_back: list[bool]
) -> None:
    """The running totals are shared by a timeline's versions and belong to the newest that
    changed them: a version taken back (a refused commit, another thread's turn) and gone on
    from must still answer for its own history, and so must its new descendants."""
    with blocks_of_three():
        lot = Lot.of("D1/1", [creation])
        assert lot.facts_at(START) is not None
        versions = [lot]
        for n, (kind, minutes, quantity) in enumerate(operations):
            if taken_back[n] and len(versions) > 1:
                lot = versions[-2]  # go on from the version before the newest
            event = proposed(kind, minutes, quantity, lot, n)
            if not holds_as_replayed(lot, event):
                continue
            lot = lot.appended([event])
            versions.append(lot)
            for version in versions[-3:]:
                answers_as_replayed(version, every=53)
