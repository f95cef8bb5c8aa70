"""Read-side figures on a large ledger: rebuild speed and query latencies.

    python bench/bench_read.py                       # >= 1,000,000 events, both backends
    python bench/bench_read.py --events 200000 --backends sqlite --hot-prior 10000

It records a generated province of warehouses through the real service (batched, as
`bonded apply` does), catches the read models up, then measures:
  live catch-up      the read models projected from nothing as a follower would, events/s and
                     its ratio to recording (target >= 1.5); then by --workers processes,
                     each its share of the read models (`projections run --workers`)
  rebuild            `projections rebuild` beside the live read models (blue/green: built in a
                     shadow, swapped in), events/s (target >= 25,000)
  balances/overdue   p50 and p99 latency for one warehouse and for one province, answered
                     from the current-state table (target p99 < 5 ms)
  as of / known at   the same questions on a past day and as known at a moment, answered in
                     SQL from the lot states (target p99 < 20 ms a warehouse, < 150 ms a
                     province), beside the folded reference (every candidate lot's events
                     folded in Python) for comparison
  burst              seconds a new process takes to catch up 10,000 commands (target < 2 s)
  the hot lot        `bench/bench_hot_lot.py` on the same backend, --hot-prior orders on one
                     lot: catch-up long/fresh (target >= 0.8), late orders, a cold first order
"""

from __future__ import annotations

import argparse
import gc
import itertools
import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_write import postgres_answers, postgres_backend, sqlite_backend  # noqa: E402
from bench.generate import generate  # noqa: E402

EVENTS_PER_COMMAND = 1.3  # measured on this generator with close=0.9


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def latency(run: Callable[[], Any], repeats: int) -> tuple[float, float, int]:
    """(p50 ms, p99 ms, rows) over ``repeats`` runs after one warm-up."""
    rows = len(run())
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), percentile(samples, 0.99), rows


@contextmanager
def backend(name: str, kept: str | None = None) -> Iterator[str]:
    if kept:  # a ledger kept between runs: recorded once, measured again
        yield kept
        return
    with sqlite_backend() if name == "sqlite" else postgres_backend() as url:
        yield url


def commands_for(events: int) -> int:
    return int(events / EVENTS_PER_COMMAND) + 1000


def source(commands: int) -> Iterator[dict[str, Any]]:
    return generate(commands, warehouses=200, owners=10, provinces=20, close=0.9)


def record(url: str, events: int) -> tuple[int, float]:
    from api.wiring import open_ledger
    from commands.parsing import parse_command
    from commands.settings import Settings

    ledger = open_ledger(Settings(url))
    start = time.perf_counter()
    outcomes = ledger.service.execute_many(parse_command(c) for c in source(commands_for(events)))
    for done, outcome in enumerate(outcomes, 1):
        if outcome.refused:
            raise SystemExit(f"generated command refused: {outcome.error}")
        if done % 100_000 == 0:
            print(f"  recorded {done:,} commands", flush=True)
    seconds = time.perf_counter() - start
    head = ledger.runner.status().head
    ledger.close()
    return head, seconds


def spans(url: str) -> tuple[date, datetime]:
    """The middle day of the effective moments recorded and the middle recorded moment."""
    from sqlalchemy import create_engine, func, select

    from projections import tables as t

    h = t.lot_history.c
    engine = create_engine(url)
    with engine.connect() as connection:
        first, last, known_first, known_last = connection.execute(
            select(
                func.min(h.effective_at),
                func.max(h.effective_at),
                func.min(h.recorded_at),
                func.max(h.recorded_at),
            )
        ).one()
    engine.dispose()
    return (first + (last - first) / 2).date(), known_first + (known_last - known_first) / 2


def burst_lag(url: str, events: int, burst: int = 10_000) -> tuple[int, float]:
    """Records the next ``burst`` commands of the same generated history, then catches the
    read models up: (events in the burst, seconds from the burst's end to caught up)."""
    from api.wiring import open_ledger
    from commands.parsing import parse_command
    from commands.settings import Settings

    ledger = open_ledger(Settings(url))
    before = ledger.runner.status().head
    recorded = commands_for(events)
    more = itertools.islice(source(recorded + burst), recorded, None)
    for outcome in ledger.service.execute_many(parse_command(c) for c in more):
        if outcome.refused:
            raise SystemExit(f"generated command refused: {outcome.error}")
    start = time.perf_counter()
    ledger.runner.catch_up()
    lag = time.perf_counter() - start
    head = ledger.runner.status().head
    ledger.close()
    return head - before, lag


def _catch_up_share(url: str, names: list[str]) -> None:
    from api.wiring import open_ledger
    from commands.settings import Settings

    ledger = open_ledger(Settings(url))
    ledger.runner.only(names).catch_up()
    ledger.close()


def shared_catch_up(url: str, workers: int) -> tuple[int, float, list[list[str]]]:
    """The read models cleared, then caught up from nothing by ``workers`` processes, each
    its share (``bonded projections run --workers``): events, seconds, the shares."""
    import multiprocessing

    from api.wiring import open_ledger
    from commands.settings import Settings
    from projections.runner import shares

    ledger = open_ledger(Settings(url))
    with ledger.runner.engine.begin() as connection:
        for projection in ledger.runner.projections:
            projection.clear(connection)
    head = ledger.runner.status().head
    split = shares(ledger.runner.projections, workers)
    ledger.close()
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_catch_up_share, args=(url, share)) for share in split]
    start = time.perf_counter()
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    seconds = time.perf_counter() - start
    if any(process.exitcode for process in processes):
        raise SystemExit("a catch-up worker failed")
    return head, seconds, split


