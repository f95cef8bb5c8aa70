"""A spreadsheet template per command (issue 22): its columns as ``commands.sheets`` reads
them, an example (api/examples.py) filling them, and what each column holds — on a second
sheet of the XLSX, in ``#`` comment rows above the CSV's header. ``bonded template`` writes
one; ``GET /import/templates/{command}.xlsx`` (or ``.csv``) serves the same file.

Text is written as ``api/cells.py`` writes every spreadsheet of the product: an XLSX text is
a string cell, a CSV text that would run gets OWASP's quote (which the reader takes off). The
XLSX's text columns are formatted as text, so that Excel keeps what is typed there as typed:
a tax code or an HS code with a leading zero, a date as ``2026-02-10``."""

from __future__ import annotations

import io
from typing import Any

from api.cells import csv_text, put
from api.examples import example
from commands.models import COMMAND_NAMES, COMMAND_TYPES
from commands.sheets import Column, columns

RULES = (
    "One row per command; the command column names it. Rows of other commands may share the "
    "sheet: each fills its own command's columns.",
    "A list of objects (lines.*, seals.*, counts.*, entries.*): the command's row holds its "
    "first item, each row below with an empty command cell one more.",
    "A list of strings: one cell, its items separated by ';'.",
    "An empty cell is a field left out. Dates as YYYY-MM-DD; a date and time as text with its "
    "UTC offset, 2026-02-11T09:30:00+07:00. No formulas.",
    "Only the first sheet is read; rows whose first cell begins with # are skipped.",
)


def describe(command: str) -> str:
    model = COMMAND_TYPES[COMMAND_NAMES.index(command)]
    return (model.__doc__ or command).strip().splitlines()[0]


def rows_of(command: str, data: dict[str, Any]) -> list[list[Any]]:
    """A command's object as sheet rows: its first row, then one per further list item."""
    cols = columns(command)
    depth = max([1, *(len(v) for v in data.values() if _objects(v))])
    rows: list[list[Any]] = []
    for index in range(depth):
        row: list[Any] = []
        for column in cols:
            if column.name == "command":
                row.append(command if index == 0 else None)
            elif column.parent is None:
                row.append(_cell(column, data.get(column.name)) if index == 0 else None)
            else:
                items = data.get(column.parent) or []
                sub = column.name.split(".", 1)[1]
                row.append(_cell(column, items[index].get(sub)) if index < len(items) else None)
        rows.append(row)
    return rows


def _objects(value: Any) -> bool:
    return isinstance(value, list) and any(isinstance(item, dict) for item in value)


def _cell(column: Column, value: Any) -> Any:
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return value


def example_rows(command: str) -> tuple[list[str], list[list[Any]]]:
    header = [column.name for column in columns(command)]
    return header, rows_of(command, example(command))


def template_csv(command: str) -> str:
    """The CSV template (without the BOM a file or a download adds, api/cells.csv_file)."""
    header, rows = example_rows(command)
    notes = [
        [f"# {command}: {describe(command)}"],
        *([f"# {rule}"] for rule in RULES),
        *(
            [f"# {c.name}: {'required' if c.required else 'optional'}; {c.kind}"]
            for c in columns(command)
        ),
        ["# The row below this one names the columns; the rows after it are an example."],
    ]
    return csv_text(notes[0], [*notes[1:], header, *rows])


def template_xlsx(command: str) -> bytes:
    """The XLSX template: the command's sheet (header, example) and a sheet of its columns."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    cols = columns(command)
    header, rows = example_rows(command)
    workbook = Workbook()
    sheet: Any = workbook.active
    sheet.title = command[:31]
    bold = Font(bold=True)
    for at, name in enumerate(header, 1):
        put(sheet, 1, at, name).font = bold
        letter = get_column_letter(at)
        sheet.column_dimensions[letter].width = max(12, min(40, len(name) + 4))
        if not (cols[at - 1].numeric or "true or false" in cols[at - 1].kind):
            sheet.column_dimensions[letter].number_format = "@"
    for r, row in enumerate(rows, 2):
        for at, value in enumerate(row, 1):
            if value is None:
                continue
            column = cols[at - 1]
            if column.numeric and isinstance(value, str | int):
                from decimal import Decimal

                sheet.cell(row=r, column=at, value=Decimal(str(value)))
            elif isinstance(value, bool):
                sheet.cell(row=r, column=at, value=value)
            else:
                put(sheet, r, at, str(value)).number_format = "@"
    sheet.freeze_panes = "A2"
    about: Any = workbook.create_sheet("columns")
    put(about, 1, 1, f"{command}: {describe(command)}").font = bold
    for r, rule in enumerate(RULES, 2):
        put(about, r, 1, rule)
    first = len(RULES) + 3
    for at, title in enumerate(("column", "required", "what it holds"), 1):
        put(about, first, at, title).font = bold
    for r, column in enumerate(cols, first + 1):
        put(about, r, 1, column.name)
        put(about, r, 2, "required" if column.required else "optional")
        put(about, r, 3, column.kind)
    about.column_dimensions["A"].width = 28
    about.column_dimensions["C"].width = 90
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
