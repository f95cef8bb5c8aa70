"""The periodic reports each warehouse owes (DOMAIN.md §4–§5): from the period in which its
first goods arrived to the one holding ``as_of``, each period's due date, its first
submission known then, and where it stands by the one rule (``ledger.findings``). The
``report_late`` warnings are the periods here that are late or missing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, Select, bindparam, select

from ledger.calendar import local_date
from ledger.findings import ReportStanding, report_standing
from ledger.periods import periods_since
from ledger.rulepacks import RulePack
from projections import tables as t
from projections.answers import Filters, When


@dataclass(frozen=True)
class ReportOwed:
    warehouse_id: str
    period: str
    form: str
    ends_on: date
    due_on: date
    submitted_at: datetime | None
    standing: ReportStanding


def reports_owed(
    connection: Connection, filters: Filters, when: When, pack: RulePack
) -> list[ReportOwed]:
    """Every period's report owed by the warehouses of ``filters`` (a warehouse, a province,
    the caller's scope) at the end of ``as_of`` as known at ``known_at``, by warehouse then
    period: from the period of each one's first goods (the first row of one index range of
    its lot history, however long that is)."""
    r = t.reports.c
    on_day = when.as_of
    if when.known_at is not None:
        on_day = min(on_day, local_date(when.known_at))
    found = []
    for warehouse_id, first in first_goods(connection, filters, when):
        submitted = select(r.period, r.recorded_at).where(r.warehouse_id == warehouse_id)
        first_submitted: dict[str, datetime] = {}
        for period_name, recorded_at in connection.execute(submitted.order_by(r.recorded_at)):
            if local_date(recorded_at) <= on_day:
                first_submitted.setdefault(period_name, recorded_at)
        for period in periods_since(local_date(first), pack.report_period, when.as_of):
            due = period.due_on(pack.report_due_days)
            at = first_submitted.get(period.name)
            found.append(
                ReportOwed(
                    warehouse_id,
                    period.name,
                    pack.report_form,
                    period.ends_on,
                    due,
                    at,
                    report_standing(due, at, on_day),
                )
            )
    return found


def first_goods(connection: Connection, filters: Filters, when: When) -> list[tuple[str, datetime]]:
    """Each warehouse of ``filters`` that had goods by the end of ``as_of`` (as known at
    ``known_at``) and the effective moment its first goods arrived, by warehouse."""
    places = warehouses_named(filters).order_by(t.warehouses.c.warehouse_id)
    h = t.lot_history.c
    first = select(h.effective_at).where(
        h.warehouse_id == bindparam("warehouse"), h.effective_at <= when.end
    )
    if when.known_at is not None:
        first = first.where(h.recorded_at <= when.known_at)
    first = first.order_by(h.effective_at).limit(1)
    found = []
    for warehouse_id in list(connection.execute(places).scalars()):
        arrived = connection.execute(first, {"warehouse": warehouse_id}).scalar()
        if arrived is not None:
            found.append((warehouse_id, arrived))
    return found


def warehouses_named(filters: Filters) -> Select[tuple[str]]:
    """The warehouses a question's filters name (a warehouse, a province), in its scope."""
    w = t.warehouses.c
    query = select(w.warehouse_id)
    if filters.warehouse_id is not None:
        query = query.where(w.warehouse_id == filters.warehouse_id)
    if filters.province is not None:
        query = query.where(w.province == filters.province)
    if filters.warehouses is not None:
        query = query.where(w.warehouse_id.in_(sorted(filters.warehouses)))
    return query
