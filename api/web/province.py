"""The province workbench (issue 22): for a provincial inspector (and an auditor or the admin,
who may produce an inspection pack too), the warehouses of a province ranked by the findings
of its annual inspection pack, the storage age of its lots, its overdue lots and
settlement-overdue declarations, the periodic reports on time, late or missing, and the pack
and the reports to download.

Every number comes from the one path the API takes: the ranking from the pack the API's
``GET /inspections`` builds (``api.inspections.build``), the lists from the questions
``clocks``, ``settlements`` and ``reports`` asked for the session's user (the overdue lots are
the ``clocks`` rows whose status is overdue: what the question ``overdue`` answers, which
filters the same rows, asked once rather than twice for a page that needs both). The
downloads are the API's documents (the same build and the same XLSX / HTML rendering) for a
browser, which holds a session cookie rather than a bearer token.

A pack is folded from the event streams (seconds for a large province), so a process keeps
its last few packs, has one folded by a process of its own (``in_another_process``) and waits
a bounded time for it: the page answers within its budget and says when the ranking is still
being prepared, showing the last one built with the moment it was known at. The storage-age
chart and the count of declarations awaiting settlement count every lot and declaration of the
province, so its clocks and settlements are asked whole (a province at 1.1M events: 8,529 lots,
75 ms; 4,918 declarations, 140 ms) and its lists paged here (``page=``,
``settlements_page=``)."""

from __future__ import annotations

import re
import time
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from api.inspections import Document
from api.web.language import N_
from api.web.navigation import Link
from api.web.packs import packs_of
from api.web.site import given, page, signed_in, to_sign_in
from api.web.tables import Table, asked_of_role
from ledger.access import authorize_inspection
from ledger.calendar import EARLIEST_DAY, LATEST_DAY, local_date
from ledger.errors import Invalid, LedgerError
from ledger.inspection import Year
from ledger.roles import Role
from ledger.users import User
from projections import tables as t
from projections.asked import day_asked, when_asked

router = APIRouter(include_in_schema=False)
LINK = Link(
    "/province",
    N_("Province"),
    frozenset({Role.PROVINCIAL_INSPECTOR, Role.AUDITOR, Role.ADMIN}),  # who may ask a pack
)
PER_PAGE = 100
BUDGET = 0.6  # seconds the page waits, from its start, for the pack being built
AGES: tuple[tuple[int, int | None], ...] = (
    (0, 90),
    (91, 180),
    (181, 270),
    (271, 365),
    (366, None),
)  # days in storage
STANDINGS = ("on_time", "late", "missing", "not_yet_due")
FIELDS = (  # the page's own filters beside as_of and known_at: (name, label, placeholder)
    ("province", N_("Province"), N_("your province")),
    ("year", N_("Year"), N_("this year")),
)
MAX_PROVINCE = 120  # as GET /inspections


# --- the page -------------------------------------------------------------------------------


