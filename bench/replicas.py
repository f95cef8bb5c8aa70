"""Questions from replicas (issue 23, point 6): questions per second with the leader alone,
with one replica and with two, on the cluster (``python -m cluster``).

    python bench/replicas.py                      # 2,000 lots, wrk for 15 s per setting, 3 runs
    python bench/replicas.py --lots 5000 --seconds 20 --dir /var/tmp/bc --keep

On a database of its own in the cluster: ``--lots`` warehousings recorded through the leader,
then ``bonded serve --workers 2`` started three ways, each asked by ``wrk`` (Debian's, 4
threads, 16 connections) the same question (``GET /balances?limit=100`` for the warehouse
owner) for ``--seconds``:

- **leader alone**: every question read from the leader (HAProxy's leader port);
- **one replica**: ``BONDED_READ_DATABASE_URL`` names one replica's own port;
- **two replicas**: it names HAProxy's replicas port (round robin over both).

The median of ``--runs`` runs per setting is printed, and the ratio to the leader alone. Every
process runs on this one machine: where the servers' Python is the bottleneck (2 cores here),
replicas cannot add answers; they add them where the database is (docs/deploy.md).
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.failover import cluster_database  # noqa: E402
from bench.soak import Ledger, prepare, warehousing  # noqa: E402
from cluster import control  # noqa: E402
from cluster.layout import NODES, Layout  # noqa: E402

QUESTION = "/balances?limit=100"


@contextmanager
def serving(ledger: Ledger, read_url: str | None, workers: int = 2) -> Iterator[str]:
    """``bonded serve`` on a free port, its questions read from ``read_url`` (the leader
    without one); yields its base URL."""
    from tests.http.server import free_port

    port = free_port()
    env = {**ledger.env, **({"BONDED_READ_DATABASE_URL": read_url} if read_url else {})}
    process = subprocess.Popen(
        ledger.command("serve", "--port", str(port), "--workers", str(workers)),
        cwd=ledger.folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise AssertionError("the server never answered")
            time.sleep(0.1)
        yield base
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def questions_per_second(base: str, token: str, seconds: int) -> float:
    """``wrk``'s requests per second for the question; every answer must be a 200."""
    done = subprocess.run(
        [
            "wrk",
            "-t4",
            "-c16",
            f"-d{seconds}s",
            "-H",
            f"Authorization: Bearer {token}",
            f"{base}{QUESTION}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    if "Non-2xx" in done.stdout:
        raise AssertionError(f"answers other than 200: {done.stdout}")
    found = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    assert found, done.stdout
    return float(found.group(1))


def replica_url(layout: Layout, database_url: str) -> str:
    """The URL of one replica's own port (a node that is not the leader)."""
    leader = control.leader(layout)
    node = next(node for node in NODES if node != leader)
    return database_url.replace(f":{layout.leader_port}/", f":{layout.pg_port(node)}/")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lots", type=int, default=2000)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, help="a cluster's folder (default: a new one)")
    parser.add_argument("--base-port", type=int, default=55400)
    parser.add_argument("--keep", action="store_true", help="leave the cluster running")
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="bonded-cluster-", dir="/var/tmp"))
    layout = Layout(folder.resolve(), args.base_port)
    control.start(layout)
    try:
        with cluster_database(layout) as url, tempfile.TemporaryDirectory() as work:
            ledger = Ledger(url, Path(work))
            token = prepare(ledger)
            lines = "".join(json.dumps(warehousing(f"q-{n}")) + "\n" for n in range(args.lots))
            assert ledger.bonded("apply", "-", stdin=lines).returncode == 0
            assert ledger.bonded("balances", "--limit", "1").returncode == 0  # projected
            settings = {
                "leader alone": None,
                "one replica": replica_url(layout, url),
                "two replicas": layout.url(layout.replicas_port, url.rsplit("/", 1)[1]),
            }
            found: dict[str, float] = {}
            for name, read_url in settings.items():
                with serving(ledger, read_url) as base:
                    questions_per_second(base, token, 3)  # warm: pools, caches
                    runs = [
                        questions_per_second(base, token, args.seconds) for _ in range(args.runs)
                    ]
                found[name] = statistics.median(runs)
                alone = found["leader alone"]
                print(
                    f"{name:13} {found[name]:8.1f} questions/s (median of {args.runs} x "
                    f"{args.seconds} s; {found[name] / alone:.2f} x the leader alone; runs "
                    f"{', '.join(f'{r:.0f}' for r in runs)})",
                    flush=True,
                )
    finally:
        if not args.keep:
            control.wipe(layout)


if __name__ == "__main__":
    main()
