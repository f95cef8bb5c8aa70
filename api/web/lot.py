"""The lot page (issue 22): a lot's header (goods, declaration, warehouse, owner, balances,
its storage clock's status), its stock card, its storage clock as a timeline, its lineage and
one entry in its context — each from a question asked for the session's user by the path the
API takes (``stock-card``, ``clocks``, ``clock-timeline``, ``lineage``, ``entry``), as of a
day and as known at a moment given in the URL. A lot the user may not see answers 404, as one
that does not exist.

The timeline and the lineage are drawn here from their questions' rows: an inline SVG with a
title, a description and a numbered list of its marks beside it; a nested list of lots."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from math import ceil
from typing import Any
from urllib.parse import quote, urlencode

from babel.dates import format_date
from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.cloud_events import cloud_event
from api.web import language
from api.web.labels import cause_label, event_label, mark_label
from api.web.language import gettext, ngettext
from api.web.site import TEMPLATES, given, page, signed_in, to_sign_in
from api.web.tables import table
from ledger.codes import plain_text
from ledger.errors import Invalid, LedgerError, unknown_lot
from ledger.rulepacks import RulePack, Span
from ledger.users import User

router = APIRouter(include_in_schema=False)
WHEN = ("as_of", "known_at")
CARD_PAGE = 200  # entries of the stock card a page lists (the last ones first shown)
LOT_ID_LIMIT = 100  # as the API's path parameter
WIDTH, HEIGHT, LEFT, RIGHT = 960, 176, 28, 28  # the timeline's drawing, in its own units
AXIS = 118  # the storage period's bar: from AXIS - 8 to AXIS + 8
LANES = (92, 60, 28)  # where the marks sit above the bar, nearest first
ENTRY_MARKS = frozenset(
    {
        "warehoused",
        "split_off",
        "split",
        "transfer",
        "move_dispatched",
        "move_received",
        "extension",
        "hold_placed",
        "hold_released",
        "liquidated",
    }
)

TEMPLATES.env.globals.update(
    event_label=event_label, mark_label=mark_label, cause_label=cause_label
)


def lot_path(lot_id: object) -> str:
    """A lot's page: its id in the path, ``/`` kept (``/lots/TK-100001/1.2``)."""
    return "/lots/" + quote(str(lot_id), safe="/")


TEMPLATES.env.filters["lot_path"] = lot_path


@router.get("/lots/{lot_id:path}")
def lot_page(request: Request, lot_id: str) -> Response:
    found = signed_in(request)
    if found is None:
        return to_sign_in()
    user, session = found
    filters = given(request)
    moment = {k: v for k, v in filters.items() if k in WHEN}
    shared = {"user": user, "csrf_token": session.csrf_token, "asked": filters, "lot_id": lot_id}
    try:
        _plain_lot_id(lot_id)
        card = table(request, user, "stock-card", moment, lot_id=lot_id)
        clocks = table(request, user, "clocks", moment, lot=lot_id)
        marks = table(request, user, "clock-timeline", moment, lot_id=lot_id)
        lineage = table(request, user, "lineage", moment, lot_id=lot_id)
    except LedgerError as refusal:
        status = 404 if refusal.status in (403, 404) else refusal.status
        return page(request, "lot.html", status, **shared, error=refusal.message, card=None)
    entry, entry_error, entry_status = _entry(request, user, moment, lot_id, filters.get("entry"))
    here = next((row for row in lineage.rows if row["lot_id"] == lot_id), None)
    balances = card.rows[-1] if card.rows else None
    clock = clocks.rows[0] if clocks.rows else None
    listed, number, pages = _card_page(card.rows, filters.get("page"))
    return page(
        request,
        "lot.html",
        entry_status,
        **shared,
        error=None,
        when=card.when,
        card=card,
        listed=listed,
        pages=pages,
        page_number=number,
        page_links={n: _with(request, lot_id, page=str(n), entry=None) for n in pages},
        here=here,
        balances=balances,
        clock=clock,
        clock_status=clock["status"] if clock else ("closed" if here else None),
        figure=_figure(marks.rows, card.when.as_of),
        marks=marks,
        numbered=_numbered(marks.rows),
        seen={row["lot_id"] for row in lineage.rows},
        rule=_rule(_pack(request)),
        tree=_tree(lineage.rows),
        lineage=lineage,
        entry=entry,
        entry_error=entry_error,
        entry_links={r["version"]: _with(request, lot_id, entry=str(r["version"])) for r in listed},
        entry_link=lambda version: _with(request, lot_id, entry=str(version), page=None),
        moment_query=_query((k, v) for k, v in moment.items()),
    )


