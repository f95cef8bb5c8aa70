"""Warnings (DOMAIN.md §8), raised by the read side from what it holds, as of a day and as
known at a moment, limited to what the caller may see.

Each has a stable ``warning_id``: its kind, its subject and the day it arose. The same
question asked later gives the same ids for the same warnings, so a warning pushed once is
recognised when it is seen again (``projections.outbox``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Date, literal, or_, select, tuple_

from ledger.calendar import local_date
from ledger.errors import Invalid
from ledger.findings import (
    DUE_SOON,
    EXEMPTION_STOPPED_IN_STOCK,
    LICENCE_EXPIRING,
    LICENCE_LOW,
    OVERDUE,
    REPORT_LATE,
    SETTLEMENT_OVERDUE,
    WARNED,
    FindingKind,
    due_soon_from,
    licence_expiring_from,
    licence_low,
    overdue_from,
    report_raised,
)
from ledger.licences import LicenceStatus
from ledger.rulepacks import RulePack
from ledger.users import User
from projections import tables as t
from projections.answers import EVERY, Filters, Page, When, no_collection_pauses
from projections.ecommerce_answers import licence_scope
from projections.ecommerce_queries import licence_card, licences
from projections.lot_answers import LotAnswers, holding_goods, in_scope
from projections.names import Known
from projections.reports_owed import reports_owed
from projections.visibility import scope_of, within
from projections.warning_facts import warning_id

Row = dict[str, Any]
KINDS = tuple(kind.code for kind in WARNED)
COMPOSED = (  # the kinds worked out here from the read models; the rest are recorded facts
    OVERDUE,
    DUE_SOON,
    SETTLEMENT_OVERDUE,
    REPORT_LATE,
    EXEMPTION_STOPPED_IN_STOCK,
    LICENCE_LOW,
    LICENCE_EXPIRING,
)
FACT_KINDS = tuple(kind for kind in WARNED if kind not in COMPOSED)


def warning(
    kind: FindingKind,
    subject: str,
    raised_on: date,
    detail: str,
    warehouse_id: str | None = None,
    owner: str | None = None,
) -> Row:
    return {
        "warning_id": warning_id(kind.code, subject, raised_on.isoformat()),
        "kind": kind.code,
        "subject": subject,
        "warehouse_id": warehouse_id,
        "goods_owner_tax_code": owner,
        "raised_on": raised_on.isoformat(),
        "detail": detail,
    }


@dataclass(frozen=True)
class Only:
    """The subjects whose warnings are asked for: those of these warehouses (their lots,
    declarations and reports) and of these licences. What events changed since warnings were
    last made known (``projections.outbox``): no other warning can have arisen meanwhile."""

    warehouses: frozenset[str] = frozenset()
    licences: frozenset[str] = frozenset()


Key = tuple[str, str, str]  # the day it arose (ISO), its kind, its subject: the answer's order
SEPARATOR = "|"


def key_of(row: Row) -> Key:
    """A warning's place in the answer: the day it arose, its kind, its subject."""
    return (row["raised_on"], row["kind"], row["subject"])


def continuation(row: Row) -> str:
    """The ``after`` that continues an answer after this warning."""
    return SEPARATOR.join(key_of(row))


def after_key(text: str | None) -> Key | None:
    """The warning an answer continues after, as its ``after`` names it; refused (422) if it
    is not one ``continuation`` writes."""
    if text is None:
        return None
    parts = text.split(SEPARATOR, 2)
    try:
        if len(parts) != 3:
            raise ValueError
        date.fromisoformat(parts[0])
    except ValueError:
        raise Invalid(
            "invalid_parameter",
            "after: a warning's day, kind and subject as the next link gives them "
            "(2026-06-01|overdue|lot:TK-1/1)",
            "after",
        ) from None
    return (parts[0], parts[1], parts[2])


