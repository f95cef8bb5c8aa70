"""Spreadsheets of commands (issue 22): an XLSX workbook or a CSV file read into command
objects of the vocabulary of DOMAIN.md §6, each with the row it came from. What the values
mean is judged afterwards, row by row, by the command models, as a JSON line's are; this
module reads the sheet's form alone.

The convention (docs/commands.md, "Spreadsheets"):

- The commands are on the workbook's **first sheet** (a CSV is one sheet); other sheets are
  not read (a template's second sheet explains its columns). Blank rows, and rows whose first
  cell begins with ``#``, are skipped.
- The first other row is the **header**: a ``command`` column naming each row's command, and
  one column per field, named as the field (``declaration_no``); ``command_id`` is optional.
  Rows of different commands may share one sheet: a row fills only its command's columns.
- A **list of objects** (the ``lines`` and ``seals`` of ``warehouse_goods``, the ``counts``
  of a stock count) has a column per field of its items: ``lines.line_no``,
  ``lines.hs_code``… The command's row holds its first item; each row below whose
  ``command`` cell is empty holds one more (Odoo's convention). A **list of strings**
  (``licence_nos``) is one cell, its items separated by ``;``.
- An **empty cell** is an absent field; where a field must be given but may be null
  (``contract_no``, ``new_contract_no``), an empty cell is null.
- A cell that is a **number** becomes its exact decimal text (an XLSX ``1.1`` is ``"1.1"``,
  never ``1.1000000000000001``). A **date** cell becomes ``YYYY-MM-DD``; a date and time in a
  date column is its date; elsewhere a date and time is refused unless it is midnight (then
  the date): a spreadsheet keeps no UTC offset, so write such a moment as text
  (``2026-02-11T09:00:00+07:00``). In a CSV, a text that the product's own CSV escaped
  against formula injection (``'=…``, api/cells.py) loses that quote.

The whole file is refused (``InvalidSheet``, naming the sheet, row and column; nothing is
recorded) when it is not an XLSX or a CSV, is over 32 MiB or 100,000 rows, holds a formula
or an error value, names a column no command has, fills a column its row's command does not
have, names an unknown command, or continues a command where none is above.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import math
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import MISSING, dataclass, field, fields
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints

from commands.models import COMMAND_NAMES, COMMAND_TYPES
from ledger.bounds import Bound, Many
from ledger.errors import LedgerError

MAX_BYTES = 32 << 20  # as a batch of commands over HTTP
MAX_ROWS = 100_000  # rows after the header, blank and comment rows aside
MAX_UNPACKED = 256 << 20  # an XLSX is a zip: what its parts may hold once unpacked
MAX_PROBLEMS = 20  # a refused file names at most this many of its problems
FORMATS = ("xlsx", "csv")
TRIGGERS = ("=", "+", "-", "@")  # what the product's CSV puts a quote before (api/cells.py)
NUMBERS = frozenset(
    {
        Bound.QUANTITY,
        Bound.COUNTED_QUANTITY,
        Bound.MONEY,
        Bound.DAYS,
        Bound.VERSION,
        Bound.LINE_NO,
    }
)


class InvalidSheet(LedgerError):
    """The file as a whole is not a spreadsheet of commands: each problem names its place."""

    status = 422

    def __init__(self, problems: list[str]) -> None:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__("invalid_spreadsheet", problems[0] + more, None)
        self.problems = problems


# --- the columns of each command --------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column a command's rows may fill: a field, or a field of a list's items."""

    name: str  # as in the header: "quantity", "lines.hs_code"
    kind: str  # what it holds, in words
    required: bool
    nullable: bool = False  # must be given, but may be null: an empty cell is null
    day: bool = False  # a date column: a date and time there is its date
    strings: bool = False  # a list of strings in one cell, separated by ";"
    numeric: bool = False  # a quantity, an amount or a count

    @property
    def parent(self) -> str | None:
        """The list this column fills items of (``lines``), or None."""
        return self.name.split(".", 1)[0] if "." in self.name else None


@dataclass(frozen=True)
class _Kind:
    words: str
    nullable: bool = False
    day: bool = False
    strings: bool = False
    numeric: bool = False
    items: type[Any] | None = None  # a list of objects of this type


