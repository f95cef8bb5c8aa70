"""A fault soak (issue 23, point 1): processes killed at random moments, then restarted and
retried, and after every cycle the ledger checked whole.

    python bench/soak.py --cycles 200                      # SQLite, then PostgreSQL
    python bench/soak.py --cycles 20 --size 16 --import-size 0   # the short version (make test)

Each cycle is one of, in turn:
- **apply**: ``bonded apply`` of a file of keyed commands (each with its ``command_id``),
  killed with SIGKILL at a random moment, then run again until it completes;
- **serve**: ``bonded serve`` under 8 HTTP clients posting commands with ``Idempotency-Key``
  and retrying each until it is answered, killed with SIGKILL at a random moment and started
  again (the time from the restart to its first answer is the cycle's recovery);
- **projections**: ``bonded projections run`` killed at a random moment while commands are
  recorded, then started again until the read models have caught up.

After each cycle: the warehousings recorded are exactly the distinct commands sent (none lost,
none recorded twice: each accepted command leaves one ``CommandAccepted``), the read models
equal a rebuild of them, the audit hash chain verifies, and the log read from position 0 has
no position twice and every stored event once. It prints
``N/N cycles: 0 lost, 0 duplicated, projection == rebuild N/N, recovery p99 X s`` per backend.

Then, once, ``bonded apply`` of ``--import-size`` (100,000) keyed commands killed 10 times at
random moments and started again on the same file, then let finish, and the ledger checked
(after the cycles: a ledger that large would slow every cycle's rebuild).

And the backend's own fault, in turn with those:
- **pg-stop** (PostgreSQL): a server of the soak's own (``cluster/single.py``; the shared one
  on 5432 is never stopped) stopped with ``pg_ctl stop -m immediate`` during ``bonded apply``
  and started again; the apply, in turn, told not to wait (exit 4, then run again) and left to
  wait for the database (it goes on by itself);
- **disk-full** (SQLite): the database on a tmpfs of the soak's own, shrunk to what it holds
  plus 16 to 256 KiB, so that ``bonded apply`` fills it (exit 4, saying so); given room
  again, the same file is applied (mounting needs root: elsewhere these cycles are left out,
  saying so).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BONDED = str(ROOT / ".venv" / "bin" / "bonded")
QUICKSTART = ROOT / "docs" / "examples" / "quickstart.jsonl"
OWNER = "0301234562"  # the quickstart's warehouse owner (KNQ-HCM-01)
KINDS = ("apply", "serve", "projections")
CLIENTS = 8
IMPORT_KILLS = 10  # times the large import is killed before it is let finish


def warehousing(key: str) -> dict[str, Any]:
    """A warehousing of its own declaration, keyed by ``key``."""
    return {
        "command_id": key,
        "command": "warehouse_goods",
        "declaration_no": f"TK-{key}",
        "registered_on": "2026-02-10",
        "effective_at": "2026-02-11T09:30:00+07:00",
        "warehouse_id": "KNQ-HCM-01",
        "goods_owner_tax_code": "0100109106",
        "contract_no": "HD-2026-001",
        "expires_on": "2027-02-10",
        "source": "abroad",
        "transport_doc": f"BL-{key}"[:64],
        "seals": [{"container_no": "MSKU1234565", "seal_no": "S-1", "intact": True}],
        "lines": [
            {
                "line_no": 1,
                "description": "Integrated circuits",
                "hs_code": "85423100",
                "quantity": "10",
                "unit": "piece",
                "customs_value": "100.00",
                "currency": "USD",
                "origin_country": "SG",
            }
        ],
    }


@dataclass
class Ledger:
    """The database a soak runs on, and how to run ``bonded`` on it."""

    url: str
    folder: Path
    sent: set[str] = field(default_factory=set)  # every command id sent, setup's too

    @property
    def env(self) -> dict[str, str]:
        kept = {k: v for k, v in os.environ.items() if not k.startswith("BONDED_")}
        return {**kept, "BONDED_DATABASE_URL": self.url, "BONDED_WEBHOOK_ALLOW": "127.0.0.0/8"}

    def command(self, *args: str) -> list[str]:
        return [BONDED, *args]

    def bonded(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(*args),
            input=stdin,
            capture_output=True,
            text=True,
            cwd=self.folder,
            env=self.env,
            check=False,
        )

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [BONDED, *args],
            cwd=self.folder,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
        )


# --- the cycles -------------------------------------------------------------------------------


def kill_at_random(process: subprocess.Popen[str], within: float, rng: random.Random) -> None:
    """SIGKILL ``process`` at a random moment of its first ``within`` seconds."""
    deadline = time.monotonic() + rng.uniform(0.05, within)
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.01)
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait()


def apply_cycle(ledger: Ledger, cycle: int, rng: random.Random, size: int) -> float:
    keys = [f"soak-{cycle}-a{n}" for n in range(size)]
    path = ledger.folder / f"cycle-{cycle}.jsonl"
    path.write_text("".join(json.dumps(warehousing(k)) + "\n" for k in keys))
    ledger.sent.update(keys)
    kill_at_random(ledger.start("apply", str(path), "--batch-size", "50"), 3.0, rng)
    started = time.monotonic()
    for _ in range(5):
        done = ledger.bonded("apply", str(path))
        if done.returncode == 0:
            return time.monotonic() - started
    raise AssertionError(f"apply never completed: {done.stderr[-500:]}")


@contextmanager
def served(ledger: Ledger, port: int) -> Iterator[Callable[[], float]]:
    """``bonded serve`` on ``port``; yields how to kill it and start it again (answering the
    seconds from the restart to its first answer)."""
    process = [ledger.start("serve", "--port", str(port))]
    base = f"http://127.0.0.1:{port}"

    def answering() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.02)
        raise AssertionError("the server never answered")

    def kill_and_restart() -> float:
        process[0].send_signal(signal.SIGKILL)
        process[0].wait()
        started = time.monotonic()
        process[0] = ledger.start("serve", "--port", str(port))
        answering()
        return time.monotonic() - started

    answering()
    try:
        yield kill_and_restart
    finally:
        process[0].send_signal(signal.SIGKILL)
        process[0].wait()


def post_each(
    port: int,
    token: str,
    keys: Iterable[str],
    failures: list[str],
    answered: Callable[[str], None] = lambda _: None,
) -> None:
    """Posts a warehousing per key with its ``Idempotency-Key``, each until it is answered
    (a dropped connection or a 503 is tried again), telling ``answered`` of each."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers) as client:
        for key in keys:
            body = {k: v for k, v in warehousing(key).items() if k != "command"}
            for _ in range(5000):  # until answered
                try:
                    answer = client.post(
                        "/commands/warehouse_goods",
                        json=body,
                        headers={"Idempotency-Key": key},
                        timeout=30,
                    )
                except httpx.TransportError:
                    time.sleep(0.02)
                    continue
                if answer.status_code in (200, 201):
                    answered(key)
                    break
                if answer.status_code != 503:
                    failures.append(f"{key}: {answer.status_code} {answer.text[:200]}")
                    break
                time.sleep(0.02)


