"""Several processes on one PostgreSQL: `bonded apply` started three times at once on an
empty database, then two API servers and a projection worker side by side, taking orders and
their retries through both servers. Nothing is lost, nothing is doubled."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.wiring import open_ledger
from commands.settings import Settings
from ledger.events import CommandAccepted, LotExWarehoused, LotWarehoused
from tests.e2e.test_cli_apply import BONDED
from tests.http.server import serving
from tests.http.world import furnish, setting
from tests.support import ex_warehousing

pytestmark = pytest.mark.postgres


def test_three_applies_started_together_on_an_empty_database(
    postgres_url: str, tmp_path: Path
) -> None:
    lines = [{**command, "command_id": f"setup-{n}"} for n, command in enumerate(setting())]
    commands = tmp_path / "setting.jsonl"
    commands.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BONDED_")}
    environment["BONDED_DATABASE_URL"] = postgres_url
    processes = [
        subprocess.Popen(
            [BONDED, "apply", str(commands), "--format", "json"],
            cwd=tmp_path,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    summaries = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        summaries.append(json.loads(out))
    assert sum(s["applied"] for s in summaries) == len(lines)
    assert sum(s["already_applied"] for s in summaries) == 2 * len(lines)
    ledger = open_ledger(Settings(postgres_url))
    try:
        recorded = list(ledger.service.store.scan())
        accepted = [e.command_id for e in recorded if isinstance(e, CommandAccepted)]
        assert sorted(accepted) == sorted(line["command_id"] for line in lines)  # once each
        assert sum(isinstance(e, LotWarehoused) for e in recorded) == 2
    finally:
        ledger.close()


def test_two_servers_and_a_projection_worker_lose_and_double_nothing(
    postgres_url: str, tmp_path: Path
) -> None:
    ledger = open_ledger(Settings(postgres_url))
    token = furnish(ledger)["warehouse_owner"]
    ledger.close()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BONDED_")}
    environment["BONDED_DATABASE_URL"] = postgres_url
    worker = subprocess.Popen(
        [BONDED, "projections", "run", "--poll", "0.1"],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    orders = 60
    try:
        with serving(postgres_url, tmp_path) as first, serving(postgres_url, tmp_path) as second:

            def order(n: int) -> list[int]:
                body = ex_warehousing("D1/1", "1", "2026-07-01")
                statuses = []
                for base in (first, second) if n % 2 else (second, first):  # and a retry
                    answer = httpx.post(
                        f"{base}/commands/ex_warehouse",
                        json=body,
                        headers={
                            "Authorization": f"Bearer {token}",
                            "Idempotency-Key": f"order-{n}",
                        },
                        timeout=60,
                    )
                    statuses.append(answer.status_code)
                return statuses

            with ThreadPoolExecutor(8) as pool:
                statuses = list(pool.map(order, range(orders)))
            assert all(sorted(s) == [200, 201] for s in statuses), statuses
            balances = [
                httpx.get(
                    f"{base}/balances",
                    params={"lot": "D1/1"},
                    headers={"Authorization": f"Bearer {token}"},
                ).json()
                for base in (first, second)
            ]
            assert balances[0] == balances[1]
            assert balances[0][0]["on_hand"] == str(100 - orders)
    finally:
        worker.terminate()
        worker.wait(timeout=15)
    ledger = open_ledger(Settings(postgres_url))
    try:
        moved = [e for e in ledger.service.store.read("lot:D1/1") if isinstance(e, LotExWarehoused)]
        assert len(moved) == orders
        assert ledger.runner.status().lag == 0
    finally:
        ledger.close()


def _first_use(gate: Any, url: str, heads: Any) -> None:
    gate.wait()
    ledger = open_ledger(Settings(url))
    try:
        ledger.runner.migrate()
        heads.put(ledger.service.store.head())
    finally:
        ledger.close()


def test_first_use_by_many_at_the_same_instant_creates_the_schema_once(postgres_url: str) -> None:
    """Eight processes released together on an empty database: their DDL overlaps."""
    forked = multiprocessing.get_context("fork")
    gate, heads = forked.Barrier(8), forked.Queue()
    openers = [
        forked.Process(target=_first_use, args=(gate, postgres_url, heads)) for _ in range(8)
    ]
    for opener in openers:
        opener.start()
    for opener in openers:
        opener.join(timeout=60)
    assert [opener.exitcode for opener in openers] == [0] * 8
    assert sorted(heads.get(timeout=5) for _ in openers) == [0] * 8
