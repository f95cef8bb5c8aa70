"""The rule every XLSX and CSV the product writes follows (api/cells.py, OWASP "CSV
Injection"), on each of the usual payloads: those that free text refuses too (a leading tab or
carriage return), which the doors' tests cannot record."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from api.cells import BOM, csv_cell, csv_file, csv_text, put
from tests.spreadsheets import PAYLOADS

EVERY_PAYLOAD = (*PAYLOADS, "\t=1", "\r=1")
NUMBERS = ("-5", "-12.5", "0", "40.5", -1, Decimal("-3.25"), None, True)


@pytest.mark.parametrize("payload", EVERY_PAYLOAD)
def test_a_text_that_would_run_gets_a_single_quote_in_csv(payload: str) -> None:
    assert csv_cell(payload) == "'" + payload
    written = csv_text(["description"], [[payload]])
    assert list(csv.reader(io.StringIO(written, newline=""))) == [["description"], ["'" + payload]]


@pytest.mark.parametrize("value", NUMBERS)
def test_numbers_and_other_values_stay_as_they_are_in_csv(value: object) -> None:
    assert csv_cell(value) == value


def test_only_text_that_is_a_plain_number_escapes_the_quote() -> None:
    assert csv_cell("-5 kg") == "'-5 kg"
    assert csv_cell("-1e5") == "'-1e5"
    assert csv_cell("Red wine, 750 ml") == "Red wine, 750 ml"
    assert csv_text(["a", "b"], [["=1,2", -1]]) == 'a,b\n"\'=1,2",-1\n'


def test_a_csv_file_starts_with_one_bom() -> None:
    assert BOM == "\ufeff"
    written = csv_file("a\nHồ Chí Minh\n").encode()
    assert written == b"\xef\xbb\xbfa\nH\xe1\xbb\x93 Ch\xc3\xad Minh\n"


@pytest.mark.parametrize("payload", [*EVERY_PAYLOAD, "#N/A"])
def test_a_text_is_a_string_cell_in_xlsx_exactly_as_entered(payload: str) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    put(sheet, 1, 1, payload)
    put(sheet, 2, 1, Decimal("-2"))
    put(sheet, 3, 1, -1)
    out = io.BytesIO()
    book.save(out)
    read = load_workbook(out).active
    assert read is not None
    cell = read.cell(row=1, column=1)
    assert cell.data_type == "s"
    # XML reads a carriage return back as a line feed: still text, never a formula
    assert cell.value == payload.replace("\r", "\n")
    assert cell.quotePrefix is (payload[0] in "=+-@\t\r")  # Excel's mark for typed text
    assert [read.cell(row=r, column=1).data_type for r in (2, 3)] == ["n", "n"]
    assert read.cell(row=3, column=1).value == -1
