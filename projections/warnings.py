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

from sqlalchemy import Connection, or_, select

from ledger.calendar import local_date
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
from projections.answers import Filters, When
from projections.ecommerce_answers import licence_scope
from projections.ecommerce_queries import licence_card, licences
from projections.lot_answers import LotAnswers
from projections.names import Known
from projections.reports_owed import reports_owed
from projections.visibility import scope_of, within
from projections.warning_facts import warning_id

Row = dict[str, Any]
KINDS = tuple(kind.code for kind in WARNED)


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


def warnings(
    lots: LotAnswers, caller: User, when: When, kind: str | None = None, only: Only | None = None
) -> list[Row]:
    """Every warning standing at the end of ``as_of`` as known at ``known_at`` that the caller
    may see (and, given ``only``, of those subjects), ordered by the day it arose."""
    pack = lots.pack
    if kind is not None and kind not in KINDS:
        raise Known("warning kind", "kind", KINDS).refusal(kind, KINDS)
    with lots.engine.connect() as connection:
        scope = scope_of(connection, caller)
        filters = within(Filters(), scope)
        if only is not None:
            seen = only.warehouses
            if filters.warehouses is not None:
                seen = seen & filters.warehouses
            filters = replace(filters, warehouses=seen)
        found: list[Row] = []
        if filters.warehouses is None or filters.warehouses:
            found += _clocks(lots, filters, when)
            found += _settlements(lots, filters, when)
            found += _facts(connection, scope, when, filters.warehouses if only else None)
            found += _reports(connection, filters, when, pack)
            found += _stopped_in_stock(connection, lots, filters, when)
        if only is None or only.licences:
            found += _licences(connection, caller, when, pack, only)
    if kind is not None:
        found = [w for w in found if w["kind"] == kind]
    return sorted(found, key=lambda w: (w["raised_on"], w["warning_id"]))


def _clocks(lots: LotAnswers, filters: Filters, when: When) -> list[Row]:
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
    for row in lots.settlements(filters, when):
        if row["status"] != SETTLEMENT_OVERDUE.code:
            continue
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
    connection: Connection, scope: Any, when: When, only: frozenset[str] | None = None
) -> list[Row]:
    f = t.warning_facts.c
    query = select(t.warning_facts).where(f.effective_at <= when.end)
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
    elif scope.warehouses is not None:
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
