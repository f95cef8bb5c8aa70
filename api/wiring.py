"""Where the doors wire the write side and the read side together on one engine."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from sqlalchemy import create_engine
from sqlalchemy.exc import DBAPIError

from api.rebuild_workers import share_builder
from commands.bootstrap import bootstrap
from commands.recorder import LedgerRecorder
from commands.service import LedgerService
from commands.settings import Settings
from ledger.errors import LedgerError
from ledger.rulepacks import load_pack
from projections.queries import ReadModel
from projections.replica import Replica
from projections.runner import ReadModelRunner, read_model_projections


@dataclass
class Ledger:
    settings: Settings
    service: LedgerService
    runner: ReadModelRunner
    read_model: ReadModel
    # questions, reports and pages read here: a replica's read models when the installation
    # names one (BONDED_READ_DATABASE_URL), else the leader's ``read_model``
    answering: ReadModel
    replica: Replica | None = None
    _projecting: threading.Lock = field(default_factory=threading.Lock)

    def catch_up(self, position: int | None = None) -> int:
        """Before a question: the read models it reads brought up to everything recorded so
        far (read your writes). On the leader they are projected here, one thread of the
        process at a time (a projection's caches are its own), any number of processes at
        once; a read model built by another version of its projection is left for
        ``follow_once``: a question does not wait for its rebuild. On a replica nothing is
        written: a question given the ``position`` of a write waits for the replica's read
        models to reach it (``NotYetReplicated`` past a bound), one without answers at once."""
        if position is not None and position > (head := self.service.store.head()):
            raise LedgerError(
                "position_beyond_head",
                f"position {position} lies beyond the log's head {head}: no command was "
                "answered with it here (a position from another installation, or a log "
                "restored from an older backup)",
                "position",
            )
        if self.replica is not None:
            self.replica.reached(position)
            return 0
        return self.project()

    def project(self) -> int:
        """The read models on the leader brought up to everything recorded so far."""
        with self._projecting:
            return self.runner.catch_up(rebuild=False)

    def chain_up(self) -> str | None:
        """Brings the audit hash chain alone up to everything recorded so far (never rebuilt
        here: a chain rebuilt from the log would match whatever the log now holds). None when
        it is there; else why the database took no writes (read-only, a full disk), and the
        events past the chain's head are left to be hashed directly from the store."""
        dbapi_error = self.runner.engine.dialect.loaded_dbapi.Error
        with self._projecting:
            try:
                self.runner.only(["audit_chain"]).catch_up(rebuild=False)
            except (DBAPIError, dbapi_error) as error:
                reason = str(getattr(error, "orig", None) or error).strip().splitlines()
                return f"{type(error).__name__}: {reason[0] if reason else 'no reason given'}"
        return None

    def follow_once(self) -> int:
        """What a follower does each turn: rebuilds beside the live read models any built by
        another version of its projection (with projections of its own, so questions go on
        catching up meanwhile), then catches up."""
        if stale := self.runner.stale():
            self.runner.rebuild(names=stale)
        return self.project()

    def close(self) -> None:
        self.service.store.close()
        if self.replica is not None:
            self.replica.engine.dispose()


def open_ledger(settings: Settings | None = None) -> Ledger:
    settings = settings or Settings.from_env()
    service = bootstrap(settings)
    recorder = service.store.recorder
    if not isinstance(recorder, LedgerRecorder):
        raise TypeError("the read models need the SQL event store")
    engine = service.store.engine  # the read models share the event store's engine
    pack = load_pack(settings.rule_pack)
    decode = service.store.decode
    runner = ReadModelRunner(
        engine,
        recorder,
        decode,
        read_model_projections(decode, pack),
        fresh=lambda: read_model_projections(decode, pack),
        build_shares=share_builder(settings),
    )
    read_model = ReadModel(
        engine, service.store.decode, pack, settings.due_soon_days, service.store.stored_at
    )
    if settings.read_database_url is None:
        return Ledger(settings, service, runner, read_model, answering=read_model)
    replicated = create_engine(settings.read_database_url, pool_pre_ping=True, pool_size=10)
    replica = Replica(replicated, [p.name for p in runner.projections])
    answering = ReadModel(
        replicated, service.store.decode, pack, settings.due_soon_days, service.store.stored_at
    )
    return Ledger(settings, service, runner, read_model, answering, replica)