def warnings(
    lots: LotAnswers,
    caller: User,
    when: When,
    kind: str | None = None,
    only: Only | None = None,
    page: Page = EVERY,
) -> list[Row]:
    """Every warning standing at the end of ``as_of`` as known at ``known_at`` that the caller
    may see (and, given ``only``, of those subjects), ordered by the day it arose, its kind
    and its subject; from the one after ``page.after`` on, at most ``page.size`` of them.

    Each source gives its own first ``page.size`` warnings after that key: the storage clocks
    (as known now) and the recorded facts in SQL, one index range each; the others (their
    subjects few beside the lots: declarations emptied and not settled, reports, licences,
    stop notices) whole, then cut to the key."""
    pack = lots.pack
    if kind is not None and kind not in KINDS:
        raise Known("warning kind", "kind", KINDS).refusal(kind, KINDS)
    after = after_key(page.after)
    size = page.size

    def asked(*kinds: FindingKind) -> bool:
        return kind is None or kind in {k.code for k in kinds}

    with lots.engine.connect() as connection, no_collection_pauses():
        scope = scope_of(connection, caller)
        filters = within(Filters(), scope)
        if only is not None:
            seen = only.warehouses
            if filters.warehouses is not None:
                seen = seen & filters.warehouses
            filters = replace(filters, warehouses=seen)
        found: list[Row] = []
        if filters.warehouses is None or filters.warehouses:
            if asked(OVERDUE, DUE_SOON):
                found += _clocks(connection, lots, filters, when, after, size)
            if asked(SETTLEMENT_OVERDUE):
                found += _settlements(lots, filters, when)
            if asked(*FACT_KINDS):
                places = filters.warehouses if only else None
                found += _facts(connection, scope, when, places, kind, after, size)
            if asked(REPORT_LATE):
                found += _reports(connection, filters, when, pack)
            if asked(EXEMPTION_STOPPED_IN_STOCK):
                found += _stopped_in_stock(connection, lots, filters, when)
        if (only is None or only.licences) and asked(LICENCE_LOW, LICENCE_EXPIRING):
            found += _licences(connection, caller, when, pack, only)
    if kind is not None:
        found = [w for w in found if w["kind"] == kind]
    if after is not None:
        found = [w for w in found if key_of(w) > after]
    return sorted(found, key=key_of)[:size]


def _clocks(
    connection: Connection,
    lots: LotAnswers,
    filters: Filters,
    when: When,
    after: Key | None,
    size: int | None,
) -> list[Row]:
    """Overdue and due soon. As known now, at the end of a day on or after the last one
    entries took effect, in SQL from ``rm_lots``: the lots past their deadline, and those
    within the window before it, each in the order of their deadlines (the day each warning
    arose follows from it) from the key on."""
    if size is None or not lots._is_current(connection, when):
        return _every_clock(lots, filters, when)
    window = timedelta(days=lots.due_soon_days)
    found = []
    for finding, raised, lower, upper in (
        (OVERDUE, timedelta(days=1), None, when.as_of - timedelta(days=1)),
        (DUE_SOON, -window, when.as_of, when.as_of + window),
    ):
        for row in _lots_by_deadline(
            connection, filters, finding, raised, lower, upper, after, size
        ):
            deadline = row.deadline
            if finding is OVERDUE:
                detail = f"past its deadline {deadline} with goods on hand or in transit"
            else:
                left = (deadline - when.as_of).days
                detail = f"deadline {deadline}, {left} day{'' if left == 1 else 's'} left"
            found.append(
                warning(finding, f"lot:{row.lot_id}", deadline + raised, detail, row.warehouse_id)
            )
    return found


def _lots_by_deadline(
    connection: Connection,
    filters: Filters,
    finding: FindingKind,
    raised: timedelta,
    lower: date | None,
    upper: date,
    after: Key | None,
    size: int,
) -> list[Any]:
    """The lots holding goods with a deadline in [lower, upper], in the order of the warnings
    they raise (the day each arose: its deadline + ``raised``; then its subject), the first
    ``size`` after the key."""
    lots = t.lots.c
    lot_id = binary(lots.lot_id, connection)
    query = holding_goods(select(lots.lot_id, lots.warehouse_id, lots.deadline), filters)
    query = query.where(lots.deadline <= upper)
    if lower is not None:
        query = query.where(lots.deadline >= lower)
    if after is not None:
        day = date.fromisoformat(after[0]) - raised  # the deadline of a warning raised then
        if finding.code > after[1]:
            query = query.where(lots.deadline >= day)
        elif finding.code < after[1]:
            query = query.where(lots.deadline > day)
        else:
            subject = _after_subject("lot:", after[2])
            if subject is None:  # every lot's subject follows it
                query = query.where(lots.deadline >= day)
            elif subject is _NONE:  # no lot's subject follows it
                query = query.where(lots.deadline > day)
            else:
                query = query.where(
                    tuple_(lots.deadline, lot_id) > tuple_(literal(day, Date), literal(subject))
                )
    collation = "C" if connection.dialect.name == "postgresql" else None
    query = in_scope(query, filters, ("deadline", "lot_id"), size, collation)
    return list(connection.execute(query))


