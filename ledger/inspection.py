"""The annual inspection pack (Art. 55.8e; DOMAIN.md §5): for a province and a calendar year,
per warehouse, the stock at the year's end and every finding, each naming the events it rests
on, so that an inspector can follow it to the stock card; a summary ranks the warehouses by
their findings.

Everything is folded from the recorded streams (``ledger.recorded.Streams``) by the ledger's
own folds (``Lot.replay``, the clock, the settlement rules, the periodic report), so the pack
as known at a moment is exactly what the ledger said then. A year not yet over is inspected up
to the day asked (``Year.until``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from ledger.calendar import duration_text, end_of_day, local_date
from ledger.clock import deadline
from ledger.events import (
    DeclarationEvent,
    EntryReversed,
    Event,
    LotCreation,
    LotEvent,
    ReportSubmitted,
    SettlementExtended,
    StockCounted,
    StorageExtended,
)
from ledger.findings import (
    COUNT_VARIANCE,
    HOLD,
    LATE_ENTRY,
    OVERDUE,
    REPORT_LATE,
    REVERSAL,
    SETTLEMENT_OVERDUE,
    ReportStanding,
    count_variances,
    late_entry,
    overdue_from,
    report_raised,
    report_standing,
)
from ledger.lot import Entry, Lot
from ledger.numbers import decimal_text
from ledger.periods import Period, periods_due_in
from ledger.recorded import Streams
from ledger.registry import Declaration, RentContract, Warehouse
from ledger.report import ReportRow, first_held, periodic_report
from ledger.rulepacks import RulePack
from ledger.settlement import emptied_at, settlement_due_on, settlement_status
from ledger.streams import declaration_stream, lot_stream, warehouse_stream


@dataclass(frozen=True)
class Year:
    """The calendar year inspected, up to ``until``: its last day, or the day asked if the
    year is not over."""

    year: int
    until: date

    @staticmethod
    def of(year: int, today: date) -> Year:
        if today < date(year, 1, 1):
            raise ValueError(f"year {year} has not begun (today is {today.isoformat()})")
        return Year(year, min(date(year, 12, 31), today))

    @property
    def starts_on(self) -> date:
        return date(self.year, 1, 1)

    def holds(self, moment: datetime) -> bool:
        return self.starts_on <= local_date(moment) <= self.until


@dataclass(frozen=True)
class EventRef:
    """An event a finding rests on: its stream and version (for a lot, the stock card's)."""

    stream: str
    version: int
    event: str
    effective_at: datetime
    recorded_at: datetime


@dataclass(frozen=True)
class Finding:
    kind: str
    subject: str  # the lot, declaration or period it is about
    summary: str
    details: Mapping[str, str | None]
    evidence: tuple[EventRef, ...]


@dataclass(frozen=True)
class ReportDue:
    period: str
    due_on: date
    submitted_on: date | None
    status: ReportStanding


@dataclass
class WarehouseInspection:
    warehouse: Warehouse
    stock: list[ReportRow]  # goods items on hand at the end, with their closing
    reports: list[ReportDue]
    findings: list[Finding] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for f in self.findings if f.kind == kind)


def rank(inspections: Sequence[WarehouseInspection]) -> list[WarehouseInspection]:
    """Most findings first; a tie goes by warehouse id."""
    return sorted(inspections, key=lambda w: (-len(w.findings), w.warehouse.warehouse_id))


