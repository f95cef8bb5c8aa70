"""Writes through a failover (issue 23, point 5): the cluster's leader lost while the ledger
writes, and nothing acknowledged lost or recorded twice.

    python bench/failover.py              # the leader's postmaster killed, then a switchover
    python bench/failover.py --fault switchover --commands 20000 --dir /var/tmp/bc --keep

It starts the cluster (``python -m cluster``: etcd, three PostgreSQL 15 nodes under Patroni with
synchronous replication, HAProxy) in a folder of its own, unless ``--dir`` names one already
running. For each fault, on a database of its own in the cluster, through HAProxy's leader
port: ``bonded apply`` of ``--commands`` keyed warehousings, ``bonded serve`` under 8 HTTP
clients posting keyed warehousings (each with its ``Idempotency-Key``, retried until answered)
and ``bonded projections run``; a few seconds in, the fault:

- **kill**: SIGKILL to the leader's postmaster (Patroni fails over at once to the synchronous
  standby: ``primary_start_timeout: 0``);
- **switchover**: ``patronictl switchover`` to the synchronous standby.

Then: every command acknowledged before the fault has one event in the log after it, and every
command sent is recorded exactly once; the projection runner has caught up by itself; the read
models equal a rebuild; the hash chain verifies; the feed read from position 0 has no gap or
repeat. It prints the time without writes: the longest pause between two acknowledgements
after the fault (target under 15 s).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.soak import CLIENTS, Ledger, _caught_up, check, post_each, prepare, warehousing  # noqa: E402
from cluster import control  # noqa: E402
from cluster.layout import Layout  # noqa: E402

FAULTS = ("kill", "switchover")
WRITING_BEFORE_FAULT = 3.0  # seconds of writes before the fault
TARGET_SECONDS = 15.0


@dataclass
class Found:
    fault: str
    commands: int  # sent in all: by bonded apply and by the clients
    by_clients: int
    lost: int
    duplicated: int
    acknowledged_before: int
    missing_after: int  # acknowledged before the fault, not once in the log after it
    without_writes: float  # the longest pause between two acknowledgements after the fault
    caught_up: float  # from the fault until the projection runner had reached the head
    rebuilt_equal: bool
    chain: bool
    feed: bool
    applied: dict[str, int]  # bonded apply's counts: applied, already_applied, refused

    @property
    def clean(self) -> bool:
        return (
            self.lost == self.duplicated == self.missing_after == 0
            and self.rebuilt_equal
            and self.chain
            and self.feed
        )

    def line(self) -> str:
        return (
            f"{self.fault}: time without writes {self.without_writes:.2f} s; {self.lost} lost, "
            f"{self.duplicated} duplicated of {self.commands:,} commands ({self.by_clients:,} "
            f"by {CLIENTS} clients); {self.acknowledged_before:,} acknowledged before the fault, "
            f"{self.missing_after} missing after it; read models caught up "
            f"{self.caught_up:.1f} s after the fault; projection "
            f"{'==' if self.rebuilt_equal else '!='} rebuild; chain "
            f"{'verified' if self.chain else 'BROKEN'}; feed "
            f"{'without gap or repeat' if self.feed else 'BAD'}"
        )


@contextmanager
def cluster_database(layout: Layout) -> Iterator[str]:
    """A database of its own in the cluster, dropped afterwards; its URL through the
    leader's port."""
    import psycopg2

    name = f"bonded_failover_{uuid.uuid4().hex[:10]}"

    def run(statement: str) -> None:
        connection = psycopg2.connect(
            host="127.0.0.1", port=layout.leader_port, user="postgres", dbname="postgres"
        )
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(statement)
        finally:
            connection.close()

    run(f'CREATE DATABASE "{name}"')
    try:
        yield layout.url(database=name)
    finally:
        control.wait_healthy(layout)
        run(f'DROP DATABASE "{name}" WITH (FORCE)')


