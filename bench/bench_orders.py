"""The hot lot, the hot licence (DOMAIN.md §7): concurrent HTTP clients post e-commerce orders
on one lot under one licence until it is exhausted; orders/s, p50/p99 latency and write
conflicts per commit, next to a plain PostgreSQL design measured in the same run (one
``UPDATE licence SET remaining = remaining - q WHERE remaining >= q`` per order plus an
insert, behind the same kind of HTTP route). Then the same on a lot that already carries
``--prior`` orders.

Both servers run in this process (uvicorn in a thread, the route in its thread pool), the
clients in threads beside them: both designs pay the same HTTP and GIL costs. The read models
are not followed during the run (``bonded projections run`` does that in production).

    python bench/bench_orders.py --database postgresql+psycopg2://postgres@127.0.0.1/bench_orders
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OWNER = "0100109106"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Served:
    """A FastAPI app served by uvicorn in a thread of this process."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.port = free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.01)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def hammer(
    url: str, clients: int, body: Callable[[int], dict[str, Any]], headers: dict[str, str]
) -> dict[str, Any]:
    """``clients`` threads post orders until the server refuses (nothing left); each order
    numbered once across all threads."""
    import httpx

    counter = iter(range(10**9))
    lock = threading.Lock()
    latencies: list[float] = []
    accepted = [0]
    other: dict[int, int] = {}

    def client() -> None:
        with httpx.Client(timeout=60) as http:
            while True:
                with lock:
                    n = next(counter)
                start = time.perf_counter()
                answer = http.post(url, json=body(n), headers=headers)
                elapsed = time.perf_counter() - start
                with lock:
                    if answer.status_code in (200, 201):
                        accepted[0] += 1
                        latencies.append(elapsed)
                    else:
                        other[answer.status_code] = other.get(answer.status_code, 0) + 1
                if answer.status_code == 409:
                    return  # exhausted
                if answer.status_code not in (200, 201):
                    print("unexpected", answer.status_code, answer.text[:300])
                    return

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start, cpu = time.perf_counter(), time.process_time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu
    latencies.sort()
    return {
        "orders": accepted[0],
        "orders_per_s": accepted[0] / wall,
        "cpu_ms": cpu * 1000 / max(accepted[0], 1),  # this process's: server and clients
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "refused": other,
    }