def run_backend(name: str, args: argparse.Namespace) -> None:
    from api.wiring import open_ledger
    from commands.settings import Settings
    from projections.answers import Filters, When

    print(f"\n== {name}", flush=True)
    with backend(name, args.database) as url:
        ledger = open_ledger(Settings(url))
        already = ledger.runner.status().head
        ledger.close()
        recording = 0.0
        if already:
            print(f"  {url}: {already:,} events already recorded; measuring the queries only")
        else:
            head, seconds = record(url, args.events)
            recording = head / seconds
            print(f"  recorded {head:,} events in {seconds:.0f} s ({recording:,.0f} events/s)")
        ledger = open_ledger(Settings(url))
        start = time.perf_counter()
        caught = ledger.runner.catch_up()
        if caught:
            rate = caught / (time.perf_counter() - start)
            ratio = f" = {rate / recording:.2f}x recording (target >= 1.5)" if recording else ""
            print(f"  live catch-up: {rate:,.0f} events/s{ratio}")
        if not already:
            start = time.perf_counter()
            applied = ledger.runner.rebuild()
            rebuild = time.perf_counter() - start
            print(
                f"  rebuild: {applied:,} events in {rebuild:.1f} s = "
                f"{applied / rebuild:,.0f} events/s  (target >= 25,000); the swap held the "
                f"lock {ledger.runner.swap_seconds or 0:.1f} s"
            )
        ledger.close()
        if not already and args.workers > 1:
            events, seconds, split = shared_catch_up(url, args.workers)
            rate = events / seconds
            shared = " | ".join(", ".join(share) for share in split)
            print(
                f"  live catch-up by {args.workers} processes ({shared}): "
                f"{rate:,.0f} events/s = {rate / recording:.2f}x recording (target >= 1.5)"
            )
        del ledger  # its caches hold the whole ledger: queries run as in a fresh process
        gc.collect()
        ledger = open_ledger(Settings(url))
        model = ledger.read_model
        effective, recorded = spans(url)
        today = When(datetime.now().date() + timedelta(days=1))
        later = When(date(2026, 12, 31))
        # in the middle of what was recorded, on each axis: the SQL states answer, not the
        # current table, and as known at a moment some states were superseded since
        known = When(date(2026, 12, 31), recorded)
        past = When(effective)
        warehouse, province = Filters(warehouse_id="KNQ-007"), Filters(province="Province 7")

        def settled(filters: Filters, when: When) -> list[dict[str, Any]]:
            return model.settlements(filters, when)

        print(f"  as of {past.as_of} (mid-history), known at {known.known_at}", flush=True)
        questions = [  # (label, question, filters, when, path)
            ("balances, one warehouse", model.balances, warehouse, today, "current table"),
            ("balances, one province", model.balances, province, today, "current table"),
            ("overdue, one warehouse", model.overdue, warehouse, later, "current table"),
            ("overdue, one province", model.overdue, province, later, "current table"),
            ("balances, warehouse, as of", model.balances, warehouse, past, "SQL states"),
            ("balances, warehouse, known-at", model.balances, warehouse, known, "SQL states"),
            ("settlements, warehouse, known-at", settled, warehouse, known, "SQL history"),
            ("overdue, warehouse, known-at", model.overdue, warehouse, known, "SQL states"),
            ("balances, province, as of", model.balances, province, past, "SQL states"),
            ("balances, province, known-at", model.balances, province, known, "SQL states"),
            ("overdue, province, known-at", model.overdue, province, known, "SQL states"),
            ("warehouse, known-at, folded", model.folded_holdings, warehouse, known, "reference"),
            ("province, known-at, folded", model.folded_holdings, province, known, "reference"),
        ]
        for label, question, filters, when, path in questions:
            repeats = max(3, args.repeats // 20) if path == "reference" else args.repeats
            p50, p99, rows = latency(lambda q=question, f=filters, w=when: q(f, w), repeats)
            print(f"  {label:<30} p50 {p50:8.2f} ms  p99 {p99:8.2f} ms  ({rows} rows, {path})")
        ledger.close()
        if already:
            return  # the burst would change a kept ledger
        events, lag = burst_lag(url, args.events)
        print(
            f"  catch-up after a burst of 10,000 commands ({events:,} events): {lag:.2f} s"
            f"  (target < 2 s)"
        )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  peak memory of the bench process: {peak:,.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument(
        "--workers", type=int, default=2, help="processes of the shared catch-up (1 leaves it out)"
    )
    parser.add_argument(
        "--hot-prior",
        type=int,
        default=100_000,
        help="orders on the hot lot (bench_hot_lot) after the province; 0 leaves it out",
    )
    parser.add_argument(
        "--database",
        help="keep the ledger at this URL: recorded on the first run, only queried after",
    )
    args = parser.parse_args()
    for name in args.backends.split(","):
        if name == "postgres" and (problem := postgres_answers()):
            print(f"\n== postgres: skipped ({problem})")
            continue
        run_backend(name, args)
        if args.hot_prior and not args.database:
            from bench import bench_hot_lot

            hot = argparse.Namespace(prior=args.hot_prior, late_hours=24.0, late_events=3000)
            bench_hot_lot.run_backend(name, hot)


if __name__ == "__main__":
    main()
