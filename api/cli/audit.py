"""``bonded audit``: the hash chain's digest and verification, a replay as known at a
moment, and a submitted report re-created."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from api.cli.options import when_of
from api.cli.run import Progress as _progress
from api.cli.run import caught_up_ledger, exit_refused
from api.cli.run import err as _err
from api.files import read_file, writable, write_file

if TYPE_CHECKING:
    from api.wiring import Ledger

app = typer.Typer(
    help="Tamper evidence: the hash chain over every stored event.", no_args_is_help=True
)


@app.command("digest")
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


@app.command("verify")
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


@app.command("replay")
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

    moment = when_of(None, known_at).known_at
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


@app.command("check-report")
def audit_check_report(
    warehouse: Annotated[str, typer.Option("--warehouse", help="The warehouse reported on.")],
    period: Annotated[str, typer.Option(help="The period of the submitted report.")],
) -> None:
    """Re-create a submitted periodic report as the ledger knew it at its submission and
    compare its digest with the one stored then. Exit 1 if they differ."""
    from api.reports import check_submitted
    from ledger.errors import LedgerError

    ledger = caught_up_ledger()
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
