"""Writes through a failover (issue 23, point 5), on a real cluster: etcd, three PostgreSQL 15
nodes under Patroni with synchronous replication and HAProxy, started on loopback ports by
``python -m cluster`` (``bench/failover.py`` is the same run from the command line).

While ``bonded apply`` records 20,000 keyed commands and 8 HTTP clients post theirs (each
retried with its ``Idempotency-Key`` until answered) through HAProxy's leader port, the
leader's postmaster is killed — and, in the other test, a ``patronictl switchover`` changes the
leader. Every command acknowledged before the fault is in the log after it once, every command
sent is recorded once, the projection runner resumes by itself, the read models equal a
rebuild, the chain verifies and the feed has no gap or repeat. And questions read from the
replicas (point 6): a writer that gives its command's position reads its own write.

Under CI=true the cluster's packages must be there (``make test`` installs them); elsewhere the
tests skip, saying what is missing."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg2
import pytest

from bench.failover import FAULTS, cluster_database, through_fault
from bench.replicas import serving
from bench.soak import Ledger, prepare, warehousing
from cluster import control
from cluster.layout import NODES, Layout
from cluster.packages import missing
from tests.conftest import IN_CI

BASE_PORT = 56400  # away from the 55400 a cluster started by hand takes
COMMANDS = 20_000


@pytest.fixture(scope="module")
def cluster() -> Iterator[Layout]:
    absent = missing()
    if absent:
        message = f"the cluster's packages are missing: {', '.join(absent)}"
        if IN_CI:
            pytest.fail(message + "; under CI `make test` installs them and these tests must run")
        pytest.skip(message + " (`make cluster-packages` installs them, as root)")
    if os.geteuid() == 0 and not Path("/usr/lib/postgresql/15/bin/postgres").exists():
        pytest.skip("PostgreSQL 15's server is not installed")
    layout = Layout(Path(tempfile.mkdtemp(prefix="bonded-cluster-", dir="/var/tmp")), BASE_PORT)
    try:  # refused, naming them, when another cluster holds its ports
        control.start(layout, say=lambda _: None)
        yield layout
    finally:
        control.wipe(layout, say=lambda _: None)


@pytest.mark.parametrize("fault", FAULTS)
def test_writes_go_on_through_a_failover_none_lost_none_doubled(
    cluster: Layout, fault: str, tmp_path: Path
) -> None:
    found = through_fault(cluster, fault, COMMANDS, tmp_path)
    print(found.line())
    assert found.acknowledged_before > 0, "the fault came before any write was acknowledged"
    assert (found.lost, found.duplicated, found.missing_after) == (0, 0, 0), found.line()
    assert found.rebuilt_equal and found.chain and found.feed, found.line()
    applied = found.applied
    assert applied["applied"] + applied["already_applied"] == COMMANDS, applied
    assert applied["refused"] == 0, applied


def _replica_commits(layout: Layout, database: str) -> int:
    """Transactions committed in ``database`` on the nodes that are not the leader."""
    leader = control.leader(layout)
    total = 0
    for node in NODES:
        if node == leader:
            continue
        connection = psycopg2.connect(
            host="127.0.0.1", port=layout.pg_port(node), user="postgres", dbname="postgres"
        )
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT xact_commit FROM pg_stat_database WHERE datname = %s", (database,)
                )
                row = cursor.fetchone()
                total += int(row[0]) if row else 0
        finally:
            connection.close()
    return total


def test_questions_from_the_replicas_and_a_writer_reads_its_own_write(
    cluster: Layout, tmp_path: Path
) -> None:
    """Point 6: a server whose questions are read from HAProxy's replicas port answers them
    from the replicas; a client that just wrote and gives the command's position sees its
    write; a position no write was answered with is refused at once (a replica behind the
    leader for more than 5 s answers 503 with Retry-After: tests/http/test_positions.py)."""
    with cluster_database(cluster) as url:
        database = url.rsplit("/", 1)[1]
        ledger = Ledger(url, tmp_path)
        token = prepare(ledger)
        before = _replica_commits(cluster, database)
        with serving(ledger, cluster.url(cluster.replicas_port, database), workers=1) as base:
            client = httpx.Client(
                base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30
            )
            for n in range(20):
                key = f"read-{n}"
                body = {k: v for k, v in warehousing(key).items() if k != "command"}
                written = client.post(
                    "/commands/warehouse_goods", json=body, headers={"Idempotency-Key": key}
                )
                assert written.status_code == 201, written.text
                position = written.json()["position"]
                assert isinstance(position, int) and position > 0
                rows = client.get("/balances", params={"position": position}).json()
                assert f"TK-{key}/1" in {row["lot_id"] for row in rows}, (n, position)
            beyond = client.get("/balances", params={"position": position + 10**9})
            assert beyond.status_code == 409, beyond.text  # no write was answered with it
            assert beyond.json()["code"] == "position_beyond_head"
            assert client.get("/balances").status_code == 200  # without: as the replica has it
        assert _replica_commits(cluster, database) - before >= 20  # read there, not the leader