def inspect_warehouse(
    streams: Streams, warehouse: Warehouse, year: Year, pack: RulePack
) -> WarehouseInspection:
    """Every finding of DOMAIN.md §5 for one warehouse over the year, as ``streams`` know it."""
    warehouse_id = warehouse.warehouse_id
    lots = streams.lots_ever_in(warehouse_id)
    own_events = streams.events(warehouse_stream(warehouse_id))
    contract_nos = {
        facts.contract_no
        for lot in lots
        for _, facts in lot.replay()
        if facts.contract_no is not None
    }
    contracts = {no: c for no in sorted(contract_nos) if (c := streams.contract(no)) is not None}
    declarations = _declarations(streams, lots, warehouse_id)
    stock = periodic_report(lots, warehouse_id, Period(str(year.year), year.starts_on, year.until))
    reports = _reports_due(own_events, first_held(lots, warehouse_id), year, pack)
    inspection = WarehouseInspection(warehouse, [row for row in stock.rows if row.closing], reports)
    inspection.findings = [
        *(f for lot in lots for f in _overdue(lot, warehouse_id, contracts, year, pack)),
        *(f for d in declarations for f in _settlement_overdue(d, year, pack)),
        *(f for lot in lots for f in _holds(lot, warehouse_id, year)),
        *_late_entries(lots, own_events, declarations, streams, warehouse_id, year, pack),
        *(f for lot in lots for f in _reversals(lot, warehouse_id, year)),
        *_count_differences(own_events, warehouse_id, year),
        *_reports_findings(reports, warehouse_id),
    ]
    return inspection


# --- lots overdue ---------------------------------------------------------------------------


def _overdue(
    lot: Lot,
    warehouse_id: str,
    contracts: Mapping[str, RentContract],
    year: Year,
    pack: RulePack,
) -> Iterator[Finding]:
    """A lot is overdue on a day when it holds goods at its end past its deadline then; its
    days in the warehouse are walked piece by piece (each entry's facts hold until the next,
    a contract extension taking effect splits a piece)."""
    steps = [(entry, facts.copy()) for entry, facts in lot.replay()]
    first: tuple[date, date, Entry] | None = None
    days = 0
    for index, (entry, facts) in enumerate(steps):
        if facts.warehouse_id != warehouse_id or facts.balance <= 0:
            continue
        begins = max(local_date(entry.event.effective_at), year.starts_on)
        following = steps[index + 1][0].event.effective_at if index + 1 < len(steps) else None
        ends = year.until
        if following is not None:
            ends = min(ends, local_date(following) - timedelta(days=1))
        contract = contracts.get(facts.contract_no) if facts.contract_no else None
        for start, stop in _split_by_extensions(begins, ends, contract):
            due = deadline(facts, pack, contract, end_of_day(stop))
            overdue_on = max(start, overdue_from(due))
            if overdue_on > stop:
                continue
            days += (stop - overdue_on).days + 1
            if first is None:
                first = (overdue_on, due, entry)
    if first is None:
        return
    first_day, first_deadline, entry = first
    end = end_of_day(year.until)
    at_end = lot.facts_at(end)
    still = (
        at_end is not None
        and at_end.warehouse_id == warehouse_id
        and at_end.balance > 0
        and year.until
        >= overdue_from(deadline(at_end, pack, contracts.get(at_end.contract_no or ""), end))
    )
    rests_on = _unique(
        [
            steps[0][0],
            *(e for e, _ in steps if isinstance(e.event, StorageExtended)),
            entry,
        ]
    )
    yield Finding(
        OVERDUE.code,
        lot.lot_id,
        f"lot {lot.lot_id} overdue from {first_day.isoformat()} (deadline "
        f"{first_deadline.isoformat()}), {days} days in the year"
        + (f"; still overdue on {year.until.isoformat()}" if still else ""),
        {
            "declaration_no": steps[0][1].declaration_no,
            "deadline": first_deadline.isoformat(),
            "overdue_from": first_day.isoformat(),
            "days_overdue": str(days),
            "still_overdue_at_end": "yes" if still else "no",
            "balance_at_end": decimal_text(at_end.balance) if still and at_end else None,
        },
        tuple(_lot_ref(lot.lot_id, e) for e in rests_on),
    )


