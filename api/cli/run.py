"""What every command of one ``bonded`` run shares: who it acts as (``--as``), how a refusal
or a usage error ends it, a progress bar on long work, and the ledger with its read models
caught up. The CLI's modules import it; it imports none of them."""

from __future__ import annotations

import sys
from typing import Any

import typer

PROGRESS_FROM_LINES = 500

RUN: dict[str, str | None] = {"as": None}  # who this run acts as: --as USER, else the operator


def caller_of_run(store: Any) -> Any:
    """The user named by ``--as`` (read from its own stream), or the operator."""
    from api.callers import user_named
    from ledger.users import OPERATOR

    name = RUN["as"]
    if name is None:
        return OPERATOR
    user = user_named(store, name)
    if user is None:
        err(f"error: --as: no user named {name}")
        raise typer.Exit(2)
    return user


def exit_refused(error: Any) -> None:
    """A refused command: its code, field and reason on stderr; exit 1."""
    from ledger.errors import UnknownName

    if isinstance(error, UnknownName):  # the asker's mistake: a usage error, exit 2
        raise typer.BadParameter(error.message, param_hint=f"--{error.field}")
    where = f" ({error.field})" if error.field else ""
    err(f"refused {error.code}{where}: {error.message}")
    raise typer.Exit(1)


def err(message: str) -> None:
    typer.echo(message, err=True)


def caught_up_ledger() -> Any:
    """The ledger with its read models caught up: the reports find their lots there."""
    from api.wiring import open_ledger

    ledger = open_ledger()
    status = ledger.runner.status()
    with Progress(status.head, "projecting", "events", status.position) as advance:
        ledger.runner.catch_up(lambda position, _: advance(position))
    return ledger


class Progress:
    """A Rich progress bar on long files, on a terminal; nothing otherwise."""

    def __init__(self, total: int, label: str, unit: str = "lines", start: int = 0) -> None:
        self.total = total
        self.start = start  # where the count starts: a catch-up from a read model's position
        self.label = label
        self.unit = unit
        self.bar: Any = None

    def __enter__(self) -> Any:
        if self.total - self.start < PROGRESS_FROM_LINES or not sys.stderr.isatty():
            return lambda *_: None
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(f"{{task.fields[rate]}} {self.unit}/s"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.bar.start()
        task = self.bar.add_task(self.label, total=self.total, completed=self.start, rate="…")

        def advance(completed: int | None = None) -> None:
            if completed is None:
                self.bar.advance(task)
            else:
                self.bar.update(task, completed=completed)
            speed = self.bar.tasks[task].speed
            if speed:
                self.bar.update(task, rate=f"{speed:,.0f}")

        return advance

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
