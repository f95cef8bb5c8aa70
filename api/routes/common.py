"""What every route needs: the ledger of the app, the caller, a body read within its limit."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Request

from api.access import authenticated
from api.callers import credentials_of, identify
from api.problems import PayloadTooLarge
from api.wiring import Ledger
from ledger.codes import plain_text
from ledger.errors import Invalid
from ledger.users import Credentials, User


def the_ledger(request: Request) -> Ledger:
    ledger: Ledger = request.app.state.ledger
    return ledger


async def the_credentials(
    authorization: Annotated[
        str | None,
        Header(description="Bearer TOKEN, as `bonded tokens issue NAME` printed it."),
    ] = None,
) -> Credentials:
    """The caller's credentials (401 if none); checked against its stream where it acts."""
    return credentials_of(authorization)


def caller_of(ledger: Ledger, credentials: Credentials) -> User:
    """The user proving the credentials (a read of its stream; 401 if they prove nothing)."""
    user = identify(ledger.service.store, credentials)
    authenticated(user.name)
    return user


TheCredentials = Annotated[Credentials, Depends(the_credentials)]
TheLedger = Annotated[Ledger, Depends(the_ledger)]


async def body_within(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it is over ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(
            "body_too_large", f"a body here is at most {limit:,} bytes; this one has {declared}"
        )
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge("body_too_large", f"a body here is at most {limit:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def known_parameters_only(request: Request) -> None:
    """Refuses a query parameter the route does not take, or one given twice (422), as an
    unknown body field is; and a parameter, in the query or the path, holding a control or
    invisible formatting character (a NUL, which PostgreSQL cannot even compare)."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    known = {param.alias for param in _query_params(dependant)}
    repeated = sorted({k for k in request.query_params if len(request.query_params.getlist(k)) > 1})
    if repeated:
        raise Invalid("repeated_parameter", f"{repeated[0]!r} is given more than once", repeated[0])
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise Invalid(
            "unknown_parameter",
            f"{unknown[0]!r} is not a parameter of this route"
            + (f"; it takes {', '.join(sorted(known))}" if known else "; it takes none"),
            unknown[0],
        )
    for name, value in [*request.path_params.items(), *request.query_params.items()]:
        try:
            plain_text(str(value))
        except ValueError as error:
            raise Invalid("invalid_parameter", f"{name}: {error}", name) from None


def _query_params(dependant: Any) -> list[Any]:
    found = list(dependant.query_params)
    for sub in dependant.dependencies:
        found.extend(_query_params(sub))
    return found


KnownParametersOnly = Depends(known_parameters_only)
