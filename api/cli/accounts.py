"""``bonded users`` and ``bonded tokens``: who may use the ledger, recorded as events.

Run as the installation's operator, or ``--as`` an admin."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from api.cli.run import caller_of_run, caught_up_ledger, exit_refused

users_app = typer.Typer(
    help="Users, their role and scope (DOMAIN.md §1). Each change is an event: an auditor can "
    "say who could do what on any day.",
    no_args_is_help=True,
)
tokens_app = typer.Typer(
    help="Bearer tokens for the HTTP API. Only a token's hash is stored.", no_args_is_help=True
)

ROLES = "warehouse_owner, goods_owner, customs_officer, provincial_inspector, auditor, admin"


def _run(intent_type: Any, **fields: Any) -> dict[str, Any]:
    """Records one account command as the caller of this run; exits 1 with the reason if it is
    refused."""
    from pydantic import ValidationError

    from commands.bootstrap import bootstrap
    from commands.models import ACCOUNT_COMMANDS
    from commands.parsing import from_validation_error
    from ledger.errors import LedgerError

    service = bootstrap()
    try:
        try:
            command = ACCOUNT_COMMANDS[intent_type].model_validate(fields)
        except ValidationError as error:
            raise from_validation_error(error) from None
        outcome = service.execute(command, caller_of_run(service.store))
        return outcome.result
    except LedgerError as error:
        exit_refused(error)
        raise  # not reached
    finally:
        service.store.close()


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Letters, digits, '.', '_', '-'.")],
    role: Annotated[str, typer.Option("--role", help=ROLES)],
    enterprise: Annotated[
        str | None,
        typer.Option(help="Tax code of the enterprise a warehouse_owner or goods_owner acts for."),
    ] = None,
    office: Annotated[str | None, typer.Option(help="Customs office of a customs_officer.")] = None,
    province: Annotated[
        str | None, typer.Option(help="Province of a provincial_inspector.")
    ] = None,
) -> None:
    """Add a user with a role and the one place it acts for."""
    from ledger.intents import AddUser

    office = _place("office", office)
    province = _place("province", province)
    fields = {"enterprise": enterprise, "office": office, "province": province}
    given = {key: value for key, value in fields.items() if value is not None}
    _run(AddUser, name=name, role=role, **given)
    place = next(iter(given.values()), "everything" if role == "auditor" else "")
    typer.echo(f"added {name}: {role}{' for ' + place if place else ''}")


def _place(kind: str, given: str | None) -> str | None:
    """A scope's office or province as a registered warehouse names it (any case or accents);
    an unknown one is a usage error naming the nearest (exit 2)."""
    if given is None:
        return None
    from ledger.errors import LedgerError

    ledger = caught_up_ledger()
    try:
        name: str = ledger.read_model.place_named(kind, given)
        return name
    except LedgerError as error:
        exit_refused(error)
        raise  # not reached
    finally:
        ledger.close()


@users_app.command("list")
def users_list(
    output: Annotated[str, typer.Option("--format", help="table, json or csv.")] = "table",
) -> None:
    """Every user, with role, scope, whether active and how many live tokens."""
    from api.render import render
    from commands.bootstrap import bootstrap
    from ledger.events import UserAdded
    from ledger.streams import user_stream
    from ledger.users import User

    service = bootstrap()
    store = service.store
    try:
        added = store.scan(store.topics([UserAdded]))
        names = sorted({event.name for event in added if isinstance(event, UserAdded)})
        users = [User.from_events(store.read(user_stream(name))) for name in names]
    finally:
        service.store.close()
    rows = [
        {
            "name": u.name,
            "role": str(u.role),
            "acts_for": u.place or "",
            "active": u.active,
            "tokens": len(u.token_hashes),
        }
        for u in users
        if u is not None
    ]
    typer.echo(render(rows, output, "Users", ["name", "role", "acts_for", "active", "tokens"]))


@users_app.command("disable")
def users_disable(name: str) -> None:
    """Disable a user: every token stops working; its past events keep its name."""
    from ledger.intents import DisableUser

    _run(DisableUser, name=name)
    typer.echo(f"disabled {name}")


@users_app.command("password")
def users_password(
    name: str,
    stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read the password from the first line of stdin."),
    ] = False,
) -> None:
    """Set the password a user signs in to the pages with (asked twice, not echoed). Only its
    argon2id hash is recorded; setting another replaces it."""
    import sys

    from api.passwords import password_hash, weak
    from ledger.intents import SetPassword

    if stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    why = weak(password)
    if why is not None:
        raise typer.BadParameter(why, param_hint="password")
    _run(SetPassword, name=name, password_hash=password_hash(password))
    typer.echo(f"set the password of {name}")


@tokens_app.command("issue")
def tokens_issue(name: str) -> None:
    """Issue a bearer token to a user and print it once: it cannot be shown again."""
    from api.tokens import new_token
    from ledger.intents import IssueToken

    token, digest = new_token(name)
    _run(IssueToken, name=name, token_hash=digest)
    typer.echo(token)


@tokens_app.command("revoke")
def tokens_revoke(name: str) -> None:
    """Revoke every token of a user."""
    from ledger.intents import RevokeTokens

    _run(RevokeTokens, name=name)
    typer.echo(f"revoked every token of {name}")