_NONE = "\x00none"  # a marker: no subject of the prefix follows the one given


def _after_subject(prefix: str, subject: str) -> str | None:
    """Of the subjects ``prefix`` + an id, which follow ``subject``: those whose id follows
    the id returned, every one (None), or none (``_NONE``)."""
    if subject.startswith(prefix):
        return subject[len(prefix) :]
    return None if subject < prefix else _NONE


def binary(column: Any, connection: Connection) -> Any:
    """A text column compared as Python compares strings (by code point): SQLite's default,
    PostgreSQL's "C" collation (its database's may order by language)."""
    return column.collate("C") if connection.dialect.name == "postgresql" else column


def _every_clock(lots: LotAnswers, filters: Filters, when: When) -> list[Row]:
    rows = lots.clocks(filters, when)
    found = []
    for row in rows:
        deadline = date.fromisoformat(row["deadline"])
        if row["status"] == OVERDUE.code:
            kind, raised = OVERDUE, overdue_from(deadline)
            detail = f"past its deadline {deadline} with goods on hand or in transit"
        elif row["status"] == DUE_SOON.code:
            kind, raised = DUE_SOON, due_soon_from(deadline, lots.due_soon_days)
            left = int(row["days_left"])
            detail = f"deadline {deadline}, {left} day{'' if left == 1 else 's'} left"
        else:
            continue
        found.append(warning(kind, f"lot:{row['lot_id']}", raised, detail, row["warehouse_id"]))
    return found


def _settlements(lots: LotAnswers, filters: Filters, when: When) -> list[Row]:
    found = []
    for row in lots.settlements(filters, when, statuses=frozenset({SETTLEMENT_OVERDUE.code})):
        due = date.fromisoformat(row["settlement_due_on"])
        found.append(
            warning(
                SETTLEMENT_OVERDUE,
                f"declaration:{row['declaration_no']}",
                due + timedelta(days=1),
                f"emptied on {row['emptied_on']}, due for settlement by {due}, not settled",
                row["warehouse_id"],
            )
        )
    return found


def _facts(
    connection: Connection,
    scope: Any,
    when: When,
    only: frozenset[str] | None = None,
    kind: str | None = None,
    after: Key | None = None,
    size: int | None = None,
) -> list[Row]:
    """The warnings recorded as facts (late entries, count variances, ...), in the answer's
    order from the key on, the first ``size``: one range of their (raised_on, kind, subject)
    index."""
    f = t.warning_facts.c
    query = select(t.warning_facts).where(f.effective_at <= when.end)
    if kind is not None:
        query = query.where(f.kind == kind)
    order = (f.raised_on, binary(f.kind, connection), binary(f.subject, connection))
    if after is not None:
        query = query.where(
            tuple_(*order)
            > tuple_(literal(date.fromisoformat(after[0]), Date), *map(literal, after[1:]))
        )
    query = query.order_by(*order).limit(size)
    if when.known_at is not None:
        query = query.where(f.recorded_at <= when.known_at)
    p = t.lot_parties.c
    if only is not None:
        places = sorted(only)
        stored = select(p.lot_id).where(p.kind == "warehouse", p.value.in_(places))
        query = query.where(or_(f.lot_id.in_(stored), f.warehouse_id.in_(places)))
    if scope.owner is not None:
        owned = select(p.lot_id).where(p.kind == "owner", p.value == scope.owner)
        query = query.where(or_(f.lot_id.in_(owned), f.goods_owner_tax_code == scope.owner))
    elif scope.warehouses is not None and only is None:  # ``only`` lies within the scope
        places = sorted(scope.warehouses)
        stored = select(p.lot_id).where(p.kind == "warehouse", p.value.in_(places))
        query = query.where(or_(f.lot_id.in_(stored), f.warehouse_id.in_(places)))
    kinds = {kind.code: kind for kind in WARNED}
    return [
        warning(
            kinds[row.kind],
            row.subject,
            row.raised_on,
            row.detail,
            row.warehouse_id,
            row.goods_owner_tax_code,
        )
        for row in connection.execute(query)
    ]


