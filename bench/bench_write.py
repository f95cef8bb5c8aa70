"""Write throughput of the ledger beside the raw rates of its own backend, measured in one run.

    python bench/bench_write.py                 # SQLite and PostgreSQL (if it answers)
    python bench/bench_write.py --commands 100000 --backends sqlite

For each backend it prints, in events per second:
  raw 1 row/commit        a plain INSERT + COMMIT of an events-table row, no library
  raw executemany         the same rows, all in one transaction (executemany / execute_values)
  recorder 1 event/save   eventsourcing-sqlalchemy's own recorder, one event per transaction
  recorder 1000/save      the same recorder, 1,000 events per transaction
  (a) ledger 1 cmd/tx     LedgerService.execute(ex_warehouse): parse, load the lot, decide, append
  (b) bonded apply        the real CLI on a generated file of --commands commands
and the ratios the issue sets targets for: (a) / raw 1 row/commit (target >= 0.45) and
(b) / raw executemany (target >= 0.3 on SQLite, >= 0.2 on PostgreSQL).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402

POSTGRES_URL = os.environ.get(
    "BONDED_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
)
EVENT_STATE = json.dumps(
    {
        "lot_id": "TK0000001/1",
        "quantity": {"_type_": "decimal_str", "_data_": "12"},
        "destination": "abroad",
        "bill_no": "PX-1",
    }
).encode()
TOPIC = "ledger.events:LotExWarehoused"


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def timed(action: Callable[[], int]) -> float:
    start = time.perf_counter()
    count = action()
    return rate(count, time.perf_counter() - start)


# --- backends -------------------------------------------------------------------------------


@contextmanager
def sqlite_backend() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{folder}/bench.db"


@contextmanager
def postgres_backend() -> Iterator[str]:
    from sqlalchemy import create_engine, text

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES_URL}?options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def postgres_answers() -> str | None:
    from sqlalchemy import create_engine, text

    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
    except Exception as error:  # noqa: BLE001
        return str(error).splitlines()[0]
    return None


# --- raw database rates ---------------------------------------------------------------------

RAW_TABLE = (
    "CREATE TABLE raw_events (id {pk}, originator_id {uuid} NOT NULL, originator_version "
    "INTEGER NOT NULL, topic TEXT NOT NULL, state {blob} NOT NULL)"
)
RAW_INDEX = "CREATE UNIQUE INDEX raw_events_idx ON raw_events (originator_id, originator_version)"


def raw_sqlite(url: str, single: int, many: int) -> tuple[float, float]:
    path = url.removeprefix("sqlite:///") + ".raw"
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(
        RAW_TABLE.format(pk="INTEGER PRIMARY KEY AUTOINCREMENT", uuid="BLOB", blob="BLOB")
    )
    connection.execute(RAW_INDEX)
    insert = (
        "INSERT INTO raw_events (originator_id, originator_version, topic, state) VALUES (?,?,?,?)"
    )

    def one_by_one() -> int:
        for _ in range(single):
            connection.execute("BEGIN")
            connection.execute(insert, (uuid.uuid4().bytes, 1, TOPIC, EVENT_STATE))
            connection.execute("COMMIT")
        return single

    def all_at_once() -> int:
        rows = [(uuid.uuid4().bytes, 1, TOPIC, EVENT_STATE) for _ in range(many)]
        connection.execute("BEGIN")
        connection.executemany(insert, rows)
        connection.execute("COMMIT")
        return many

    result = timed(one_by_one), timed(all_at_once)
    connection.close()
    return result


def raw_postgres(url: str, single: int, many: int) -> tuple[float, float]:
    import psycopg2
    from psycopg2.extras import execute_values
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    options = parsed.query.get("options")
    connection = psycopg2.connect(
        host=parsed.host,
        port=parsed.port,
        user=parsed.username,
        dbname=parsed.database,
        options=options if isinstance(options, str) else None,
    )
    cursor = connection.cursor()
    cursor.execute(RAW_TABLE.format(pk="BIGSERIAL PRIMARY KEY", uuid="UUID", blob="BYTEA"))
    cursor.execute(RAW_INDEX)
    connection.commit()
    insert = (
        "INSERT INTO raw_events (originator_id, originator_version, topic, state) "
        "VALUES (%s,%s,%s,%s)"
    )

    def one_by_one() -> int:
        for _ in range(single):
            cursor.execute(insert, (str(uuid.uuid4()), 1, TOPIC, EVENT_STATE))
            connection.commit()
        return single

    def all_at_once() -> int:
        rows = [(str(uuid.uuid4()), 1, TOPIC, EVENT_STATE) for _ in range(many)]
        execute_values(
            cursor,
            "INSERT INTO raw_events (originator_id, originator_version, topic, state) VALUES %s",
            rows,
            page_size=1000,
        )
        connection.commit()
        return many

    result = timed(one_by_one), timed(all_at_once)
    connection.close()
    return result


# --- the library's own recorder -------------------------------------------------------------


def library_recorder(url: str, single: int, batches: int) -> tuple[float, float]:
    from eventsourcing.persistence import StoredEvent
    from eventsourcing.utils import Environment
    from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory

    factory = SQLAlchemyFactory(Environment("RawLibrary", {"SQLALCHEMY_URL": url}))
    recorder = factory.application_recorder()

    def event() -> StoredEvent:
        return StoredEvent(uuid.uuid4(), 1, TOPIC, EVENT_STATE)

    def one_by_one() -> int:
        for _ in range(single):
            recorder.insert_events([event()])
        return single

    def thousands() -> int:
        for _ in range(batches):
            recorder.insert_events([event() for _ in range(1000)])
        return batches * 1000

    result = timed(one_by_one), timed(thousands)
    factory.close()
    return result


# --- the ledger -----------------------------------------------------------------------------


def ledger_one_per_transaction(url: str, commands: int) -> float:
    """ex_warehouse of 1 unit from lots of 1,000, each in its own transaction."""
    from commands.bootstrap import bootstrap
    from commands.parsing import parse_command
    from commands.settings import Settings

    service = bootstrap(Settings(url))
    setup = list(generate(400, warehouses=2, owners=2))
    setup = [c for c in setup if c["command"] != "warehouse_goods"][:20]
    lots = max(1, commands // 50)
    for n in range(lots):
        setup.append(
            {
                "command": "warehouse_goods",
                "declaration_no": f"B{n}",
                "registered_on": "2025-01-02",
                "effective_at": "2025-01-02T08:00:00+07:00",
                "warehouse_id": "KNQ-000",
                "goods_owner_tax_code": setup[1]["tax_code"],
                "contract_no": f"HD-KNQ-000-{setup[1]['tax_code']}",
                "expires_on": "2025-12-01",
                "source": "abroad",
                "transport_doc": "BL",
                "seals": [],
                "lines": [
                    {
                        "line_no": 1,
                        "description": "x",
                        "hs_code": "85423100",
                        "quantity": "1000",
                        "unit": "piece",
                        "customs_value": "1",
                        "currency": "USD",
                        "origin_country": "SG",
                    }
                ],
            }
        )
    list(service.execute_many(parse_command(c) for c in setup))
    parsed = [
        parse_command(
            {
                "command": "ex_warehouse",
                "lot_id": f"B{n % lots}/1",
                "quantity": "1",
                "effective_at": "2025-02-01T08:00:00+07:00",
                "destination": "non_tariff_zone",
                "bill_no": f"P{n}",
            }
        )
        for n in range(commands)
    ]

    def run() -> int:
        for command in parsed:
            service.execute(command)
        return commands

    result = timed(run)
    service.store.close()
    return result


def bonded_apply(url: str, commands: int) -> tuple[float, int, float]:
    """The CLI as a user runs it; events/s counted from the events table afterwards."""
    from sqlalchemy import create_engine, text

    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as file:
        for command in generate(commands):
            file.write(json.dumps(command) + "\n")
    env = {**os.environ, "BONDED_DATABASE_URL": url}
    bonded = str(Path(sys.executable).parent / "bonded")
    start = time.perf_counter()
    done = subprocess.run([bonded, "apply", file.name], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    os.unlink(file.name)
    if done.returncode != 0:
        raise SystemExit(f"bonded apply failed: {done.stdout[-500:]} {done.stderr[-2000:]}")
    engine = create_engine(url)
    with engine.connect() as connection:
        events = connection.execute(text("select count(*) from bonded_events")).scalar_one()
    engine.dispose()
    return rate(events, seconds), events, seconds


# --- report ---------------------------------------------------------------------------------


def one_command_apply(url: str) -> float:
    """Seconds for `bonded apply` of one command on an existing database (median of 5)."""
    bonded = str(Path(sys.executable).parent / "bonded")
    env = {**os.environ, "BONDED_DATABASE_URL": url}
    line = json.dumps(next(generate(1)))
    times = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([bonded, "apply", "-"], input=line, env=env, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
    return sorted(times)[2]


def run_backend(name: str, url: str, args: argparse.Namespace) -> dict[str, float]:
    print(f"\n== {name}", flush=True)
    raw = raw_sqlite if name == "sqlite" else raw_postgres
    raw_single, raw_many = raw(url, args.single, 100_000)
    lib_single, lib_batch = library_recorder(url, args.single, 100)
    ledger_single = ledger_one_per_transaction(url, args.single)
    with sqlite_backend() if name == "sqlite" else postgres_backend() as fresh:
        apply_rate, events, seconds = bonded_apply(fresh, args.commands)
        startup = one_command_apply(fresh)
    rows = [
        ("raw 1 row/commit", raw_single),
        ("raw executemany (100,000 rows, 1 tx)", raw_many),
        ("recorder 1 event/save", lib_single),
        ("recorder 1,000 events/save", lib_batch),
        ("(a) ledger 1 command/tx (ex_warehouse)", ledger_single),
        (
            f"(b) bonded apply {args.commands:,} commands ({events:,} events, {seconds:.1f} s)",
            apply_rate,
        ),
    ]
    for label, value in rows:
        print(f"  {label:<62} {value:>10,.0f} ev/s")
    print(f"  one-command bonded apply on an existing database: {startup:.2f} s (median of 5)")
    target_b = 0.3 if name == "sqlite" else 0.2
    ratio_a, ratio_b = ledger_single / raw_single, apply_rate / raw_many
    print(f"  (a) / raw 1 row/commit  = {ratio_a:.2f}  (target >= 0.45)")
    print(f"  (b) / raw executemany   = {ratio_b:.2f}  (target >= {target_b})")
    print(f"  (b) / recorder 1,000    = {apply_rate / lib_batch:.2f}")
    return {"a": ratio_a, "b": ratio_b}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--commands", type=int, default=100_000, help="commands for bonded apply")
    parser.add_argument(
        "--single", type=int, default=1_000, help="transactions for the 1-per-tx rates"
    )
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    for name in args.backends.split(","):
        if name == "sqlite":
            with sqlite_backend() as url:
                run_backend(name, url, args)
        elif name == "postgres":
            problem = postgres_answers()
            if problem:
                print(f"\n== postgres: skipped, {POSTGRES_URL} does not answer ({problem})")
                continue
            with postgres_backend() as url:
                run_backend(name, url, args)


if __name__ == "__main__":
    main()