def _split_by_extensions(
    start: date, stop: date, contract: RentContract | None
) -> Iterator[tuple[date, date]]:
    """[start, stop] cut where an extension of the contract takes effect."""
    if start > stop:
        return
    moments = contract.extensions if contract is not None else ()
    cuts = sorted({day for at, _ in moments if start < (day := local_date(at)) <= stop})
    for cut in cuts:
        yield start, cut - timedelta(days=1)
        start = cut
    yield start, stop


# --- declarations overdue for settlement ----------------------------------------------------


@dataclass(frozen=True)
class _DeclarationFile:
    declaration: Declaration
    events: Sequence[Event]
    lots: Sequence[Lot]


def _declarations(
    streams: Streams, lots: Sequence[Lot], warehouse_id: str
) -> list[_DeclarationFile]:
    """The declarations whose goods were warehoused here, with every lot split off them."""
    numbers = sorted(
        {
            entry.event.declaration_no
            for lot in lots
            for entry in lot.entries[:1]
            if isinstance(entry.event, LotCreation)
        }
    )
    found = []
    for number in numbers:
        events = streams.events(declaration_stream(number))
        declaration = Declaration.from_events(events)
        if declaration is None or declaration.warehouse_id != warehouse_id:
            continue
        found.append(_DeclarationFile(declaration, events, streams.lot_tree(declaration.lot_ids)))
    return found


def _settlement_overdue(file: _DeclarationFile, year: Year, pack: RulePack) -> Iterator[Finding]:
    """Overdue for settlement on a day when it emptied, was not settled by then, and the day
    is past its settlement deadline as extended by then (55.8d)."""
    emptied = emptied_at(file.lots)
    if emptied is None:
        return
    extensions = [e for e in file.events if isinstance(e, SettlementExtended)]
    day = max(year.starts_on, local_date(emptied))
    first: date | None = None
    days = 0
    while day <= year.until:
        granted = [e for e in extensions if e.effective_at <= end_of_day(day)]
        as_then = replace(
            file.declaration,
            settlement_extension_days=sum(e.days for e in granted),
            settlement_extensions=len(granted),
        )
        if settlement_status(as_then, emptied, day, pack) == "settlement_overdue":
            first = first or day
            days += 1
        day += timedelta(days=1)
    if first is None:
        return
    declaration = file.declaration
    settled = local_date(declaration.settled_at) if declaration.settled_at else None
    emptying = [
        _lot_ref(lot.lot_id, entry)
        for lot in file.lots
        for entry in lot.active
        if entry.event.effective_at == emptied and any(p.total for p in entry.event.postings())
    ]
    yield Finding(
        SETTLEMENT_OVERDUE.code,
        declaration.declaration_no,
        f"declaration {declaration.declaration_no} emptied {local_date(emptied).isoformat()}, "
        f"overdue for settlement from {first.isoformat()}, {days} days in the year"
        + (f"; settled {settled.isoformat()}" if settled else "; not settled"),
        {
            "emptied_on": local_date(emptied).isoformat(),
            "settlement_due_on": settlement_due_on(declaration, emptied, pack).isoformat(),
            "overdue_from": first.isoformat(),
            "days_overdue": str(days),
            "settled_on": settled.isoformat() if settled else None,
        },
        (
            *(
                _stream_ref(declaration_stream(declaration.declaration_no), v, e)
                for v, e in _numbered(file.events)
                if isinstance(e, DeclarationEvent)
            ),
            *emptying,
        ),
    )


# --- holds, late entries, reversals ---------------------------------------------------------


def _holds(lot: Lot, warehouse_id: str, year: Year) -> Iterator[Finding]:
    """Each hold on the lot here (placed by customs, or by a broken seal) placed or released
    in the year, with the entries that placed and released it."""
    placed: Entry | None = None
    reason = ""
    for entry, facts in lot.replay():
        if facts.hold is not None and placed is None:
            placed, reason = entry, facts.hold.description
        elif facts.hold is None and placed is not None:
            if facts.warehouse_id == warehouse_id:
                yield from _hold_finding(lot, placed, entry, reason, year)
            placed = None
    if placed is not None:
        current = lot.current()
        if current is not None and current.warehouse_id == warehouse_id:
            yield from _hold_finding(lot, placed, None, reason, year)


