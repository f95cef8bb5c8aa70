"""The HTTP API against the service in the same run, on SQLite and PostgreSQL.

    python bench/bench_http.py                       # both backends
    python bench/bench_http.py --single 4000 --batch 20000 --backends sqlite

single  8 concurrent clients on loopback (keep-alive), each posting ex_warehouse commands on
        lots of its own through a real `bonded serve`: commands/s, p50 and p99, next to the
        service executing the same kind of commands in-process from 8 threads on a copy of the
        same ledger (target: HTTP >= 0.6x in-process, p99 < 25 ms)
batch   one POST /commands of the whole file as JSON Lines, next to `bonded apply` of the same
        file on a copy of the same ledger (target: >= 0.8x)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_write import postgres_answers, postgres_backend, sqlite_backend  # noqa: E402

CLIENTS = 8
BONDED = str(Path(sys.executable).parent / "bonded")
LOTS = 400  # 8 clients x 50 lots each; every lot takes many small ex-warehousings


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@contextmanager
def backend(name: str) -> Iterator[str]:
    with sqlite_backend() if name == "sqlite" else postgres_backend() as url:
        yield url


def stock(url: str) -> str:
    """A warehouse with LOTS lots of 1,000,000 pieces, and a warehouse owner's token."""
    from api.tokens import new_token
    from api.wiring import open_ledger
    from commands.models import ACCOUNT_COMMANDS
    from commands.parsing import parse_command
    from commands.settings import Settings
    from ledger.intents import AddUser, IssueToken
    from tests.support import WAREHOUSE_OWNER, line, warehousing, world

    ledger = open_ledger(Settings(url))
    declarations = [
        warehousing(f"D{n}", *[line(k, "1000000") for k in range(1, 11)]) for n in range(LOTS // 10)
    ]
    for outcome in ledger.service.execute_many(parse_command(c) for c in [*world(), *declarations]):
        assert not outcome.refused, outcome.error
    ledger.service.execute(
        ACCOUNT_COMMANDS[AddUser].model_validate(
            {"name": "owner", "role": "warehouse_owner", "enterprise": WAREHOUSE_OWNER}
        )
    )
    token, digest = new_token("owner")
    issue = {"name": "owner", "token_hash": digest}
    ledger.service.execute(ACCOUNT_COMMANDS[IssueToken].model_validate(issue))
    ledger.runner.catch_up()
    ledger.close()
    return token


def lot_of(n: int) -> str:
    return f"D{(n % LOTS) // 10}/{n % 10 + 1}"


def order(n: int) -> dict[str, Any]:
    return {
        "command": "ex_warehouse",
        "lot_id": lot_of(n),
        "quantity": "1",
        "effective_at": "2026-03-01T10:00:00+07:00",
        "destination": "abroad",
        "bill_no": f"PX-{n}",
        "export_declaration_no": "XK-1",
        "border_gate": "Cat Lai",
    }


def spread(count: int, work: Callable[[int], float]) -> tuple[float, list[float]]:
    """Runs work(n) for n < count from CLIENTS threads, client c taking its own lots:
    (seconds, latencies in ms)."""
    latencies: list[list[float]] = [[] for _ in range(CLIENTS)]

    def client(c: int) -> None:
        for n in range(c, count, CLIENTS):
            latencies[c].append(work(n))

    threads = [threading.Thread(target=client, args=(c,)) for c in range(CLIENTS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, [ms for per in latencies for ms in per]


def in_process(url: str, count: int) -> float:
    from commands.bootstrap import bootstrap
    from commands.parsing import parse_command
    from commands.settings import Settings

    service = bootstrap(Settings(url))
    commands = [parse_command(order(n)) for n in range(count)]

    def work(n: int) -> float:
        start = time.perf_counter()
        service.execute(commands[n])
        return (time.perf_counter() - start) * 1000

    seconds, _ = spread(count, work)
    service.store.close()
    return count / seconds


WORKERS = ["--workers", "1", "--follow"]


@contextmanager
def serving(url: str) -> Iterator[str]:
    from tests.http.server import serving as serve

    with tempfile.TemporaryDirectory() as folder, serve(url, Path(folder), *WORKERS) as base:
        yield base


def over_http(url: str, token: str, count: int) -> tuple[float, float, float]:
    import httpx

    with serving(url) as base:
        clients = [
            httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60)
            for _ in range(CLIENTS)
        ]

        def work(n: int) -> float:
            body = order(n)
            del body["command"]
            start = time.perf_counter()
            answer = clients[n % CLIENTS].post("/commands/ex_warehouse", json=body)
            elapsed = (time.perf_counter() - start) * 1000
            if answer.status_code != 201:
                raise SystemExit(f"{answer.status_code}: {answer.text}")
            return elapsed

        seconds, latencies = spread(count, work)
        for client in clients:
            client.close()
    return count / seconds, statistics.median(latencies), percentile(latencies, 0.99)


WRK_SCRIPT = """
local thread_count = 0
function setup(thread)
  thread:set("id", thread_count)
  thread_count = thread_count + 1
end
local n = 0
function request()
  n = n + 1
  local k = n * 2 + id + %(offset)d
  local lot = "D" .. (math.floor((k %% %(lots)d) / 10)) .. "/" .. ((k %% 10) + 1)
  local body = '{"lot_id": "' .. lot .. '", "quantity": "1", "effective_at": ' ..
    '"2026-03-01T10:00:00+07:00", "destination": "abroad", "bill_no": "PX-' .. k .. '", ' ..
    '"export_declaration_no": "XK-1", "border_gate": "Cat Lai"}'
  return wrk.format("POST", "/commands/ex_warehouse", {
    ["Authorization"] = "Bearer %(token)s", ["Content-Type"] = "application/json"}, body)
end
"""


def over_wrk(url: str, token: str, seconds: int) -> tuple[float, float, float, str]:
    """wrk (C, two threads, 8 connections) as the load: the client costs the server's
    two cores little. (commands/s, p50 ms, p99 ms, non-2xx answers)."""
    with serving(url) as base, tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "orders.lua"
        script.write_text(WRK_SCRIPT % {"offset": 7, "lots": LOTS, "token": token})
        done = subprocess.run(
            ["wrk", "-t2", f"-c{CLIENTS}", f"-d{seconds}s", "--latency", "-s", str(script), base],
            capture_output=True,
            text=True,
            check=True,
        )
    out = done.stdout
    rate = float(out.split("Requests/sec:")[1].split()[0])
    lines = {line.split()[0]: line.split()[1] for line in out.splitlines() if "%" in line[:8]}
    non_2xx = out.split("Non-2xx or 3xx responses:")[1].split()[0] if "Non-2xx" in out else "0"
    return rate, _ms(lines["50%"]), _ms(lines["99%"]), non_2xx


def _ms(text: str) -> float:
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float(text)


def batch_file(count: int, offset: int) -> bytes:
    return b"".join(json.dumps(order(offset + n)).encode() + b"\n" for n in range(count))


def apply_rate(url: str, path: Path, count: int) -> float:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BONDED_")}
    environment["BONDED_DATABASE_URL"] = url
    start = time.perf_counter()
    done = subprocess.run(
        [BONDED, "apply", str(path)], env=environment, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(done.stderr[-2000:])
    return count / seconds


def batch_rate(url: str, token: str, data: bytes, count: int) -> float:
    import httpx

    with serving(url) as base:
        start = time.perf_counter()
        answer = httpx.post(
            f"{base}/commands",
            content=data,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"},
            timeout=600,
        )
        seconds = time.perf_counter() - start
    outcome = answer.json()
    if answer.status_code != 200 or outcome["applied"] != count:
        raise SystemExit(f"{answer.status_code}: {answer.text[:500]}")
    return count / seconds


def run_backend(name: str, args: argparse.Namespace) -> None:
    print(f"\n== {name}", flush=True)
    single_rates: list[tuple[float, float, float, float]] = []
    batch_rates: list[tuple[float, float]] = []
    for round_ in range(args.rounds):
        with backend(name) as one, backend(name) as other:
            tokens = [stock(one), stock(other)]
            local = in_process(one, args.single)
            if shutil.which("wrk"):
                http, p50, p99, failed = over_wrk(other, tokens[1], args.seconds)
                client = f"wrk, {args.seconds} s, {failed} non-2xx"
            else:
                http, p50, p99 = over_http(other, tokens[1], args.single)
                client = "8 Python clients in the bench process: install wrk for a lighter load"
            single_rates.append((local, http, p50, p99))
            print(
                f"  round {round_ + 1}: single in-process (8 threads) {local:,.0f} commands/s, "
                f"HTTP (8 connections; {client}) {http:,.0f}/s = {http / local:.2f}x, "
                f"p50 {p50:.1f} ms, p99 {p99:.1f} ms",
                flush=True,
            )
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "batch.jsonl"
                data = batch_file(args.batch, args.single)
                path.write_bytes(data)
                applied = apply_rate(one, path, args.batch)
                posted = batch_rate(other, tokens[1], data, args.batch)
            batch_rates.append((applied, posted))
            print(
                f"  round {round_ + 1}: batch of {args.batch:,}: bonded apply {applied:,.0f}/s, "
                f"POST /commands {posted:,.0f}/s = {posted / applied:.2f}x",
                flush=True,
            )
    ratio = statistics.median(h / local for local, h, _, _ in single_rates)
    p99 = statistics.median(p for *_, p in single_rates)
    batch = statistics.median(posted / applied for applied, posted in batch_rates)
    print(
        f"  median of {args.rounds}: single {ratio:.2f}x in-process (target >= 0.6), p99 "
        f"{p99:.1f} ms (target < 25); batch {batch:.2f}x bonded apply (target >= 0.8)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--single", type=int, default=4000)
    parser.add_argument("--batch", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--workers", type=int, default=1, help="bonded serve --workers")
    parser.add_argument("--seconds", type=int, default=10, help="how long wrk loads the API")
    parser.add_argument(
        "--follow",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="the server projects in the background too (the in-process rate does not)",
    )
    args = parser.parse_args()
    WORKERS[1] = str(args.workers)
    WORKERS[2] = "--follow" if args.follow else "--no-follow"
    for name in args.backends.split(","):
        if name == "postgres" and (problem := postgres_answers()):
            print(f"\n== postgres: skipped ({problem})")
            continue
        run_backend(name, args)


if __name__ == "__main__":
    main()
