"""``bonded apply``: commands from a JSON Lines file, each refusal with its line, or from a
spreadsheet (XLSX, CSV: ``commands/sheets.py``), each refusal with its row; ``bonded
template``: a spreadsheet template per command."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from api.cli.apply_stops import FAILED, INTERRUPTED, Waiting, interrupted_by_sigterm, keyed
from api.cli.apply_stops import stopped as stopped_report
from api.cli.run import Progress as _progress
from api.cli.run import caller_of_run
from api.cli.run import err as _err

if TYPE_CHECKING:
    from commands.service import Outcome

app = typer.Typer()


@app.command()
def apply(
    file: Annotated[
        str,
        typer.Argument(
            help="A JSON Lines file of commands, one object per line; '-' reads stdin. A .xlsx "
            "or .csv file is read as a spreadsheet of commands (see bonded template)."
        ),
    ],
    stop_on_error: Annotated[
        bool, typer.Option("--stop-on-error", help="Stop at the first refused command.")
    ] = False,
    batch_size: Annotated[
        int,
        typer.Option(
            min=1,
            max=10_000,
            help="Commands sharing one transaction; each still succeeds or fails alone.",
        ),
    ] = 500,
    output: Annotated[str, typer.Option("--format", help="Summary as 'text' or 'json'.")] = "text",
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Record nothing: say what each command would do, each judged after the "
            "ones before it as if they had been applied.",
        ),
    ] = False,
    wait_for_database: Annotated[
        float,
        typer.Option(
            "--wait-for-database",
            min=0,
            max=3600,
            help="When the database goes away midway (a restart, a failover to another "
            "server), wait up to this many seconds for it to answer again and go on from the "
            "first line not committed: done only when every line of the batch being written "
            "has a command_id (recorded once, whatever its commit did). 0 stops at once.",
        ),
    ] = 60,
    input_format: Annotated[
        str | None,
        typer.Option(
            "--input-format",
            help="Read FILE as 'jsonl', 'xlsx' or 'csv' whatever its name (by default: .xlsx "
            "and .csv as spreadsheets, anything else as JSON Lines).",
        ),
    ] = None,
) -> None:
    """Apply commands in order (DOMAIN.md §6 vocabulary).

    Prints each refusal with its line number (a spreadsheet's: its row), code and reason,
    then a summary. Exits 1 if any command was refused, 0 otherwise; 2 if a spreadsheet is
    refused as a whole (nothing is recorded then); 4 if the database failed midway (what was
    committed, and whether running the same file again is safe, is said).
    """
    from commands.bootstrap import bootstrap
    from commands.parsing import parse_command, parse_json_line
    from commands.sheets import format_of
    from ledger.errors import LedgerError

    if input_format not in (None, "jsonl", "xlsx", "csv"):
        raise typer.BadParameter("'jsonl', 'xlsx' or 'csv'", param_hint="--input-format")
    kind = input_format or format_of(file) or "jsonl"
    where = "line" if kind == "jsonl" else "row"
    numbered: list[tuple[int, Any]]
    if kind == "jsonl":
        lines = _read_lines(file)
        numbered = [(n, line) for n, line in enumerate(lines, 1) if line.strip()]
    else:
        sheet = _read_sheet(file, kind)
        numbered = [(found.row, found) for found in sheet]

    def parsed(start: int) -> Any:
        for _, given in numbered[start:]:
            try:
                if kind == "jsonl":
                    yield parse_json_line(given)
                else:
                    yield parse_command(given.data)
            except LedgerError as error:
                yield error

    service = Waiting(wait_for_database).opening(bootstrap)
    caller = caller_of_run(service.store)
    counts = {"applied": 0, "already_applied": 0, "refused": 0}
    refusals: list[dict[str, Any]] = []
    done = 0  # the inputs answered: every one of them committed (or refused) before the next
    resumed: list[int] = []  # the lines gone on from after the database came back
    position: int | None = None  # the log's last position this run's lines were answered at
    interrupted_by_sigterm()
    with _progress(len(numbered), f"applying {file}") as advance:
        waiting = Waiting(wait_for_database)
        while True:
            try:
                outcomes = (
                    service.preview(parsed(done), caller, batch_size=batch_size)
                    if dry_run
                    else service.execute_many(
                        parsed(done), caller, batch_size=batch_size, stop_on_error=stop_on_error
                    )
                )
                for (line_no, given), outcome in zip(numbered[done:], outcomes, strict=False):
                    counts[outcome.status] += 1
                    done += 1
                    position = max(position or 0, outcome.position or 0) or None
                    waiting.progressed()
                    if outcome.refused:
                        if kind != "jsonl" and outcome.error is not None:
                            line_no = given.row_of(outcome.error.field)  # a list item's row
                        refusals.append(_refusal(line_no, outcome, where))
                        if output == "text":
                            _print_refusal(refusals[-1])
                    advance()
                break
            except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (``interrupted_by_sigterm``)
                if dry_run:
                    raise
                left = numbered[done:]
                stopped_report(
                    file, "", counts, refusals, left, where, output, batch_size, position
                )
                raise typer.Exit(INTERRUPTED) from None
            except Exception as error:
                from commands.faults import database_failure, passing

                reason = database_failure(error)
                if reason is None or dry_run:
                    raise
                left = numbered[done:]
                in_doubt = left[:batch_size]
                if passing(error) and all(keyed(given) for _, given in in_doubt):
                    first = left[0][0]
                    if waiting.until_answered(service.store, reason, f"{where} {first}"):
                        resumed.append(first)
                        continue
                stopped_report(
                    file, reason, counts, refusals, left, where, output, batch_size, position
                )
                raise typer.Exit(FAILED) from None
    if resumed and output == "text":
        _err(
            f"went on after the database came back, from {where} "
            f"{', '.join(str(n) for n in resumed)}; a {where} of the batch being written when "
            "it went away answers 'already applied' if that commit had reached it"
        )
    service.store.close()
    not_run = len(numbered) - sum(counts.values())
    _print_summary(counts, not_run, refusals, output, dry_run, position)
    raise typer.Exit(1 if counts["refused"] else 0)


# --- the read side ------------------------------------------------------------------------


def _read_lines(file: str) -> list[bytes]:
    """The lines as bytes: each is decoded on its own, so one bad byte refuses one line."""
    if file == "-":
        data = sys.stdin.buffer.read()
    else:
        path = Path(file)
        if not path.is_file():
            _err(f"error: {file}: no such file")
            raise typer.Exit(2)
        data = path.read_bytes()
    return data.removeprefix(b"\xef\xbb\xbf").splitlines()


def _read_sheet(file: str, kind: str) -> list[Any]:
    """A spreadsheet's commands; a file refused as a whole ends the run (exit 2)."""
    from commands.sheets import MAX_BYTES, InvalidSheet, keyed, read_sheet

    if file == "-":
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
    else:
        path = Path(file)
        if not path.is_file():
            _err(f"error: {file}: no such file")
            raise typer.Exit(2)
        with path.open("rb") as opened:
            data = opened.read(MAX_BYTES + 1)
    try:
        return keyed(read_sheet(data, kind), data)  # a row's id: as on the import page
    except InvalidSheet as refused:
        for problem in refused.problems:
            _err(f"error: {file}: {problem}")
        _err("error: nothing was recorded")
        raise typer.Exit(2) from None


def _refusal(line_no: int, outcome: Outcome, where: str = "line") -> dict[str, Any]:
    error = outcome.error
    assert error is not None
    return {where: line_no, "command": outcome.command, **error.as_dict()}


def _print_refusal(refusal: dict[str, Any]) -> None:
    where = f" ({refusal['field']})" if refusal["field"] else ""
    place = "row" if "row" in refusal else "line"
    _err(f"{place} {refusal[place]}: refused {refusal['code']}{where}: {refusal['message']}")


def _print_summary(
    counts: dict[str, int],
    not_run: int,
    refusals: list[dict[str, Any]],
    output: str,
    dry_run: bool = False,
    position: int | None = None,
) -> None:
    if output == "json":
        import json

        answer = {**counts, "not_run": not_run, "refusals": refusals, "position": position}
        typer.echo(json.dumps({**answer, "dry_run": True} if dry_run else answer, indent=2))
        return
    if dry_run:
        typer.echo(
            f"dry run, nothing recorded: would apply {counts['applied']}, already applied "
            f"{counts['already_applied']}, would refuse {counts['refused']}"
        )
        return
    summary = (
        f"applied {counts['applied']}, already applied {counts['already_applied']}, "
        f"refused {counts['refused']}"
    )
    if not_run:
        summary += f", not run {not_run} (stopped at the first refusal)"
    typer.echo(summary)


@app.command()
def template(
    command: Annotated[str, typer.Argument(help="The command: register_enterprise, ...")],
    file_format: Annotated[
        str, typer.Option("--format", help="'xlsx' (the default) or 'csv'.")
    ] = "xlsx",
    out: Annotated[
        str | None,
        typer.Option(
            "-o",
            "--output",
            help="Write to this file. Default: COMMAND.xlsx here; a CSV goes to stdout.",
        ),
    ] = None,
) -> None:
    """A spreadsheet template for a command, for bonded apply FILE.xlsx / FILE.csv.

    Its columns are the command's fields, with an example row; what each column holds is on
    the workbook's second sheet (a CSV's # comment rows above its header)."""
    import difflib

    from api.cells import csv_file
    from api.files import write_file
    from api.sheet_templates import template_csv, template_xlsx
    from commands.models import COMMAND_NAMES

    if command not in COMMAND_NAMES:
        close = difflib.get_close_matches(command, COMMAND_NAMES, n=3)
        hint = f"did you mean {', '.join(close)}? " if close else ""
        raise typer.BadParameter(f"{hint}one of {', '.join(COMMAND_NAMES)}", param_hint="COMMAND")
    if file_format not in ("xlsx", "csv"):
        raise typer.BadParameter("'xlsx' or 'csv'", param_hint="--format")
    if file_format == "csv":
        text = template_csv(command)
        if out is None:
            typer.echo(text, nl=False)
        else:
            write_file(out, csv_file(text), "-o")
        return
    target = out or f"{command}.xlsx"
    write_file(target, template_xlsx(command), "-o")
    typer.echo(target)