def _hold_finding(
    lot: Lot, placed: Entry, released: Entry | None, reason: str, year: Year
) -> Iterator[Finding]:
    on = local_date(placed.event.effective_at)
    off = local_date(released.event.effective_at) if released else None
    if on > year.until or (off is not None and off < year.starts_on):
        return  # neither placed, released nor in force in the year
    yield Finding(
        HOLD.code,
        lot.lot_id,
        f"lot {lot.lot_id} held from {on.isoformat()} ({reason})"
        + (f", released {off.isoformat()}" if off else ", still held"),
        {
            "placed_on": on.isoformat(),
            "released_on": off.isoformat() if off else None,
            "reason": reason,
        },
        tuple(_lot_ref(lot.lot_id, e) for e in (placed, released) if e is not None),
    )


def _late_entries(
    lots: Sequence[Lot],
    own_events: Sequence[Event],
    declarations: Sequence[_DeclarationFile],
    streams: Streams,
    warehouse_id: str,
    year: Year,
    pack: RulePack,
) -> Iterator[Finding]:
    """Every entry about the warehouse that took effect in the year and reached the ledger
    later than the pack allows (DOMAIN.md §4): its lots' movements while here, its own
    counts and reports, its declarations' settlements."""
    candidates: list[tuple[str, int, Event]] = []
    for lot in lots:
        where_before: str | None = None
        for entry, facts in lot.replay():
            where = where_before or facts.warehouse_id
            where_before = facts.warehouse_id
            if where == warehouse_id:
                candidates.append((lot_stream(lot.lot_id), entry.version, entry.event))
    candidates += [(warehouse_stream(warehouse_id), v, e) for v, e in _numbered(own_events)]
    for file in declarations:
        number = file.declaration.declaration_no
        candidates += [(declaration_stream(number), v, e) for v, e in _numbered(file.events)]
    for stream, version, event in sorted(candidates, key=lambda c: (c[2].effective_at, c[0])):
        lateness = late_entry(event, pack) if year.holds(event.effective_at) else None
        if lateness is None:
            continue
        subject = event.lot_id if isinstance(event, LotEvent) else stream.split(":", 1)[1]
        yield Finding(
            LATE_ENTRY.code,
            subject,
            f"{type(event).__name__} of {subject} {lateness}",
            {
                "event": type(event).__name__,
                "effective_at": event.effective_at.isoformat(),
                "recorded_at": event.recorded_at.isoformat(),
                "delay": duration_text(lateness.delay),
                "allowed": duration_text(lateness.allowed),
                "actor": event.actor,
            },
            (_stream_ref(stream, version, event),),
        )


def _reversals(lot: Lot, warehouse_id: str, year: Year) -> Iterator[Finding]:
    """Each entry of the lot here cancelled by a reversal recorded in the year: what, when,
    by whom, why."""
    for entry in lot.entries:
        reversal = entry.event
        if not isinstance(reversal, EntryReversed) or not year.holds(reversal.recorded_at):
            continue
        cancelled = lot.entry(reversal.reversed_version)
        if cancelled is None:
            continue
        facts = lot.facts_at(cancelled.event.effective_at)
        where = (
            facts.warehouse_id
            if facts is not None
            else next((w for _, w in cancelled.event.placements()), None)
        )
        if where != warehouse_id:
            continue
        yield Finding(
            REVERSAL.code,
            lot.lot_id,
            f"{cancelled.kind} (version {cancelled.version}) of lot {lot.lot_id} reversed by "
            f"{reversal.actor} on {local_date(reversal.recorded_at).isoformat()}: "
            f"{reversal.reason}",
            {
                "reversed_version": str(cancelled.version),
                "reversed_event": cancelled.kind,
                "reversed_effective_at": cancelled.event.effective_at.isoformat(),
                "reversed_at": reversal.recorded_at.isoformat(),
                "by": reversal.actor,
                "reason": reversal.reason,
            },
            (_lot_ref(lot.lot_id, entry), _lot_ref(lot.lot_id, cancelled)),
        )


