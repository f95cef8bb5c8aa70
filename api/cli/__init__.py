"""The ``bonded`` command line, a package by area: ``apply``; the questions (one command
each, from ``projections/questions``); the documents (periodic report, inspection pack); the
audit; accounts (users, tokens); operations (demo, serve, db, projections). Each area is a
Typer app merged here. Thin: parse, call the service or a question, render.

Heavy modules (the event store, SQLAlchemy) are imported inside the commands that use them,
so ``bonded --help`` and a one-line ``apply`` start quickly.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from api.cli import apply, audit, documents, operations, questions
from api.cli.accounts import tokens_app, users_app
from api.cli.run import RUN
from api.cli.run import err as _err
from projections.questions import names


def _plain_arguments(arguments: list[str]) -> None:
    """No argument of any command carries a control or invisible formatting character (NUL,
    a line break, a bidirectional override): a usage error naming it, checked once here for
    every option and argument rather than by each command (PostgreSQL refuses NUL outright)."""
    from ledger.codes import plain_text

    for argument in arguments:
        try:
            plain_text(argument)
        except ValueError as error:
            raise typer.BadParameter(f"{argument[:40]!r} {error}") from None


class _PlainArguments(TyperGroup):
    """The root command: every argument checked once before any command parses it."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        _plain_arguments(args)
        parsed: list[str] = super().parse_args(ctx, args)
        return parsed

    def list_commands(self, ctx: Any) -> list[str]:
        """The commands of every area, then every question (``api/cli/questions.py``)."""
        return [*super().list_commands(ctx), *names()]

    def get_command(self, ctx: Any, name: str) -> Any:
        """A command of an area, or a question's, built only when asked for."""
        found = super().get_command(ctx, name)
        if found is None and name in names():
            return questions.command(name)
        return found


app = typer.Typer(
    name="bonded",
    cls=_PlainArguments,
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


@app.callback()
def _root(
    as_user: Annotated[
        str | None,
        typer.Option(
            "--as",
            help="Act as this user: its role and scope apply. Without it the CLI is the "
            "installation's operator, allowed every command.",
        ),
    ] = None,
) -> None:
    """Bonded Ledger."""
    RUN["as"] = as_user


app.add_typer(apply.app)
app.add_typer(documents.app)
app.add_typer(operations.app)
app.add_typer(audit.app, name="audit")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")


def main() -> None:
    """The console script: a clear message instead of a traceback on unexpected failures."""
    from commands.settings import InvalidSetting

    try:
        app()
    except InvalidSetting as error:
        _err(f"error: {error}")
        sys.exit(2)
    except Exception as error:
        if os.environ.get("BONDED_DEBUG"):
            raise
        unreachable = _database_failure(error)
        if unreachable:
            _err(f"error: {unreachable}")
            sys.exit(4)
        _err(f"error: {type(error).__name__}: {error}")
        _err("(set BONDED_DEBUG=1 to see the traceback)")
        sys.exit(3)


def _database_failure(error: Exception) -> str | None:
    """A sentence for a database that does not answer or failed under us, naming it without
    its password; None for any other failure."""
    from commands.faults import database_failure
    from commands.settings import Settings

    reason = database_failure(error)
    if reason is None:
        return None
    url = Settings.from_env().shown_url
    return f"the database {url} did not answer or failed: {reason}"
