"""What every door asks a question with: the two moments, parsed once for the CLI and HTTP."""

from __future__ import annotations

from datetime import date, datetime

from ledger.calendar import WAREHOUSE_ZONE, end_of_day, parse_moment
from ledger.errors import Invalid
from projections.answers import When


def when_asked(as_of: str | None, known_at: str | None) -> When:
    """``as_of`` YYYY-MM-DD (default today in the warehouse's zone); ``known_at`` an ISO 8601
    moment with its offset, or a bare date meaning the end of that day (default now)."""
    try:
        day = date.fromisoformat(as_of) if as_of else datetime.now(WAREHOUSE_ZONE).date()
    except ValueError:
        raise Invalid(
            "invalid_date", f"as_of {as_of!r} is not a date YYYY-MM-DD", "as_of"
        ) from None
    try:
        moment = parse_moment(known_at, bare_date=end_of_day) if known_at else None
    except ValueError as error:
        raise Invalid("invalid_moment", f"known_at {known_at!r}: {error}", "known_at") from None
    return When(day, moment)
