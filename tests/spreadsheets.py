"""What the product's spreadsheets and CSV are checked against (issue 20): goods whose
description is one of the usual formula-injection payloads, and the checks that every XLSX
holds them as text cells, exactly as entered, and every CSV as text a spreadsheet cannot run."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from typing import Any

from openpyxl import load_workbook

from tests.support import line, warehousing

# Free text may not hold a tab or a carriage return (ledger.codes.plain_text): those two
# OWASP payloads are checked on the rule itself, in tests/unit/test_cells.py.
PAYLOADS = ('=HYPERLINK("http://x","click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1,1)")
VIETNAMESE = "Hàng mẫu Hồ Chí Minh"
DESCRIPTIONS = (*PAYLOADS, VIETNAMESE)
STARTS = ("=", "+", "-", "@", "\t", "\r")  # OWASP "CSV Injection"
A_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
PRODUCT_FORMULA = re.compile(r"=SUM\([A-Z]+[0-9]+:[A-Z]+[0-9]+\)")  # the report's totals


def hostile_warehousing(declaration_no: str, **extra: Any) -> dict[str, Any]:
    """One goods item per payload, and one in Vietnamese, each its own report row."""
    lines = (line(no, "10", description=text) for no, text in enumerate(DESCRIPTIONS, 1))
    return warehousing(declaration_no, *lines, **extra)


def xlsx_cells(content: bytes) -> Iterator[Any]:
    for sheet in load_workbook(io.BytesIO(content)).worksheets:
        for row in sheet.iter_rows():
            yield from (cell for cell in row if cell.value is not None)


def check_xlsx(content: bytes, *texts: str) -> None:
    """No cell is a formula but the report's own totals; each text (default: the goods'
    descriptions) is a string cell, exactly as entered."""
    cells = list(xlsx_cells(content))
    formulas = [c.value for c in cells if c.data_type == "f"]
    assert all(PRODUCT_FORMULA.fullmatch(f) for f in formulas), formulas
    held = {c.value for c in cells if c.data_type == "s"}
    for text in texts or DESCRIPTIONS:
        assert text in held, text


def check_csv(text: str, *texts: str) -> None:
    """No cell begins with a character that makes it a formula, unless it is a plain number;
    each text (default: the goods' descriptions) is there, a payload behind OWASP's single
    quote, Vietnamese intact."""
    assert not text.startswith("\ufeff"), "a BOM left in the text: decode with utf-8-sig"
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    runnable = [c for c in cells if c.startswith(STARTS) and not A_NUMBER.fullmatch(c)]
    assert runnable == [], runnable
    for expected in texts or DESCRIPTIONS:
        assert (f"'{expected}" if expected.startswith(STARTS) else expected) in cells, expected


def check_csv_download(content: bytes, *texts: str) -> None:
    """A CSV download: UTF-8 with a BOM, so that Excel reads Vietnamese as written."""
    assert content.startswith(codecs.BOM_UTF8), content[:10]
    check_csv(content.decode("utf-8-sig"), *texts)
