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
from typer.core import TyperGroup

from api.cli_accounts import tokens_app, users_app
from api.cli_run import RUN, caller_of_run, exit_refused
from api.cli_run import Progress as _progress
from api.cli_run import caught_up_ledger as _caught_up_ledger
from api.cli_run import err as _err
from api.files import read_file, writable, write_file
from api.render import BALANCE_COLUMNS, CARD_COLUMNS, CLOCK_COLUMNS, SETTLEMENT_COLUMNS

if TYPE_CHECKING:
    from api.wiring import Ledger
    from commands.service import Outcome


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

db_app = typer.Typer(
    help="The read models' database schema (Alembic migrations).", no_args_is_help=True
)
projections_app = typer.Typer(
    help="The read models: projections of the event log, rebuilt or followed.", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
report_app = typer.Typer(help="The owner's periodic report (Art. 55.8c).", no_args_is_help=True)
app.add_typer(report_app, name="report")
audit_app = typer.Typer(
    help="Tamper evidence: the hash chain over every stored event.", no_args_is_help=True
)
app.add_typer(audit_app, name="audit")
app.add_typer(tokens_app, name="tokens")
app.add_typer(projections_app, name="projections")

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


def _when(as_of: str | None, known_at: str | None) -> Any:
    from api.asking import when_asked
    from ledger.errors import LedgerError

    try:
        return when_asked(as_of, known_at)
    except LedgerError as error:
        hint = f"--{error.field}".replace("_", "-")
        raise typer.BadParameter(error.message, param_hint=hint) from None


def _document_format(
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


def _check_format(output: str) -> None:
    from api.render import FORMATS

    if output not in FORMATS:
        raise typer.BadParameter(f"choose one of {', '.join(FORMATS)}", param_hint="--format")


def _answer(
    title: str,
    columns: list[str],
    output: str,
    ask: Any,
    filters: Any = None,
    lot_id: str | None = None,
) -> None:
    """Answers ``ask(model, filters)`` with the filters narrowed to the scope of the caller of
    this run (refused if they name what it may not see)."""
    from ledger.errors import unknown_lot
    from projections.visibility import within

    def scoped(model: Any, caller: Any) -> Any:
        scope = model.scope(caller)
        narrowed = filters
        if filters is not None:
            narrowed = within(model.named(caller, scope, filters), scope)
        if lot_id is not None and not model.lot_in_sight(scope, lot_id):
            raise unknown_lot(lot_id)
        return ask(model, narrowed)

    _ask_as_caller(title, columns, output, scoped)


def _lot_query(name: str, title: str, columns: list[str], doc: str) -> None:
    """Registers one of the lot questions that share their filters: balances, clocks, overdue."""

    def command(
        warehouse: Warehouse = None,
        owner: Owner = None,
        lot: LotOption = None,
        province: Province = None,
        as_of: AsOf = None,
        known_at: KnownAt = None,
        output: Format = "table",
    ) -> None:
        from projections.queries import Filters

        when = _when(as_of, known_at)
        _answer(
            f"{title} as of {when.as_of}",
            columns,
            output,
            lambda model, filters: getattr(model, name)(filters, when),
            Filters(warehouse, owner, lot, province),
        )

    command.__doc__ = doc
    app.command(name)(command)


_lot_query("balances", "Balances", BALANCE_COLUMNS, "Lots with goods on hand or in transit.")
_lot_query(
    "clocks",
    "Storage clocks",
    CLOCK_COLUMNS,
    "Storage clocks: first warehousing date, deadline, days in storage and left, status.",
)
_lot_query(
    "overdue",
    "Overdue lots",
    CLOCK_COLUMNS,
    "Lots past their deadline with goods still on hand or in transit.",
)


@app.command()
def settlements(
    warehouse: Warehouse = None,
    owner: Owner = None,
    province: Province = None,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    output: Format = "table",
) -> None:
    """Declarations: open, awaiting settlement, settlement-overdue or settled (55.8d)."""
    from projections.queries import Filters

    when = _when(as_of, known_at)
    _answer(
        f"Settlements as of {when.as_of}",
        SETTLEMENT_COLUMNS,
        output,
        lambda model, filters: model.settlements(filters, when),
        Filters(warehouse_id=warehouse, owner=owner, province=province),
    )


@app.command("stock-card")
def stock_card(
    lot_id: Annotated[str, typer.Argument(help="The lot, e.g. TK-100001/1 or TK-100001/1.2")],
    as_of: AsOf = None,
    known_at: KnownAt = None,
    output: Format = "table",
) -> None:
    """Every event of a lot in effective order, with its running balance and lineage."""
    when = _when(as_of, known_at)
    _answer(
        f"Stock card of {lot_id} as of {when.as_of}",
        CARD_COLUMNS,
        output,
        lambda model, _: model.stock_card(lot_id, when),
        lot_id=lot_id,
    )


def _ask_as_caller(title: str, columns: list[str], output: str, ask: Any) -> None:
    """Catches the read models up, then answers ``ask(model, caller)`` for the caller of this
    run (its scope applied by the question itself)."""
    from api.render import render
    from api.wiring import open_ledger
    from ledger.errors import LedgerError

    _check_format(output)
    ledger = open_ledger()
    try:
        ledger.runner.catch_up()
        try:
            rows = ask(ledger.read_model, caller_of_run(ledger.service.store))
        except LedgerError as error:
            exit_refused(error)
    finally:
        ledger.close()
    typer.echo(render(rows, output, title, columns))


@app.command()
def licences(
    owner: Owner = None,
    status: Annotated[
        str | None, typer.Option(help="valid, exhausted, expired or revoked.")
    ] = None,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    output: Format = "table",
) -> None:
    """Licence, condition and inspection-result lines: granted, deducted, remaining, status."""
    from api.render import LICENCE_COLUMNS
    from ledger.licences import LicenceStatus

    if status is not None and status not in set(LicenceStatus):
        raise typer.BadParameter(", ".join(LicenceStatus), param_hint="--status")
    when = _when(as_of, known_at)
    _ask_as_caller(
        f"Licences as of {when.as_of}",
        LICENCE_COLUMNS,
        output,
        lambda model, caller: model.licences(caller, when, owner, status),
    )


@app.command("licence-card")
def licence_card(
    licence_no: Annotated[str, typer.Argument(help="The licence, e.g. GP-2026-001")],
    as_of: AsOf = None,
    known_at: KnownAt = None,
    output: Format = "table",
) -> None:
    """Every deduction from a licence in effective order, with what remains after each."""
    from api.render import LICENCE_CARD_COLUMNS

    when = _when(as_of, known_at)
    _ask_as_caller(
        f"Licence card of {licence_no} as of {when.as_of}",
        LICENCE_CARD_COLUMNS,
        output,
        lambda model, caller: model.licence_card(caller, licence_no, when),
    )


@app.command()
def orders(
    platform: Annotated[str | None, typer.Option(help="Only this platform's orders.")] = None,
    buyer: Annotated[str | None, typer.Option(help="Only this buyer's orders.")] = None,
    lot: LotOption = None,
    from_day: Annotated[
        str | None, typer.Option("--from", help="Effective on or after this date.")
    ] = None,
    to_day: Annotated[
        str | None, typer.Option("--to", help="Effective on or before this date.")
    ] = None,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    output: Format = "table",
) -> None:
    """E-commerce orders, with their basis and the licences deducted (DOMAIN.md §7)."""
    from datetime import date

    from api.render import ORDER_COLUMNS
    from projections.queries import OrderFilters

    def day(text: str | None, hint: str) -> date | None:
        from api.asking import day_asked
        from ledger.errors import LedgerError

        try:
            return day_asked(text, hint)
        except LedgerError as error:
            raise typer.BadParameter(error.message, param_hint=hint) from None

    when = _when(as_of, known_at)
    filters = OrderFilters(platform, buyer, lot, day(from_day, "--from"), day(to_day, "--to"))
    _ask_as_caller(
        f"Orders as of {when.as_of}",
        ORDER_COLUMNS,
        output,
        lambda model, caller: model.orders(caller, filters, when),
    )


@app.command()
def allowance(
    buyer_id: Annotated[str, typer.Argument(help="The buyer, as the platform identifies it.")],
    year: Annotated[
        int | None, typer.Option(help="Calendar year; default: as-of's.", min=1990, max=2199)
    ] = None,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    output: Format = "table",
) -> None:
    """A buyer's exempt quantities in a year, per goods-list entry: used and left."""
    from api.render import ALLOWANCE_COLUMNS

    when = _when(as_of, known_at)
    _ask_as_caller(
        f"Allowance of {buyer_id} in {year or when.as_of.year}",
        ALLOWANCE_COLUMNS,
        output,
        lambda model, caller: model.allowance(caller, buyer_id, year or when.as_of.year, when),
    )


@app.command()
def warnings(
    kind: Annotated[
        str | None, typer.Option(help="Only this kind, e.g. overdue or licence_low.")
    ] = None,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    output: Format = "table",
) -> None:
    """Warnings in your scope (DOMAIN.md §8): due soon, overdue, settlement overdue, late
    entries, count variances, reports late, licences low or expiring, stop notices over stock."""
    from api.render import WARNING_COLUMNS

    when = _when(as_of, known_at)
    _ask_as_caller(
        f"Warnings as of {when.as_of}",
        WARNING_COLUMNS,
        output,
        lambda model, caller: model.warnings(caller, when, kind),
    )


@app.command()
def demo(
    seed: Annotated[int, typer.Option(help="Another seed, another demo.")] = 2026,
    tokens_file: Annotated[
        str, typer.Option(help="Where to write the demo tokens as shell variables.")
    ] = "demo-tokens.env",
) -> None:
    """Load a realistic demo ledger (two provinces, five warehouses, about two years up to
    yesterday) and issue a fresh token to one demo user per role. Running it again records
    nothing twice; only new tokens are issued."""
    from datetime import datetime

    from api.demo import apply_demo, demo_commands, demo_places, demo_users
    from api.tokens import new_token
    from api.wiring import open_ledger
    from commands.models import ACCOUNT_COMMANDS
    from ledger.calendar import WAREHOUSE_ZONE
    from ledger.intents import AddUser, IssueToken
    from ledger.streams import command_stream, user_stream

    commands = demo_commands(datetime.now(WAREHOUSE_ZONE).date(), seed)
    ledger = open_ledger()
    service = ledger.service
    counts = {"applied": 0, "already_applied": 0, "refused": 0}
    try:
        loaded = service.store.read(command_stream(commands[0].command["command_id"]))
        if loaded:  # on an earlier day: its days were counted back from then
            counts["already_applied"] = len(commands)
            _err("the demo is already loaded")
        with _progress(0 if loaded else len(commands), "loading the demo") as advance:
            for outcome in apply_demo(service, [] if loaded else commands):
                counts[outcome.status] += 1
                if outcome.error is not None:
                    _err(f"refused {outcome.command}: {outcome.error.message}")
                advance()
        tokens: dict[str, str] = {}
        for user in demo_users(demo_places()):
            if not service.store.read(user_stream(user["name"])):
                service.execute(ACCOUNT_COMMANDS[AddUser].model_validate(user))
            token, digest = new_token(user["name"])
            issue = {"name": user["name"], "token_hash": digest}
            service.execute(ACCOUNT_COMMANDS[IssueToken].model_validate(issue))
            tokens[user["role"]] = token
        status = ledger.runner.status()
        with _progress(status.head, "projecting", "events", status.position) as advance:
            ledger.runner.catch_up(lambda position, _: advance(position))
    finally:
        ledger.close()
    write_file(
        tokens_file,
        "".join(f"{role.upper()}_TOKEN={token}\n" for role, token in tokens.items()),
        "--tokens-file",
    )
    typer.echo(
        f"demo: {counts['applied']} commands recorded, {counts['already_applied']} already "
        f"there, {counts['refused']} refused"
    )
    typer.echo(f"tokens (also in {tokens_file}, for `source {tokens_file}`):")
    for role, token in tokens.items():
        typer.echo(f"  {role:<21} {token}")
    if counts["refused"]:
        raise typer.Exit(1)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    workers: Annotated[
        int, typer.Option(help="Worker processes (each follows the event log).", min=1, max=64)
    ] = 1,
    follow: Annotated[
        bool,
        typer.Option(
            help="Keep the read models caught up in the background. Without it answers still "
            "catch up before answering; run `bonded projections run` beside the servers.",
        ),
    ] = True,
) -> None:
    """Run the HTTP API (uvicorn) on the database BONDED_DATABASE_URL names, keeping the read
    models caught up in each process. OpenAPI at /docs; /health and /ready for probes; a line
    per request on stderr."""
    import uvicorn

    from api.serving import PROTOCOL, log_config
    from api.wiring import open_ledger

    ledger = open_ledger()  # creates the store and migrates the read models once, up front
    ledger.runner.migrate()
    ledger.close()
    _err(f"serving on http://{host}:{port} (API docs: http://{host}:{port}/docs); Ctrl-C stops")
    os.environ["BONDED_FOLLOW"] = "1" if follow else "0"  # read by each worker process
    uvicorn.run(
        "api.http:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http=PROTOCOL,  # refusals before the app as problems, too
        log_config=log_config(),
        log_level="warning",
        access_log=False,  # bonded.access logs each request, with its user
    )


@report_app.command("periodic")
def report_periodic(
    warehouse: Annotated[str, typer.Option("--warehouse", help="The warehouse reported on.")],
    period: Annotated[str, typer.Option(help="A quarter 2025-Q3 or a half-year 2025-H1.")],
    known_at: KnownAt = None,
    output_format: Annotated[
        str | None,
        typer.Option("--format", help="json, csv or xlsx (default: from -o's extension, or json)."),
    ] = None,
    output: Annotated[
        str | None, typer.Option("-o", "--output", help="Write to this file (xlsx needs one).")
    ] = None,
) -> None:
    """The periodic report of a warehouse: per goods item opening, in and out by kind, closing
    (checked: closing = opening + in - out), the transfers inside the warehouse, the due date
    and whether it was submitted (late or not). As known at --known-at (default: now)."""
    import json

    from api.cells import csv_file
    from api.reports import as_csv, as_json, as_xlsx, build, reported_warehouse
    from ledger.errors import LedgerError

    chosen = _document_format(output_format, output, ("json", "csv", "xlsx"), "report")
    moment = _when(None, known_at).known_at
    ledger = _caught_up_ledger()
    service = ledger.service
    try:
        caller = caller_of_run(service.store)
        warehouse = reported_warehouse(ledger.read_model, caller, warehouse)
        placed = ledger.read_model.lots_ever_in
        document = build(service.store, service.pack, warehouse, period, moment, placed)
    except LedgerError as error:
        exit_refused(error)
        raise
    finally:
        ledger.close()
    if chosen == "xlsx":
        write_file(str(output), as_xlsx(document), "--output")
        typer.echo(f"wrote {output}: {len(document['rows'])} goods items")
        return
    text = as_csv(document) if chosen == "csv" else json.dumps(as_json(document), indent=2)
    if output:
        text = text if text.endswith("\n") else text + "\n"
        write_file(output, csv_file(text) if chosen == "csv" else text, "--output")
        typer.echo(f"wrote {output}")
    else:
        typer.echo(text.rstrip("\n"))


@app.command()
def inspection(
    province: Annotated[str, typer.Option("--province", help="The province inspected.")],
    year: Annotated[int, typer.Option(help="The calendar year inspected.", min=1990, max=2199)],
    known_at: KnownAt = None,
    output_format: Annotated[
        str | None,
        typer.Option(
            "--format", help="xlsx, html or json (default: from -o's extension, or json)."
        ),
    ] = None,
    output: Annotated[
        str | None, typer.Option("-o", "--output", help="Write to this file (xlsx needs one).")
    ] = None,
) -> None:
    """The annual inspection pack of a province (Art. 55.8e): a summary ranking its
    warehouses by findings, then per warehouse the stock at the year's end, the periodic
    reports due, and every finding (lots overdue, declarations overdue for settlement, holds,
    late entries, reversals, stock-count differences, reports late or missing), each naming
    the events it rests on. A year not over is inspected up to today. Produced by a
    provincial inspector of the province (--as), an auditor, the admin or the operator."""
    import json

    from api.inspections import as_html, as_xlsx, build
    from ledger.calendar import local_date
    from ledger.errors import LedgerError

    chosen = _document_format(output_format, output, ("xlsx", "html", "json"), "pack")
    moment = _when(None, known_at).known_at
    ledger = _caught_up_ledger()
    service = ledger.service
    try:
        province = ledger.read_model.inspected_province(caller_of_run(service.store), province)
        today = local_date(moment or service.clock())
        placed = ledger.read_model.lots_ever_in
        document = build(service.store, service.pack, province, year, today, moment, placed)
    except LedgerError as error:
        exit_refused(error)
        raise
    finally:
        ledger.close()
    found = sum(line["findings"] for line in document["summary"])
    if chosen == "xlsx":
        write_file(str(output), as_xlsx(document), "--output")
        typer.echo(f"wrote {output}: {len(document['warehouses'])} warehouses, {found} findings")
        return
    text = as_html(document) if chosen == "html" else json.dumps(document, indent=2)
    if output:
        write_file(output, text if text.endswith("\n") else text + "\n", "--output")
        typer.echo(f"wrote {output}: {len(document['warehouses'])} warehouses, {found} findings")
    else:
        typer.echo(text.rstrip("\n"))


@audit_app.command("digest")
def audit_digest(
    output: Annotated[str, typer.Option("-o", "--output", help="Where to write the digest.")],
) -> None:
    """Chain everything recorded so far and write the head of the chain over every stored
    event (position, hash, count, covered of stored, time) as JSON: keep it outside the
    database. Where the chain cannot be written (a read-only database, a full disk) the events
    past its head are hashed directly from the store. Exit 1 if it covers fewer or more events
    than are stored."""
    import json
    from datetime import UTC, datetime

    from api.wiring import open_ledger
    from projections.audit_verify import digest_of_log

    writable(output, "--output")
    ledger = open_ledger()
    try:
        _chain_up(ledger)
        table = ledger.service.store.table
        head = digest_of_log(ledger.runner.engine, table, datetime.now(UTC))
    finally:
        ledger.close()
    write_file(output, json.dumps(head.as_dict(), indent=2) + "\n", "--output")
    typer.echo(f"{head}: {head.hash}")
    if head.count != head.stored:
        _err("not every stored event is covered: `bonded audit verify` says where they part")
        raise typer.Exit(1)


def _digest(path: str) -> Any:
    """The digest ``bonded audit digest`` wrote to ``path``; a usage error if it is not one."""
    import json

    from projections.audit_verify import Digest

    try:
        return Digest.of(json.loads(read_file(path, "--digest")))
    except (ValueError, KeyError, TypeError, AttributeError):
        raise typer.BadParameter(
            f"{path!r} is not a digest written by `bonded audit digest`", param_hint="--digest"
        ) from None


@audit_app.command("verify")
def audit_verify(
    digest_file: Annotated[
        str | None, typer.Option("--digest", help="A digest written by `bonded audit digest`.")
    ] = None,
) -> None:
    """Chain everything recorded so far, then re-read every stored event from the first,
    recompute every link of the chain and say how many stored events it covered of how many
    there are: OK when it covered them all, else the first bad position and what is wrong
    there, or what it did not cover. Where the chain cannot be written (a read-only database,
    a full disk) the events past its head are hashed directly from the store. Exit 1 unless
    OK."""

    from api.wiring import open_ledger
    from projections.audit_verify import verify

    held = _digest(digest_file) if digest_file else None
    ledger = open_ledger()
    try:
        _chain_up(ledger)
        table = ledger.service.store.table
        verdict = verify(ledger.runner.engine, table, held)
    finally:
        ledger.close()
    typer.echo(str(verdict))
    if not verdict.ok:
        raise typer.Exit(1)


def _chain_up(ledger: Ledger) -> None:
    """The audit chain brought up to the log, or a note on stderr saying why it was not."""
    reason = ledger.chain_up()
    if reason is not None:
        _err(
            f"note: the hash chain was not brought up to the log ({reason}); "
            "the events past its head are hashed directly from the store"
        )


@audit_app.command("replay")
def audit_replay(
    known_at: Annotated[
        str, typer.Option("--known-at", help="The moment (ISO 8601 with offset, or a date).")
    ],
    to: Annotated[str, typer.Option("--to", help="An empty scratch database's URL.")],
) -> None:
    """Rebuild every read model as the ledger knew it at --known-at into a scratch database:
    the events recorded by then are copied exactly as stored, then projected. Ask it with
    BONDED_DATABASE_URL set to the scratch database."""
    from api.replay import replay
    from api.wiring import open_ledger
    from commands.settings import Settings

    moment = _when(None, known_at).known_at
    source, target = open_ledger(), open_ledger(Settings(to, source_pack(), None))
    try:
        with _progress(source.service.store.head(), "replaying") as advance:
            until, projected = replay(source, target, moment, lambda p, _: advance(p))
    except ValueError as error:
        _err(f"error: --to: {error}")
        raise typer.Exit(2) from None
    finally:
        source.close()
        target.close()
    typer.echo(f"replayed {projected:,} events known at {moment.isoformat()} (up to {until})")


def source_pack() -> str:
    from commands.settings import Settings

    return Settings.from_env().rule_pack


@audit_app.command("check-report")
def audit_check_report(
    warehouse: Annotated[str, typer.Option("--warehouse", help="The warehouse reported on.")],
    period: Annotated[str, typer.Option(help="The period of the submitted report.")],
) -> None:
    """Re-create a submitted periodic report as the ledger knew it at its submission and
    compare its digest with the one stored then. Exit 1 if they differ."""
    from api.reports import check_submitted
    from ledger.errors import LedgerError

    ledger = _caught_up_ledger()
    service = ledger.service
    try:
        placed = ledger.read_model.lots_ever_in
        submitted, digest_now = check_submitted(
            service.store, service.pack, warehouse, period, placed
        )
    except LedgerError as error:
        exit_refused(error)
        raise
    finally:
        ledger.close()
    when = submitted.recorded_at.isoformat()
    if digest_now == submitted.content_digest:
        typer.echo(f"MATCH: the report submitted at {when} re-created: {digest_now}")
        return
    typer.echo(
        f"DIFFERS: the report submitted at {when} stored {submitted.content_digest}; "
        f"re-created as known then it is {digest_now}"
    )
    raise typer.Exit(1)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the read models' tables to the newest revision."""
    from api.wiring import open_ledger
    from projections.schema import HEAD, current_revision, upgrade

    ledger = open_ledger()
    engine = ledger.runner.engine
    before = current_revision(engine)
    upgrade(engine)
    ledger.close()
    typer.echo(f"read models at revision {HEAD} (were at {before or 'none'})")


READ_MODELS = "reference, declarations, lots, lot_history, audit_chain, ecommerce, warning_facts"


@projections_app.command("status")
def projections_status(
    output: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """Each read model's position in the event log, its lag behind the head, the rate it last
    moved at, the time it needs to catch up at that rate, and how often it was rebuilt."""
    import json

    from api.wiring import open_ledger

    if output not in ("text", "json"):
        raise typer.BadParameter("choose one of text, json", param_hint="--format")
    ledger = open_ledger()
    try:
        status = ledger.runner.status()
    finally:
        ledger.close()
    if output == "json":
        read_models = {
            name: {
                "position": tracked.position,
                "lag": status.lag_of(name),
                "events_per_second": round(tracked.rate, 1) if tracked.rate else None,
                "seconds_to_catch_up": status.seconds_to_catch_up(name),
                "last_moved_at": tracked.moved_at.isoformat() if tracked.moved_at else None,
                "version": tracked.version,
                "rebuilt": tracked.generation,
            }
            for name, tracked in status.read_models.items()
        }
        body = {"position": status.position, "head": status.head, "lag": status.lag}
        typer.echo(json.dumps({**body, "read_models": read_models}, indent=2))
        return
    typer.echo(f"position {status.position}, head {status.head}, lag {status.lag}")
    for name, tracked in status.read_models.items():
        left = status.seconds_to_catch_up(name)
        if tracked.rate is None:
            moving = "not projected yet" if not tracked.position else "no rate measured yet"
        else:
            due = "caught up" if left == 0 else f"~{left:,.1f} s to catch up"
            moving = f"{tracked.rate:,.0f} events/s, {due}"
        rebuilt = f", rebuilt {tracked.generation}x" if tracked.generation else ""
        typer.echo(
            f"  {name}: position {tracked.position}, lag {status.lag_of(name)}, {moving}{rebuilt}"
        )


@projections_app.command("rebuild")
def projections_rebuild(
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            help=f"Rebuild only this read model (repeatable): {READ_MODELS}. The others keep "
            "their rows.",
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=16,
            help="Processes building the new read models at once, each its share (PostgreSQL; "
            "on SQLite one process builds them).",
        ),
    ] = 1,
) -> None:
    """Project the whole event log into the read models again (all of them, or --only some).

    Read models already built are rebuilt beside the live ones, which every question and a
    running `bonded serve` go on using, then swapped in by one transaction; nothing is
    cleared under a reader. The rebuild needs room for a second copy of what it rebuilds."""
    import time as clock

    from api.wiring import open_ledger

    ledger = open_ledger()
    try:
        ledger.runner.named(only)
    except ValueError as error:
        ledger.close()
        typer.echo(f"error: --only: {error}", err=True)
        raise typer.Exit(2) from None
    head = ledger.runner.status().head
    start = clock.perf_counter()
    with _progress(head, "rebuilding read models", "events") as advance:
        applied = ledger.runner.rebuild(
            lambda position, _head: advance(position), only or (), workers
        )
    seconds = clock.perf_counter() - start
    ledger.close()
    rate = applied / seconds if seconds else 0
    swapped = ledger.runner.swap_seconds
    swap = f"; swapped in under the lock in {swapped:.2f} s" if swapped is not None else ""
    typer.echo(f"rebuilt from {applied} events in {seconds:.1f} s ({rate:,.0f} events/s){swap}")


