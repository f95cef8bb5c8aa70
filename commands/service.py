"""Executing commands: idempotency by ``command_id``, one writer at a time per stream inside
the process (``commands.stream_locks``) over optimistic concurrency with bounded retries,
and batches of commands that share one transaction.

A command's outcome is all-or-nothing: a refused command records nothing, even inside a
batch (its events are taken back before the batch is written). When a batch's write
collides with another writer, the whole batch is rolled back and its commands are run
again one by one, each in its own transaction, so no effect is lost or doubled.
"""

from __future__ import annotations

import hashlib
import json
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import sqlalchemy.exc
from eventsourcing.persistence import IntegrityError, OperationalError
from sqlalchemy import Connection

from commands.dry_run import DryRun
from commands.handlers import Context, handle
from commands.models import Command
from commands.store import EventStore
from commands.stream_cache import StreamCache
from commands.stream_locks import StreamLocks
from commands.unit_of_work import UnitOfWork
from ledger.access import authorize, authorize_role
from ledger.errors import Conflict, LedgerError
from ledger.events import CommandAccepted, Event
from ledger.intents import Envelope, LotIntent
from ledger.rulepacks import RulePack
from ledger.streams import command_stream, user_stream
from ledger.users import OPERATOR, Credentials, User, authenticate

MAX_ATTEMPTS = 12

Along = Callable[[Connection], None]
"""Rows of the installation's own (not events) a command writes in its transaction, after
its events, on the event store's connection: they commit, or roll back, with the events."""


WRITE_CONFLICTS = (
    IntegrityError,
    OperationalError,
    sqlalchemy.exc.IntegrityError,
    sqlalchemy.exc.OperationalError,
)


def is_write_conflict(error: Exception) -> bool:
    """Another writer got there first: a version already taken, or SQLite's write lock."""
    if isinstance(error, IntegrityError | sqlalchemy.exc.IntegrityError):
        return True
    return "database is locked" in str(error) or "could not serialize" in str(error)


class ConcurrencyExhausted(LedgerError):
    status = 503


@dataclass(frozen=True)
class Outcome:
    command: str
    status: str  # applied, already_applied, refused
    result: dict[str, Any] = field(default_factory=dict)
    error: LedgerError | None = None
    # where the log stood once it was recorded: a question asked with this position (of a
    # replica, say) answers only once the read models have reached it (read your writes)
    position: int | None = None

    @property
    def refused(self) -> bool:
        return self.status == "refused"


def body_digest(command: Command) -> str:
    body = command.model_dump(mode="json", exclude={"command_id"})
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def utc_now() -> datetime:
    return datetime.now(UTC)


