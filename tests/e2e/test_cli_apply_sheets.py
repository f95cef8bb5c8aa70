"""bonded apply FILE.xlsx and FILE.csv as a user runs them: the quickstart as a spreadsheet
applies as its JSON Lines do (same summary, once by its command ids), a refused row is named
by its row (a goods line by its own), a number cell arrives exactly, and a file that is not
a spreadsheet of commands ends with exit 2 and nothing recorded."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from api.cells import csv_file, csv_text
from api.sheet_templates import rows_of
from commands.sheets import columns
from tests.e2e.test_cli_apply import QUICKSTART, bonded

COMMANDS = [json.loads(line) for line in QUICKSTART.read_text().splitlines()]
NUMBERS = {"lines.quantity", "lines.customs_value", "quantity"}


def sheet(commands: list[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    """The commands as one sheet: every command's columns in one header, a row each (and one
    per further goods line)."""
    header: list[str] = []
    for data in commands:
        header += [c.name for c in columns(data["command"]) if c.name not in header]
    rows = []
    for data in commands:
        names = [c.name for c in columns(data["command"])]
        for row in rows_of(data["command"], {k: v for k, v in data.items() if k != "command"}):
            given = dict(zip(names, row, strict=True))
            rows.append([given.get(name) for name in header])
    return header, rows


def xlsx(commands: list[dict[str, Any]]) -> bytes:
    """The commands as an XLSX, quantities and amounts as number cells."""
    header, rows = sheet(commands)
    book = Workbook()
    out: Any = book.active
    out.append(header)
    for row in rows:
        out.append(
            [float(v) if h in NUMBERS and v else v for h, v in zip(header, row, strict=True)]
        )
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def on_hand(workdir: Path, lot_id: str) -> Decimal:
    found = bonded(
        "balances", "--lot", lot_id, "--as-of", "2027-01-01", "--format", "json", cwd=workdir
    )
    return Decimal(json.loads(found.stdout)[0]["on_hand"])


def test_the_quickstart_as_xlsx_applies_as_its_json_lines_do(tmp_path: Path) -> None:
    (tmp_path / "quickstart.xlsx").write_bytes(xlsx(COMMANDS))
    dry = bonded("apply", "quickstart.xlsx", "--dry-run", cwd=tmp_path)  # each after the above
    assert dry.stdout.strip() == (
        "dry run, nothing recorded: would apply 17, already applied 0, would refuse 0"
    )
    first = bonded("apply", "quickstart.xlsx", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "applied 17, already applied 0, refused 0"
    again = bonded("apply", "quickstart.xlsx", cwd=tmp_path)
    assert again.stdout.strip() == "applied 0, already applied 17, refused 0"

    before = on_hand(tmp_path, "TK-100001/1")
    out = {k: v for k, v in COMMANDS[10].items() if k != "command_id"} | {"quantity": "1.1"}
    (tmp_path / "out.xlsx").write_bytes(xlsx([out]))  # 1.1 as a number cell
    applied = bonded("apply", "out.xlsx", cwd=tmp_path)
    assert applied.returncode == 0, applied.stderr
    assert on_hand(tmp_path, "TK-100001/1") == before - Decimal("1.1")  # exactly
    # a row naming no command_id has its file's and row's (as on the import page): once
    twice = bonded("apply", "out.xlsx", cwd=tmp_path)
    assert twice.stdout.strip() == "applied 0, already applied 1, refused 0", twice.stderr
    assert on_hand(tmp_path, "TK-100001/1") == before - Decimal("1.1")


def test_a_csv_applies_and_names_each_refused_row(tmp_path: Path) -> None:
    goods = COMMANDS[9]
    bad_line = {**goods["lines"][1], "hs_code": "22X"}
    commands = [
        *COMMANDS[:10],
        {
            **goods,
            "command_id": "qs-10b",
            "declaration_no": "TK-2",
            "lines": [goods["lines"][0], bad_line],
        },
        {**COMMANDS[10], "command_id": None, "quantity": "5000"},
    ]
    header, rows = sheet([{k: v for k, v in c.items() if v is not None} for c in commands])
    text = io.StringIO()
    csv.writer(text, delimiter=";").writerows([header, *rows])  # as Excel where 1,5 is a number
    (tmp_path / "moves.csv").write_text(csv_file(text.getvalue()), encoding="utf-8")
    result = bonded("apply", "moves.csv", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.strip() == "applied 10, already applied 0, refused 2"
    assert "row 14: refused invalid_command (lines[1].hs_code)" in result.stderr  # its line's
    assert "row 15: refused insufficient_balance (quantity)" in result.stderr
    jsonl = bonded("apply", str(QUICKSTART), cwd=tmp_path)  # the same commands: already so
    assert jsonl.stdout.strip() == "applied 7, already applied 10, refused 0"


def test_a_bad_file_is_exit_2_and_records_nothing(tmp_path: Path) -> None:
    header, rows = sheet(COMMANDS[:3])
    header[2] = "nmae"
    (tmp_path / "bad.csv").write_text(csv_text(header, rows), encoding="utf-8")
    (tmp_path / "bad.xlsx").write_bytes(b"PK\x03\x04 not really")
    (tmp_path / "data.txt").write_text(csv_text(["command", "lot_id"], [["fly", "x"]]))
    for args, said in (
        (
            ["bad.csv"],
            "error: bad.csv: row 1, column 3: no command has a column 'nmae'; did you mean name",
        ),
        (["bad.xlsx"], "error: bad.xlsx: not an XLSX workbook"),
        (["data.txt", "--input-format", "csv"], "row 2, column 1: no command is named 'fly'"),
    ):
        result = bonded("apply", *args, cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert said in result.stderr and "nothing was recorded" in result.stderr
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "bonded.db").exists()  # the ledger was not even opened


def test_a_template_is_written_and_applies(tmp_path: Path) -> None:
    written_csv = bonded(
        "template", "register_enterprise", "--format", "csv", "-o", "e.csv", cwd=tmp_path
    )
    assert written_csv.returncode == 0, written_csv.stderr
    assert (
        bonded("apply", "e.csv", cwd=tmp_path).stdout.strip()
        == "applied 1, already applied 0, refused 0"
    )
    written = bonded("template", "warehouse_goods", cwd=tmp_path)
    assert written.stdout.strip() == "warehouse_goods.xlsx"
    applied = bonded("apply", "warehouse_goods.xlsx", cwd=tmp_path)
    assert applied.returncode == 1  # its warehouse is not registered here
    assert "row 2: refused unknown_warehouse (warehouse_id)" in applied.stderr
    unknown = bonded("template", "teleport", cwd=tmp_path)
    assert unknown.returncode == 2 and "register_enterprise" in unknown.stderr