@projections_app.command("run")
def projections_run(
    poll: Annotated[float, typer.Option(help="Seconds between polls when idle.")] = 0.5,
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            help="Follow only this read model (repeatable), leaving the others to other "
            f"processes: {READ_MODELS}.",
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=16,
            help="Processes sharing the read models, each read model in exactly one (by "
            "their measured cost). On PostgreSQL they project at once; on SQLite they take "
            "turns at the database's one write lock, so 1 is as fast.",
        ),
    ] = 1,
) -> None:
    """Keep the read models caught up until interrupted (Ctrl-C).

    With --workers N, N processes follow the log, each its share of the read models; a read
    model that reads another's tables (the current lots read the warehouses) never goes past
    it. Every answer is the one a single process gives."""
    from api.wiring import open_ledger
    from projections.runner import shares

    ledger = open_ledger()
    try:
        runner = ledger.runner.only(only) if only else ledger.runner
    except ValueError as error:
        ledger.close()
        typer.echo(f"error: --only: {error}", err=True)
        raise typer.Exit(2) from None
    if workers > 1:
        split = shares(runner.projections, workers)
        ledger.close()
        _run_workers(split, poll)
        return
    names = ", ".join(p.name for p in runner.projections)
    typer.echo(f"following the event log into {names}; Ctrl-C to stop", err=True)
    try:
        runner.follow(poll, progress=lambda p, h: typer.echo(f"projected up to {p}", err=True))
    except KeyboardInterrupt:
        typer.echo("stopped", err=True)
    finally:
        ledger.close()


