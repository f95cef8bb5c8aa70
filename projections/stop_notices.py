"""Stop notices in force (DOMAIN.md §7): a ministry's written notice stops exemptions for the
goods under its HS prefixes from its ``effective_at`` until its resumption's. In force at the
end of ``as_of``, as the ledger knew it at ``known_at``: stopped by then and recorded by then,
and not resumed by then (or its resumption not yet recorded)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, or_, select

from projections import tables as t
from projections.answers import When

Row = dict[str, Any]
s = t.stop_notices.c


def stop_notices_in_force(connection: Connection, when: When) -> list[Row]:
    """One row per notice in force, in the order they came into force."""
    query = select(t.stop_notices).where(s.effective_at <= when.end)
    if when.known_at is None:
        query = query.where(or_(s.resumed_at.is_(None), s.resumed_at > when.end))
    else:
        query = query.where(
            s.recorded_at <= when.known_at,
            or_(
                s.resumed_at.is_(None),
                s.resumed_at > when.end,
                s.resumed_recorded_at > when.known_at,
            ),
        )
    rows = connection.execute(query.order_by(s.effective_at, s.notice_ref))
    return [
        {
            "notice_ref": row.notice_ref,
            "ministry": row.ministry,
            "hs_prefixes": row.hs_prefixes.split(),
            "reason": row.reason,
            "effective_at": row.effective_at.isoformat(),
            "recorded_at": row.recorded_at.isoformat(),
        }
        for row in rows
    ]
