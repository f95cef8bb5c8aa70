"""For the operator and the load balancer, no token needed: whether the process answers
(``/health``, the database untouched) and whether it can serve (``/ready``: its database
answers; how far each read model lags behind the event log)."""

from __future__ import annotations

import logging
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.problems import PROBLEM_RESPONSES, RETRY_AFTER_SECONDS, problem
from api.routes.common import KnownParametersOnly, TheLedger

NO_TOKEN: dict[str, Any] = {"security": []}

log = logging.getLogger("bonded.http")
router = APIRouter(tags=["operations"], dependencies=[KnownParametersOnly])


class Alive(BaseModel):
    status: Literal["alive"]


class ReadModelLag(BaseModel):
    position: int  # the last event of the log it has applied
    lag: int  # events recorded that it has not applied yet


class Ready(BaseModel):
    status: Literal["ready"]
    head: int  # the last position recorded
    position: int  # the position every read model has reached
    lag: int
    read_models: dict[str, ReadModelLag]
    # where questions are read from a replica (BONDED_READ_DATABASE_URL): the position its
    # read models have reached, and how far behind the log's head that is
    replica: ReadModelLag | None = None


@router.get(
    "/health",
    summary="Whether the process answers (no token; the database is not asked)",
    response_model=Alive,
    responses={422: PROBLEM_RESPONSES[422]},
    openapi_extra=NO_TOKEN,
)
async def health() -> dict[str, str]:
    return {"status": "alive"}


@router.get(
    "/ready",
    summary="Whether the database answers, and each read model's lag (no token)",
    response_model=Ready,
    responses={
        422: PROBLEM_RESPONSES[422],
        503: {
            **PROBLEM_RESPONSES[422],
            "description": "The database does not answer; ask again after Retry-After seconds.",
        },
    },
    openapi_extra=NO_TOKEN,
)
def ready(ledger: TheLedger) -> Any:
    try:
        with ledger.read_model.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        log.warning("not ready: the database does not answer (%s)", type(error).__name__)
        return unavailable()
    status = ledger.runner.status()
    found = {
        "status": "ready",
        "head": status.head,
        "position": status.position,
        "lag": status.lag,
        "read_models": {
            name: {"position": tracked.position, "lag": status.lag_of(name)}
            for name, tracked in status.read_models.items()
        },
    }
    if ledger.replica is None:
        return found
    try:
        reached = ledger.replica.position()
    except SQLAlchemyError as error:
        log.warning("not ready: the replica does not answer (%s)", type(error).__name__)
        return unavailable()
    return {**found, "replica": {"position": reached, "lag": max(0, status.head - reached)}}


def unavailable() -> JSONResponse:
    return problem(
        503,
        "database_unavailable",
        "the database does not answer: nothing can be recorded or read now",
        **{"Retry-After": str(RETRY_AFTER_SECONDS)},
    )
