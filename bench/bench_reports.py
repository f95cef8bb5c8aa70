"""Report and pack generation on the demo (`bonded demo`): the periodic report of each Ho Chi
Minh City warehouse for the last quarter ended, and the annual inspection pack of the province
for this year, each built (folded as known now) and rendered; medians of several runs.

    python bench/bench_reports.py                                   # a scratch SQLite file
    python bench/bench_reports.py --database postgresql+psycopg2://postgres@127.0.0.1/bench
                                   # an empty database (its tables are created and left there)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROVINCE = "Ho Chi Minh City"


def median_ms(runs: int, work: Callable[[], Any]) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def last_quarter(today: date) -> str:
    ended = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1) - timedelta(days=1)
    return f"{ended.year}-Q{(ended.month - 1) // 3 + 1}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", help="an empty database's URL (default: scratch SQLite)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from api import inspections, reports
    from api.demo import WAREHOUSES, apply_demo, demo_commands
    from api.wiring import open_ledger
    from commands.settings import Settings
    from ledger.calendar import WAREHOUSE_ZONE

    url = args.database or f"sqlite:///{tempfile.mkdtemp()}/demo.db"
    ledger = open_ledger(Settings(url))
    today = datetime.now(WAREHOUSE_ZONE).date()
    commands = demo_commands(today)
    start = time.perf_counter()
    refused = [o for o in apply_demo(ledger.service, commands) if o.refused]
    events = ledger.service.store.head()
    print(
        f"demo: {len(commands):,} commands, {events:,} events in "
        f"{time.perf_counter() - start:.1f} s ({len(refused)} refused) on {url.split(':')[0]}"
    )
    store, pack = ledger.service.store, ledger.service.pack
    period = last_quarter(today)
    for warehouse_id, *_, province, _office in WAREHOUSES:
        if province != PROVINCE:
            continue
        built, document = median_ms(
            args.runs, lambda w=warehouse_id: reports.build(store, pack, w, period)
        )
        xlsx, _ = median_ms(args.runs, lambda d=document: reports.as_xlsx(d))
        print(
            f"periodic report {warehouse_id} {period}: {len(document['rows'])} goods items, "
            f"built {built:.0f} ms, XLSX {xlsx:.0f} ms"
        )
    built, document = median_ms(
        args.runs, lambda: inspections.build(store, pack, PROVINCE, today.year, today)
    )
    found = sum(line["findings"] for line in document["summary"])
    xlsx, _ = median_ms(args.runs, lambda: inspections.as_xlsx(document))
    html, _ = median_ms(args.runs, lambda: inspections.as_html(document))
    print(
        f"inspection pack {PROVINCE} {today.year}: {len(document['warehouses'])} warehouses, "
        f"{found} findings; built {built:.0f} ms, XLSX {xlsx:.0f} ms, HTML {html:.0f} ms "
        f"(medians of {args.runs})"
    )
    ledger.close()


if __name__ == "__main__":
    main()