class LedgerService:
    def __init__(
        self,
        store: EventStore,
        pack: RulePack,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.store = store
        self.pack = pack
        self.clock = clock
        self.cache = StreamCache()
        self.locks = StreamLocks()
        self.commits = 0  # single commands committed, and write conflicts met: for benches
        self.conflicts = 0
        self._counting = threading.Lock()

    def execute(
        self, command: Command, caller: User | Credentials = OPERATOR, along: Along | None = None
    ) -> Outcome:
        """Runs one command in its own transaction; raises ``LedgerError`` if refused.
        ``Credentials`` are checked against the user's stream in that same transaction;
        ``along`` writes its rows there once the command is applied."""
        for attempt in range(MAX_ATTEMPTS):
            uow = UnitOfWork(self.store, self.cache)
            writes = command.intent.writes()
            try:
                with self.locks.turn(writes) as turn, uow.transaction():
                    streams = self._streams_to_read(command)
                    if isinstance(caller, Credentials):
                        streams.append(user_stream(caller.name))
                    uow.sync(streams)
                    turn.take()  # after the read: only deciding and writing wait their turn
                    uow.catch_up(writes)
                    user = (
                        authenticate(uow.user(caller.name), caller)
                        if isinstance(caller, Credentials)
                        else caller
                    )
                    outcome = self._decide(uow, command, user)
                    uow.commit()
                    if along is not None and outcome.status == "applied":
                        along(self.store.connection())
            except WRITE_CONFLICTS as error:
                if not is_write_conflict(error):
                    raise
                with self._counting:
                    self.conflicts += 1
                _back_off(attempt)
                continue
            with self._counting:
                self.commits += 1
            return self._placed([outcome], uow.position)[0]
        raise ConcurrencyExhausted(
            "concurrent_writes",
            f"{command.command} collided with other writers {MAX_ATTEMPTS} times; nothing was "
            "recorded, try again",
        )

    def execute_many(
        self,
        commands: Iterable[Command | LedgerError],
        caller: User = OPERATOR,
        *,
        batch_size: int = 500,
        stop_on_error: bool = False,
    ) -> Iterator[Outcome]:
        """Outcomes in input order. An input that is already a ``LedgerError`` (a line that
        did not parse) comes back refused, in its place."""
        chunk: list[Command | LedgerError] = []
        for item in commands:
            chunk.append(item)
            if len(chunk) >= batch_size:
                outcomes = self._run_batch(chunk, caller, stop_on_error)
                yield from outcomes
                chunk = []
                if stop_on_error and any(o.refused for o in outcomes):
                    return
        if chunk:
            yield from self._run_batch(chunk, caller, stop_on_error)

    def _run_batch(
        self,
        chunk: list[Command | LedgerError],
        caller: User,
        stop_on_error: bool,
    ) -> list[Outcome]:
        uow = UnitOfWork(self.store, self.cache)
        commands = [item for item in chunk if isinstance(item, Command)]
        outcomes: list[Outcome] = []
        try:
            with uow.transaction():
                uow.sync(name for command in commands for name in self._streams_to_read(command))
                for item in chunk:
                    mark = uow.mark()
                    try:
                        if isinstance(item, LedgerError):
                            raise item
                        outcomes.append(self._decide(uow, item, caller))
                    except LedgerError as error:
                        uow.rollback_to(mark)
                        outcomes.append(_refused(item, error))
                        if stop_on_error:
                            break
                uow.commit()
        except WRITE_CONFLICTS as error:
            if not is_write_conflict(error):
                raise
            return self._run_one_by_one(chunk[: len(outcomes)], caller)
        return self._placed(outcomes, uow.position)

    def _placed(self, outcomes: list[Outcome], position: int | None) -> list[Outcome]:
        """The outcomes with the position a reader of each waits for: where their
        transaction left the log; for a repeat, the log's head (read once: the first
        answer's events are before it)."""
        head: int | None = None
        placed = []
        for outcome in outcomes:
            if outcome.refused:
                placed.append(outcome)
                continue
            found = position if outcome.status == "applied" else None
            if found is None:
                head = self.store.head() if head is None else head
                found = head
            placed.append(replace(outcome, position=found))
        return placed

    def preview(
        self,
        commands: Iterable[Command | LedgerError],
        caller: User = OPERATOR,
        *,
        batch_size: int = 500,
    ) -> Iterator[Outcome]:
        """What ``execute_many`` would answer for these commands, in order, recording nothing:
        each decided after the ones before it as if they had been applied (a warehousing, then
        an ex-warehousing of the lot it creates). Its reads are short and take no lock
        (``commands.dry_run``); what it decided is forgotten when it ends. Inputs that are
        already a ``LedgerError`` come back refused, in their place."""
        dry = DryRun(self.store, self.cache)
        chunk: list[Command | LedgerError] = []
        for item in commands:
            chunk.append(item)
            if len(chunk) >= batch_size:
                yield from self._judge(dry, chunk, caller)
                chunk = []
        if chunk:
            yield from self._judge(dry, chunk, caller)

    def _judge(
        self, dry: DryRun, chunk: list[Command | LedgerError], caller: User
    ) -> list[Outcome]:
        """A preview's batch: decided in the dry run, whose pending events the next batch
        reads on from."""
        dry.sync(name for c in chunk if isinstance(c, Command) for name in self._streams_to_read(c))
        outcomes = []
        for item in chunk:
            mark = dry.mark()
            try:
                if isinstance(item, LedgerError):
                    raise item
                outcomes.append(self._decide(dry, item, caller))
            except LedgerError as error:
                dry.rollback_to(mark)
                outcomes.append(_refused(item, error))
        return outcomes

    def _run_one_by_one(self, chunk: list[Command | LedgerError], caller: User) -> list[Outcome]:
        outcomes = []
        for item in chunk:
            try:
                if isinstance(item, LedgerError):
                    raise item
                outcomes.append(self.execute(item, caller))
            except LedgerError as error:
                outcomes.append(_refused(item, error))
        return outcomes

    def _streams_to_read(self, command: Command) -> list[str]:
        """What the command names, and what its lot, as last folded here, says it will
        probably need too: all fetched in one round trip."""
        names = command.streams()
        if isinstance(command.intent, LotIntent):
            lot = self.cache.lot(command.intent.lot_id)
            facts = lot.current() if lot is not None else None
            if facts is not None:
                names.extend(command.intent.likely(facts))
        return names

    def _decide(self, uow: UnitOfWork, command: Command, caller: User) -> Outcome:
        envelope = Envelope(caller.name, self.clock(), command.command_id)
        digest = body_digest(command) if command.command_id else ""
        authorize_role(caller, type(command.intent))
        if command.command_id:
            earlier = uow.events(command_stream(command.command_id))
            if earlier:
                return _repeat(command, earlier[0], digest, caller)
        mark = uow.mark()
        try:
            authorize(caller, command.intent, uow)
            result = handle(command.intent, Context(uow, envelope, self.pack))
        except LedgerError:
            uow.rollback_to(mark)
            raise
        if command.command_id:
            accepted = CommandAccepted(
                **envelope.stamp(), command=command.command, body_digest=digest, result=result
            )
            uow.record([accepted])
        return Outcome(command.command, "applied", result)


def _repeat(command: Command, earlier: Event, digest: str, caller: User) -> Outcome:
    """The first answer again, to the caller who asked first with the same body."""
    assert isinstance(earlier, CommandAccepted)
    if earlier.body_digest != digest or earlier.actor != caller.name:
        raise Conflict(
            "command_id_reused",
            f"command_id {command.command_id!r} was already used for a different "
            f"{earlier.command} command at {earlier.recorded_at.isoformat()}",
            "command_id",
        )
    return Outcome(command.command, "already_applied", dict(earlier.result))


def _refused(item: Command | LedgerError, error: LedgerError) -> Outcome:
    name = item.command if isinstance(item, Command) else getattr(error, "command", "?")
    return Outcome(str(name), "refused", {}, error)


def _back_off(attempt: int) -> None:
    """Another writer took the same stream: wait a little, more each time, then retry."""
    time.sleep(random.uniform(0, 0.002 * (2 ** min(attempt, 6))))
