"""How fast the pages answer a person's browser, through a real ``bonded serve``.

    python bench/bench_pages.py                          # the demo, on SQLite
    python bench/bench_pages.py --events 1000000         # a generated province of 1M events
    python bench/bench_pages.py --database sqlite:////tmp/big.db   # one recorded before

It signs in as a warehouse owner and as a provincial inspector (users added with passwords
for the run), then asks each page ``--repeats`` times after one warm-up and prints the median
and the 95th percentile as the browser sees them (the whole response read), and the page's
size. Targets (issue 22): under 300 ms on the demo, under 1 s for a province at 1M events.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "bench pages password"


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def prepare(url: str, events: int | None) -> dict[str, str]:
    """Records the demo or a generated province into ``url`` if it is empty; adds an owner and
    an inspector with passwords; answers the pages' parameters (a warehouse, a lot, ...)."""
    from sqlalchemy import create_engine, select

    from api.passwords import password_hash
    from api.wiring import open_ledger
    from commands.models import ACCOUNT_COMMANDS
    from commands.settings import Settings
    from ledger.errors import LedgerError
    from ledger.intents import AddUser, SetPassword
    from projections import tables as t

    ledger = open_ledger(Settings(url))
    empty = not ledger.runner.status().head
    ledger.close()
    if empty and events:
        from bench.bench_read import record

        head, seconds = record(url, events)
        print(f"recorded {head:,} events in {seconds:.0f} s", flush=True)
    elif empty:  # the demo, as `make run` loads it
        demo = [str(ROOT / ".venv" / "bin" / "bonded"), "demo"]
        subprocess.run(
            demo,
            env={**os.environ, "BONDED_DATABASE_URL": url},
            check=True,
            capture_output=True,
            cwd=tempfile.gettempdir(),
        )
    ledger = open_ledger(Settings(url))
    ledger.runner.catch_up()
    engine = create_engine(url)
    with engine.connect() as connection:
        w = t.warehouses.c
        busiest = connection.execute(
            select(t.lots.c.warehouse_id)
            .group_by(t.lots.c.warehouse_id)
            .order_by(t.lots.c.warehouse_id)
            .limit(1)
        ).scalar_one()
        owner, province = connection.execute(
            select(w.owner_tax_code, w.province).where(w.warehouse_id == busiest)
        ).one()
        lot = connection.execute(
            select(t.lots.c.lot_id).where(t.lots.c.warehouse_id == busiest).limit(1)
        ).scalar_one()
    engine.dispose()
    users = {
        "bench-owner": {"role": "warehouse_owner", "enterprise": owner},
        "bench-inspector": {"role": "provincial_inspector", "province": province},
    }
    for name, fields in users.items():
        with suppress(LedgerError):  # added by an earlier run on the same database
            ledger.service.execute(
                ACCOUNT_COMMANDS[AddUser].model_validate({"name": name, **fields})
            )
        hashed = {"name": name, "password_hash": password_hash(PASSWORD)}
        ledger.service.execute(ACCOUNT_COMMANDS[SetPassword].model_validate(hashed))
    ledger.close()
    return {"warehouse": busiest, "province": province, "lot": lot}


@contextmanager
def served(url: str, folder: Path) -> Iterator[str]:
    from tests.http.server import serving

    with serving(url, folder) as base:
        yield base


def signed_in(base: str, name: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=120)
    form = client.get("/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token, form.text[:500]
    answer = client.post(
        "/sign-in", data={"csrf_token": token.group(1), "name": name, "password": PASSWORD}
    )
    assert answer.status_code == 303, answer.text[:500]
    return client


PREPARING = "The ranking is being prepared"  # the province page, its pack being folded


def timed(client: httpx.Client, path: str, repeats: int) -> tuple[float, float, int, int]:
    """(median ms, p95 ms, status, bytes) of ``repeats`` loads after one warm-up (for the
    province page: loaded again until its pack is built, the wait printed)."""
    start = time.perf_counter()
    first = client.get(path)
    while PREPARING in first.text and time.perf_counter() - start < 600:
        first = client.get(path)
    if path.startswith("/province"):
        print(f"  (its pack built after {time.perf_counter() - start:.1f} s)", flush=True)
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
    return (
        statistics.median(samples),
        percentile(samples, 0.95),
        first.status_code,
        len(first.content),
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", help="a database URL (default: a new SQLite file)")
    parser.add_argument("--events", type=int, help="generate this many events (default: demo)")
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{Path(folder) / 'pages.db'}"
        places = prepare(url, args.events)
        print(f"warehouse {places['warehouse']}, province {places['province']}", flush=True)
        pages: list[tuple[str, str]] = [
            ("bench-owner", "/"),
            ("bench-owner", f"/?warehouse={places['warehouse']}"),
            ("bench-owner", f"/lots/{places['lot']}"),
            ("bench-owner", "/record/ex_warehouse"),
            ("bench-owner", "/ecommerce"),
            ("bench-owner", "/import"),
            ("bench-owner", "/as-known?known_at=2026-07-01&warehouse=" + places["warehouse"]),
            ("bench-inspector", f"/province?province={places['province']}"),
            ("bench-inspector", "/"),
        ]
        results: list[dict[str, Any]] = []
        with served(url, Path(folder)) as base:
            clients = {name: signed_in(base, name) for name in {n for n, _ in pages}}
            for name, path in pages:
                median, p95, status, size = timed(clients[name], path, args.repeats)
                results.append({"who": name, "path": path, "median": median, "p95": p95})
                print(
                    f"  {name:16} {path[:70]:70} {status} {size / 1024:8.0f} kB  "
                    f"median {median:7.1f} ms  p95 {p95:7.1f} ms",
                    flush=True,
                )
        slowest = max(results, key=lambda r: r["p95"])
        print(f"slowest p95: {slowest['p95']:.0f} ms ({slowest['path']})")


if __name__ == "__main__":
    main()
