"""The spreadsheet reader (commands/sheets.py): XLSX and CSV into command objects of the
vocabulary, exactly (a 1.1 is "1.1", a date cell a date), lists of objects on the rows below
their command, and a file refused whole with the place of each problem."""

from __future__ import annotations

import io
from datetime import datetime, time
from typing import Any

import pytest
from openpyxl import Workbook

from api.examples import example
from api.sheet_templates import template_csv, template_xlsx
from commands import sheets
from commands.models import COMMAND_NAMES
from commands.parsing import parse_command
from commands.sheets import InvalidSheet, read_sheet


def xlsx(*rows: list[Any]) -> bytes:
    book = Workbook()
    sheet: Any = book.active
    sheet.title = "moves"
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_every_template_reads_back_as_its_example() -> None:
    for name in COMMAND_NAMES:
        expected = parse_command({"command": name, **example(name)})
        for file_format, data in (
            ("xlsx", template_xlsx(name)),
            ("csv", template_csv(name).encode("utf-8")),
        ):
            (found,) = read_sheet(data, file_format)
            assert parse_command(found.data) == expected, (name, file_format, found.data)


GOODS = [
    "command",
    "declaration_no",
    "registered_on",
    "effective_at",
    "contract_no",
    "seals.seal_no",
    "seals.intact",
    "lines.line_no",
    "lines.hs_code",
    "lines.quantity",
    "lines.customs_value",
    "licence_nos",
    "lot_id",
]


def test_xlsx_cells_become_the_vocabulary_exactly() -> None:
    data = xlsx(
        ["# a comment row"],
        GOODS,
        [
            *("warehouse_goods", "D1", datetime(2026, 2, 10, 15, 30), datetime(2026, 2, 11)),
            *(None, "S1", True, 1, "0101", 1.1, 36000.5),
        ],
        [None] * 7 + [2, 85423100, 0.1, 12345678901234],
        [],  # a blank row
        [None, None, None, None, None, "S2", False],
        ["ex_warehouse_order", None, None, "2026-03-01T10:00:00+07:00"]
        + [None] * 7
        + ["L1; L2", "D1/1"],
    )
    goods, order = read_sheet(data, "xlsx")
    assert (goods.row, order.row) == (3, 7)
    assert goods.data == {
        "command": "warehouse_goods",
        "declaration_no": "D1",
        "registered_on": "2026-02-10",  # a date column: the date of a date and time
        "effective_at": "2026-02-11",  # midnight: the date
        "contract_no": None,  # must be given, may be null: empty is null
        "seals": [{"seal_no": "S1", "intact": True}, {"seal_no": "S2", "intact": False}],
        "lines": [
            {"line_no": "1", "hs_code": "0101", "quantity": "1.1", "customs_value": "36000.5"},
            {"line_no": "2", "hs_code": "85423100", "quantity": "0.1"}
            | {"customs_value": "12345678901234"},
        ],
    }
    assert goods.item_rows == {"seals": [3, 6], "lines": [3, 4]}
    assert goods.row_of("lines[1].quantity") == 4 and goods.row_of("declaration_no") == 3
    assert order.data["licence_nos"] == ["L1", "L2"] and order.data["lot_id"] == "D1/1"
    assert "seals" not in order.data


def test_csv_with_a_bom_semicolons_and_the_products_own_escaping() -> None:
    text = (
        "\ufeff# exported by hand\r\n"
        "command;lot_id;quantity;effective_at;destination;bill_no;purpose\r\n"
        'ex_warehouse;D1/1;1,5;2026-03-01T10:00:00+07:00;abroad;B-1;\'=HYPERLINK("x")\r\n'
        '"ex_warehouse";D1/1;"2.25";2026-03-02;abroad;"B;2";\r\n'
    )
    first, second = read_sheet(text.encode("utf-8"), "csv")
    assert first.row == 3 and first.data["quantity"] == "1,5"  # judged by the model: refused
    assert first.data["purpose"] == '=HYPERLINK("x")'  # api/cells.py's quote taken off
    assert second.data == {
        "command": "ex_warehouse",
        "lot_id": "D1/1",
        "quantity": "2.25",
        "effective_at": "2026-03-02",
        "destination": "abroad",
        "bill_no": "B;2",
    }


REFUSED = [
    (b"not a workbook", "xlsx", "not an XLSX workbook"),
    (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "xlsx", "an old .xls workbook; save it as .xlsx"),
    ("command\nplace_hold\n".encode("utf-16"), "csv", "not a UTF-8 CSV file"),
    (xlsx(["lot_id"], ["D1/1"]), "xlsx", "the header has no 'command' column"),
    (
        xlsx(["command", "quantiy"]),
        "xlsx",
        "cell B1: no command has a column 'quantiy'; did you mean quantity",
    ),
    (xlsx(["command"], ["teleport"]), "xlsx", "cell A2: no command is named 'teleport'"),
    (
        xlsx(["command", "bill_no"], ["place_hold", "B-1"]),
        "xlsx",
        "place_hold has no column 'bill_no'",
    ),
    (
        xlsx(["command", "lines.quantity"], [None, 1]),
        "xlsx",
        "row 2: its command cell is empty, but no command is above it",
    ),
    (
        xlsx(["command", "declaration_no"], ["warehouse_goods", "D1"], [None, "D2"]),
        "xlsx",
        "cell B3 (declaration_no): a row whose command cell is empty continues the command",
    ),
    (
        xlsx(["command", "effective_at"], ["place_hold", datetime(2026, 3, 1, 9, 30)]),
        "xlsx",
        "cell B2 (effective_at): a date and time with no UTC offset (2026-03-01 09:30)",
    ),
    (
        xlsx(["command", "days"], ["extend_storage", "=30*12"]),
        "xlsx",
        "cell B2 (days): a formula (=30*12)",
    ),
    (xlsx(["command", "effective_at"], ["place_hold", time(9)]), "xlsx", "a time of day alone"),
    (
        b"command,lot_id\nplace_hold,D1/1,extra\n",
        "csv",
        "row 2, column 3: a value in a column with no name",
    ),
    (b"command\n" + b"place_hold\n" * 4, "csv", "at most 3 rows below its header"),
]


@pytest.mark.parametrize(("data", "file_format", "expected"), REFUSED)
def test_a_file_is_refused_whole_naming_the_place(
    data: bytes, file_format: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sheets, "MAX_ROWS", 3)
    with pytest.raises(InvalidSheet) as refused:
        read_sheet(data, file_format)
    assert any(expected in problem for problem in refused.value.problems), refused.value.problems


def test_every_problem_of_a_file_is_named_at_once() -> None:
    data = xlsx(["command", "lot_id"], ["teleport", "x"], ["place_hold", "=A1"], ["fly", "y"])
    with pytest.raises(InvalidSheet) as refused:
        read_sheet(data, "xlsx")
    assert len(refused.value.problems) == 3
    assert refused.value.message.endswith("(and 2 more)")
