"""Running totals over a lot's closed timeline blocks: a segment tree of each block's net
on-hand and in-transit change and its lowest on-hand step, so that a late entry finds the
balances where its block starts, and the lowest balance any later step reaches, in
O(log blocks) rather than by walking every block after it.

A node keeps, for its range of blocks: the sum of their changes, and the lowest on-hand
balance any posting step in the range reaches, counted from the range's start. Two ranges
side by side combine as ``(left.sum + right.sum, min(left.lowest, left.sum + right.lowest))``.

The tree is mutable and shared by the versions of one timeline (each late entry makes a new
version; copying the tree for each would cost what walking the blocks costs): it belongs to
the newest version that changed it (``holder``). An older version (a decision taken back)
that asks for it gets a tree of its own, built again from its blocks.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from operator import add
from typing import Protocol

ZERO = Decimal(0)
NONE = Decimal("Infinity")  # the lowest balance of no posting step: above every balance


class Summed(Protocol):
    @property
    def on_hand(self) -> Decimal: ...

    @property
    def in_transit(self) -> Decimal: ...

    @property
    def lowest(self) -> Decimal: ...


class RunningTotals:
    __slots__ = ("count", "holder", "in_transit", "lowest", "on_hand", "size")

    def __init__(self, blocks: Sequence[Summed], holder: object) -> None:
        self.count = len(blocks)
        self._build(
            [b.on_hand for b in blocks], [b.in_transit for b in blocks], [b.lowest for b in blocks]
        )
        self.holder = holder

    def _build(
        self,
        on_hand: list[Decimal],
        in_transit: list[Decimal],
        lowest: list[Decimal],
        room: int = 1,
    ) -> None:
        """Leaves from these values (one per block), the room a power of two."""
        size = 1
        while size < max(len(on_hand), room):
            size *= 2
        empty = size - len(on_hand)
        self.size = size
        self.on_hand = [ZERO] * size + on_hand + [ZERO] * empty
        self.in_transit = [ZERO] * size + in_transit + [ZERO] * empty
        self.lowest = [NONE] * size + lowest + [NONE] * empty
        width = size // 2  # each level from its children's, in C-speed passes: a block split
        while width:  # sums every block again
            kids = slice(2 * width, 4 * width, 2)
            twins = slice(2 * width + 1, 4 * width, 2)
            left_on_hand = self.on_hand[kids]
            self.on_hand[width : 2 * width] = map(add, left_on_hand, self.on_hand[twins])
            self.in_transit[width : 2 * width] = map(
                add, self.in_transit[kids], self.in_transit[twins]
            )
            shifted = map(add, left_on_hand, self.lowest[twins])
            self.lowest[width : 2 * width] = map(min, self.lowest[kids], shifted)
            width //= 2

    def _pull(self, node: int) -> None:
        left, right = 2 * node, 2 * node + 1
        self.on_hand[node] = self.on_hand[left] + self.on_hand[right]
        self.in_transit[node] = self.in_transit[left] + self.in_transit[right]
        self.lowest[node] = min(self.lowest[left], self.on_hand[left] + self.lowest[right])

    def set(self, index: int, block: Summed) -> None:
        node = self.size + index
        self.on_hand[node] = block.on_hand
        self.in_transit[node] = block.in_transit
        self.lowest[node] = block.lowest
        node //= 2
        while node:
            self._pull(node)
            node //= 2

    def append(self, block: Summed) -> None:
        if self.count == self.size:  # full: twice the room, the leaves kept
            leaves = slice(self.size, self.size + self.count)
            kept = (self.on_hand[leaves], self.in_transit[leaves], self.lowest[leaves])
            self._build(*kept, room=2 * self.size)
        self.count += 1
        self.set(self.count - 1, block)

    def _nodes(self, low: int, high: int) -> list[int]:
        """The nodes covering blocks ``low`` to ``high`` (exclusive), in block order."""
        left, right = [], []
        low, high = low + self.size, high + self.size
        while low < high:
            if low & 1:
                left.append(low)
                low += 1
            if high & 1:
                high -= 1
                right.append(high)
            low //= 2
            high //= 2
        return left + right[::-1]

    def start_of(self, index: int) -> tuple[Decimal, Decimal]:
        """The on-hand and in-transit balances where block ``index`` starts."""
        on_hand, in_transit = ZERO, ZERO
        for node in self._nodes(0, min(index, self.count)):
            on_hand += self.on_hand[node]
            in_transit += self.in_transit[node]
        return on_hand, in_transit

    def lowest_from(self, index: int) -> Decimal:
        """The lowest on-hand balance a posting step of block ``index`` or a later one
        reaches, counted from the lot's start; ``NONE`` when none posts."""
        if index >= self.count:
            return NONE
        running, _ = self.start_of(index)
        lowest = NONE
        for node in self._nodes(index, self.count):
            lowest = min(lowest, running + self.lowest[node])
            running += self.on_hand[node]
        return lowest

    def total(self) -> tuple[Decimal, Decimal]:
        """What every block adds to the on-hand and in-transit balances."""
        return self.start_of(self.count)
