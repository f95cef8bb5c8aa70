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

import multiprocessing
import re
import threading
import time
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import CancelledError, Future
from concurrent.futures import TimeoutError as NotYet
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from queue import SimpleQueue
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from api.inspections import Document, as_html, build
from api.inspections import as_xlsx as pack_xlsx
from api.reports import HEADINGS, QUANTITIES, reported_warehouse
from api.reports import as_xlsx as report_xlsx
from api.reports import build as build_report
from api.routes.reports import spreadsheet
from api.web.language import N_, current
from api.web.navigation import Link
from api.web.site import HEADERS, given, now, page, signed_in, to_sign_in
from api.web.tables import Table, table
from ledger.access import authorize_inspection
from ledger.calendar import EARLIEST_DAY, LATEST_DAY, WAREHOUSE_ZONE, local_date
from ledger.errors import Conflict, Invalid, LedgerError
from ledger.inspection import Year
from ledger.report import IN_COLUMNS, OUT_COLUMNS, PeriodicReport
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
KEEP = 8  # packs a process keeps
SETTLED_AFTER = timedelta(minutes=5)  # a known_at this far back sees nothing new recorded
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
MAX_WAREHOUSE, MAX_PERIOD = 64, 20  # as GET /reports/periodic


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
    ledger.catch_up()
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
        try:
            found[name] = table(request, user, name, filters, province=province)
        except LedgerError as refusal:
            if refusal.code != "role_not_allowed":
                raise
    return found


# --- the ranking ----------------------------------------------------------------------------


def ranked(document: Document, asked: dict[str, str]) -> list[dict[str, Any]]:
    """The pack's summary, each warehouse with the dashboard's URL filtered on it."""
    kept = {k: asked[k] for k in ("as_of", "known_at") if asked.get(k)}
    return [
        {**line, "href": "/?" + urlencode({"warehouse": line["warehouse_id"], **kept})}
        for line in document["summary"]
    ]


@dataclass
class Building:
    """An inspection pack asked of this process: built, or being built in its worker."""

    key: tuple[Any, ...]  # province, year, known_at as asked, the day, the log's head
    started: datetime  # the moment it was asked: what "now" meant to it
    future: Future[Document] = field(repr=False)

    @property
    def asked(self) -> tuple[Any, ...]:
        """The province, year and known_at (None: now) it was asked for."""
        return self.key[:3]

    @property
    def moment(self) -> datetime:
        """The moment it is as known at."""
        known_at: datetime | None = self.key[2]
        return known_at or self.started.astimezone(WAREHOUSE_ZONE)

    def wait(self, seconds: float) -> Building | None:
        """This pack, if it is built within ``seconds``; None if not (or it was refused, or
        dropped unbegun)."""
        try:
            self.future.result(timeout=max(seconds, 0.0))
        except (NotYet, CancelledError, LedgerError):
            return None
        return self

    def failure(self) -> str | None:
        """Why the pack was refused (a province with no warehouse as known then), if it was."""
        if not self.future.done() or self.future.cancelled():
            return None
        error = self.future.exception()
        return error.message if isinstance(error, LedgerError) else None

    @property
    def document(self) -> Document:
        return self.future.result()

    @property
    def ready(self) -> bool:
        future = self.future
        return future.done() and not future.cancelled() and future.exception() is None

    @property
    def usable(self) -> bool:
        """Built, or being built."""
        return not self.future.done() or self.ready


Builder = Callable[[Any, str, int, date, "datetime | None"], Document]


def in_this_process(
    ledger: Any, province: str, year: int, today: date, known_at: datetime | None
) -> Document:
    """The pack as ``GET /inspections`` builds it, folded by the calling thread."""
    service = ledger.service
    placed = ledger.read_model.lots_ever_in
    return build(service.store, service.pack, province, year, today, known_at, placed)


def in_another_process(
    ledger: Any, province: str, year: int, today: date, known_at: datetime | None
) -> Document:
    """The pack folded by a process of its own on the same database (the server's other
    core): folding a large province takes seconds of Python, which in a thread of the server
    would hold the interpreter's lock against every page and answer it serves meanwhile
    (a province's page took 1.6-2.9 s while its pack was folded beside it, 0.27 s after)."""
    context = multiprocessing.get_context("spawn")  # never fork a server's threads
    ours, theirs = context.Pipe(duplex=False)
    child = context.Process(
        target=_fold_elsewhere,
        args=(theirs, ledger.settings, province, year, today, known_at),
        name="bonded-pack",
        daemon=True,  # a server stopping stops it
    )
    child.start()
    theirs.close()
    try:
        outcome = ours.recv()
    except EOFError:
        raise RuntimeError(f"the process folding the pack ended ({child.exitcode})") from None
    finally:
        ours.close()
        child.join()
    if outcome[0] == "refused":
        kind, code, message, field_name = outcome[1:]
        raise kind(code, message, field_name)
    if outcome[0] == "failed":
        raise RuntimeError(f"the pack could not be folded: {outcome[1]}")
    document: Document = outcome[1]
    return document


