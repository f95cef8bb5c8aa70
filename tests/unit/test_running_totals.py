"""The running totals of a timeline's blocks against the sums and minima walked block by
block, through random appends and replacements."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from ledger.running import NONE, ZERO, RunningTotals


@dataclass(frozen=True)
class Sums:
    on_hand: Decimal
    in_transit: Decimal
    lowest: Decimal


sums = st.builds(
    Sums,
    st.integers(-50, 50).map(Decimal),
    st.integers(-5, 5).map(Decimal),
    st.one_of(st.just(NONE), st.integers(-60, 60).map(Decimal)),
)
changes = st.lists(st.tuples(st.booleans(), st.integers(0, 1000), sums), max_size=40)


def walked(blocks: list[Sums], index: int) -> tuple[Decimal, Decimal, Decimal]:
    """Start balances of block ``index`` and the lowest from it on, block by block."""
    on_hand = sum((b.on_hand for b in blocks[:index]), ZERO)
    in_transit = sum((b.in_transit for b in blocks[:index]), ZERO)
    lowest, running = NONE, on_hand
    for block in blocks[index:]:
        lowest = min(lowest, running + block.lowest)
        running += block.on_hand
    return on_hand, in_transit, lowest


@given(st.lists(sums, max_size=20), changes)
def test_running_totals_equal_the_walk(
    first: list[Sums], steps: list[tuple[bool, int, Sums]]
) -> None:
    blocks = list(first)
    totals = RunningTotals(blocks, holder=None)
    for append, where, block in steps:
        if append or not blocks:
            blocks.append(block)
            totals.append(block)
        else:
            blocks[where % len(blocks)] = block
            totals.set(where % len(blocks), block)
        for index in range(len(blocks) + 1):
            on_hand, in_transit, lowest = walked(blocks, index)
            assert totals.start_of(index) == (on_hand, in_transit)
            assert totals.lowest_from(index) == lowest
        assert totals.total() == walked(blocks, len(blocks))[:2]
