"""The inspection packs behind the province workbench (issue 22): a pack is folded from the
event streams (seconds for a large province), so a server keeps its last few, has each folded
by a process of its own (``in_another_process``) one at a time, and a page waits a bounded
time for one (``Building.wait``), showing the last one built meanwhile."""

from __future__ import annotations

import multiprocessing
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import CancelledError, Future
from concurrent.futures import TimeoutError as NotYet
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from queue import SimpleQueue
from typing import Any

from fastapi import Request

from api.inspections import Document, build
from api.web.site import now
from ledger.calendar import WAREHOUSE_ZONE
from ledger.errors import LedgerError

KEEP = 8  # packs a process keeps
SETTLED_AFTER = timedelta(minutes=5)  # a known_at this far back sees nothing new recorded


@dataclass
class Building:
    """An inspection pack asked of this process: built, or being built in its worker."""

    key: tuple[Any, ...]  # province, year, known_at as asked, the day, the log's head
    started: datetime  # the moment it was asked: what "now" meant to it
    future: Future[Document] = field(repr=False)

    @property
    def asked(self) -> tuple[Any, ...]:
        """The province, year and known_at (None: now) it was asked for."""
        return self.key[:3]

    @property
    def moment(self) -> datetime:
        """The moment it is as known at."""
        known_at: datetime | None = self.key[2]
        return known_at or self.started.astimezone(WAREHOUSE_ZONE)

    def wait(self, seconds: float) -> Building | None:
        """This pack, if it is built within ``seconds``; None if not (or it was refused, or
        dropped unbegun)."""
        try:
            self.future.result(timeout=max(seconds, 0.0))
        except (NotYet, CancelledError, LedgerError):
            return None
        return self

    def failure(self) -> str | None:
        """Why the pack was refused (a province with no warehouse as known then), if it was."""
        if not self.future.done() or self.future.cancelled():
            return None
        error = self.future.exception()
        return error.message if isinstance(error, LedgerError) else None

    @property
    def document(self) -> Document:
        return self.future.result()

    @property
    def ready(self) -> bool:
        future = self.future
        return future.done() and not future.cancelled() and future.exception() is None

    @property
    def usable(self) -> bool:
        """Built, or being built."""
        return not self.future.done() or self.ready


Builder = Callable[[Any, str, int, date, "datetime | None"], Document]


def in_this_process(
    ledger: Any, province: str, year: int, today: date, known_at: datetime | None
) -> Document:
    """The pack as ``GET /inspections`` builds it, folded by the calling thread."""
    service = ledger.service
    placed = ledger.read_model.lots_ever_in
    return build(service.store, service.pack, province, year, today, known_at, placed)


def in_another_process(
    ledger: Any, province: str, year: int, today: date, known_at: datetime | None
) -> Document:
    """The pack folded by a process of its own on the same database (the server's other
    core): folding a large province takes seconds of Python, which in a thread of the server
    would hold the interpreter's lock against every page and answer it serves meanwhile
    (a province's page took 1.6-2.9 s while its pack was folded beside it, 0.27 s after)."""
    context = multiprocessing.get_context("spawn")  # never fork a server's threads
    ours, theirs = context.Pipe(duplex=False)
    child = context.Process(
        target=_fold_elsewhere,
        args=(theirs, ledger.settings, province, year, today, known_at),
        name="bonded-pack",
        daemon=True,  # a server stopping stops it
    )
    child.start()
    theirs.close()
    try:
        outcome = ours.recv()
    except EOFError:
        raise RuntimeError(f"the process folding the pack ended ({child.exitcode})") from None
    finally:
        ours.close()
        child.join()
    if outcome[0] == "refused":
        kind, code, message, field_name = outcome[1:]
        raise kind(code, message, field_name)
    if outcome[0] == "failed":
        raise RuntimeError(f"the pack could not be folded: {outcome[1]}")
    document: Document = outcome[1]
    return document


