"""The questions of DOMAIN.md §7, in SQL: licences, a licence's card, orders, a buyer's
allowance. Each holds at the end of ``as_of`` as the ledger knew it at ``known_at``: a row
counts once it took effect and was recorded, and until its reversal was recorded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, func, or_, select

from ledger.calendar import start_of_day
from ledger.licences import LicenceStatus, licence_status
from ledger.numbers import decimal_text
from ledger.rulepacks import RulePack
from projections import tables as t
from projections.answers import When
from projections.exact import from_parts

Row = dict[str, Any]
l = t.licences.c  # noqa: E741 - l for licences, as t for tables
ln = t.licence_lines.c
dd = t.deductions.c
o = t.orders.c


@dataclass(frozen=True)
class LicenceScope:
    """Whose licences a caller sees: these goods owners (None: every one's)."""

    owners: frozenset[str] | None = None


def standing(table: Table, when: When) -> list[ColumnElement[bool]]:
    """Rows in force at the end of ``as_of``, as known at ``known_at``."""
    c = table.c
    if when.known_at is None:
        return [c.effective_at <= when.end, c.reversed_at.is_(None)]
    return [
        c.effective_at <= when.end,
        c.recorded_at <= when.known_at,
        or_(c.reversed_at.is_(None), c.reversed_at > when.known_at),
    ]


def _licences_known(when: When) -> list[ColumnElement[bool]]:
    known = [l.released_at <= when.end]
    if when.known_at is not None:
        known.append(l.recorded_at <= when.known_at)
    return known


def _revoked(row: Any, when: When) -> bool:
    if row.revoked_at is None or row.revoked_at > when.end:
        return False
    return when.known_at is None or row.revoked_recorded_at <= when.known_at


def line_status(row: Any, when: When, remaining: Decimal, spent: bool) -> LicenceStatus:
    """The ledger's status of a licence line (``ledger.licences.licence_status``) from a row."""
    return licence_status(
        revoked=_revoked(row, when),
        valid_until=row.valid_until,
        as_of=when.as_of,
        remaining=remaining,
        spent=spent,
    )


def licences(
    connection: Connection,
    when: When,
    scope: LicenceScope,
    owner: str | None = None,
    status: str | None = None,
    licence_no: str | None = None,
) -> list[Row]:
    """One row per licence line."""
    query = (
        select(t.licences, ln.line_no, ln.hs_prefix, ln.unit, ln.granted)
        .join(t.licence_lines, ln.licence_no == l.licence_no)
        .where(*_licences_known(when))
    )
    if owner is not None:
        query = query.where(l.goods_owner_tax_code == owner)
    if licence_no is not None:
        query = query.where(l.licence_no == licence_no)
    if scope.owners is not None:
        query = query.where(l.goods_owner_tax_code.in_(sorted(scope.owners)))
    rows = connection.execute(query.order_by(l.licence_no, ln.line_no)).all()
    deducted = _deducted(connection, [r.licence_no for r in rows], when)
    answer = []
    for row in rows:
        used, _ = deducted.get((row.licence_no, row.line_no), (Decimal(0), 0))
        spent = row.use == "single" and any(
            n > 0 for (no, _), (_, n) in deducted.items() if no == row.licence_no
        )
        granted = Decimal(row.granted)
        remaining = Decimal(0) if spent else granted - used
        row_status = line_status(row, when, remaining, spent)
        if status is not None and row_status != status:
            continue
        answer.append(
            {
                "licence_no": row.licence_no,
                "kind": row.kind,
                "issuer": row.issuer,
                "goods_owner_tax_code": row.goods_owner_tax_code,
                "valid_until": row.valid_until.isoformat(),
                "hs_prefix": row.hs_prefix,
                "unit": row.unit,
                "granted": decimal_text(granted),
                "deducted": decimal_text(used),
                "remaining": decimal_text(remaining),
                "status": str(row_status),
                "late": row.late,
            }
        )
    return answer


def _deducted(
    connection: Connection, licence_nos: Sequence[str], when: When
) -> dict[tuple[str, int], tuple[Decimal, int]]:
    found: dict[tuple[str, int], tuple[Decimal, int]] = {}
    numbers = sorted(set(licence_nos))
    for start in range(0, len(numbers), 500):
        query = (
            select(
                dd.licence_no,
                dd.line_no,
                func.sum(dd.quantity_units),
                func.sum(dd.quantity_nanos),
                func.count(),
            )
            .where(dd.licence_no.in_(numbers[start : start + 500]), *standing(t.deductions, when))
            .group_by(dd.licence_no, dd.line_no)
        )
        for no, line_no, units, nanos, count in connection.execute(query):
            found[(no, line_no)] = (from_parts(int(units), int(nanos)), int(count))
    return found


def licence_card(connection: Connection, licence_no: str, when: When) -> list[Row]:
    """Every deduction standing, in effective order, with what remains on its line after it."""
    granted = {
        line_no: Decimal(quantity)
        for line_no, quantity in connection.execute(
            select(ln.line_no, ln.granted).where(ln.licence_no == licence_no)
        )
    }
    query = (
        select(t.deductions)
        .where(dd.licence_no == licence_no, *standing(t.deductions, when))
        .order_by(dd.effective_at, dd.recorded_at, dd.platform, dd.order_no)
    )
    left = dict(granted)
    rows = []
    for row in connection.execute(query):
        left[row.line_no] -= Decimal(row.quantity)
        rows.append(
            {
                "order_no": row.order_no,
                "platform": row.platform,
                "lot_id": row.lot_id,
                "effective_at": row.effective_at.isoformat(),
                "recorded_at": row.recorded_at.isoformat(),
                "quantity": row.quantity,
                "remaining": decimal_text(left[row.line_no]),
            }
        )
    return rows


def licence_exists(connection: Connection, licence_no: str, when: When) -> str | None:
    """The licence's goods owner, if it is known at ``when``."""
    row = connection.execute(
        select(l.goods_owner_tax_code).where(l.licence_no == licence_no, *_licences_known(when))
    ).first()
    return row[0] if row is not None else None


@dataclass(frozen=True)
class OrderFilters:
    platform: str | None = None
    buyer_id: str | None = None
    lot_id: str | None = None
    from_day: date | None = None
    to_day: date | None = None
    lots: frozenset[str] | None = None  # the caller's sight; None: every lot


def orders(connection: Connection, filters: OrderFilters, when: When) -> list[Row]:
    query = select(t.orders).where(*standing(t.orders, when))
    for column, value in (
        (o.platform, filters.platform),
        (o.buyer_id, filters.buyer_id),
        (o.lot_id, filters.lot_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.from_day is not None:
        query = query.where(o.effective_at >= start_of_day(filters.from_day))
    if filters.to_day is not None:
        query = query.where(o.effective_at <= When(filters.to_day).end)
    rows = connection.execute(query.order_by(o.effective_at, o.platform, o.order_no))
    return [
        {
            "order_no": row.order_no,
            "platform": row.platform,
            "buyer_id": row.buyer_id,
            "lot_id": row.lot_id,
            "quantity": row.quantity,
            "customs_value": row.customs_value,
            "effective_at": row.effective_at.isoformat(),
            "basis": row.basis,
            "licence_nos": row.licence_nos.split() if row.licence_nos else [],
        }
        for row in rows
        if filters.lots is None or row.lot_id in filters.lots
    ]


def allowance(
    connection: Connection, buyer_id: str, year: int, when: When, pack: RulePack
) -> list[Row]:
    """The buyer's exempt quantities in ``year`` for every entry with one, of the goods list
    in force at the end of ``as_of``."""
    entries = _entries_in_force(connection, when)
    used: dict[str, Decimal] = {}
    a = t.allowance_uses.c
    query = (
        select(a.hs_prefix, func.sum(a.quantity_units), func.sum(a.quantity_nanos))
        .where(a.buyer_id == buyer_id, a.year == year)
        .where(*standing(t.allowance_uses, when))
        .group_by(a.hs_prefix)
    )
    for prefix, units, nanos in connection.execute(query):
        used[prefix] = from_parts(int(units), int(nanos))
    rows = []
    for entry in entries:
        if entry.exempt_quantity is None:
            continue
        exempt = Decimal(entry.exempt_quantity)
        taken = used.get(entry.hs_prefix, Decimal(0))
        rows.append(
            {
                "hs_prefix": entry.hs_prefix,
                "exempt_quantity": decimal_text(exempt),
                "used": decimal_text(taken),
                "left": decimal_text(max(exempt - taken, Decimal(0))),
            }
        )
    return rows


def _entries_in_force(connection: Connection, when: When) -> list[Any]:
    g = t.goods_lists.c
    query = select(g.list_ref).where(g.effective_at <= when.end)
    if when.known_at is not None:
        query = query.where(g.recorded_at <= when.known_at)
    latest = connection.execute(
        query.order_by(g.effective_at.desc(), g.recorded_at.desc()).limit(1)
    ).first()
    if latest is None:
        return []
    e = t.goods_list_entries.c
    return list(
        connection.execute(
            select(t.goods_list_entries).where(e.list_ref == latest[0]).order_by(e.hs_prefix)
        )
    )
