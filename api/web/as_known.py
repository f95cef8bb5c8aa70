"""What backdated entries changed (issue 22): the same questions as of one day, as known at
two moments, side by side where they differ — a lot that was not there, a balance or a clock
that changed, a warning that arose or went. Each side is asked by the one path the API takes
for the session's user; only the rows that differ are shown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.web.language import N_
from api.web.navigation import Link
from api.web.site import given, page, signed_in, to_sign_in
from api.web.tables import Table, asked_of_role, stretch
from ledger.errors import LedgerError
from ledger.roles import Role

router = APIRouter(include_in_schema=False)
LINK = Link("/as-known", N_("As known then and now"), frozenset(Role) - {Role.OPERATOR})
COMPARED = {  # each question compared, and what names one of its rows
    "balances": ("lot_id",),
    "clocks": ("lot_id",),
    "settlements": ("declaration_no",),
    "warnings": ("warning_id",),
}


@dataclass(frozen=True)
class Difference:
    key: str
    before: dict[str, Any] | None  # None: not there as known at the first moment
    after: dict[str, Any] | None
    changed: frozenset[str]


@dataclass(frozen=True)
class Compared:
    question: str
    then: Table
    now: Table
    differences: list[Difference]  # those shown: tables.PAGE of them at a time
    count: int  # of every difference
    next_href: str | None = None
    first_href: str | None = None


def differences(then: Table, now: Table, key: tuple[str, ...]) -> list[Difference]:
    """The rows of two answers to one question that differ, by the row's key."""

    def keyed(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        return {" ".join(str(row[k]) for k in key): row for row in rows}

    before, after = keyed(then.rows), keyed(now.rows)
    found = []
    for name in sorted(before.keys() | after.keys()):
        a, b = before.get(name), after.get(name)
        if a == b:
            continue
        changed = frozenset(c for c in then.columns if (a or {}).get(c) != (b or {}).get(c))
        found.append(Difference(name, a, b, changed))
    return found


@router.get("/as-known")
def as_known(request: Request) -> Response:
    found = signed_in(request)
    if found is None:
        return to_sign_in()
    user, session = found
    filters = given(request)
    context: dict[str, Any] = {"user": user, "csrf_token": session.csrf_token, "asked": filters}
    if not filters.get("known_at"):
        return page(request, "as_known.html", compared=[], error=None, **context)
    then_filters = {k: v for k, v in filters.items() if k != "against"}
    now_filters = {k: v for k, v in filters.items() if k not in ("known_at", "against")}
    if filters.get("against"):
        now_filters["known_at"] = filters["against"]
    compared = []
    try:
        for name, key in COMPARED.items():
            then = asked_of_role(request, user, name, then_filters)
            now = asked_of_role(request, user, name, now_filters)
            if then is None or now is None:
                continue
            every = differences(then, now, key)
            shown, next_href, first_href = stretch(request, every, f"c-{name}")
            compared.append(Compared(name, then, now, shown, len(every), next_href, first_href))
    except LedgerError as refusal:
        status = 404 if refusal.status in (403, 404) else refusal.status
        return page(request, "as_known.html", status, compared=[], error=refusal.message, **context)
    return page(request, "as_known.html", compared=compared, error=None, **context)