def through_fault(layout: Layout, fault: str, commands: int, folder: Path) -> Found:
    """One fault while the ledger writes; what it found."""
    from tests.http.server import free_port

    control.wait_healthy(layout)
    with cluster_database(layout) as url:
        ledger = Ledger(url, folder)
        token = prepare(ledger)
        port = free_port()
        server = ledger.start("serve", "--port", str(port))
        runner = ledger.start("projections", "run")
        try:
            _answering(port)
            return _writes_through(layout, ledger, fault, commands, token, port)
        finally:
            for process in (server, runner):
                process.send_signal(signal.SIGINT)
            for process in (server, runner):
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def _writes_through(
    layout: Layout, ledger: Ledger, fault: str, commands: int, token: str, port: int
) -> Found:
    keys = [f"{fault}-a{n}" for n in range(commands)]
    path = ledger.folder / f"{fault}.jsonl"
    path.write_text("".join(json.dumps(warehousing(k)) + "\n" for k in keys))
    ledger.sent.update(keys)
    said = ledger.folder / f"{fault}.apply.json"
    with said.open("w") as out:
        apply = subprocess.Popen(
            [*ledger.command("apply", str(path), "--format", "json")],
            cwd=ledger.folder,
            env=ledger.env,
            stdout=out,
            stderr=subprocess.DEVNULL,
        )
    acknowledged: list[tuple[float, str]] = []
    failures: list[str] = []
    stop = threading.Event()
    lock = threading.Lock()

    def client(number: int) -> None:
        def each() -> Iterator[str]:
            for n in itertools.count():
                if stop.is_set():
                    return
                key = f"{fault}-c{number}-{n}"
                with lock:
                    ledger.sent.add(key)
                yield key

        def answered(key: str) -> None:
            with lock:
                acknowledged.append((time.monotonic(), key))

        post_each(port, token, each(), failures, answered)

    clients = [threading.Thread(target=client, args=(c,)) for c in range(CLIENTS)]
    for thread in clients:
        thread.start()
    try:
        time.sleep(WRITING_BEFORE_FAULT)
        at = time.monotonic()
        with lock:
            before = [key for _, key in acknowledged]
        if fault == "kill":
            os.kill(_leaders_postmaster(layout), signal.SIGKILL)
        else:
            control.switchover(layout)
        apply.wait(timeout=600)
        time.sleep(1.0)  # the clients write on the new leader a little longer
    finally:
        stop.set()
        for thread in clients:
            thread.join()
    assert apply.returncode == 0, f"bonded apply exited {apply.returncode}: {said.read_text()}"
    assert not failures, f"commands refused: {failures[:3]}"
    caught_up = _caught_up_after(ledger, at)
    after = sorted(moment for moment, _ in acknowledged if moment >= at)
    pauses = [b - a for a, b in itertools.pairwise([at, *after])]
    missing = _missing(ledger, before)
    checked = check(ledger)
    return Found(
        fault=fault,
        commands=len(ledger.sent),
        by_clients=len(acknowledged),
        lost=checked.lost,
        duplicated=checked.duplicated,
        acknowledged_before=len(before),
        missing_after=missing,
        without_writes=max(pauses, default=0.0),
        caught_up=caught_up,
        rebuilt_equal=checked.rebuilt_equal,
        chain=checked.chain,
        feed=checked.feed,
        applied={k: v for k, v in json.loads(said.read_text()).items() if isinstance(v, int)},
    )


def _leaders_postmaster(layout: Layout) -> int:
    """The leader's postmaster's pid (Patroni's REST API may be slow to answer under load:
    asked again for up to 15 s)."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        leader = control.leader(layout)
        pid = control.postmaster_pid(layout, leader) if leader else None
        if pid is not None:
            return pid
        time.sleep(0.1)
    raise AssertionError("no leader's postmaster to kill")


def _answering(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError("the server never answered")


def _caught_up_after(ledger: Ledger, at: float) -> float:
    """Seconds from the fault until ``bonded projections run`` had brought every read model
    to the head (it is not restarted: it must resume by itself)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = ledger.bonded("projections", "status", "--format", "json")
        if status.returncode == 0 and _caught_up(status.stdout):
            return time.monotonic() - at
        time.sleep(0.2)
    raise AssertionError("the projection runner never caught up after the fault")


def _missing(ledger: Ledger, keys: list[str]) -> int:
    """How many of these commands do not have exactly one acceptance in the log."""
    from api.wiring import open_ledger
    from commands.settings import Settings
    from ledger.events import command_stream

    opened = open_ledger(Settings(ledger.url))
    try:
        store = opened.service.store
        return sum(len(store.read(command_stream(key))) != 1 for key in keys)
    finally:
        opened.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--fault", choices=(*FAULTS, "both"), default="both")
    parser.add_argument("--commands", type=int, default=20_000)
    parser.add_argument("--dir", type=Path, help="a cluster's folder (default: a new one)")
    parser.add_argument("--base-port", type=int, default=55400)
    parser.add_argument("--keep", action="store_true", help="leave the cluster running")
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="bonded-cluster-", dir="/var/tmp"))
    layout = Layout(folder.resolve(), args.base_port)
    control.start(layout)
    failed = False
    try:
        for fault in FAULTS if args.fault == "both" else (args.fault,):
            with tempfile.TemporaryDirectory() as work:
                found = through_fault(layout, fault, args.commands, Path(work))
            print(found.line(), flush=True)
            failed |= not found.clean
    finally:
        if not args.keep:
            control.wipe(layout)
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
