"""`bonded audit verify` on a large ledger: events verified per second, the database read
included (target >= 250,000 events/s at >= 1,000,000 events).

    python bench/bench_audit.py --database sqlite:////tmp/ledger.db    # a ledger kept by
                                                                     # bench_read.py --database
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", required=True, help="a recorded ledger's URL")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from api.wiring import open_ledger
    from commands.settings import Settings
    from projections.audit_verify import verify

    ledger = open_ledger(Settings(args.database))
    start = time.perf_counter()
    chained = ledger.runner.catch_up()
    if chained:
        seconds = time.perf_counter() - start
        print(f"chained {chained:,} events in {seconds:.1f} s ({chained / seconds:,.0f}/s)")
    table = ledger.service.store.recorder.qualified_name  # type: ignore[attr-defined]
    rates = []
    for run in range(args.runs):
        start = time.perf_counter()
        verdict = verify(ledger.runner.engine, table)
        seconds = time.perf_counter() - start
        rates.append(verdict.count / seconds)
        print(f"run {run + 1}: {verdict} in {seconds:.1f} s = {rates[-1]:,.0f} events/s")
    print(f"median {statistics.median(rates):,.0f} events/s (target >= 250,000)")
    ledger.close()


if __name__ == "__main__":
    main()
