"""The warehouse dashboard (issue 22): stock per goods item, every lot with its storage clock
(overdue and due soon highlighted), moves in transit, declarations awaiting settlement, the
periodic reports owed and the warnings — each a question asked for the session's user by the
path the API takes, as of a day and as known at a moment given in the URL."""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.web.site import given, page, signed_in, to_sign_in
from api.web.tables import Table, asked_of_role
from ledger.errors import LedgerError

router = APIRouter(include_in_schema=False)
AWAITING = "awaiting_settlement,settlement_overdue"
# Each section: the question it asks, how (the page's filters and these), and whether its rows
# come a page at a time (its name in the URL: ``clocks_after=...``). A section whose question
# the user's role does not ask is not on the page.
SECTIONS: dict[str, tuple[str, dict[str, object], bool]] = {
    "goods": ("stock", {}, False),
    "clocks": ("clocks", {}, True),
    "transit": ("balances", {"in_transit": True}, True),
    "settlements": ("settlements", {"status": AWAITING}, True),
    "reports": ("reports", {}, False),
    "warnings": ("warnings", {}, True),
}


@router.get("/")
def dashboard(request: Request) -> Response:
    found = signed_in(request)
    if found is None:
        return to_sign_in()
    user, session = found
    filters = given(request)
    tables: dict[str, Table] = {}
    try:
        for section, (name, fixed, paged) in SECTIONS.items():
            at = section if paged else None  # the table's place in the URL: ``clocks_after``
            answer = asked_of_role(request, user, name, filters, at, **fixed)
            if answer is not None:  # a question the user's role does not ask is not on its page
                tables[section] = answer
    except LedgerError as refusal:
        status = 404 if refusal.status in (403, 404) else refusal.status
        return page(
            request,
            "dashboard.html",
            status,
            user=user,
            csrf_token=session.csrf_token,
            asked=filters,
            error=refusal,  # told in the page's language
            tables={},
        )
    if "reports" in tables:  # the reports due, late or missing; those on time are history
        shown = [r for r in tables["reports"].rows if r["standing"] != "on_time"]
        tables["reports"] = replace(tables["reports"], rows=shown)
    return page(
        request,
        "dashboard.html",
        user=user,
        csrf_token=session.csrf_token,
        asked=filters,
        error=None,
        tables=tables,
        when=next(iter(tables.values())).when if tables else None,
    )
