"""Rendering query answers: a Rich table for people, JSON or CSV for programs."""

from __future__ import annotations

import io
import json
from typing import Any

from api.cells import csv_text

FORMATS = ("table", "json", "csv")

BALANCE_COLUMNS = [
    "lot_id",
    "declaration_no",
    "warehouse_id",
    "goods_owner_tax_code",
    "hs_code",
    "description",
    "unit",
    "on_hand",
    "in_transit",
    "first_warehoused_on",
]
CLOCK_COLUMNS = [
    "lot_id",
    "warehouse_id",
    "first_warehoused_on",
    "deadline",
    "days_in_storage",
    "days_left",
    "status",
]
SETTLEMENT_COLUMNS = [
    "declaration_no",
    "warehouse_id",
    "emptied_on",
    "settlement_due_on",
    "settled_on",
    "status",
]
CARD_COLUMNS = [
    "version",
    "event",
    "effective_at",
    "recorded_at",
    "quantity_in",
    "quantity_out",
    "balance",
    "on_hand",
    "in_transit",
    "related_lot_id",
    "reversed",
]


def render(rows: list[dict[str, Any]], output: str, title: str, columns: list[str]) -> str:
    if output == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False)
    if output == "csv":
        return csv_text(columns, ([row.get(c) for c in columns] for row in rows)).rstrip("\n")
    return _table(rows, title, columns)


def _table(rows: list[dict[str, Any]], title: str, columns: list[str]) -> str:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    numeric = {
        "on_hand",
        "in_transit",
        "quantity_in",
        "quantity_out",
        "balance",
        "days_in_storage",
        "days_left",
        "version",
    }
    for column in columns:
        table.add_column(column, justify="right" if column in numeric else "left")
    for row in rows:
        table.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
    if not rows:
        table.caption = "nothing to show"
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(table)
    return "\n".join(line.rstrip() for line in console.export_text().splitlines())


LICENCE_COLUMNS = [
    "licence_no",
    "kind",
    "issuer",
    "goods_owner_tax_code",
    "valid_until",
    "hs_prefix",
    "unit",
    "granted",
    "deducted",
    "remaining",
    "status",
    "late",
]
LICENCE_CARD_COLUMNS = [
    "order_no",
    "platform",
    "lot_id",
    "effective_at",
    "recorded_at",
    "quantity",
    "remaining",
]
ORDER_COLUMNS = [
    "order_no",
    "platform",
    "buyer_id",
    "lot_id",
    "quantity",
    "customs_value",
    "effective_at",
    "basis",
    "licence_nos",
]
ALLOWANCE_COLUMNS = ["hs_prefix", "exempt_quantity", "used", "left"]
WARNING_COLUMNS = [
    "warning_id",
    "kind",
    "subject",
    "warehouse_id",
    "goods_owner_tax_code",
    "raised_on",
    "detail",
]
