"""The e-commerce read models (DOMAIN.md §7): goods lists, stop notices, licences and their
lines, deductions and orders, one row per fact with when it took effect, when it was
recorded and when its reversal or end was recorded."""

from __future__ import annotations

from collections.abc import Sequence
from functools import singledispatchmethod
from typing import Any

from sqlalchemy import Connection, Insert, Table, and_, bindparam, insert, update
from sqlalchemy.sql.base import Executable

from ledger.calendar import local_date
from ledger.ecommerce_events import (
    AllowanceGivenBack,
    AllowanceUsed,
    DeductionReversed,
    ExemptionResumed,
    ExemptionStopped,
    GoodsListPublished,
    LicenceDeducted,
    LicenceRegistered,
    LicenceRevoked,
    OrderExWarehoused,
)
from ledger.events import EntryReversed, Event
from ledger.numbers import decimal_text
from ledger.rulepacks import RulePack
from projections import tables as t
from projections.bulk import insert_rows
from projections.exact import exact_parts
from projections.projection import ReadModelProjection, Recorded, dispatched

Params = dict[str, Any] | list[dict[str, Any]]
Writing = tuple[Executable, Params]  # a statement kept as a constant, and its parameters

GOODS_LIST = insert(t.goods_lists)
LIST_ENTRY = insert(t.goods_list_entries)
STOPPED = insert(t.stop_notices)
RESUMED = (
    update(t.stop_notices)
    .where(t.stop_notices.c.notice_ref == bindparam("b_notice_ref"))
    .values(resumed_at=bindparam("b_at"), resumed_recorded_at=bindparam("b_recorded_at"))
)
LICENCE = insert(t.licences)
LICENCE_LINE = insert(t.licence_lines)
REVOKED = (
    update(t.licences)
    .where(t.licences.c.licence_no == bindparam("b_licence_no"))
    .values(revoked_at=bindparam("b_at"), revoked_recorded_at=bindparam("b_recorded_at"))
)
DEDUCTION = insert(t.deductions)
DEDUCTION_REVERSED = (
    update(t.deductions)
    .where(
        and_(
            t.deductions.c.licence_no == bindparam("b_licence_no"),
            t.deductions.c.platform == bindparam("b_platform"),
            t.deductions.c.order_no == bindparam("b_order_no"),
        )
    )
    .values(reversed_at=bindparam("b_recorded_at"))
)
ORDER = insert(t.orders)
ORDER_REVERSED = (
    update(t.orders)
    .where(
        and_(
            t.orders.c.lot_id == bindparam("b_lot_id"),
            t.orders.c.version == bindparam("b_version"),
        )
    )
    .values(reversed_at=bindparam("b_recorded_at"))
)

ALLOWANCE_USE = insert(t.allowance_uses)
ALLOWANCE_GIVEN_BACK = (
    update(t.allowance_uses)
    .where(
        and_(
            t.allowance_uses.c.platform == bindparam("b_platform"),
            t.allowance_uses.c.order_no == bindparam("b_order_no"),
            t.allowance_uses.c.reversed_at.is_(None),
        )
    )
    .values(reversed_at=bindparam("b_recorded_at"))
)


def _insert(connection: Connection, inserts: dict[Table, list[dict[str, Any]]]) -> None:
    for table, rows in inserts.items():
        insert_rows(connection, table, rows)
    inserts.clear()