# --- stock counts and reports ---------------------------------------------------------------


def _count_differences(
    own_events: Sequence[Event], warehouse_id: str, year: Year
) -> Iterator[Finding]:
    for version, event in _numbered(own_events):
        if not isinstance(event, StockCounted) or not year.holds(event.effective_at):
            continue
        for count in count_variances(event.counts):
            yield Finding(
                COUNT_VARIANCE.code,
                count.lot_id,
                f"lot {count.lot_id} counted {decimal_text(count.counted_quantity)} on "
                f"{local_date(event.effective_at).isoformat()} against "
                f"{decimal_text(count.book_quantity)} on the books "
                f"({decimal_text(count.difference)})",
                {
                    "counted_on": local_date(event.effective_at).isoformat(),
                    "book_quantity": decimal_text(count.book_quantity),
                    "counted_quantity": decimal_text(count.counted_quantity),
                    "difference": decimal_text(count.difference),
                },
                (_stream_ref(warehouse_stream(warehouse_id), version, event),),
            )


def _reports_due(
    own_events: Sequence[Event], held: datetime | None, year: Year, pack: RulePack
) -> list[ReportDue]:
    """The periodic reports falling due in the year for periods from the one in which the
    warehouse first held goods (``held``): submitted on time, late (both by the first
    submission's recording), missing, or not yet due on the last day inspected."""
    if held is None:
        return []
    submitted: dict[str, ReportSubmitted] = {}
    for event in own_events:
        if isinstance(event, ReportSubmitted) and local_date(event.recorded_at) <= year.until:
            submitted.setdefault(event.period, event)
    found = []
    for period in periods_due_in(year.year, pack.report_period, pack.report_due_days):
        if period.ends_on < local_date(held):
            continue
        due = period.due_on(pack.report_due_days)
        report = submitted.get(period.name)
        on = local_date(report.recorded_at) if report else None
        standing = report_standing(due, report.recorded_at if report else None, year.until)
        found.append(ReportDue(period.name, due, on, standing))
    return found


def _reports_findings(reports: Sequence[ReportDue], warehouse_id: str) -> Iterator[Finding]:
    for report in reports:
        if not report_raised(report.status):
            continue
        yield Finding(
            REPORT_LATE.code,
            report.period,
            f"report for {report.period} due {report.due_on.isoformat()}: "
            + (
                f"submitted late, on {report.submitted_on.isoformat()}"
                if report.submitted_on
                else "missing, not submitted"
            ),
            {
                "standing": report.status.value,
                "due_on": report.due_on.isoformat(),
                "submitted_on": report.submitted_on.isoformat() if report.submitted_on else None,
            },
            (),
        )


# --- references -----------------------------------------------------------------------------


def _numbered(events: Sequence[Event]) -> Iterator[tuple[int, Event]]:
    return enumerate(events, 1)


def _lot_ref(lot_id: str, entry: Entry) -> EventRef:
    event = entry.event
    return EventRef(
        lot_stream(lot_id), entry.version, entry.kind, event.effective_at, event.recorded_at
    )


def _stream_ref(stream: str, version: int, event: Event) -> EventRef:
    return EventRef(stream, version, type(event).__name__, event.effective_at, event.recorded_at)


def _unique(entries: Sequence[Entry]) -> list[Entry]:
    seen: dict[int, Entry] = {}
    for entry in entries:
        seen.setdefault(entry.version, entry)
    return sorted(seen.values(), key=lambda e: e.version)
