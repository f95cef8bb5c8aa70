"""One writer at a time per stream inside a process.

Thousands of orders a day on one lot, one licence line and one buyer's allowance would
otherwise meet at the store's version check and retry each other. A command reads what it
needs first (one round trip, while others write), then takes the locks of the streams it will
append to (``Intent.writes``), in one global order so two commands never wait on each other
in a circle, and catches up from the process's cache with what the writer before it
recorded: only deciding, writing and committing are done one at a time. The store's
optimistic version check stays underneath as the guard between processes. Locks are striped:
a fixed array, a stream's lock picked by its name's hash, so memory stays bounded however
many streams.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

STRIPES = 4096


class StreamLocks:
    def __init__(self, stripes: int = STRIPES) -> None:
        self._locks = [threading.Lock() for _ in range(stripes)]

    def turn(self, streams: Iterable[str]) -> Turn:
        stripes = sorted({zlib.crc32(s.encode("utf-8")) % len(self._locks) for s in streams})
        return Turn([self._locks[stripe] for stripe in stripes])

    @contextmanager
    def held(self, streams: Iterable[str]) -> Iterator[None]:
        with self.turn(streams) as turn:
            turn.take()
            yield


class Turn:
    """A command's turn at its streams: taken when it is ready to decide (``take``), given
    back when it leaves the ``with`` block, after its transaction has ended."""

    def __init__(self, locks: list[threading.Lock]) -> None:
        self._locks = locks
        self._taken: list[threading.Lock] = []

    def take(self) -> None:
        for lock in self._locks[len(self._taken) :]:
            lock.acquire()
            self._taken.append(lock)

    def __enter__(self) -> Turn:
        return self

    def __exit__(self, *_: object) -> None:
        for lock in reversed(self._taken):
            lock.release()
        self._taken = []
