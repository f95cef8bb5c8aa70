"""The event feed (DOMAIN.md §8): every event in recorded order with its position, as
CloudEvents, from any position on, limited to what the caller's scope covers.

Positions only grow, and an event is visible once its position is: a writer holds the log's
lock from taking its position until its commit (SQLite's one writer; a table lock on
PostgreSQL), so a reader that asks again ``after`` the ``next`` it was given misses nothing
and sees nothing twice.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.cloud_events import cloud_event
from api.problems import PROBLEM_RESPONSES
from api.routes.common import KnownParametersOnly, TheCredentials, TheLedger, caller_of
from ledger.errors import LedgerError
from ledger.events import DeclarationEvent, LotEvent
from ledger.roles import Role
from ledger.scope import ReadScope, sees_event
from projections.visibility import Sight, scope_of

router = APIRouter(tags=["event feed"], dependencies=[KnownParametersOnly])


class CloudEvent(BaseModel):
    specversion: str
    id: str
    position: int
    source: str
    type: str
    subject: str
    time: str
    datacontenttype: str
    data: dict[str, Any]


class Page(BaseModel):
    events: list[CloudEvent]
    next: int  # ask again with after=next
    head: int  # the last position recorded when this page was read


@router.get(
    "/events",
    summary="Every event after a position, in recorded order, as CloudEvents",
    response_model=Page,
    responses={status: PROBLEM_RESPONSES[status] for status in (401, 403, 409, 422)},
)
def events(
    ledger: TheLedger,
    credentials: TheCredentials,
    after: Annotated[
        int,
        Query(ge=0, le=2**63 - 1, description="The position read last (0: from the start)."),
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=1000, description="Positions to read at most.")] = 100,
) -> dict[str, Any]:
    caller = caller_of(ledger, credentials)
    store = ledger.service.store
    ledger.project()  # where lots have been, as far as this page goes (on the leader)
    head = store.head()
    if after > head:
        raise LedgerError(
            "position_beyond_head",
            f"position {after} lies beyond the log's head {head}: the log no longer holds "
            "events you read (restored from an older backup, or failed over to a server that "
            "lacked them); read the feed again from position 0 and rebuild what you built "
            "from it",
            "after",
        )
    page = store.notifications(after, limit)
    decoded = [(n.id, store.decode(n.topic, n.state)) for n in page]
    model = ledger.read_model
    with model.engine.connect() as connection:
        # an admin reads no lots, but the feed shows it users and reference data
        admin = caller.role is Role.ADMIN
        scope = ReadScope(frozenset()) if admin else scope_of(connection, caller)
        sight = Sight(
            connection,
            scope,
            (e.lot_id for _, e in decoded if isinstance(e, LotEvent)),
            (e.declaration_no for _, e in decoded if isinstance(e, DeclarationEvent)),
        )
    shown = [cloud_event(p, e) for p, e in decoded if sees_event(caller, e, sight)]
    return {"events": shown, "next": page[-1].id if page else after, "head": head}