def _fold_elsewhere(
    connection: Any,
    settings: Any,
    province: str,
    year: int,
    today: date,
    known_at: datetime | None,
) -> None:
    """In the pack's own process: the ledger opened on the same database, the pack folded
    and sent back (or why it was refused)."""
    from api.wiring import open_ledger

    try:
        ledger = open_ledger(settings)
        try:
            connection.send(("built", in_this_process(ledger, province, year, today, known_at)))
        finally:
            ledger.close()
    except LedgerError as refusal:
        connection.send(("refused", type(refusal), refusal.code, refusal.message, refusal.field))
    except Exception as error:  # noqa: BLE001 - told to the server, which logs and shows it
        connection.send(("failed", repr(error)))
    finally:
        connection.close()


class Packs:
    """The inspection packs this process asked for lately, by what they were asked for and as
    known when (the log's head, when asked of now), built one at a time by ``builder`` (by
    default in a process of its own) from a worker thread that waits for each."""

    def __init__(self, keep: int = KEEP, builder: Builder = in_another_process) -> None:
        self._lock = threading.Lock()
        self._kept: OrderedDict[tuple[Any, ...], Building] = OrderedDict()
        self._keep = keep
        self._builder = builder
        self._worker = Worker()

    def pack(
        self,
        ledger: Any,
        province: str,
        year: int,
        known_at: datetime | None,
        today: date,
        exact: bool = True,
    ) -> tuple[Building, tuple[Any, ...]]:
        """The pack of ``province`` for ``year`` as ``GET /inspections`` builds it, and the
        key of what is recorded now. ``exact``: of what is recorded now, built if this process
        has none; else one being built of an earlier head will do (at most one in the worker
        for a province, year and known_at while entries keep coming)."""
        asked_at = now()
        settled = known_at is not None and known_at < asked_at - SETTLED_AFTER
        head = None if settled else ledger.service.store.head()
        key = (province, year, known_at, today, head)
        with self._lock:
            found = self._kept.get(key)
            if found is not None and found.usable:
                self._kept.move_to_end(key)
                return found, key
            if not exact:
                for building in reversed(self._kept.values()):
                    if building.asked == key[:3] and not building.future.done():
                        return building, key
            future = self._worker.submit(self._builder, ledger, province, year, today, known_at)
            building = Building(key, asked_at, future)
            self._kept[key] = building
            while len(self._kept) > self._keep:
                _, dropped = self._kept.popitem(last=False)
                dropped.future.cancel()  # not begun yet: never built
            return building, key

    def latest(self, asked: tuple[Any, ...]) -> Building | None:
        """The last pack built of a province, year and known_at, whatever was recorded since
        (shown, with its moment, while another is being built)."""
        with self._lock:
            built = [b for b in self._kept.values() if b.asked == asked and b.ready]
        return max(built, key=lambda b: b.started, default=None)


class Worker:
    """One daemon thread running what it is given in turn: a pack being built does not hold
    up the server's exit, as a ``ThreadPoolExecutor``'s thread would."""

    def __init__(self) -> None:
        self._queue: SimpleQueue[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]]
        self._queue = SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, work: Callable[..., Any], *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        self._queue.put((future, work, args))
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="bonded-pack", daemon=True)
                self._thread.start()
        return future

    def _run(self) -> None:
        while True:
            future, work, args = self._queue.get()
            if not future.set_running_or_notify_cancel():
                continue  # cancelled before it began
            try:
                future.set_result(work(*args))
            except BaseException as error:  # noqa: BLE001 - handed to whoever waits for it
                future.set_exception(error)


_packs_lock = threading.Lock()


def packs_of(request: Request) -> Packs:
    """The application's packs (one set per served ledger)."""
    state = request.app.state
    with _packs_lock:
        packs: Packs | None = getattr(state, "province_packs", None)
        if packs is None:
            packs = state.province_packs = Packs()
        return packs


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


# --- the documents, for the session's user --------------------------------------------------


def refused(request: Request, user: User, csrf_token: str, refusal: LedgerError) -> Response:
    status = 404 if refusal.status in (403, 404) else refusal.status
    return page(
        request,
        "province.html",
        status,
        user=user,
        csrf_token=csrf_token,
        asked=given(request),
        fields=FIELDS,
        error=refusal.message,
        choose=[],
        tables={},
    )