def serve_cycle(
    ledger: Ledger, cycle: int, rng: random.Random, size: int, token: str, port: int
) -> float:
    keys = [[f"soak-{cycle}-c{c}-{n}" for n in range(size)] for c in range(CLIENTS)]
    ledger.sent.update(k for client in keys for k in client)
    failures: list[str] = []
    with served(ledger, port) as kill_and_restart:

        def post_all(mine: list[str]) -> None:
            post_each(port, token, mine, failures)

        threads = [threading.Thread(target=post_all, args=(k,)) for k in keys]
        for thread in threads:
            thread.start()
        time.sleep(rng.uniform(0.05, 2.0))  # a random moment, the clients posting
        recovery = kill_and_restart()
        for thread in threads:
            thread.join()
    if failures:
        raise AssertionError(f"commands refused: {failures[:3]}")
    return recovery


def projections_cycle(ledger: Ledger, cycle: int, rng: random.Random, size: int) -> float:
    follower = ledger.start("projections", "run")
    keys = [f"soak-{cycle}-p{n}" for n in range(size)]
    ledger.sent.update(keys)
    lines = "".join(json.dumps(warehousing(k)) + "\n" for k in keys)
    recording = threading.Thread(target=ledger.bonded, args=("apply", "-"), kwargs={"stdin": lines})
    recording.start()
    kill_at_random(follower, 2.0, rng)
    recording.join()
    started = time.monotonic()
    again = ledger.start("projections", "run")
    try:
        while True:  # until every read model has caught up with the log
            status = ledger.bonded("projections", "status", "--format", "json")
            if status.returncode == 0 and _caught_up(status.stdout):
                return time.monotonic() - started
            time.sleep(0.05)
    finally:
        again.send_signal(signal.SIGINT)
        again.wait()


