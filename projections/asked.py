"""What every door asks a question with: the moments and days, parsed once for the CLI and
HTTP, each within the ledger's range (DOMAIN.md §6) and refused naming its field."""

from __future__ import annotations

from datetime import date, datetime

from ledger.calendar import WAREHOUSE_ZONE, end_of_day, parse_day, parse_moment
from ledger.errors import Invalid
from projections.answers import When


def when_asked(as_of: str | None, known_at: str | None) -> When:
    """``as_of`` YYYY-MM-DD (default today in the warehouse's zone); ``known_at`` an ISO 8601
    moment with its offset, or a bare date meaning the end of that day (default now)."""
    day = day_asked(as_of, "as_of") or datetime.now(WAREHOUSE_ZONE).date()
    if not known_at:
        return When(day, None)
    try:
        moment = parse_moment(known_at, bare_date=end_of_day)
    except ValueError as error:
        raise Invalid(
            "invalid_moment", f"known_at {known_at[:40]!r}: {error}", "known_at"
        ) from None
    return When(day, moment)


def day_asked(text: str | None, name: str) -> date | None:
    """A question's date parameter ``name`` (``as_of``, ``from``, ``to``), or None if not given."""
    if not text:
        return None
    try:
        return parse_day(text)
    except ValueError as error:
        raise Invalid("invalid_date", f"{name}: {error}", name) from None