def document_response(request: Request, produce: Callable[[User], Response]) -> Response:
    found = signed_in(request)
    if found is None:
        return to_sign_in()
    user, session = found
    try:
        response = produce(user)
    except LedgerError as refusal:
        return refused(request, user, session.csrf_token, refusal)
    response.headers.update({k: v for k, v in HEADERS.items() if k != "Content-Security-Policy"})
    return response


def pack_document(request: Request, user: User) -> tuple[Document, int]:
    """The pack ``GET /inspections`` answers the user with the same parameters (province and
    year needed, known_at optional)."""
    asked = given(request)
    for name in ("province", "year"):
        if not asked.get(name):
            raise Invalid(f"missing_{name}", f"{name}: needed for an inspection pack", name)
    ledger = request.app.state.ledger
    moment = when_asked(None, asked.get("known_at")).known_at
    today = local_date(moment or ledger.service.clock())
    year = year_asked(asked["year"], today)
    province = inspected_province(request, user, asked["province"])
    for _ in range(3):  # a pack dropped unbegun by newer ones is asked again
        with suppress(CancelledError):
            return packs_of(request).pack(ledger, province, year, moment, today)[0].document, year
    raise Conflict("pack_not_built", "the server is busy building other packs: ask again")


@router.get("/province/pack.xlsx")
def pack_as_xlsx(request: Request) -> Response:
    def produce(user: User) -> Response:
        document, year = pack_document(request, user)
        return spreadsheet(pack_xlsx(document), f"inspection-{year}.xlsx")

    return document_response(request, produce)


@router.get("/province/pack.html")
def pack_as_html(request: Request) -> Response:
    def produce(user: User) -> Response:
        document, year = pack_document(request, user)
        return HTMLResponse(
            as_html(document),
            headers={"Content-Disposition": f'attachment; filename="inspection-{year}.html"'},
        )

    return document_response(request, produce)


def report_document(request: Request, user: User) -> dict[str, Any]:
    """The periodic report ``GET /reports/periodic`` answers the user with the same
    parameters."""
    asked = given(request)
    warehouse, period = asked.get("warehouse", ""), asked.get("period", "")
    if not 0 < len(warehouse) <= MAX_WAREHOUSE:
        raise Invalid("invalid_warehouse", "warehouse: 1 to 64 characters", "warehouse")
    if not 0 < len(period) <= MAX_PERIOD:
        raise Invalid("invalid_period", "period: e.g. 2026-Q3 or 2026-H1", "period")
    when = when_asked(None, asked.get("known_at"))
    ledger = request.app.state.ledger
    ledger.catch_up()
    warehouse = reported_warehouse(ledger.read_model, user, warehouse)
    return build_report(
        ledger.service.store,
        ledger.service.pack,
        warehouse,
        period,
        when.known_at,
        ledger.read_model.lots_ever_in,
    )


@router.get("/province/report.xlsx")
def report_as_xlsx(request: Request) -> Response:
    def produce(user: User) -> Response:
        document = report_document(request, user)
        name = f"report-{document['warehouse_id']}-{document['period']}.xlsx"
        return spreadsheet(report_xlsx(document), name)

    return document_response(request, produce)


@router.get("/province/report.html")
def report_as_html(request: Request) -> Response:
    found = signed_in(request)
    if found is None:
        return to_sign_in()
    user, session = found
    try:
        document = report_document(request, user)
    except LedgerError as refusal:
        return refused(request, user, session.csrf_token, refusal)
    report: PeriodicReport = document["_report"]
    response = page(
        request,
        "province_report.html",
        user=user,
        csrf_token=session.csrf_token,
        report=document,
        headings=report_headings(),
        rows=[report_row(row) for row in report.rows],
        totals=report_totals(report),
        transfers=report.transfers,
        xlsx="/province/report.xlsx?" + request.url.query,
    )
    name = f"report-{document['warehouse_id']}-{document['period']}.html"
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def report_headings() -> list[tuple[str, str, bool]]:
    """The report's columns (key, heading in the page's language, numeric), as the form."""
    english = current() != "vi"
    return [
        (key, names[1] if english else names[0], key in QUANTITIES)
        for key, names in HEADINGS.items()
    ]


def report_row(row: Any) -> dict[str, Any]:
    return {
        "hs_code": row.hs_code,
        "description": row.description,
        "unit": row.unit,
        "opening": row.opening,
        **{c: row.inward[c] for c in IN_COLUMNS},
        **{c: row.outward[c] for c in OUT_COLUMNS},
        "closing": row.closing,
    }


def report_totals(report: PeriodicReport) -> dict[str, Decimal]:
    """Each quantity column summed, as the form's total line."""
    rows = [report_row(row) for row in report.rows]
    return {key: sum((r[key] for r in rows), Decimal(0)) for key in QUANTITIES}
