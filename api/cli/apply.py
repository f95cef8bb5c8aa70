"""``bonded apply``: commands from a JSON Lines file, each refusal with its line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

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
        typer.Argument(help="A JSON Lines file of commands, one object per line; '-' reads stdin."),
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
) -> None:
    """Apply commands in order (DOMAIN.md §6 vocabulary).

    Prints each refusal with its line number, code and reason, then a summary.
    Exits 1 if any command was refused, 0 otherwise.
    """
    from commands.bootstrap import bootstrap
    from commands.parsing import parse_json_line
    from ledger.errors import LedgerError

    lines = _read_lines(file)
    numbered = [(n, line) for n, line in enumerate(lines, 1) if line.strip()]

    def parsed() -> Any:
        for _, text in numbered:
            try:
                yield parse_json_line(text)
            except LedgerError as error:
                yield error

    service = bootstrap()
    caller = caller_of_run(service.store)
    counts = {"applied": 0, "already_applied": 0, "refused": 0}
    refusals: list[dict[str, Any]] = []
    with _progress(len(numbered), f"applying {file}") as advance:
        outcomes = service.execute_many(
            parsed(), caller, batch_size=batch_size, stop_on_error=stop_on_error
        )
        for (line_no, _), outcome in zip(numbered, outcomes, strict=False):
            counts[outcome.status] += 1
            if outcome.refused:
                refusals.append(_refusal(line_no, outcome))
                if output == "text":
                    _print_refusal(refusals[-1])
            advance()
    service.store.close()
    not_run = len(numbered) - sum(counts.values())
    _print_summary(counts, not_run, refusals, output)
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


def _refusal(line_no: int, outcome: Outcome) -> dict[str, Any]:
    error = outcome.error
    assert error is not None
    return {"line": line_no, "command": outcome.command, **error.as_dict()}


def _print_refusal(refusal: dict[str, Any]) -> None:
    where = f" ({refusal['field']})" if refusal["field"] else ""
    _err(f"line {refusal['line']}: refused {refusal['code']}{where}: {refusal['message']}")


def _print_summary(
    counts: dict[str, int], not_run: int, refusals: list[dict[str, Any]], output: str
) -> None:
    if output == "json":
        import json

        typer.echo(json.dumps({**counts, "not_run": not_run, "refusals": refusals}, indent=2))
        return
    summary = (
        f"applied {counts['applied']}, already applied {counts['already_applied']}, "
        f"refused {counts['refused']}"
    )
    if not_run:
        summary += f", not run {not_run} (stopped at the first refusal)"
    typer.echo(summary)
