"""Where examples run when each needs an empty database of its own: hypothesis state machines
on fresh SQLite files or fresh PostgreSQL schemas, and worker processes that start together
and report what they saw."""

from __future__ import annotations

import multiprocessing
import tempfile
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, initialize
from sqlalchemy import create_engine, text

from commands.parsing import parse_command
from commands.service import LedgerService, Outcome
from commands.settings import Settings
from commands.store import EventStore
from ledger.errors import LedgerError
from ledger.rulepacks import load_pack
from tests.conftest import POSTGRES_URL, postgres_problem
from tests.support import NOW


class OnADatabase(RuleBasedStateMachine):
    """A state machine whose ``start`` opens the database ``url`` names."""

    url: str = ""


M = TypeVar("M", bound=OnADatabase)


def _run(machine: type[RuleBasedStateMachine], examples: int, steps: int) -> None:
    machine.TestCase.settings = settings(
        max_examples=examples,
        stateful_step_count=steps,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    machine.TestCase("runTest").runTest()


def _fresh(machine: type[M], urls: Callable[[], str]) -> type[M]:
    class Fresh(machine):  # type: ignore[valid-type,misc]
        @initialize()
        def start(self) -> None:
            self.url = urls()
            super().start()

    return Fresh


def run_on_sqlite(machine: type[M], examples: int, steps: int) -> None:
    """Each example on a SQLite file of its own."""
    with tempfile.TemporaryDirectory() as folder:
        numbers = iter(range(10**6))
        _run(
            _fresh(machine, lambda: f"sqlite:///{Path(folder) / f'{next(numbers)}.db'}"),
            examples,
            steps,
        )


def run_on_postgres(machine: type[M], examples: int, steps: int) -> None:
    """Each example in a PostgreSQL schema of its own, dropped afterwards."""
    admin = create_engine(POSTGRES_URL)
    schemas: list[str] = []

    def fresh_url() -> str:
        schema = f"m_{uuid.uuid4().hex[:12]}"
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        schemas.append(schema)
        return f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"

    try:
        _run(_fresh(machine, fresh_url), examples, steps)
    finally:
        with admin.begin() as connection:
            for schema in schemas:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    assert postgres_problem() is None


def run_workers(
    work: Callable[[str, int, Any], dict[str, int]], url: str, workers: int
) -> Counter[str]:
    """``workers`` processes each run ``work(url, n, barrier)`` (a module-level function: it is
    pickled), released together by the barrier; the counts they return, summed. Each must
    exit cleanly."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(workers)
    results: Any = context.Queue()
    processes = [
        context.Process(target=_reporting, args=(work, url, n, barrier, results))
        for n in range(workers)
    ]
    for process in processes:
        process.start()
    totals: Counter[str] = Counter()
    for _ in processes:
        totals.update(results.get(timeout=120))
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert "crashed" not in totals, totals
    return totals


def _reporting(
    work: Callable[[str, int, Any], dict[str, int]], url: str, n: int, barrier: Any, results: Any
) -> None:
    try:
        results.put(work(url, n, barrier))
    except BaseException as error:
        results.put({"crashed": f"{type(error).__name__}: {error}"})
        raise


def outcomes_of(
    url: str, barrier: Any, commands: Iterable[dict[str, Any]], name: Callable[[Outcome], str]
) -> dict[str, int]:
    """In a worker: waits for the others, runs ``commands`` one by one through a service of
    its own and counts each outcome by ``name`` (a refusal by its code)."""
    store = EventStore(Settings(url).event_store_env())
    service = LedgerService(store, load_pack("vn-2015"), clock=lambda: NOW)
    counts: Counter[str] = Counter()
    barrier.wait(timeout=60)
    for command in commands:
        try:
            counts[name(service.execute(parse_command(command)))] += 1
        except LedgerError as error:
            counts[error.code] += 1
    store.close()
    return dict(counts)
