"""``bonded apply``: commands from a JSON Lines file, each refusal with its line, or from a
spreadsheet (XLSX, CSV: ``commands/sheets.py``), each refusal with its row; ``bonded
template``: a spreadsheet template per command."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from api.cli.run import Progress as _progress
from api.cli.run import caller_of_run
from api.cli.run import err as _err

if TYPE_CHECKING:
    from commands.service import Outcome

app = typer.Typer()
T = TypeVar("T")


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

    service = _Waiting(wait_for_database).opening(bootstrap)
    caller = caller_of_run(service.store)
    counts = {"applied": 0, "already_applied": 0, "refused": 0}
    refusals: list[dict[str, Any]] = []
    done = 0  # the inputs answered: every one of them committed (or refused) before the next
    resumed: list[int] = []  # the lines gone on from after the database came back
    position: int | None = None  # the log's last position this run's lines were answered at
    _interrupted_by_sigterm()
    with _progress(len(numbered), f"applying {file}") as advance:
        waiting = _Waiting(wait_for_database)
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
            except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (``_interrupted``)
                if dry_run:
                    raise
                left = numbered[done:]
                _stopped(file, "", counts, refusals, left, where, output, batch_size, position)
                raise typer.Exit(INTERRUPTED) from None
            except Exception as error:
                from commands.faults import database_failure, passing

                reason = database_failure(error)
                if reason is None or dry_run:
                    raise
                left = numbered[done:]
                in_doubt = left[:batch_size]
                if passing(error) and all(_keyed(given) for _, given in in_doubt):
                    first = left[0][0]
                    if waiting.until_answered(service.store, reason, f"{where} {first}"):
                        resumed.append(first)
                        continue
                _stopped(file, reason, counts, refusals, left, where, output, batch_size, position)
                raise typer.Exit(FAILED) from None
    if resumed and output == "text":
        _err(
            f"the database failed {len(resumed)} time(s); gone on each time from the first "
            f"{where} not committed ({', '.join(str(n) for n in resumed)}): a {where} of the "
            "batch being written answers 'already applied' if that batch's commit had reached "
            "the database"
        )
    service.store.close()
    not_run = len(numbered) - sum(counts.values())
    _print_summary(counts, not_run, refusals, output, dry_run, position)
    raise typer.Exit(1 if counts["refused"] else 0)


FAILED = 4  # the database failed midway: what was committed is said (docs/commands.md)
INTERRUPTED = 130  # stopped by Ctrl-C or SIGTERM: what was committed is said too


def _interrupted_by_sigterm() -> None:
    """SIGTERM (a service manager stopping the run) taken as Ctrl-C: the run stops between
    two statements and says what it committed, instead of dying silent."""
    import signal

    def interrupt(_number: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


class _Waiting:
    """How long a run still waits for its database: up to ``seconds`` from the failure,
    counted afresh once a line has been answered since."""

    PAUSE = 0.5  # between two attempts to reach the database

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.since: float | None = None  # the first failure since the last line answered

    def progressed(self) -> None:
        self.since = None

    def opening(self, bootstrap: Callable[[], T]) -> T:
        """The ledger opened, waiting up to ``seconds`` for a database that is restarting or
        failing over (one that refuses connections is more likely a wrong URL: at once)."""
        import time

        from commands.faults import database_failure, passing, restarting

        while True:
            try:
                return bootstrap()
            except Exception as error:
                now = time.monotonic()
                if self.since is None and restarting(error) and self.seconds > 0:
                    self.since = now
                    _err(
                        f"the database does not answer yet: {database_failure(error)}; "
                        f"waiting up to {self.seconds:g} s for it (--wait-for-database)"
                    )
                if self.since is None or not passing(error) or now - self.since > self.seconds:
                    raise
                time.sleep(self.PAUSE)

    def until_answered(self, store: Any, reason: str, at: str) -> bool:
        """Waits until the database answers again; False once the time is up."""
        import time

        now = time.monotonic()
        if self.since is None:
            self.since = now
            if self.seconds > 0:
                _err(
                    f"the database failed at {at}: {reason}; waiting up to "
                    f"{self.seconds:g} s for it to answer again (--wait-for-database)"
                )
        while time.monotonic() - self.since < self.seconds:
            time.sleep(self.PAUSE)
            if _answers(store):
                _err(f"the database answers again: going on from {at}")
                return True
        return False


def _answers(store: Any) -> bool:
    """Whether the event store's database takes a connection and answers a query."""
    from sqlalchemy import text

    from commands.faults import database_failure

    try:
        with store.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        if database_failure(error) is None:
            raise
        return False
    return True


def _stopped(
    file: str,
    reason: str,
    counts: dict[str, int],
    refusals: list[dict[str, Any]],
    left: list[tuple[int, Any]],
    where: str,
    output: str,
    batch_size: int,
    position: int | None,
) -> None:
    """What a run cut short by the database failing leaves behind: the inputs answered were
    each committed in a transaction of their batch (or refused) before the next batch began;
    the batch being written when it failed was rolled back, unless the failure came during
    its commit, when it may have been recorded. Whether running the same file again is safe:
    yes for every input with a ``command_id`` (recorded once, whatever happened), and what to
    do for those without."""
    from commands.settings import Settings

    first = left[0][0] if left else None
    unkeyed = [number for number, given in left if not _keyed(given)]
    report = {
        **counts,
        "not_run": len(left),
        "refusals": refusals,
        "position": position,
        "stopped": {
            "reason": reason or "interrupted (Ctrl-C or SIGTERM)",
            "database": Settings.from_env().shown_url,
            "first_not_committed": first,
            "in_doubt": [number for number, _ in left[:batch_size]],
            "without_command_id": unkeyed,
            "safe_to_repeat": not unkeyed,
        },
    }
    if output == "json":
        import json

        typer.echo(json.dumps(report, indent=2))
        return
    if reason:
        _err(f"error: the database failed while applying {file}: {reason}")
    else:
        _err(f"stopped (Ctrl-C or SIGTERM) while applying {file}")
    _err(
        f"committed before it {'failed' if reason else 'stopped'}: applied "
        f"{counts['applied']}, already applied "
        f"{counts['already_applied']}, refused {counts['refused']}"
        + (f" ({where}s before {where} {first})" if first is not None else "")
        + (f"; the log's position then: {position}" if position is not None else "")
    )
    if not left:
        _err("every input was answered before the failure")
        return
    last = left[min(batch_size, len(left)) - 1][0]
    _err(
        f"not committed: {len(left)} from {where} {first} on; the batch of {where}s {first}–"
        f"{last} was being written and is recorded only if the failure came as it committed"
    )
    if not unkeyed:
        _err(
            f"safe to repeat: every {where} left has a command_id, so `bonded apply {file}` "
            "again records each once (those already recorded answer 'already applied')"
        )
    else:
        shown = ", ".join(str(n) for n in unkeyed[:10]) + (" …" if len(unkeyed) > 10 else "")
        _err(
            f"not safe to repeat as it is: {len(unkeyed)} {where}(s) left have no command_id "
            f"({shown}). Check with `bonded stock-card LOT` which of {where}s {first}–{last} "
            f"were recorded, then apply the {where}s after them only; or give each {where} a "
            "command_id, so that a repeat records it once"
        )


def _keyed(given: Any) -> bool:
    """Whether an input names its ``command_id`` (a spreadsheet row always has one)."""
    if isinstance(given, bytes):
        import json

        try:
            found = json.loads(given)
        except ValueError:
            return True  # refused anyway: repeating it records nothing
        return not isinstance(found, dict) or bool(found.get("command_id"))
    return True


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