def _fold_elsewhere(
    connection: Any,
    settings: Any,
    province: str,
    year: int,
    today: date,
    known_at: datetime | None,
) -> None:
    """In the pack's own process: the ledger opened on the same database, the pack folded
    and sent back (or why it was refused)."""
    from api.wiring import open_ledger

    try:
        ledger = open_ledger(settings)
        try:
            connection.send(("built", in_this_process(ledger, province, year, today, known_at)))
        finally:
            ledger.close()
    except LedgerError as refusal:
        connection.send(("refused", type(refusal), refusal.code, refusal.message, refusal.field))
    except Exception as error:  # noqa: BLE001 - told to the server, which logs and shows it
        connection.send(("failed", repr(error)))
    finally:
        connection.close()


class Packs:
    """The inspection packs this process asked for lately, by what they were asked for and as
    known when (the log's head, when asked of now), built one at a time by ``builder`` (by
    default in a process of its own) from a worker thread that waits for each."""

    def __init__(self, keep: int = KEEP, builder: Builder = in_another_process) -> None:
        self._lock = threading.Lock()
        self._kept: OrderedDict[tuple[Any, ...], Building] = OrderedDict()
        self._keep = keep
        self._builder = builder
        self._worker = Worker()

    def pack(
        self,
        ledger: Any,
        province: str,
        year: int,
        known_at: datetime | None,
        today: date,
        exact: bool = True,
    ) -> tuple[Building, tuple[Any, ...]]:
        """The pack of ``province`` for ``year`` as ``GET /inspections`` builds it, and the
        key of what is recorded now. ``exact``: of what is recorded now, built if this process
        has none; else one being built of an earlier head will do (at most one in the worker
        for a province, year and known_at while entries keep coming)."""
        asked_at = now()
        settled = known_at is not None and known_at < asked_at - SETTLED_AFTER
        head = None if settled else ledger.service.store.head()
        key = (province, year, known_at, today, head)
        with self._lock:
            found = self._kept.get(key)
            if found is not None and found.usable:
                self._kept.move_to_end(key)
                return found, key
            if not exact:
                for building in reversed(self._kept.values()):
                    if building.asked == key[:3] and not building.future.done():
                        return building, key
            future = self._worker.submit(self._builder, ledger, province, year, today, known_at)
            building = Building(key, asked_at, future)
            self._kept[key] = building
            while len(self._kept) > self._keep:
                _, dropped = self._kept.popitem(last=False)
                dropped.future.cancel()  # not begun yet: never built
            return building, key

    def latest(self, asked: tuple[Any, ...]) -> Building | None:
        """The last pack built of a province, year and known_at, whatever was recorded since
        (shown, with its moment, while another is being built)."""
        with self._lock:
            built = [b for b in self._kept.values() if b.asked == asked and b.ready]
        return max(built, key=lambda b: b.started, default=None)


class Worker:
    """One daemon thread running what it is given in turn: a pack being built does not hold
    up the server's exit, as a ``ThreadPoolExecutor``'s thread would."""

    def __init__(self) -> None:
        self._queue: SimpleQueue[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]]
        self._queue = SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, work: Callable[..., Any], *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        self._queue.put((future, work, args))
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="bonded-pack", daemon=True)
                self._thread.start()
        return future

    def _run(self) -> None:
        while True:
            future, work, args = self._queue.get()
            if not future.set_running_or_notify_cancel():
                continue  # cancelled before it began
            try:
                future.set_result(work(*args))
            except BaseException as error:  # noqa: BLE001 - handed to whoever waits for it
                future.set_exception(error)


_packs_lock = threading.Lock()


def packs_of(request: Request) -> Packs:
    """The application's packs (one set per served ledger)."""
    state = request.app.state
    with _packs_lock:
        packs: Packs | None = getattr(state, "province_packs", None)
        if packs is None:
            packs = state.province_packs = Packs()
        return packs
