"""Rendering query answers: a Rich table for people, JSON or CSV for programs."""

from __future__ import annotations

import io
import json
from typing import Any

from api.cells import csv_text

FORMATS = ("table", "json", "csv")


def render(
    rows: list[dict[str, Any]],
    output: str,
    title: str,
    columns: list[str],
    numeric: frozenset[str] = frozenset(),
) -> str:
    if output == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False)
    if output == "csv":
        return csv_text(columns, ([row.get(c) for c in columns] for row in rows)).rstrip("\n")
    return _table(rows, title, columns, numeric)


def _table(
    rows: list[dict[str, Any]], title: str, columns: list[str], numeric: frozenset[str]
) -> str:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, justify="right" if column in numeric else "left")
    for row in rows:
        table.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
    if not rows:
        table.caption = "nothing to show"
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(table)
    return "\n".join(line.rstrip() for line in console.export_text().splitlines())
