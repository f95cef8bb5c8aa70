"""An immutable sequence that grows without copying: the first ``n`` items of a list that only
ever grows.

A lot with a hundred thousand orders is folded on by one entry per order (``Lot.appended``).
Kept as tuples, each new version of the lot would copy every entry before it; kept as prefixes
of one list, the longest version extends the list in place and the older versions still see
only their own first ``n`` items. A version that is not the longest (a fold taken back after a
refused commit) copies its items once and goes on from the copy.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import Generic, TypeVar, overload

T = TypeVar("T")

_growing = threading.Lock()  # extending a shared list and checking its length are one step


class Prefix(Sequence[T], Generic[T]):
    __slots__ = ("_items", "_length")

    def __init__(self, items: Iterable[T] = ()) -> None:
        self._items: list[T] = list(items)
        self._length = len(self._items)

    @classmethod
    def _of(cls, items: list[T], length: int) -> Prefix[T]:
        prefix: Prefix[T] = cls.__new__(cls)
        prefix._items, prefix._length = items, length
        return prefix

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[T, ...]: ...

    def __getitem__(self, index: int | slice) -> T | tuple[T, ...]:
        if isinstance(index, slice):
            return tuple(self._items[i] for i in range(*index.indices(self._length)))
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError("prefix index out of range")
        return self._items[index]

    def __iter__(self) -> Iterator[T]:
        return islice(self._items, self._length)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(other) == self._length and all(a == b for a, b in zip(self, other, strict=False))

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"Prefix({list(self)!r})"

    def extended(self, more: Iterable[T]) -> Prefix[T]:
        """These items and ``more`` after them; this prefix is unchanged."""
        added = list(more)
        with _growing:
            if len(self._items) == self._length:
                self._items.extend(added)
                return Prefix._of(self._items, self._length + len(added))
        return Prefix._of(self._items[: self._length] + added, self._length + len(added))

    def as_list(self) -> list[T]:
        """Its items in a new list (a copy at C speed)."""
        return self._items[: self._length]

    @classmethod
    def first(cls, items: list[T], length: int) -> Prefix[T]:
        """The first ``length`` items of ``items``, seen without copying them."""
        if not 0 <= length <= len(items):
            raise ValueError(f"a prefix of {length} items of a list of {len(items)}")
        return cls._of(items, length)


class Joined(Sequence[T], Generic[T]):
    """``head`` then ``tail``, seen as one sequence without copying either: a long stream's
    recorded events and the few a unit of work is about to add."""

    __slots__ = ("_head", "_tail")

    def __init__(self, head: Sequence[T], tail: Sequence[T]) -> None:
        self._head, self._tail = head, tail

    def __len__(self) -> int:
        return len(self._head) + len(self._tail)

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[T, ...]: ...

    def __getitem__(self, index: int | slice) -> T | tuple[T, ...]:
        length = len(self)
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(length)))
        if index < 0:
            index += length
        if not 0 <= index < length:
            raise IndexError("joined index out of range")
        split = len(self._head)
        return self._head[index] if index < split else self._tail[index - split]

    def __iter__(self) -> Iterator[T]:
        yield from self._head
        yield from self._tail

    def __repr__(self) -> str:
        return f"Joined({list(self)!r})"


class _Head(Generic[T]):
    """The first items of a sequence, read once, whichever version asks first."""

    __slots__ = ("_items", "_lock", "_read")

    def __init__(self, read: Callable[[], list[T]]) -> None:
        self._read: Callable[[], list[T]] | None = read
        self._items: list[T] = []
        self._lock = threading.Lock()

    def items(self) -> list[T]:
        with self._lock:
            if self._read is not None:
                self._items, self._read = self._read(), None
            return self._items


class Deferred(Prefix[T]):
    """A prefix whose first ``head`` items are read only when something asks for one of
    them: a long lot restored from a snapshot decides what comes after its history from
    its summary and the items after the snapshot (the tail), and reads its history once, on
    the first question about its past. Grows without copying, as ``Prefix`` does."""

    __slots__ = ("_count", "_head", "_tail")

    def __init__(self, head: int, read: Callable[[], list[T]], tail: Iterable[T] = ()) -> None:
        self._head: _Head[T] = _Head(read)
        self._count = head
        self._tail: list[T] = list(tail)
        self._length = head + len(self._tail)

    @classmethod
    def _grown(cls, like: Deferred[T], tail: list[T], length: int) -> Deferred[T]:
        grown: Deferred[T] = cls.__new__(cls)
        grown._head, grown._count = like._head, like._count
        grown._tail, grown._length = tail, length
        return grown

    def _whole(self) -> list[T]:
        head = self._head.items()
        if len(head) != self._count:
            raise RuntimeError(f"read {len(head)} items where {self._count} were expected")
        return head + self._tail[: self._length - self._count]

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[T, ...]: ...

    def __getitem__(self, index: int | slice) -> T | tuple[T, ...]:
        if isinstance(index, slice):
            return tuple(self._whole()[index])
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError("prefix index out of range")
        if index >= self._count:
            return self._tail[index - self._count]
        return self._head.items()[index]

    def __iter__(self) -> Iterator[T]:
        return iter(self._whole())

    def extended(self, more: Iterable[T]) -> Prefix[T]:
        added = list(more)
        kept = self._length - self._count
        with _growing:
            if len(self._tail) == kept:
                self._tail.extend(added)
                return Deferred._grown(self, self._tail, self._length + len(added))
        return Deferred._grown(self, self._tail[:kept] + added, self._length + len(added))

    def as_list(self) -> list[T]:
        return self._whole()

    @property
    def read(self) -> bool:
        """Whether the head has been read."""
        return self._head._read is None
