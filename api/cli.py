"""The ``bonded`` command line. Thin: parse, call the service or a query, render.

Heavy modules (the event store, SQLAlchemy, pydantic models) are imported inside the
commands that use them, so ``bonded --help`` and a one-line ``apply`` start quickly.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from commands.service import Outcome

app = typer.Typer(
    name="bonded",
    help=(
        "Bonded Ledger: an event-sourced ledger for bonded warehouses (Circular 194/2010 "
        "Art. 55). Every movement is an immutable event.\n\n"
        "The database is BONDED_DATABASE_URL (default: the SQLite file ./bonded.db); "
        "the rule pack is BONDED_RULE_PACK (vn-2015 or vn-2010; default vn-2015)."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

PROGRESS_FROM_LINES = 500


@app.callback()
def _root() -> None:
    """Bonded Ledger."""


def _err(message: str) -> None:
    typer.echo(message, err=True)


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
    numbered = [(n, text) for n, text in enumerate(lines, 1) if text.strip()]

    def parsed() -> Any:
        for _, text in numbered:
            try:
                yield parse_json_line(text)
            except LedgerError as error:
                yield error

    service = bootstrap()
    counts = {"applied": 0, "already_applied": 0, "refused": 0}
    refusals: list[dict[str, Any]] = []
    with _progress(len(numbered), file) as advance:
        outcomes = service.execute_many(
            parsed(), batch_size=batch_size, stop_on_error=stop_on_error
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


def _read_lines(file: str) -> list[str]:
    if file == "-":
        return sys.stdin.read().splitlines()
    path = Path(file)
    if not path.is_file():
        _err(f"error: {file}: no such file")
        raise typer.Exit(2)
    return path.read_text(encoding="utf-8").splitlines()


class _progress:
    """A Rich progress bar on long files, on a terminal; nothing otherwise."""

    def __init__(self, total: int, label: str) -> None:
        self.total = total
        self.label = label
        self.bar: Any = None

    def __enter__(self) -> Any:
        if self.total < PROGRESS_FROM_LINES or not sys.stderr.isatty():
            return lambda: None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        self.bar = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.bar.start()
        task = self.bar.add_task(f"applying {self.label}", total=self.total)
        return lambda: self.bar.advance(task)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


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


def main() -> None:
    """The console script: a clear message instead of a traceback on unexpected failures."""
    try:
        app()
    except Exception as error:
        if os.environ.get("BONDED_DEBUG"):
            raise
        _err(f"error: {type(error).__name__}: {error}")
        _err("(set BONDED_DEBUG=1 to see the traceback)")
        sys.exit(3)


if __name__ == "__main__":
    main()