def _reports(connection: Connection, filters: Filters, when: When, pack: RulePack) -> list[Row]:
    """Each period whose report fell due before ``as_of`` (and before the moment it is known
    at) with none submitted on time: missing until one is submitted, then late."""
    found = []
    for owed in reports_owed(connection, filters, when, pack):
        if not report_raised(owed.standing):
            continue
        found.append(
            warning(
                REPORT_LATE,
                f"warehouse:{owed.warehouse_id}",
                overdue_from(owed.due_on),
                f"the {owed.form} report for {owed.period} was due on {owed.due_on} and "
                + (
                    f"was submitted late, on {local_date(owed.submitted_at)}"
                    if owed.submitted_at is not None
                    else "was not submitted by then"
                ),
                owed.warehouse_id,
            )
        )
    return found


def _licences(
    connection: Connection, caller: User, when: When, pack: RulePack, only: Only | None
) -> list[Row]:
    found = []
    for row in licences(connection, when, licence_scope(connection, caller)):
        if row["status"] in (LicenceStatus.REVOKED, LicenceStatus.EXPIRED):
            continue
        if only is not None and row["licence_no"] not in only.licences:
            continue
        subject = f"licence:{row['licence_no']}"
        granted, remaining = Decimal(row["granted"]), Decimal(row["remaining"])
        valid_until = date.fromisoformat(row["valid_until"])
        if licence_low(granted, remaining, pack):
            found.append(
                warning(
                    LICENCE_LOW,
                    f"{subject}/{row['hs_prefix']}",
                    _went_low_on(connection, row, pack, when) or when.as_of,
                    f"{row['remaining']} {row['unit']} of {row['granted']} left, below "
                    f"{pack.licence_low_percent} %",
                    owner=row["goods_owner_tax_code"],
                )
            )
        expiring_from = licence_expiring_from(valid_until, pack)
        if expiring_from <= when.as_of <= valid_until:
            found.append(
                warning(
                    LICENCE_EXPIRING,
                    subject,
                    expiring_from,
                    f"valid until {valid_until}",
                    owner=row["goods_owner_tax_code"],
                )
            )
    return list({w["warning_id"]: w for w in found}.values())


def _went_low_on(connection: Connection, row: Row, pack: RulePack, when: When) -> date | None:
    """The day of the deduction that took the line below the threshold."""
    granted = Decimal(row["granted"])
    for deduction in licence_card(connection, row["licence_no"], when):
        if licence_low(granted, Decimal(deduction["remaining"]), pack):
            return local_date(datetime.fromisoformat(deduction["effective_at"]))
    return None


def _stopped_in_stock(
    connection: Connection, lots: LotAnswers, filters: Filters, when: When
) -> list[Row]:
    """Each lot holding goods a stop notice covers when the notice came into force."""
    s = t.stop_notices.c
    query = select(t.stop_notices).where(s.effective_at <= when.end)
    if when.known_at is not None:
        query = query.where(s.recorded_at <= when.known_at)
    found = []
    for notice in connection.execute(query):
        prefixes = tuple(notice.hs_prefixes.split())
        day = local_date(notice.effective_at)
        for holding in lots.balances(filters, When(day, when.known_at)):
            if holding["hs_code"].startswith(prefixes):
                found.append(
                    warning(
                        EXEMPTION_STOPPED_IN_STOCK,
                        f"lot:{holding['lot_id']}",
                        day,
                        f"notice {notice.notice_ref} of the {notice.ministry} ({notice.reason}) "
                        f"stops exemptions for HS {' '.join(prefixes)} from {day}; the lot holds "
                        f"{holding['on_hand']} {holding['unit']}",
                        holding["warehouse_id"],
                        holding["goods_owner_tax_code"],
                    )
                )
    return found
