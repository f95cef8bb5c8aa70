"""Dates and times as the warehouse sees them: Vietnam keeps UTC+07:00 all year."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache

from dateutil.relativedelta import relativedelta

WAREHOUSE_ZONE = timezone(timedelta(hours=7), "ICT")
CLOCK_TOLERANCE = timedelta(minutes=5)


def start_of_day(day: date) -> datetime:
    """A bare date means 00:00 in the warehouse's zone."""
    return datetime.combine(day, time(0, 0), WAREHOUSE_ZONE)


def end_of_day(day: date) -> datetime:
    """The last instant an as-of answer for ``day`` covers."""
    return start_of_day(day + timedelta(days=1)) - timedelta(microseconds=1)


def local_date(moment: datetime) -> date:
    return moment.astimezone(WAREHOUSE_ZONE).date()


@lru_cache(maxsize=65536)  # an answer asks it for each of its lots: the same few days
def add_period(day: date, *, days: int = 0, months: int = 0) -> date:
    """Calendar arithmetic: 12 months on from 29 Feb is 28 Feb, the same day a year on."""
    return day + relativedelta(months=months, days=days)


def parse_moment(text: str, bare_date: Callable[[date], datetime] = start_of_day) -> datetime:
    """An ISO 8601 date-time with its offset, or a bare date (by default 00:00 in the
    warehouse's zone). Raises ``ValueError`` naming the form expected."""
    text = text.strip()
    try:
        if len(text) == 10:
            return bare_date(date.fromisoformat(text))
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("expected a date (YYYY-MM-DD) or an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        raise ValueError("a date-time needs its UTC offset, e.g. 2025-03-01T10:00:00+07:00")
    return moment