def _plain_lot_id(lot_id: str) -> None:
    """A lot id the API would take; any other is a lot that does not exist (404)."""
    try:
        plain_text(lot_id)
    except ValueError:
        raise unknown_lot(lot_id[:40]) from None
    if not lot_id or len(lot_id) > LOT_ID_LIMIT:
        raise unknown_lot(lot_id[:40])


def _pack(request: Request) -> RulePack:
    pack: RulePack = request.app.state.ledger.read_model.pack
    return pack


def _query(pairs: Any) -> str:
    encoded = urlencode(list(pairs))
    return f"?{encoded}" if encoded else ""


def _with(request: Request, lot_id: str, **changed: str | None) -> str:
    """This lot's page with some of its parameters changed (None: left out)."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in changed and v]
    kept += [(k, v) for k, v in changed.items() if v is not None]
    return lot_path(lot_id) + _query(kept)


# --- the stock card, a page of it at a time ------------------------------------------------


def _card_page(
    rows: list[dict[str, Any]], asked: str | None
) -> tuple[list[dict[str, Any]], int, list[int]]:
    """The entries of the page asked (default: the last, the newest entries), each with the
    way its goods went (``in``, ``out`` or neither), its page's number, and the pages."""
    count = max(1, ceil(len(rows) / CARD_PAGE))
    number = count
    if asked and asked.isdigit() and len(asked) < 8:
        number = min(max(int(asked), 1), count)
    start = (number - 1) * CARD_PAGE
    listed = [{**row, "direction": _direction(row)} for row in rows[start : start + CARD_PAGE]]
    return listed, number, (list(range(1, count + 1)) if count > 1 else [])


def _direction(row: dict[str, Any]) -> str:
    if Decimal(row["quantity_in"]):
        return "in"
    if Decimal(row["quantity_out"]):
        return "out"
    return ""


# --- an entry in its context ----------------------------------------------------------------


def _entry(
    request: Request, user: User, moment: dict[str, str], lot_id: str, asked: str | None
) -> tuple[dict[str, Any] | None, str | None, int]:
    """The entry asked for (``?entry=N``) in its context, or why there is none to show."""
    if not asked:
        return None, None, 200
    try:
        if not (asked.isdigit() and len(asked) < 10 and int(asked) >= 1):
            raise Invalid("invalid_parameter", "entry: a whole number from 1", "entry")
        found = table(request, user, "entry", moment, lot_id=lot_id, version=int(asked))
    except LedgerError as refusal:
        return None, refusal.message, 422 if refusal.status == 422 else 200
    row = dict(found.rows[0])
    row["feed"] = _as_the_feed_shows_it(request, row)
    return row, None, 200


def _as_the_feed_shows_it(request: Request, row: dict[str, Any]) -> str | None:
    """The stored event as ``GET /events`` shows it: a CloudEvent, its fields as JSON."""
    if row["topic"] is None or row["stored"] is None:
        return None
    event = request.app.state.ledger.read_model.decode(row["topic"], row["stored"].encode())
    shown = cloud_event(row["position"] or 0, event)
    if row["position"] is None:
        shown.pop("id")
        shown.pop("position")
    return json.dumps(shown, indent=2, ensure_ascii=False)


# --- the storage clock as a timeline --------------------------------------------------------


@dataclass
class Mark:
    number: int
    x: float
    y: int
    mark: str
    reversed: bool
    title: str


@dataclass
class Figure:
    """What the template draws: positions in the SVG's own units."""

    width: int
    height: int
    axis: int
    ticks: list[tuple[float, str]]
    elapsed: tuple[float, float] | None  # first warehousing → as of (or the deadline)
    remaining: tuple[float, float] | None  # as of → deadline
    overdue: tuple[float, float] | None  # deadline → as of, when past it
    extension: tuple[float, float] | None  # the unextended limit → the extended one
    as_of: tuple[float, str]
    deadline: tuple[float, str] | None
    contract_expiry: tuple[float, str] | None
    marks: list[Mark] = field(default_factory=list)


