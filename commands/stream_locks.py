"""One writer at a time per stream inside a process.

Thousands of orders a day on one lot, one licence line and one buyer's allowance would
otherwise meet at the store's version check and retry each other. A command takes the locks
of the streams it will append to (``Intent.writes``) before it reads them, in one global
order so two commands never wait on each other in a circle; the store's optimistic version
check stays underneath as the guard between processes. Locks are striped: a fixed array,
a stream's lock picked by its name's hash, so memory stays bounded however many streams.
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

    @contextmanager
    def held(self, streams: Iterable[str]) -> Iterator[None]:
        stripes = sorted({zlib.crc32(s.encode("utf-8")) % len(self._locks) for s in streams})
        taken: list[threading.Lock] = []
        try:
            for stripe in stripes:
                lock = self._locks[stripe]
                lock.acquire()
                taken.append(lock)
            yield
        finally:
            for lock in reversed(taken):
                lock.release()
