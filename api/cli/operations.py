"""Running the product: the demo, the HTTP server, the read models' schema and projections."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from api.cli.run import Progress as _progress
from api.cli.run import err as _err
from api.files import write_file

if TYPE_CHECKING:
    from api.wiring import Ledger
    from projections.runner import ReadModelRunner

app = typer.Typer()
db_app = typer.Typer(
    help="The read models' database schema (Alembic migrations).", no_args_is_help=True
)
projections_app = typer.Typer(
    help="The read models: projections of the event log, rebuilt or followed.", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(projections_app, name="projections")


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
    from api.passwords import new_password, password_hash
    from api.tokens import new_token
    from api.wiring import open_ledger
    from commands.models import ACCOUNT_COMMANDS
    from ledger.calendar import WAREHOUSE_ZONE
    from ledger.intents import AddUser, IssueToken, SetPassword
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
        sign_ins: dict[str, tuple[str, str]] = {}  # by role: the user's name and password
        for user in demo_users(demo_places()):
            if not service.store.read(user_stream(user["name"])):
                service.execute(ACCOUNT_COMMANDS[AddUser].model_validate(user))
            token, digest = new_token(user["name"])
            issue = {"name": user["name"], "token_hash": digest}
            service.execute(ACCOUNT_COMMANDS[IssueToken].model_validate(issue))
            tokens[user["role"]] = token
            password = new_password()
            hashed = {"name": user["name"], "password_hash": password_hash(password)}
            service.execute(ACCOUNT_COMMANDS[SetPassword].model_validate(hashed))
            sign_ins[user["role"]] = (user["name"], password)
        status = ledger.runner.status()
        with _progress(status.head, "projecting", "events", status.position) as advance:
            ledger.runner.catch_up(lambda position, _: advance(position))
    finally:
        ledger.close()
    write_file(
        tokens_file,
        "".join(f"{role.upper()}_TOKEN={token}\n" for role, token in tokens.items())
        + "".join(
            f"{role.upper()}_SIGN_IN='{name} {password}'\n"
            for role, (name, password) in sign_ins.items()
        ),
        "--tokens-file",
    )
    typer.echo(
        f"demo: {counts['applied']} commands recorded, {counts['already_applied']} already "
        f"there, {counts['refused']} refused"
    )
    typer.echo(f"tokens (also in {tokens_file}, for `source {tokens_file}`):")
    for role, token in tokens.items():
        typer.echo(f"  {role:<21} {token}")
    typer.echo("sign-ins for the pages (user name, password), also in the same file:")
    for role, (name, password) in sign_ins.items():
        typer.echo(f"  {role:<21} {name:<24} {password}")
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
    _err(
        f"serving on http://{host}:{port}/ (sign in there; API docs: http://{host}:{port}/docs); "
        "Ctrl-C stops"
    )
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
    _only(ledger, only)
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
    runner = _only(ledger, only)
    if workers > 1:
        split = shares(runner.projections, workers)
        ledger.close()
        _run_workers(split, poll)
        return
    names = ", ".join(p.name for p in runner.projections)
    typer.echo(f"following the event log into {names}; Ctrl-C to stop", err=True)
    from commands.faults import Outage

    outages = Outage(lambda said: typer.echo(said, err=True))
    try:
        runner.follow(
            poll,
            progress=lambda p, h: typer.echo(f"projected up to {p}", err=True),
            outages=outages,
        )
    except KeyboardInterrupt:
        typer.echo("stopped", err=True)
    finally:
        ledger.close()


def _only(ledger: Ledger, only: list[str] | None) -> ReadModelRunner:
    """The runner of the read models --only names (all of them without it); a usage error
    naming the read models for a name that is none of them."""
    try:
        return ledger.runner.only(only) if only else ledger.runner
    except ValueError as error:
        ledger.close()
        typer.echo(f"error: --only: {error}", err=True)
        raise typer.Exit(2) from None


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
