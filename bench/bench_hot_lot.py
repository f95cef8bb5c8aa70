"""A hot e-commerce lot: does the read side keep pace however long the lot grows?

    python bench/bench_hot_lot.py                         # SQLite, 100,000 prior orders
    python bench/bench_hot_lot.py --prior 20000 --backends sqlite,postgres

One lot under one licence (HS 8542 needs a licence), buyers cycling over 5,000 ids, orders of
one piece a second apart, each at its own effective moment, recorded through the service as
`bonded apply` records them. It measures:
  fresh         2,000 orders on a fresh lot, recorded, then caught up (events/s)
  prior         the long lot's prior orders, recorded, then caught up (events/s)
  long          2,000 more orders on the long lot, recorded, then caught up: the ratio of
                its catch-up rate to the fresh lot's (target >= 0.8)
  late          1,000 orders each a day late (--late-hours) on the long lot against 1,000 in
                effective order (write side: orders/s, ratio; target >= 0.5)
  per read model  seconds each projection spent in the last catch-up
  cold          a new process's first order on the long lot (target < 50 ms)
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_write import postgres_answers, postgres_backend, sqlite_backend  # noqa: E402
from ledger.calendar import WAREHOUSE_ZONE  # noqa: E402

START = datetime(2026, 6, 1, 8, 0, tzinfo=WAREHOUSE_ZONE)
FIRST = "2026-05-01T08:00:00+07:00"  # the lots' warehousing


class Timed:
    """Wraps each projection's ``apply`` to add up the seconds it takes."""

    def __init__(self, runner: Any) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        for projection in runner.projections:
            original = projection.apply

            def timed(connection: Any, batch: Any, _o: Any = original, _n: str = projection.name):
                start = time.perf_counter()
                _o(connection, batch)
                self.seconds[_n] += time.perf_counter() - start

            projection.apply = timed

    def take(self) -> dict[str, float]:
        taken = dict(self.seconds)
        self.seconds.clear()
        return taken


def orders(
    tag: str, lot_id: str, count: int, first: datetime, late: timedelta | None = None
) -> Iterator[dict[str, Any]]:
    from tests.support import order

    for n in range(count):
        moment = first + timedelta(seconds=n)
        yield order(
            f"{tag}-{n}",
            "1",
            lot_id=lot_id,
            when=moment.isoformat(),
            buyer=f"buyer-{n % 5000}",
            licence_nos=["LIC-HOT"],
        )


def run_backend(name: str, args: argparse.Namespace) -> None:
    from api.wiring import open_ledger
    from commands.parsing import parse_command
    from commands.settings import Settings
    from tests.support import goods_list, licence, line, warehousing, world

    print(f"\n== {name}", flush=True)
    with sqlite_backend() if name == "sqlite" else postgres_backend() as url:
        ledger = open_ledger(Settings(url))
        timed = Timed(ledger.runner)
        service = ledger.service

        def record(commands: Iterator[dict[str, Any]]) -> tuple[int, float]:
            before = ledger.runner.status().head
            start = time.perf_counter()
            for outcome in service.execute_many(parse_command(c) for c in commands):
                assert not outcome.refused, outcome.error
            seconds = time.perf_counter() - start
            return ledger.runner.status().head - before, seconds

        def catch_up() -> tuple[int, float]:
            start = time.perf_counter()
            read = ledger.runner.catch_up()
            return read, time.perf_counter() - start

        big = str(10 * (args.prior + 10_000))
        record(
            iter(
                [
                    *world(),
                    goods_list("GL-HOT", {"hs_prefix": "8542", "requires": ["licence"]}),
                    licence("LIC-HOT", big, valid_until="2027-12-31"),
                    warehousing("FRESH", line(1, big, hs_code="85423100"), effective_at=FIRST),
                    warehousing("LONG", line(1, big, hs_code="85423100"), effective_at=FIRST),
                ]
            )
        )
        catch_up()
        timed.take()

        def step(label: str, commands: Iterator[dict[str, Any]]) -> float:
            events, recorded = record(commands)
            read, seconds = catch_up()
            rate = read / seconds
            spent = timed.take()
            print(
                f"  {label:<34} {events:>8,} events recorded {events / recorded:8,.0f}/s, "
                f"caught up {rate:8,.0f}/s ({rate * recorded / events:.2f}x recording)",
                flush=True,
            )
            print(
                "      " + ", ".join(f"{k} {v:.2f} s" for k, v in sorted(spent.items())),
                flush=True,
            )
            return rate

        fresh = step("fresh lot, 2,000 orders", orders("F", "FRESH/1", 2000, START))
        step(f"long lot, {args.prior:,} prior orders", orders("P", "LONG/1", args.prior, START))
        after = START + timedelta(seconds=args.prior + 10)
        long = step("long lot, 2,000 more orders", orders("L", "LONG/1", 2000, after))
        print(f"  catch-up ratio long/fresh: {long / fresh:.2f}  (target >= 0.8)")

        later = after + timedelta(seconds=3000)
        _, timely = record(orders("T", "LONG/1", 1000, later))
        before_late = ledger.runner.status().head
        # effective a day (--late-hours) before the orders just recorded: each is checked
        # against every order after it. One late order first: the process builds the lot's
        # timeline once, on its first late entry.
        back = later - timedelta(hours=args.late_hours)
        record(orders("W", "LONG/1", 1, back - timedelta(minutes=30)))
        _, late = record(orders("H", "LONG/1", 1000, back))
        print(
            f"  write side, 1,000 orders: in effective order {1000 / timely:,.0f}/s, each "
            f"{args.late_hours:g} h late {1000 / late:,.0f}/s, ratio {timely / late:.2f}"
            f"  (target >= 0.5)"
        )
        ledger.runner.catch_up(until=before_late)
        timed.take()
        # the late orders' events (3 an order), --late-events of them: the first late entry
        # a process projects on a lot builds the lot's timeline (ledger.timeline) once
        start = time.perf_counter()
        read = ledger.runner.catch_up(until=before_late + args.late_events)
        seconds = time.perf_counter() - start
        print(f"  catch-up of the first {read:,} late events: {read / seconds:,.1f}/s")
        print(
            "      " + ", ".join(f"{k} {v:.2f} s" for k, v in sorted(timed.take().items())),
            flush=True,
        )
        ledger.close()
        cold_start(url)


def cold_start(url: str) -> None:
    """A new process's first order on the long lot: it knows nothing of the lot yet."""
    from api.wiring import open_ledger
    from commands.parsing import parse_command
    from commands.settings import Settings

    ledger = open_ledger(Settings(url))
    (command,) = orders("C", "LONG/1", 1, START + timedelta(days=30))
    start = time.perf_counter()
    (outcome,) = ledger.service.execute_many([parse_command(command)])
    seconds = time.perf_counter() - start
    assert not outcome.refused, outcome.error
    print(
        f"  a cold process's first order on the long lot: {seconds * 1000:,.0f} ms  (target < 50)"
    )
    ledger.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--prior", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite")
    parser.add_argument(
        "--late-events", type=int, default=3000, help="late events caught up for the read side"
    )
    parser.add_argument("--late-hours", type=float, default=24, help="how late the late orders are")
    args = parser.parse_args()
    for name in args.backends.split(","):
        if name == "postgres" and (problem := postgres_answers()):
            print(f"\n== postgres: skipped ({problem})")
            continue
        run_backend(name, args)


if __name__ == "__main__":
    main()