def _caught_up(stdout: str) -> bool:
    try:
        return int(json.loads(stdout)["lag"]) == 0
    except (ValueError, KeyError, TypeError):
        return False


def _started_apply(ledger: Ledger, path: Path, *options: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        ledger.command("apply", str(path), "--batch-size", "50", *options),
        cwd=ledger.folder,
        env=ledger.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _applied_until_done(ledger: Ledger, path: Path) -> None:
    for _ in range(5):
        done = ledger.bonded("apply", str(path))
        if done.returncode == 0:
            return
    raise AssertionError(f"apply never completed: {done.stderr[-500:]}")


class DatabaseStopped:
    """PostgreSQL stopped with ``pg_ctl stop -m immediate`` during an import, on a server of
    the soak's own, and started again: in turn, ``bonded apply`` told not to wait (it stops
    with exit 4 and is run again) and waiting for the database (it goes on by itself)."""

    kind = "pg-stop"

    def __init__(self, server: Any) -> None:
        self.server = server  # cluster.single.Server
        self.cut = 0  # cycles in which the server stopped before the import was done

    def cycle(self, ledger: Ledger, cycle: int, rng: random.Random, size: int) -> float:
        keys = [f"soak-{cycle}-s{n}" for n in range(size * 30)]
        path = ledger.folder / f"cycle-{cycle}.jsonl"
        path.write_text("".join(json.dumps(warehousing(k)) + "\n" for k in keys))
        ledger.sent.update(keys)
        waits = cycle % 2 == 1
        apply = _started_apply(ledger, path, *(() if waits else ("--wait-for-database", "0")))
        deadline = time.monotonic() + rng.uniform(0.1, 1.2)
        while time.monotonic() < deadline and apply.poll() is None:
            time.sleep(0.01)
        self.cut += apply.poll() is None
        self.server.stop("immediate")
        if waits:
            started = time.monotonic()
            self.server.start()
            _, err = apply.communicate(timeout=300)
            if apply.returncode == 4 and "did not answer" in err:  # refused before it began
                _applied_until_done(ledger, path)
            else:
                assert apply.returncode == 0, f"apply did not go on: {err[-800:]}"
            return time.monotonic() - started
        _, err = apply.communicate(timeout=300)
        assert apply.returncode in (0, 4), f"apply exited {apply.returncode}: {err[-800:]}"
        assert "Traceback" not in err, err[-800:]
        started = time.monotonic()
        self.server.start()
        _applied_until_done(ledger, path)
        return time.monotonic() - started


class SmallDisk:
    """The SQLite soak's database on a tmpfs of its own (mounting one needs root): shrunk to
    what it holds plus a little for a cycle that fills it, grown again after."""

    ROOM = "2g"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @staticmethod
    def unavailable() -> str | None:
        """Why no small file system can be made here, or None."""
        if os.geteuid() != 0:
            return "mounting a tmpfs needs root"
        return None

    def mount(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        options = f"size={self.ROOM},mode=0755"
        mount = ["mount", "-t", "tmpfs", "-o", options, "bonded-soak", str(self.folder)]
        subprocess.run(mount, check=True)

    def _size(self, size: str) -> None:
        subprocess.run(["mount", "-o", f"remount,size={size}", str(self.folder)], check=True)

    def leave(self, free: int) -> None:
        """The file system made as large as what it holds plus ``free`` bytes."""
        found = os.statvfs(self.folder)
        used = (found.f_blocks - found.f_bfree) * found.f_frsize
        self._size(str(-(-(used + free) // 4096) * 4096))

    def grow(self) -> None:
        self._size(self.ROOM)

    def empty_the_wal(self) -> None:
        """The write-ahead log checkpointed and truncated: SQLite keeps its file at its
        largest, and commits into room it already has never find the disk full (the
        checkpoint that then fails to grow the database is retried silently)."""
        import sqlite3

        with sqlite3.connect(self.folder / "soak.db", timeout=60) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def unmount(self) -> None:
        subprocess.run(["umount", "-l", str(self.folder)], check=False)


class DiskFilled:
    """SQLite on a file system that fills up during ``bonded apply`` (exit 4, saying so; a
    full disk is not waited for), then given room again and the same file applied."""

    kind = "disk-full"

    def __init__(self, disk: SmallDisk) -> None:
        self.disk = disk
        self.filled = 0  # cycles in which the disk did fill

    def cycle(self, ledger: Ledger, cycle: int, rng: random.Random, size: int) -> float:
        keys = [f"soak-{cycle}-f{n}" for n in range(size * 20)]
        path = ledger.folder / f"cycle-{cycle}.jsonl"
        path.write_text("".join(json.dumps(warehousing(k)) + "\n" for k in keys))
        ledger.sent.update(keys)
        self.disk.empty_the_wal()
        self.disk.leave(rng.randint(16 * 1024, 256 * 1024))
        try:
            first = ledger.bonded("apply", str(path), "--batch-size", "50")
        finally:
            started = time.monotonic()
            self.disk.grow()
        assert first.returncode in (0, 4), f"apply exited {first.returncode}: {first.stderr[-800:]}"
        assert "Traceback" not in first.stderr, first.stderr[-800:]
        if first.returncode == 4:
            assert "full" in first.stderr, first.stderr[-800:]
            self.filled += 1
        _applied_until_done(ledger, path)
        return time.monotonic() - started


# --- after each cycle -------------------------------------------------------------------------


@dataclass
class Checked:
    lost: int
    duplicated: int
    rebuilt_equal: bool
    chain: bool
    feed: bool


def check(ledger: Ledger) -> Checked:
    """The ledger checked whole: commands, read models against a rebuild, chain, feed."""
    from sqlalchemy import create_engine, func, select

    from api.wiring import open_ledger
    from commands.settings import Settings
    from tests.integration.test_read_models import dump

    opened = open_ledger(Settings(ledger.url))
    try:
        store = opened.service.store
        engine = store.engine
        events = store.recorder.events_table_name  # type: ignore[attr-defined]
        with engine.connect() as connection:
            from sqlalchemy import column, table

            stored = table(events, column("topic"))
            accepted = connection.execute(
                select(func.count())
                .select_from(stored)
                .where(stored.c.topic.like("%:CommandAccepted"))
            ).scalar_one()
            total = connection.execute(select(func.count()).select_from(stored)).scalar_one()
        sent = len(ledger.sent)
        lost = max(0, sent - accepted)
        duplicated = max(0, accepted - sent)
        positions: list[int] = []
        after = 0
        while True:
            page = store.notifications(after, 1000)
            if not page:
                break
            positions += [n.id for n in page]
            after = page[-1].id
        feed = len(positions) == len(set(positions)) == total and positions == sorted(positions)
        opened.runner.catch_up()
        live = dump(engine)
        opened.runner.rebuild()
        rebuilt_equal = dump(engine) == live
    finally:
        opened.close()
    create_engine(ledger.url).dispose()
    chain = ledger.bonded("audit", "verify").returncode == 0
    return Checked(lost, duplicated, rebuilt_equal, chain, feed)


# --- a soak on one backend ------------------------------------------------------------------


def prepare(ledger: Ledger) -> str:
    """The quickstart's enterprises, warehouse and contract registered, and a warehouse
    owner's token for the HTTP clients."""
    setup = [json.loads(line) for line in QUICKSTART.read_text().splitlines()]
    setup = [command for command in setup if command["command"].startswith("register_")]
    ledger.sent.update(command["command_id"] for command in setup)
    done = ledger.bonded("apply", "-", stdin="".join(json.dumps(c) + "\n" for c in setup))
    assert done.returncode == 0, done.stderr
    added = ledger.bonded(
        "users", "add", "soak-owner", "--role", "warehouse_owner", "--enterprise", OWNER
    )
    assert added.returncode == 0, added.stderr
    issued = ledger.bonded("tokens", "issue", "soak-owner")
    assert issued.returncode == 0, issued.stderr
    return issued.stdout.strip()


# --- --------------------------------------------------------------------


def big_import(ledger: Ledger, rng: random.Random, commands: int, kills: int) -> dict[str, Any]:
    """``bonded apply`` of ``commands`` keyed commands killed with SIGKILL ``kills`` times at
    random moments, each time started again on the same file, then let finish; the ledger
    checked once at the end. Seconds from the last start to its end."""
    keys = [f"import-{n}" for n in range(commands)]
    path = ledger.folder / "import.jsonl"
    path.write_text("".join(json.dumps(warehousing(k)) + "\n" for k in keys))
    ledger.sent.update(keys)
    for _ in range(kills):
        kill_at_random(ledger.start("apply", str(path)), 20.0, rng)
    started = time.monotonic()
    _applied_until_done(ledger, path)
    finished = time.monotonic() - started
    checked = check(ledger)
    return {"commands": commands, "kills": kills, "checked": checked, "last_run": finished}


def soak(
    url: str,
    folder: Path,
    cycles: int,
    seed: int,
    size: int,
    port: int,
    fault: DatabaseStopped | DiskFilled | None = None,
    import_size: int = 0,
) -> dict[str, Any]:
    """``cycles`` cycles on the database ``url``, the backend's own ``fault`` among them in
    turn, then (with ``import_size``) one large import killed again and again; what they
    found."""
    rng = random.Random(seed)
    kinds = (*KINDS, fault.kind) if fault is not None else KINDS
    ledger = Ledger(url, folder)
    token = prepare(ledger)
    found: dict[str, Any] = {"cycles": 0, "lost": 0, "duplicated": 0, "rebuilt": 0, "chain": 0}
    found |= {"feed": 0, "recoveries": [], "kinds": dict.fromkeys(kinds, 0)}
    for cycle in range(cycles):
        kind = kinds[cycle % len(kinds)]
        if kind == "apply":
            recovery = apply_cycle(ledger, cycle, rng, size)
        elif kind == "serve":
            recovery = serve_cycle(ledger, cycle, rng, max(1, size // CLIENTS), token, port)
        elif kind == "projections":
            recovery = projections_cycle(ledger, cycle, rng, size)
        else:
            assert fault is not None
            recovery = fault.cycle(ledger, cycle, rng, size)
        checked = check(ledger)
        found["cycles"] += 1
        found["kinds"][kind] += 1
        found["lost"] += checked.lost
        found["duplicated"] += checked.duplicated
        found["rebuilt"] += checked.rebuilt_equal
        found["chain"] += checked.chain
        found["feed"] += checked.feed
        found["recoveries"].append(recovery)
        print(
            f"  cycle {cycle + 1}/{cycles} {kind:11} recovery {recovery:5.2f} s  lost "
            f"{checked.lost} duplicated {checked.duplicated} rebuild "
            f"{'==' if checked.rebuilt_equal else '!='} chain "
            f"{'ok' if checked.chain else 'BROKEN'} feed {'ok' if checked.feed else 'BAD'}",
            flush=True,
        )
    if import_size:  # after the cycles: its size would slow every cycle's rebuild after it
        imported = big_import(ledger, rng, import_size, IMPORT_KILLS)
        checked = imported["checked"]
        found["import"] = imported
        print(
            f"  an import of {import_size:,} commands killed {IMPORT_KILLS} times, then "
            f"finished in {imported['last_run']:.1f} s: lost {checked.lost} duplicated "
            f"{checked.duplicated} rebuild {'==' if checked.rebuilt_equal else '!='} chain "
            f"{'ok' if checked.chain else 'BROKEN'} feed {'ok' if checked.feed else 'BAD'}",
            flush=True,
        )
    return found


def summary(found: dict[str, Any]) -> str:
    n = found["cycles"]
    recoveries = sorted(found["recoveries"])
    p99 = recoveries[min(len(recoveries) - 1, int(0.99 * len(recoveries)))] if recoveries else 0
    clean = n if found["lost"] == 0 and found["duplicated"] == 0 else "?"
    kinds = ", ".join(f"{count} {kind}" for kind, count in found["kinds"].items())
    filled = f"; the disk filled in {found['filled']}" if "filled" in found else ""
    filled += f"; the server stopped mid-import in {found['cut']}" if "cut" in found else ""
    return (
        f"{clean}/{n} cycles: {found['lost']} lost, {found['duplicated']} duplicated, "
        f"projection == rebuild {found['rebuilt']}/{n}, chain verified {found['chain']}/{n}, "
        f"feed without gap or repeat {found['feed']}/{n}, recovery p99 {p99:.2f} s "
        f"(median {statistics.median(recoveries) if recoveries else 0:.2f} s); cycles: "
        f"{kinds}{filled}{_imported(found)}"
    )


def _imported(found: dict[str, Any]) -> str:
    if "import" not in found:
        return ""
    imported = found["import"]
    checked = imported["checked"]
    whole = checked.rebuilt_equal and checked.chain and checked.feed
    return (
        f"; an import of {imported['commands']:,} commands killed {imported['kills']} times: "
        f"{checked.lost} lost, {checked.duplicated} duplicated, projection == rebuild, chain "
        f"and feed {'ok' if whole else 'NOT ok'}"
    )


@contextmanager
def postgres_database(base: str | None = None) -> Iterator[str]:
    """A PostgreSQL database of the soak's own on the server ``base`` names (the local one by
    default), dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    base = base or os.environ.get(
        "BONDED_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
    )
    name = f"bonded_soak_{uuid.uuid4().hex[:10]}"
    # a connection each time: the server may have been stopped and started since
    admin = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def on_backend(
    backend: str, folder: Path, cycles: int, seed: int, size: int, import_size: int = 0
) -> dict[str, Any]:
    """The soak on ``backend`` with its own fault: SQLite on a small file system that fills
    (where a tmpfs can be mounted: as root), PostgreSQL on a server of its own stopped with
    ``pg_ctl stop -m immediate`` (the shared server on 5432 is never stopped)."""
    from cluster.single import private_server
    from tests.http.server import free_port

    if backend == "sqlite":
        reason = SmallDisk.unavailable()
        if reason is not None:
            print(f"sqlite: no disk-full cycles ({reason})", flush=True)
            url = f"sqlite:///{folder / 'soak.db'}"
            return soak(url, folder, cycles, seed, size, free_port(), None, import_size)
        disk = SmallDisk(folder / "small-disk")
        disk.mount()
        try:
            filled = DiskFilled(disk)
            url = f"sqlite:///{disk.folder / 'soak.db'}"
            found = soak(url, folder, cycles, seed, size, free_port(), filled, import_size)
            return found | {"fault": filled.kind, "filled": filled.filled}
        finally:
            disk.unmount()
    with private_server(free_port()) as server, postgres_database(server.url) as url:
        stopped = DatabaseStopped(server)
        found = soak(url, folder, cycles, seed, size, free_port(), stopped, import_size)
        return found | {"fault": stopped.kind, "cut": stopped.cut}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--size", type=int, default=80, help="commands per cycle")
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument(
        "--import-size",
        type=int,
        default=100_000,
        help="after the cycles, an import of this many keyed commands killed "
        f"{IMPORT_KILLS} times at random moments, then let finish and checked (0: none)",
    )
    args = parser.parse_args()
    backends = ("sqlite", "postgres") if args.backend == "both" else (args.backend,)
    failed = False
    for backend in backends:
        with tempfile.TemporaryDirectory() as folder:
            print(f"{backend}: {args.cycles} cycles", flush=True)
            found = on_backend(
                backend, Path(folder), args.cycles, args.seed, args.size, args.import_size
            )
            print(f"{backend}: {summary(found)}", flush=True)
            failed |= bool(found["lost"] or found["duplicated"])
            if "import" in found:
                checked = found["import"]["checked"]
                failed |= bool(checked.lost or checked.duplicated)
                failed |= not (checked.rebuilt_equal and checked.chain and checked.feed)
            failed |= found["rebuilt"] != found["cycles"] or found["chain"] != found["cycles"]
            failed |= found["feed"] != found["cycles"]
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
