"""The options the CLI's commands share, declared once: the moments, the output formats."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from api.files import writable

AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Effective date YYYY-MM-DD: the answer holds at the end of that day (warehouse "
        "time). Default: today.",
    ),
]
KnownAt = Annotated[
    str | None,
    typer.Option(
        "--known-at",
        help="What the ledger knew at this recorded moment (ISO 8601 with offset; a bare date "
        "means the end of that day). Default: now.",
    ),
]
Format = Annotated[str, typer.Option("--format", help="table, json or csv.")]
Warehouse = Annotated[str | None, typer.Option("--warehouse", help="Only this warehouse.")]
Owner = Annotated[str | None, typer.Option("--owner", help="Only this goods owner's lots.")]
LotOption = Annotated[str | None, typer.Option("--lot", help="Only this lot.")]
Province = Annotated[str | None, typer.Option("--province", help="Only this province.")]


def when_of(as_of: str | None, known_at: str | None) -> Any:
    from ledger.errors import LedgerError
    from projections.asked import when_asked

    try:
        return when_asked(as_of, known_at)
    except LedgerError as error:
        hint = f"--{error.field}".replace("_", "-")
        raise typer.BadParameter(error.message, param_hint=hint) from None


def document_format(
    output_format: str | None, output: str | None, choices: tuple[str, ...], what: str
) -> str:
    """--format, else -o's extension, else json; an XLSX needs a file."""
    chosen = output_format or (Path(output).suffix.lstrip(".") if output else "json")
    if chosen not in choices:
        raise typer.BadParameter(f"choose {', '.join(choices)}", param_hint="--format")
    if chosen == "xlsx" and not output:
        raise typer.BadParameter(f"an XLSX {what} needs a file: -o {what}.xlsx", param_hint="-o")
    if output is not None:
        writable(output, "--output")  # before the work, not after it
    return chosen


def check_format(output: str) -> None:
    from api.render import FORMATS

    if output not in FORMATS:
        raise typer.BadParameter(f"choose one of {', '.join(FORMATS)}", param_hint="--format")
