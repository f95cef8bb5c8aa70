"""What every route needs: the ledger of the app, the caller, a body read within its limit."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from starlette.concurrency import run_in_threadpool

from api.callers import user_for_token
from api.problems import PayloadTooLarge
from api.wiring import Ledger
from ledger.access import User


def the_ledger(request: Request) -> Ledger:
    ledger: Ledger = request.app.state.ledger
    return ledger


async def the_caller(
    request: Request,
    authorization: Annotated[
        str | None,
        Header(description="Bearer TOKEN, as `bonded tokens issue NAME` printed it."),
    ] = None,
) -> User:
    ledger = the_ledger(request)
    return await run_in_threadpool(user_for_token, ledger.service.store, authorization)


Caller = Annotated[User, Depends(the_caller)]
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