def _kind(hint: Any) -> _Kind:
    nullable = False
    if get_origin(hint) in (Union, UnionType):
        args = [a for a in get_args(hint) if a is not type(None)]
        nullable = len(args) < len(get_args(hint))
        hint = args[0]
    base, marked = (
        (get_args(hint)[0], get_args(hint)[1:]) if get_origin(hint) is Annotated else (hint, ())
    )
    for mark in marked:
        if isinstance(mark, Many):
            words = f"{mark.least} to {mark.most} items, one per row"
            return _Kind(words, nullable, items=get_args(base)[0])
        if isinstance(mark, Bound):
            return _Kind(mark.value, nullable, day=mark is Bound.DAY, numeric=mark in NUMBERS)
    if base is bool:
        return _Kind("true or false", nullable)
    if get_origin(base) is Literal:
        return _Kind("one of " + ", ".join(map(str, get_args(base))), nullable)
    if get_origin(base) is tuple:
        item = get_args(base)[0]
        each = f", each one of {', '.join(get_args(item))}" if get_origin(item) is Literal else ""
        return _Kind(f"a list, its items separated by ';'{each}", nullable, strings=True)
    return _Kind(getattr(base, "__name__", str(base)), nullable)


def _fields_of(value_type: type[Any], prefix: str = "", within: str = "") -> Iterator[Column]:
    hints = get_type_hints(value_type, include_extras=True)
    for f in fields(value_type):
        kind = _kind(hints[f.name])
        required = f.default is MISSING and f.default_factory is MISSING
        if kind.items is not None:
            many = (
                f"; one item of {f.name} ({kind.words}, {'required' if required else 'optional'})"
            )
            yield from _fields_of(kind.items, f"{prefix}{f.name}.", many)
            continue
        words = kind.words + (" (empty for none)" if required and kind.nullable else "") + within
        yield Column(
            prefix + f.name,
            words,
            required,
            nullable=required and kind.nullable,
            day=kind.day,
            strings=kind.strings,
            numeric=kind.numeric,
        )


@cache
def columns(command: str) -> tuple[Column, ...]:
    """The columns of a command's rows, in the order of its fields."""
    model = COMMAND_TYPES[COMMAND_NAMES.index(command)]
    return (
        Column("command", f"the command: {command}", True),
        Column("command_id", "a command id: 1 to 200 characters", False),
        *_fields_of(model.value_type),
    )


@cache
def _by_name(command: str) -> dict[str, Column]:
    return {column.name: column for column in columns(command)}


@cache
def _every_column() -> frozenset[str]:
    return frozenset(c.name for name in COMMAND_NAMES for c in columns(name))


# --- what is read -----------------------------------------------------------------------------


@dataclass
class SheetCommand:
    """A command as read: its object in the vocabulary, the row its ``command`` cell is on,
    and the rows of each list's items."""

    row: int
    data: dict[str, Any]
    item_rows: dict[str, list[int]] = field(default_factory=dict)

    def row_of(self, where: str | None) -> int:
        """The row a refusal's field is on: ``lines[2].hs_code`` is the third line's."""
        if where:
            name, _, rest = where.partition("[")
            index = rest.partition("]")[0]
            rows = self.item_rows.get(name, [])
            if index.isdigit() and int(index) < len(rows):
                return rows[int(index)]
        return self.row


def row_command_id(digest: str, row: int) -> str:
    """The command id of a row that names none: the same file's same row, the same id, by
    whichever door it comes (``bonded apply FILE.xlsx``, the import page): a file applied
    twice records once."""
    return f"sheet-{digest}-{row}"


def keyed(commands: list[SheetCommand], data: bytes) -> list[SheetCommand]:
    """``commands`` read from ``data``, each row naming no ``command_id`` given its own."""
    digest = hashlib.sha256(data).hexdigest()
    for command in commands:
        command.data.setdefault("command_id", row_command_id(digest, command.row))
    return commands


def format_of(file_name: str) -> str | None:
    """``xlsx`` or ``csv`` by the file's extension, else None."""
    suffix = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    return suffix if suffix in FORMATS else None


def read_sheet(data: bytes, file_format: str) -> list[SheetCommand]:
    """The commands of an XLSX or CSV file, in order; ``InvalidSheet`` if it is refused."""
    if len(data) > MAX_BYTES:
        raise InvalidSheet(
            [f"a spreadsheet is at most {MAX_BYTES:,} bytes; this one has {len(data):,}"]
        )
    grid = _xlsx(data) if file_format == "xlsx" else _csv(data)
    try:
        return _Reader(grid).commands()
    finally:
        grid.close()


# --- the two kinds of file --------------------------------------------------------------------

Cell = tuple[Any, str]  # a value, and its type as XLSX names it: s, n, b, d, f (formula), e (error)