@router.get("/province")
def workbench(request: Request) -> Response:
    started = time.monotonic()
    found = signed_in(request)
    if found is None:
        return to_sign_in()
    user, session = found
    asked = given(request)
    context: dict[str, Any] = {
        "user": user,
        "csrf_token": session.csrf_token,
        "asked": asked,
        "fields": FIELDS,
        "error": None,
        "choose": [],
    }
    ledger = request.app.state.ledger
    try:
        when = when_asked(None, asked.get("known_at"))  # refused before any work
        day_asked(asked.get("as_of"), "as_of")
        today = local_date(when.known_at or ledger.service.clock())
        year = year_asked(asked.get("year"), today)
        inspected = inspected_year(year, today)
        given_province = asked.get("province") or user.province
        if not given_province:  # an auditor or the admin: which province? (no one else)
            authorize_inspection(user, "")
            context["choose"] = known_provinces(request)
            return page(request, "province.html", **context, tables={})
        province = inspected_province(request, user, given_province)
        packs = packs_of(request)
        building, key = packs.pack(ledger, province, year, when.known_at, today, exact=False)
        filters = {
            "as_of": asked.get("as_of") or inspected.until.isoformat(),
            **({"known_at": asked["known_at"]} if asked.get("known_at") else {}),
        }
        tables = asked_tables(request, user, filters, province)
    except LedgerError as refusal:
        status = 404 if refusal.status in (403, 404) else refusal.status
        context["error"] = refusal.message
        return page(request, "province.html", status, **context, tables={})
    shown = building.wait(BUDGET - (time.monotonic() - started))
    if shown is None and building.failure() is None:
        shown = packs.latest(key[:3])  # the last one built, while this one is
    clocks = tables.get("clocks")
    overdue = (  # the question overdue's answer: its rows are exactly these (lot_answers.py)
        replace(
            clocks, question="overdue", rows=[r for r in clocks.rows if r["status"] == "overdue"]
        )
        if clocks
        else None
    )
    settlements, reports = tables.get("settlements"), tables.get("reports")
    due = [r for r in reports.rows if r["due_on"].startswith(f"{year}-")] if reports else []
    return page(
        request,
        "province.html",
        **context,
        province=province,
        year=year,
        until=inspected.until,
        tables=tables,
        when=next(iter(tables.values())).when if tables else None,
        pack=shown.document if shown else None,
        pack_failed=building.failure(),
        pack_stale=shown is not None and shown.key != key,  # something recorded since
        pack_moment=shown.moment if shown else None,
        ranking=ranked(shown.document, asked) if shown else [],
        ages=storage_ages(clocks.rows) if clocks else None,
        overdue=paged(overdue, asked, "page") if overdue else None,
        settlement_overdue=(
            paged(
                replace(
                    settlements,
                    rows=[r for r in settlements.rows if r["status"] == "settlement_overdue"],
                ),
                asked,
                "settlements_page",
            )
            if settlements
            else None
        ),
        awaiting=sum(1 for r in settlements.rows if r["status"] == "awaiting_settlement")
        if settlements
        else 0,
        standings=standings(due),
        reports_due=[{**row, "query": report_query(row, asked)} for row in due],
        downloads=downloads(province, year, asked.get("known_at")),
    )


def year_asked(text: str | None, today: date) -> int:
    """The calendar year in the URL (default: this one), within the ledger's range."""
    if text and not re.fullmatch(r"[0-9]{4}", text):
        raise Invalid("invalid_year", f"year {text[:20]!r}: a calendar year, e.g. 2026", "year")
    year = int(text) if text else today.year
    if not EARLIEST_DAY.year <= year <= LATEST_DAY.year:
        raise Invalid(
            "invalid_year",
            f"year {year}: from {EARLIEST_DAY.year} to {LATEST_DAY.year}",
            "year",
        )
    return year


def inspected_year(year: int, today: date) -> Year:
    """The year inspected, up to today if it is not over (as ``GET /inspections``)."""
    try:
        return Year.of(year, today)
    except ValueError as error:
        raise Invalid("year_not_begun", str(error), "year") from None


def inspected_province(request: Request, user: User, given_province: str) -> str:
    """The province as recorded, once ``user`` may produce its pack (as ``GET /inspections``
    decides): 403 for another's, 404 for none."""
    if len(given_province) > MAX_PROVINCE:
        raise Invalid("invalid_province", f"a province is at most {MAX_PROVINCE} characters")
    ledger = request.app.state.ledger
    ledger.project()
    return str(ledger.read_model.inspected_province(user, given_province))


def known_provinces(request: Request) -> list[str]:
    """Every province with a registered warehouse (for a user who may inspect any)."""
    w = t.warehouses.c
    with request.app.state.ledger.read_model.engine.connect() as connection:
        found = connection.execute(select(w.province).distinct().order_by(w.province))
        return [str(name) for name in found.scalars()]


