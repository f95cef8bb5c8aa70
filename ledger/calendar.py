"""Dates and times as the warehouse sees them: Vietnam keeps UTC+07:00 all year."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

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


def add_period(day: date, *, days: int = 0, months: int = 0) -> date:
    """Calendar arithmetic: 12 months on from 29 Feb is 28 Feb, the same day a year on."""
    return day + relativedelta(months=months, days=days)
