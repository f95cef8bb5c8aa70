"""Dates and times as the warehouse sees them: Vietnam keeps UTC+07:00 all year."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import TypeVar

from dateutil.relativedelta import relativedelta

WAREHOUSE_ZONE = timezone(timedelta(hours=7), "ICT")
CLOCK_TOLERANCE = timedelta(minutes=5)
T = TypeVar("T")

EARLIEST_DAY = date(1990, 1, 1)
LATEST_DAY = date(2199, 12, 31)
MOST_WEST, MOST_EAST = timedelta(hours=-12), timedelta(hours=14)
DAY_RANGE = f"between {EARLIEST_DAY} and {LATEST_DAY}"
"""Every date and time the ledger takes lies in this range (DOMAIN.md §6): far enough on either
side of any bonded warehouse's life, and near enough that a deadline or a day after it never
leaves the calendar's range."""


def within_range(day: date) -> date:
    """``day`` itself, or ``ValueError`` naming the range."""
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValueError(f"{day} is outside the dates the ledger takes: {DAY_RANGE}")
    return day


def parse_day(text: str) -> date:
    """A date ``YYYY-MM-DD`` within the ledger's range; ``ValueError`` naming the rule."""
    try:
        day = date.fromisoformat(text.strip()) if len(text.strip()) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise ValueError(f"{text[:40]!r} is not a date YYYY-MM-DD")
    return within_range(day)


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


def duration_text(delta: timedelta) -> str:
    """A span as an inspector writes it: ``1d 0h00``, ``0h15``."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    return (f"{days}d " if days else "") + f"{hours}h{minutes:02d}"


def parse_moment(text: str, bare_date: Callable[[date], datetime] = start_of_day) -> datetime:
    """An ISO 8601 date-time with its offset, or a bare date (by default 00:00 in the
    warehouse's zone), its date as written within the ledger's range. Raises ``ValueError``
    naming the form expected or the range."""
    text = text.strip()
    if len(text) == 10:
        return bare_date(within_range(_iso(date.fromisoformat, text)))
    moment = _iso(datetime.fromisoformat, text.replace("Z", "+00:00"))
    return within_reach(moment)


def within_reach(moment: datetime) -> datetime:
    """``moment`` itself if it has a real UTC offset (-12:00 to +14:00) and its date, as
    written, lies in the ledger's range; else ``ValueError`` naming the rule."""
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError("a date-time needs its UTC offset, e.g. 2025-03-01T10:00:00+07:00")
    if not MOST_WEST <= offset <= MOST_EAST:
        raise ValueError("a UTC offset lies between -12:00 and +14:00")
    within_range(moment.date())
    return moment


def _iso(parse: Callable[[str], T], text: str) -> T:
    try:
        return parse(text)
    except ValueError:
        raise ValueError("expected a date (YYYY-MM-DD) or an ISO 8601 date-time") from None