def plain_design(database: str, quantity: int) -> Any:
    """The plain PostgreSQL design: a row per licence line, an UPDATE guarded by the
    remaining quantity, and an order row, in one transaction per order."""
    from fastapi import FastAPI
    from fastapi.responses import JSONResponse
    from sqlalchemy import create_engine, text

    engine = create_engine(database, pool_size=20)
    with engine.begin() as c:
        c.execute(text("DROP TABLE IF EXISTS plain_orders, plain_licence"))
        c.execute(text("CREATE TABLE plain_licence (id int primary key, remaining numeric)"))
        c.execute(
            text(
                "CREATE TABLE plain_orders (platform text, order_no text, quantity numeric, "
                "primary key (platform, order_no))"
            )
        )
        c.execute(text("INSERT INTO plain_licence VALUES (1, :q)"), {"q": quantity})
    app = FastAPI()

    @app.post("/orders")
    def order(body: dict[str, Any]) -> JSONResponse:
        q = Decimal(str(body["quantity"]))
        with engine.begin() as c:
            done = c.execute(
                text(
                    "UPDATE plain_licence SET remaining = remaining - :q "
                    "WHERE id = 1 AND remaining >= :q"
                ),
                {"q": q},
            )
            if done.rowcount != 1:
                return JSONResponse({"code": "licence_required"}, status_code=409)
            c.execute(
                text("INSERT INTO plain_orders VALUES (:p, :n, :q)"),
                {"p": body["platform"], "n": body["order_no"], "q": q},
            )
        return JSONResponse({"basis": "deducted"}, status_code=201)

    return app, engine


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", required=True, help="an empty PostgreSQL database's URL")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--orders", type=int, default=3000, help="the licence's quantity")
    parser.add_argument("--prior", type=int, default=100_000, help="orders already on a lot")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from sqlalchemy import text

    from api.http import create_app
    from api.tokens import new_token
    from api.wiring import open_ledger
    from commands.models import ACCOUNT_COMMANDS
    from commands.parsing import parse_command
    from commands.settings import Settings
    from ledger.intents import AddUser, IssueToken
    from tests.support import goods_list, licence, line, order, warehousing, world

    ledger = open_ledger(Settings(args.database))
    ledger.runner.migrate()
    service = ledger.service

    def run(commands: list[dict[str, Any]]) -> None:
        for outcome in service.execute_many(parse_command(c) for c in commands):
            assert not outcome.refused, outcome.error

    run(
        [
            *world(),
            goods_list("GL-B", {"hs_prefix": "8542", "requires": ["licence"]}),
        ]
    )
    add = ACCOUNT_COMMANDS[AddUser].model_validate(
        {"name": "clerk", "role": "warehouse_owner", "enterprise": "0301234562"}
    )
    service.execute(add)
    token, digest = new_token("clerk")
    service.execute(
        ACCOUNT_COMMANDS[IssueToken].model_validate({"name": "clerk", "token_hash": digest})
    )
    headers = {"Authorization": f"Bearer {token}"}
    app = create_app(ledger)
    big = str(10 * (args.orders * args.runs + args.prior))

    def fresh_lot(declaration: str) -> str:
        run([warehousing(declaration, line(1, big, hs_code="85423100"))])
        return f"{declaration}/1"

    def fresh_licence(no: str) -> None:
        run([licence(no, str(args.orders), valid_until="2030-12-31")])

    def ours(lot_id: str, licence_no: str, tag: str) -> dict[str, Any]:
        fresh_licence(licence_no)
        conflicts_before = service.conflicts
        commits_before = service.commits
        with Served(app) as base:
            result = hammer(
                f"{base}/commands/ex_warehouse_order",
                args.clients,
                lambda n: order(
                    f"{tag}-{n}",
                    "1",
                    lot_id=lot_id,
                    when="2026-11-20T10:00:00+07:00",
                    buyer=f"buyer-{n % 997}",
                    licence_nos=[licence_no],
                ),
                headers,
            )
        commits = service.commits - commits_before
        result["conflicts_per_commit"] = (service.conflicts - conflicts_before) / max(commits, 1)
        remaining = ledger_remaining(licence_no)
        result["licence_remaining"] = remaining
        return result

    def ledger_remaining(licence_no: str) -> Decimal:
        from commands.unit_of_work import UnitOfWork

        return UnitOfWork(service.store).licence(licence_no).remaining(1)

    def theirs() -> dict[str, Any]:
        plain, engine = plain_design(args.database, args.orders)
        with Served(plain) as base:
            result = hammer(
                f"{base}/orders",
                args.clients,
                lambda n: {"platform": "shopee", "order_no": f"P-{n}", "quantity": "1"},
                {},
            )
        with engine.connect() as c:
            left = c.execute(text("SELECT remaining FROM plain_licence WHERE id = 1")).scalar()
        result["licence_remaining"] = left
        engine.dispose()
        return result

    fresh = fresh_lot("HOT")
    print(f"{args.clients} clients, licences of {args.orders:,} orders of 1 piece each\n")
    ratios = []
    for n in range(args.runs):
        mine = ours(fresh, f"LIC-F{n}", f"F{n}")
        plain = theirs()
        ratios.append(mine["orders_per_s"] / plain["orders_per_s"])
        print(
            f"run {n + 1}: ledger {mine['orders_per_s']:.0f} orders/s "
            f"(p50 {mine['p50_ms']:.1f} ms, p99 {mine['p99_ms']:.1f} ms, "
            f"{mine['cpu_ms']:.2f} ms CPU/order, "
            f"{mine['conflicts_per_commit']:.3f} conflicts/commit, {mine['orders']} accepted, "
            f"licence left {mine['licence_remaining']}) | plain PostgreSQL "
            f"{plain['orders_per_s']:.0f} orders/s (p50 {plain['p50_ms']:.1f} ms, p99 "
            f"{plain['p99_ms']:.1f} ms, {plain['cpu_ms']:.2f} ms CPU/order, "
            f"{plain['orders']} accepted, left {plain['licence_remaining']}) | "
            f"ratio {ratios[-1]:.2f}",
            flush=True,
        )
        assert mine["orders"] == args.orders and mine["licence_remaining"] == 0, "oversold?"
    print(f"median ratio over {args.runs} runs: {statistics.median(ratios):.2f}\n")

    if args.prior:
        long_lot = fresh_lot("LONG")
        print(f"\nrecording {args.prior:,} prior orders on {long_lot} …", flush=True)
        start = time.perf_counter()
        run(
            [
                order(
                    f"PRIOR-{n}",
                    "1",
                    "1000",
                    lot_id=long_lot,
                    when="2026-11-20T09:00:00+07:00",
                    buyer=f"b-{n}",
                )
                for n in range(args.prior)
            ]
        )
        print(f"  in {time.perf_counter() - start:.0f} s")
        ratios = []
        for n in range(args.runs):
            short = ours(fresh, f"LIC-S{n}", f"S{n}")
            long = ours(long_lot, f"LIC-L{n}", f"L{n}")
            ratios.append(long["orders_per_s"] / short["orders_per_s"])
            print(
                f"run {n + 1}: fresh lot {short['orders_per_s']:.0f} orders/s, lot with "
                f"{args.prior:,} prior orders {long['orders_per_s']:.0f} orders/s, ratio "
                f"{ratios[-1]:.2f}",
                flush=True,
            )
        print(f"median ratio over {args.runs} runs: {statistics.median(ratios):.2f}")
    ledger.close()


if __name__ == "__main__":
    main()
