"""Every question (``projections/questions``) as a ``bonded`` command: its parameters as options
and arguments, its rows as a table, JSON or CSV, answered for the caller of the run (``--as``)
by the same path as over HTTP (``api/asking.ask``). The root group lists them by name and
builds only the one a run asks for (``command``), so a run imports no other question."""

from __future__ import annotations

import inspect
from dataclasses import MISSING
from shlex import quote
from typing import TYPE_CHECKING, Annotated, Any

import typer

from api.cli.options import Format, check_format
from api.cli.run import caller_of_run, exit_refused
from projections.questions import question_named

if TYPE_CHECKING:
    from projections.questions.question import Ask, Question


def command(name: str) -> Any:
    """The command of the question ``name`` (a Typer command)."""
    app = typer.Typer()
    _register(app, question_named(name))
    return typer.main.get_command(app)


def _parameter(name: str, kind: Any, how: Ask, default: Any) -> inspect.Parameter:
    if how.subject:
        where: Any = typer.Argument(help=how.help)
    else:
        flag = "--" + (how.flag or name).replace("_", "-")
        where = typer.Option(flag, help=how.help, min=how.ge, max=how.le)
    return inspect.Parameter(
        name,
        inspect.Parameter.KEYWORD_ONLY,
        default=inspect.Parameter.empty if default is MISSING else default,
        annotation=Annotated[kind, where],
    )


def _register(app: typer.Typer, question: Question[Any]) -> None:
    flags = {}  # a refusal names the field as asked (``from``) or as declared (``from_day``)
    for name, _, how in question.asked.parameters():
        flags[name] = flags[how.flag or name] = "--" + (how.flag or name).replace("_", "-")
    fields = question.asked.__dataclass_fields__
    parameters = [
        _parameter(name, kind, how, fields[name].default)
        for name, kind, how in question.asked.parameters()
    ]
    parameters.append(
        inspect.Parameter(
            "output", inspect.Parameter.KEYWORD_ONLY, default="table", annotation=Format
        )
    )

    def command(output: str = "table", **given: Any) -> None:
        from api.asking import ask
        from api.render import render
        from api.wiring import open_ledger
        from ledger.errors import Invalid, LedgerError

        check_format(output)
        asked = question.asked(**given)
        ledger = open_ledger()
        try:
            caller = caller_of_run(ledger.service.store)
            found = ask(question, asked, caller, ledger.read_model, ledger.runner.catch_up)
        except Invalid as error:  # a parameter's value the question cannot take
            if error.field not in flags:
                exit_refused(error)
            raise typer.BadParameter(error.message, param_hint=flags[error.field]) from None
        except LedgerError as error:
            exit_refused(error)
            raise
        finally:
            ledger.close()
        title = question.title(asked, found.when)
        typer.echo(
            render(found.rows, output, title, question.row.columns(), question.row.numeric())
        )
        if found.next is not None:  # on stderr: the rows on stdout stay one whole document
            typer.echo(f"More rows follow: ask again with --after {quote(found.next)}", err=True)

    command.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in parameters}
    command.__doc__ = question.doc
    app.command(question.name)(command)