@dataclass
class _Grid:
    sheet: str | None  # the XLSX sheet's title; None for a CSV
    rows: Iterator[tuple[int, list[Cell]]]
    close: Callable[[], None] = lambda: None
    csv: bool = False

    def place(self, row: int, column: int) -> str:
        if self.sheet is None:
            return f"row {row}, column {column + 1}"
        from openpyxl.utils import get_column_letter

        return f"sheet {self.sheet!r}, cell {get_column_letter(column + 1)}{row}"


def _not_a(what: str, why: str) -> InvalidSheet:
    return InvalidSheet([f"not {what}: {why}"])


def _xlsx(data: bytes) -> _Grid:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    workbook_errors = (
        zipfile.BadZipFile,
        InvalidFileException,
        KeyError,
        ValueError,
        TypeError,
        OSError,
        EOFError,
        SyntaxError,
    )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        why = (
            "an old .xls workbook; save it as .xlsx"
            if data[:4] == b"\xd0\xcf\x11\xe0"
            else "an XLSX file is a zip archive, this one is not"
        )
        raise _not_a("an XLSX workbook", why)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except workbook_errors as error:
        raise _not_a("an XLSX workbook", str(error)[:200]) from None
    if unpacked > MAX_UNPACKED:
        raise InvalidSheet(
            [
                f"an XLSX workbook here unpacks to at most {MAX_UNPACKED:,} bytes; "
                f"this one to {unpacked:,}"
            ]
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. "Workbook contains no default style"
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except workbook_errors as error:
        raise _not_a("an XLSX workbook", str(error)[:200] or type(error).__name__) from None
    if not workbook.worksheets:
        workbook.close()
        raise _not_a("a workbook of commands", "it has no worksheet")
    sheet: Any = workbook.worksheets[0]
    sheet.reset_dimensions()  # read every row there is, whatever the file says its size is

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        number = 0
        try:
            for found in sheet.iter_rows():
                number += 1
                cells: list[Cell] = [
                    (getattr(c, "value", None), getattr(c, "data_type", "n")) for c in found
                ]
                number = next((c.row for c in found if getattr(c, "row", None)), number)
                yield number, cells
        except workbook_errors as error:
            raise InvalidSheet(
                [f"sheet {sheet.title!r} could not be read after row {number}: {str(error)[:200]}"]
            ) from None

    return _Grid(str(sheet.title), rows(), workbook.close)


def _csv(data: bytes) -> _Grid:
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise _not_a(
            "a UTF-8 CSV file",
            f"byte 0x{data[error.start]:02x} on line {line}; save it as 'CSV UTF-8'",
        ) from None
    if "\x00" in text:
        raise _not_a("a CSV file", "it holds NUL bytes")
    delimiter = _delimiter(text)

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        number = 0
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            for record in reader:
                number += 1
                yield number, [(value, "s") for value in record]
        except csv.Error as error:
            raise InvalidSheet([f"row {number + 1}: not valid CSV: {error}"]) from None

    return _Grid(None, rows(), csv=True)


def _delimiter(text: str) -> str:
    """``,`` or ``;`` (Excel's in locales with a decimal comma): whichever splits the header
    line, the first that is not a comment, into more fields."""
    for line in text.splitlines():
        split = {d: next(csv.reader([line], delimiter=d), []) for d in (",", ";")}
        if not line.strip() or split[","][0].lstrip().startswith("#"):
            continue
        return ";" if len(split[";"]) > len(split[","]) else ","
    return ","


# --- reading the rows -------------------------------------------------------------------------


class _Reader:
    def __init__(self, grid: _Grid) -> None:
        self.grid = grid
        self.problems: list[str] = []
        self.header: list[str | None] = []
        self.found: list[SheetCommand] = []

    def problem(self, text: str) -> None:
        self.problems.append(text)
        if len(self.problems) >= MAX_PROBLEMS:
            raise InvalidSheet(self.problems)

    def commands(self) -> list[SheetCommand]:
        read = 0
        for number, cells in self.grid.rows:
            if all(_empty(value) for value, _ in cells):
                continue
            first = cells[0][0] if cells else None
            if isinstance(first, str) and first.lstrip().startswith("#"):
                continue  # a comment
            if not self.header:
                self.read_header(number, cells)
                if self.problems:
                    break
                continue
            read += 1
            if read > MAX_ROWS:
                self.problem(f"a spreadsheet is at most {MAX_ROWS:,} rows below its header")
                break
            self.read_row(number, cells)
        if not self.header and not self.problems:
            self.problem("no header row: the first row names the columns, one of them 'command'")
        if self.problems:
            raise InvalidSheet(self.problems)
        for found in self.found:
            _nulls(found.data)
        return self.found

    def read_header(self, number: int, cells: list[Cell]) -> None:
        known = _every_column()
        seen: set[str] = set()
        for index, (value, _) in enumerate(cells):
            if _empty(value):
                self.header.append(None)
                continue
            name = str(value).strip().lower()
            place = self.grid.place(number, index)
            if name not in known:
                self.problem(
                    f"{place}: no command has a column {_shown(name)}{_nearest(name, known)}"
                )
            elif name in seen:
                self.problem(f"{place}: the column {name!r} is named twice")
            seen.add(name)
            self.header.append(name)
        if "command" not in seen:
            self.problem(
                f"row {number}: the header has no 'command' column (it names each row's command)"
            )

    def read_row(self, number: int, cells: list[Cell]) -> None:
        named = {
            index: (self.header[index] if index < len(self.header) else None, value, kind)
            for index, (value, kind) in enumerate(cells)
            if not _empty(value)
        }
        command_at = self.header.index("command")
        command = named.get(command_at)
        if command is not None:
            name = str(command[1]).strip()
            if name not in COMMAND_NAMES:
                place = self.grid.place(number, command_at)
                self.problem(
                    f"{place}: no command is named {_shown(name)}{_nearest(name, COMMAND_NAMES)}"
                )
                return
            current = SheetCommand(number, {"command": name})
            self.found.append(current)
        elif not self.found:
            self.problem(
                f"row {number}: its command cell is empty, but no command is above it to continue"
            )
            return
        else:
            current = self.found[-1]
        of = _by_name(current.data["command"])
        items: dict[str, dict[str, Any]] = {}
        for index, (name_, value, kind) in named.items():
            place = self.grid.place(number, index)
            if name_ is None:
                self.problem(f"{place}: a value in a column with no name in the header")
                continue
            if name_ == "command":
                continue
            column = of.get(name_)
            if column is None:
                self.problem(f"{place}: {current.data['command']} has no column {name_!r}")
                continue
            if command is None and column.parent is None:
                self.problem(
                    f"{place} ({name_}): a row whose command cell is empty continues the command "
                    "above with one more item of its lists; only their columns may be filled"
                )
                continue
            converted = self.value(column, value, kind, f"{place} ({name_})")
            if column.parent is None:
                current.data[name_] = converted
            else:
                items.setdefault(column.parent, {})[name_.split(".", 1)[1]] = converted
        for parent, item in items.items():
            current.data.setdefault(parent, []).append(item)
            current.item_rows.setdefault(parent, []).append(number)

    def value(self, column: Column, value: Any, kind: str, place: str) -> Any:
        """A cell's value as the command's JSON object holds it."""
        if kind == "f":
            formula = str(getattr(value, "text", value))[:40]
            self.problem(f"{place}: a formula ({formula}); type its value instead")
            return None
        if kind == "e":
            self.problem(f"{place}: an error value ({value}); type a value instead")
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float | Decimal):
            if isinstance(value, float) and not math.isfinite(value):
                self.problem(f"{place}: not a number ({value})")
                return None
            text = exact(value)
            return [text] if column.strings else text
        if isinstance(value, datetime):
            if column.day or (value.time() == time(0) and value.tzinfo is None):
                return value.date().isoformat()
            if value.tzinfo is not None:
                return value.isoformat()
            self.problem(
                f"{place}: a date and time with no UTC offset ({value:%Y-%m-%d %H:%M}); a "
                "spreadsheet keeps none, so write it as text, e.g. "
                f"{value:%Y-%m-%dT%H:%M:%S}+07:00, or give the date alone"
            )
            return None
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, time | timedelta):
            self.problem(
                f"{place}: a time of day alone ({value}); give a date, or a date and time as text"
            )
            return None
        text = str(value).strip()
        if self.grid.csv and text.startswith("'") and text[1:].startswith(TRIGGERS):
            text = text[1:]  # the product's own escaping against formula injection
        if column.strings:
            return [item.strip() for item in text.split(";") if item.strip()]
        return text


def exact(number: int | float | Decimal) -> str:
    """A number as exact decimal text, never in exponent form: a float as the shortest
    decimal that is that float (what the spreadsheet shows: 1.1, not 1.1000000000000001)."""
    if isinstance(number, int):
        return str(number)
    amount = Decimal(repr(number)) if isinstance(number, float) else number
    return format(amount, "f")


def _nulls(data: dict[str, Any]) -> None:
    """Fields that must be given but may be null, left empty: null."""
    for column in columns(data["command"]):
        if column.nullable and column.parent is None and column.name not in data:
            data[column.name] = None


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _shown(name: str) -> str:
    return repr(name if len(name) <= 40 else name[:40] + "…")


def _nearest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=3)
    return f"; did you mean {', '.join(close)}?" if close else ""