class EcommerceProjection(ReadModelProjection):
    name = "ecommerce"
    version = 2  # 2: each buyer's allowance uses (rm_allowance_uses)
    weight = 5
    tables = t.ECOMMERCE_TABLES

    def __init__(self, pack: RulePack) -> None:
        self.pack = pack

    def apply(self, connection: Connection, batch: Sequence[Recorded]) -> None:
        """The batch's rows, each table's inserts sent at once (``insert_rows``): inserts
        into different tables do not depend on each other, and an update (a reversal, a
        revocation) goes after every insert before it."""
        inserts: dict[Table, list[dict[str, Any]]] = {}
        writes = dispatched(type(self), "writes")
        for recorded in batch:
            for statement, params in writes(self, recorded.event, recorded.version):
                if not params:
                    continue
                if isinstance(statement, Insert) and isinstance(statement.table, Table):
                    rows = inserts.setdefault(statement.table, [])
                    rows.extend(params if isinstance(params, list) else [params])
                    continue
                _insert(connection, inserts)
                connection.execute(statement, params)
        _insert(connection, inserts)

    @singledispatchmethod
    def writes(self, event: Event, version: int) -> list[Writing]:
        """Events of other kinds change nothing here."""
        return []

    @writes.register
    def _(self, event: GoodsListPublished, version: int) -> list[Writing]:
        entries = [
            {
                "list_ref": event.list_ref,
                "hs_prefix": e.hs_prefix,
                "requires": " ".join(e.requires),
                "exempt_quantity": (
                    decimal_text(e.exempt_quantity) if e.exempt_quantity is not None else None
                ),
                "never_exempt": e.never_exempt,
            }
            for e in event.entries
        ]
        return [
            (
                GOODS_LIST,
                {
                    "list_ref": event.list_ref,
                    "effective_at": event.effective_at,
                    "recorded_at": event.recorded_at,
                },
            ),
            (LIST_ENTRY, entries),
        ]

    @writes.register
    def _(self, event: ExemptionStopped, version: int) -> list[Writing]:
        return [
            (
                STOPPED,
                {
                    "notice_ref": event.notice_ref,
                    "ministry": event.ministry,
                    "hs_prefixes": " ".join(event.hs_prefixes),
                    "reason": event.reason,
                    "effective_at": event.effective_at,
                    "recorded_at": event.recorded_at,
                },
            )
        ]

    @writes.register
    def _(self, event: ExemptionResumed, version: int) -> list[Writing]:
        return [
            (
                RESUMED,
                {
                    "b_notice_ref": event.notice_ref,
                    "b_at": event.effective_at,
                    "b_recorded_at": event.recorded_at,
                },
            )
        ]

    @writes.register
    def _(self, event: LicenceRegistered, version: int) -> list[Writing]:
        lines = [
            {
                "licence_no": event.licence_no,
                "line_no": n,
                "hs_prefix": line.hs_prefix,
                "unit": line.unit,
                "granted": decimal_text(line.quantity),
            }
            for n, line in enumerate(event.lines, 1)
        ]
        return [
            (
                LICENCE,
                {
                    "licence_no": event.licence_no,
                    "kind": event.kind,
                    "issuer": event.issuer,
                    "goods_owner_tax_code": event.goods_owner_tax_code,
                    "released_at": event.effective_at,
                    "recorded_at": event.recorded_at,
                    "valid_from": event.valid_from,
                    "valid_until": event.valid_until,
                    "use": event.use,
                    "late": event.is_late(self.pack),
                },
            ),
            (LICENCE_LINE, lines),
        ]

    @writes.register
    def _(self, event: LicenceRevoked, version: int) -> list[Writing]:
        return [
            (
                REVOKED,
                {
                    "b_licence_no": event.licence_no,
                    "b_at": event.effective_at,
                    "b_recorded_at": event.recorded_at,
                },
            )
        ]

    @writes.register
    def _(self, event: LicenceDeducted, version: int) -> list[Writing]:
        units, nanos = exact_parts(event.quantity)
        return [
            (
                DEDUCTION,
                {
                    "licence_no": event.licence_no,
                    "platform": event.platform,
                    "order_no": event.order_no,
                    "line_no": event.line_no,
                    "lot_id": event.lot_id,
                    "quantity": decimal_text(event.quantity),
                    "quantity_units": units,
                    "quantity_nanos": nanos,
                    "effective_at": event.effective_at,
                    "recorded_at": event.recorded_at,
                },
            )
        ]

    @writes.register
    def _(self, event: DeductionReversed, version: int) -> list[Writing]:
        return [
            (
                DEDUCTION_REVERSED,
                {
                    "b_licence_no": event.licence_no,
                    "b_platform": event.platform,
                    "b_order_no": event.order_no,
                    "b_recorded_at": event.recorded_at,
                },
            )
        ]

    @writes.register
    def _(self, event: OrderExWarehoused, version: int) -> list[Writing]:
        units, nanos = exact_parts(event.quantity)
        return [
            (
                ORDER,
                {
                    "platform": event.platform,
                    "order_no": event.order_no,
                    "buyer_id": event.buyer_id,
                    "lot_id": event.lot_id,
                    "version": version,
                    "quantity": decimal_text(event.quantity),
                    "quantity_units": units,
                    "quantity_nanos": nanos,
                    "customs_value": decimal_text(event.customs_value),
                    "effective_at": event.effective_at,
                    "recorded_at": event.recorded_at,
                    "basis": event.basis,
                    "licence_nos": " ".join(event.licence_nos),
                    "allowance_hs_prefix": event.allowance_hs_prefix,
                    "year": local_date(event.effective_at).year,
                },
            )
        ]

    @writes.register
    def _(self, event: EntryReversed, version: int) -> list[Writing]:
        # an order reversed; any other reversal matches no order row
        return [
            (
                ORDER_REVERSED,
                {
                    "b_lot_id": event.lot_id,
                    "b_version": event.reversed_version,
                    "b_recorded_at": event.recorded_at,
                },
            )
        ]

    @writes.register
    def _(self, event: AllowanceUsed, version: int) -> list[Writing]:
        units, nanos = exact_parts(event.quantity)
        return [
            (
                ALLOWANCE_USE,
                {
                    "platform": event.platform,
                    "order_no": event.order_no,
                    "recorded_at": event.recorded_at,
                    "buyer_id": event.buyer_id,
                    "year": event.year,
                    "hs_prefix": event.hs_prefix,
                    "lot_id": event.lot_id,
                    "quantity_units": units,
                    "quantity_nanos": nanos,
                    "effective_at": event.effective_at,
                },
            )
        ]

    @writes.register
    def _(self, event: AllowanceGivenBack, version: int) -> list[Writing]:
        return [
            (
                ALLOWANCE_GIVEN_BACK,
                {
                    "b_platform": event.platform,
                    "b_order_no": event.order_no,
                    "b_recorded_at": event.recorded_at,
                },
            )
        ]
