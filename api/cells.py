"""Cells that cannot run: what every XLSX and CSV the product writes does with text, so that a
goods description such as ``=HYPERLINK("http://x","click")`` is shown, never run.

The rule is OWASP's ("CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection):
a spreadsheet takes a cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return for a formula. So:

- XLSX (``put``): every text is a string cell, kept exactly as entered. openpyxl would make a
  text beginning with ``=`` a formula and ``#N/A`` an error; a string cell is neither, whatever
  it begins with. One beginning with a trigger is also marked as Excel marks text typed after
  an apostrophe (``quotePrefix``), so that editing the cell in Excel keeps it text. The only
  formulas in the product's workbooks are the periodic report's totals, written apart.
- CSV (``csv_text``): a CSV has no cell types, so a text beginning with a trigger gets OWASP's
  single quote in front (``'=HYPERLINK(...)``); fields holding a separator, a quote or a line
  break are quoted as RFC 4180 says, so no cell can begin inside another. Only text is
  escaped: the numbers the product prints stay numbers a spreadsheet can sum, whether written
  as numbers (``-1`` days left) or, as the rows carry decimals, as text (``"-12.5"``). A text
  that is a plain decimal number cannot run, so it is left as it is.
- A UTF-8 byte order mark (``BOM``) starts every CSV written to a file (``-o``) or downloaded
  over HTTP: without it Excel reads the file in the machine's legacy code page and Vietnamese
  comes out garbled. CSV on the CLI's standard output has none: it is read by programs
  (``cut``, ``csvkit``, a pipe into Python), which would take the BOM for part of the first
  column's name.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # openpyxl is imported only by what writes a workbook
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def runnable(text: str) -> bool:
    """Whether a spreadsheet would take this text for a formula."""
    return text.startswith(TRIGGERS) and _PLAIN_NUMBER.fullmatch(text) is None


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell: a text that would run behind a single quote, anything else as is."""
    if isinstance(value, str) and runnable(value):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A header and rows as CSV, each record ending in ``\\n``, every cell through ``csv_cell``."""
    return "".join(_record(row) for row in (header, *rows))


def _record(row: Sequence[Any]) -> str:
    # The writer quotes a field holding a line break only if its terminator has that
    # character: with "\n" alone, a carriage return would end the record and begin a new one.
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([csv_cell(value) for value in row])
    return out.getvalue().removesuffix("\r\n") + "\n"


def csv_file(text: str) -> str:
    """A CSV as a file or a download holds it: behind a BOM, for Excel (see above)."""
    return BOM + text


def put(sheet: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Writes a value into a sheet's cell; a text stays text, exactly as entered."""
    cell: Cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(TRIGGERS):
            cell.quotePrefix = True
    return cell
