"""One PostgreSQL 15 server of its own, without Patroni, on a loopback port: what the fault
soak stops with ``pg_ctl stop -m immediate`` mid-import and starts again, never the shared
server on 5432 that the other tests use."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from cluster.owner import as_owner, give
from cluster.packages import PG_BIN


class Server:
    """A server in ``folder`` (its data, socket and log there) listening on ``port``."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder = folder
        self.port = port
        self.data = folder / "data"
        self.log = folder / "server.log"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *argv: str) -> None:
        done = subprocess.run(argv, capture_output=True, text=True, check=False, **as_owner())
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv[:2])} failed: {done.stdout}{done.stderr}")

    def create(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.folder.chmod(0o755)
        give(self.folder)
        self._run(
            str(PG_BIN / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c max_connections=200 -c jit=off"
        )
        self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.log),
            "-w",
            "-t",
            "120",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        """``pg_ctl stop -m mode``: ``immediate`` is a crash as far as the data is concerned
        (recovered from the WAL at the next start)."""
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")


@contextmanager
def private_server(port: int) -> Iterator[Server]:
    """A new server on ``port``, started; stopped and deleted afterwards."""
    server = Server(Path(tempfile.mkdtemp(prefix="bonded-pg-", dir="/var/tmp")), port)
    try:
        server.create()
        server.start()
        yield server
    finally:
        with suppress(RuntimeError):  # not running
            server.stop("immediate")
        shutil.rmtree(server.folder, ignore_errors=True)
