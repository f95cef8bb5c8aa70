"""Reporting periods (55.8c): half-years ``2025-H1`` and quarters ``2025-Q3``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ledger.calendar import DAY_RANGE, EARLIEST_DAY, LATEST_DAY, add_period, local_date

PERIOD_PATTERN = r"(?P<year>\d{4})-(?:H(?P<half>[12])|Q(?P<quarter>[1-4]))"
_PERIOD = re.compile(PERIOD_PATTERN)


@dataclass(frozen=True)
class Period:
    name: str
    starts_on: date
    ends_on: date

    def due_on(self, due_days_after: int) -> date:
        return self.ends_on + timedelta(days=due_days_after)


def submitted_late(recorded_at: datetime, due_on: date) -> bool:
    """The one rule of lateness (DOMAIN.md §5): a report is submitted when it is recorded, and
    late if that is after the end of its due date, warehouse time."""
    return local_date(recorded_at) > due_on


def parse_period(text: str) -> Period:
    """Raises ``ValueError`` naming the two accepted forms."""
    match = _PERIOD.fullmatch(text)
    if match is None:
        raise ValueError(
            f"period {text[:20]!r} must be a half-year (2025-H1) or a quarter (2025-Q3)"
        )
    if not EARLIEST_DAY.year <= int(match["year"]) <= LATEST_DAY.year:
        raise ValueError(f"period {text!r} is outside the dates the ledger takes: {DAY_RANGE}")
    half, quarter = match["half"], match["quarter"]
    months = 6 if half else 3
    first_month = 1 + months * (int(half or quarter) - 1)
    starts = date(int(match["year"]), first_month, 1)
    return Period(text, starts, add_period(starts, months=months) - timedelta(days=1))


def periods_of(year: int, kind: str) -> list[Period]:
    """The year's periods of the pack's ``kind``: four quarters, or two half-years."""
    names = ("Q1", "Q2", "Q3", "Q4") if kind == "quarter" else ("H1", "H2")
    return [parse_period(f"{year}-{name}") for name in names]


def periods_due_in(year: int, kind: str, due_days_after: int) -> list[Period]:
    """The periods of the pack's ``kind`` (``quarter`` or ``half-year``) whose report falls
    due in ``year``: under vn-2015 the last quarter of the year before and the year's first
    three; under vn-2010 the second half of the year before and the first half."""
    found = [*periods_of(year - 1, kind), *periods_of(year, kind)]
    return [p for p in found if p.due_on(due_days_after).year == year]


def periods_since(first: date, kind: str, until: date) -> list[Period]:
    """The periods of ``kind`` from the one holding ``first`` to the one holding ``until``:
    those a warehouse that first held goods on ``first`` owes reports for."""
    last = min(until, LATEST_DAY)
    return [
        period
        for year in range(first.year, last.year + 1)
        for period in periods_of(year, kind)
        if period.ends_on >= first and period.starts_on <= last
    ]