def _run_workers(split: list[list[str]], poll: float) -> None:
    """One `bonded projections run --only ...` process per share, until Ctrl-C or one of
    them stops (then the others are stopped too, and its exit status is this one's)."""
    import subprocess
    import time as clock

    children: list[subprocess.Popen[bytes]] = []
    for share in split:
        options = [flag for name in share for flag in ("--only", name)]
        command = [sys.executable, "-m", "api.cli", "projections", "run", "--poll", str(poll)]
        typer.echo(f"worker {len(children) + 1}: {', '.join(share)}", err=True)
        children.append(subprocess.Popen([*command, *options]))
    status = 0
    try:
        while all(child.poll() is None for child in children):
            clock.sleep(0.5)
        status = next(child.returncode for child in children if child.returncode is not None)
    except KeyboardInterrupt:
        typer.echo("stopping the workers", err=True)
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            child.wait()
    if status:
        raise typer.Exit(status)


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
    from eventsourcing import persistence
    from sqlalchemy import exc

    from commands.settings import Settings

    failures = (
        exc.OperationalError,
        exc.InterfaceError,
        persistence.OperationalError,
        persistence.InterfaceError,
    )
    if not isinstance(error, failures):
        return None
    reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
    url = Settings.from_env().shown_url
    return f"the database {url} did not answer or failed: {reason}"


if __name__ == "__main__":
    main()