def asked_tables(
    request: Request, user: User, filters: dict[str, str], province: str
) -> dict[str, Table]:
    """The province's answers the user's role asks (an admin asks none of them)."""
    found = {}
    for name in ("clocks", "settlements", "reports"):
        answer = asked_of_role(request, user, name, filters, province=province)
        if answer is not None:
            found[name] = answer
    return found


# --- the ranking ----------------------------------------------------------------------------


def ranked(document: Document, asked: dict[str, str]) -> list[dict[str, Any]]:
    """The pack's summary, each warehouse with the dashboard's URL filtered on it."""
    kept = {k: asked[k] for k in ("as_of", "known_at") if asked.get(k)}
    return [
        {**line, "href": "/?" + urlencode({"warehouse": line["warehouse_id"], **kept})}
        for line in document["summary"]
    ]


# --- storage ages, paging, reports ----------------------------------------------------------


@dataclass(frozen=True)
class Age:
    low: int
    high: int | None
    lots: int
    overdue: int
    due_soon: int
    width: float  # the bar's share of the longest, 0..1


def storage_ages(rows: Iterable[dict[str, Any]]) -> list[Age]:
    """The lots holding goods (not closed) by days in storage, in the buckets of ``AGES``."""
    highs = [high for _, high in AGES if high is not None]
    counts = [[0, 0, 0] for _ in AGES]  # lots, of which overdue, of which due soon
    status_column = {"overdue": 1, "due_soon": 2}
    for row in rows:
        status = row["status"]
        if status == "closed":
            continue
        found = counts[bisect_left(highs, row["days_in_storage"])]
        found[0] += 1
        if status in status_column:
            found[status_column[status]] += 1
    most = max(c[0] for c in counts) or 1
    return [
        Age(low, high, lots, overdue, due_soon, lots / most)
        for (low, high), (lots, overdue, due_soon) in zip(AGES, counts, strict=True)
    ]


@dataclass(frozen=True)
class Paged:
    table: Table  # the page's rows only
    number: int
    pages: int
    total: int
    first: int  # the first row's position, from 1
    previous: str | None  # the URL of the page before, after
    next: str | None


def paged(answer: Table, asked: dict[str, str], name: str, per: int = PER_PAGE) -> Paged:
    """One page of an answer's rows (``name`` in the URL says which, from 1)."""
    total = len(answer.rows)
    pages = max(1, -(-total // per))
    text = asked.get(name, "")
    number = min(int(text), pages) if text.isascii() and text.isdigit() and len(text) < 10 else 1
    number = max(number, 1)
    start = (number - 1) * per

    def to(n: int) -> str:
        kept = [(k, v) for k, v in asked.items() if k != name]
        return "/province?" + urlencode([*kept, (name, str(n))])

    return Paged(
        replace(answer, rows=answer.rows[start : start + per]),
        number,
        pages,
        total,
        start + 1,
        to(number - 1) if number > 1 else None,
        to(number + 1) if number < pages else None,
    )


def standings(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per warehouse, how many of its reports due in the year stand on time, late, missing,
    or not yet due."""
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        line = found.setdefault(
            row["warehouse_id"],
            {"warehouse_id": row["warehouse_id"], **dict.fromkeys(STANDINGS, 0)},
        )
        line[row["standing"]] += 1
    return [found[w] for w in sorted(found)]


def report_query(row: dict[str, Any], asked: dict[str, str]) -> str:
    """The query of a periodic report's download, as known when the page is."""
    known = {"known_at": asked["known_at"]} if asked.get("known_at") else {}
    return urlencode({"warehouse": row["warehouse_id"], "period": row["period"], **known})


def downloads(province: str, year: int, known_at: str | None) -> dict[str, str]:
    asked = {
        "province": province,
        "year": str(year),
        **({"known_at": known_at} if known_at else {}),
    }
    query = urlencode(asked)
    return {"xlsx": f"/province/pack.xlsx?{query}", "html": f"/province/pack.html?{query}"}