def _numbered(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The marks as the list beside the figure numbers them: entries only, in date order."""
    return [
        {**row, "number": n}
        for n, row in enumerate((r for r in rows if r["mark"] in ENTRY_MARKS), start=1)
    ]


def _figure(rows: list[dict[str, Any]], as_of: date) -> Figure | None:
    computed = {row["mark"]: date.fromisoformat(row["on"]) for row in rows if row["at"] is None}
    first, due = computed.get("first_warehousing"), computed.get("deadline")
    if first is None or due is None:
        return None
    days = [date.fromisoformat(row["on"]) for row in rows] + [as_of]
    start, end = min(days), max(days)
    pad = max(7, (end - start).days // 30)
    start, end = start - timedelta(days=pad), end + timedelta(days=pad)
    span = max((end - start).days, 1)

    def x(day: date) -> float:
        return round(LEFT + (day - start).days / span * (WIDTH - LEFT - RIGHT), 1)

    now = min(max(as_of, first), max(due, as_of))
    limit, extended = computed.get("storage_limit"), computed.get("extended_limit")
    expiry = computed.get("contract_expiry")
    figure = Figure(
        WIDTH,
        HEIGHT,
        AXIS,
        [(x(day), _month(day)) for day in _ticks(start, end)],
        (x(first), x(min(now, due))) if as_of > first else None,
        (x(now), x(due)) if as_of < due else None,
        (x(due), x(as_of)) if as_of > due else None,
        (x(limit), x(extended)) if limit and extended else None,
        (x(as_of), format_date(as_of, format="medium", locale=language.current())),
        (x(due), format_date(due, format="medium", locale=language.current())),
        (x(expiry), format_date(expiry, "medium", locale=language.current())) if expiry else None,
    )
    last_in_lane: list[float] = [-99.0] * len(LANES)
    for row in _numbered(rows):
        where = x(date.fromisoformat(row["on"]))
        lane = next((n for n, last in enumerate(last_in_lane) if where - last >= 16), None)
        if lane is None:
            lane = min(range(len(LANES)), key=lambda n: last_in_lane[n])
        last_in_lane[lane] = where
        title = f"{row['number']}. {row['on']}: {mark_label(row['mark'])} ({row['lot_id']})"
        if row["reversed"]:
            title += " — " + gettext("reversed")
        figure.marks.append(
            Mark(row["number"], where, LANES[lane], row["mark"], row["reversed"], title)
        )
    return figure


def _ticks(start: date, end: date) -> list[date]:
    months = (end.year - start.year) * 12 + end.month - start.month
    step = max(1, ceil(months / 10))
    step = next(s for s in (1, 2, 3, 6, 12, 24, 60, 120, 1200) if s >= step)
    day = date(start.year, 1, 1)
    found = []
    while day <= end:
        if day >= start:
            found.append(day)
        total = day.month - 1 + step
        day = date(day.year + total // 12, total % 12 + 1, 1)
    return found


def _month(day: date) -> str:
    return format_date(day, format="MMM y", locale=language.current())


def _span(span: Span) -> str:
    if span.months and not span.days:
        return ngettext("%(num)s month", "%(num)s months", span.months) % {"num": span.months}
    if span.days and not span.months:
        return ngettext("%(num)s day", "%(num)s days", span.days) % {"num": span.days}
    months = ngettext("%(num)s month", "%(num)s months", span.months) % {"num": span.months}
    days = ngettext("%(num)s day", "%(num)s days", span.days) % {"num": span.days}
    return f"{months} + {days}"


def _rule(pack: RulePack) -> dict[str, str]:
    """The rule pack's storage rule, in words."""
    counts_from = (
        gettext("the day the declaration of warehousing was registered")
        if pack.first_warehousing_date == "registered_on"
        else gettext("the day the goods arrived in the warehouse")
    )
    times = (
        gettext("once")
        if pack.extensions_allowed == 1
        else ngettext("%(num)s time", "%(num)s times", pack.extensions_allowed)
        % {"num": pack.extensions_allowed}
    )
    return {
        "name": pack.name,
        "title": pack.title,
        "counts_from": counts_from,
        "limit": _span(pack.storage_limit),
        "extension": _span(pack.max_extension),
        "times": times,
        "due_soon_days": str(pack.due_soon_days),
    }


# --- the lineage as a tree --------------------------------------------------------------------


@dataclass
class Node:
    row: dict[str, Any]
    children: list[Node] = field(default_factory=list)


def _tree(rows: list[dict[str, Any]]) -> list[Node]:
    """The lineage's rows (in tree order) as a forest: a lot whose parent is not shown (one
    the user may not see) stands at the top."""
    nodes = {row["lot_id"]: Node(row) for row in rows}
    roots: list[Node] = []
    for row in rows:
        parent = nodes.get(row["parent_lot_id"] or "")
        (parent.children if parent is not None else roots).append(nodes[row["lot_id"]])
    return roots
