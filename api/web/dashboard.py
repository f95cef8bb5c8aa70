"""The warehouse dashboard (issue 22): stock per goods item, every lot with its storage clock
(overdue and due soon highlighted), moves in transit, declarations awaiting settlement, the
periodic reports owed and the warnings — each a question asked for the session's user by the
path the API takes, as of a day and as known at a moment given in the URL."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.web.site import given, page, signed_in, to_sign_in
from api.web.tables import Table, table
from ledger.errors import LedgerError

router = APIRouter(include_in_schema=False)
SECTIONS = ("balances", "clocks", "settlements", "reports", "warnings")
AWAITING = ("awaiting_settlement", "settlement_overdue")


@router.get("/")
def dashboard(request: Request) -> Response:
    found = signed_in(request)
    if found is None:
        return to_sign_in()
    user, session = found
    filters = given(request)
    tables: dict[str, Table] = {}
    try:
        for name in SECTIONS:
            try:
                tables[name] = table(request, user, name, filters)
            except LedgerError as refusal:
                if refusal.code != "role_not_allowed":
                    raise  # a question the user's role does not ask is not on its page
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
    if "warnings" in tables and filters.get("warehouse"):  # the question takes no warehouse
        kept = [r for r in tables["warnings"].rows if r["warehouse_id"] == filters["warehouse"]]
        tables["warnings"] = replace(tables["warnings"], rows=kept)
    balances = tables.get("balances")
    settlements = tables.get("settlements")
    return page(
        request,
        "dashboard.html",
        user=user,
        csrf_token=session.csrf_token,
        asked=filters,
        error=None,
        tables=tables,
        goods=goods_items(balances.rows) if balances else [],
        in_transit=[r for r in balances.rows if Decimal(r["in_transit"])] if balances else [],
        awaiting=[r for r in settlements.rows if r["status"] in AWAITING] if settlements else [],
        when=next(iter(tables.values())).when if tables else None,
    )


def goods_items(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stock per goods item in each warehouse: its lots summed."""
    items: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["warehouse_id"], row["hs_code"], row["description"], row["unit"])
        item = items.setdefault(
            key,
            {
                "warehouse_id": key[0],
                "hs_code": key[1],
                "description": key[2],
                "unit": key[3],
                "lots": 0,
                "on_hand": Decimal(0),
                "in_transit": Decimal(0),
            },
        )
        item["lots"] += 1
        item["on_hand"] += Decimal(row["on_hand"])
        item["in_transit"] += Decimal(row["in_transit"])
    return sorted(items.values(), key=lambda i: (i["warehouse_id"], i["hs_code"], i["description"]))
