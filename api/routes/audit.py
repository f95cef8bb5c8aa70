"""The audit door over HTTP: the head of the chain over every stored event, for an auditor to
keep outside the database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from api.problems import PROBLEM_RESPONSES
from api.routes.common import KnownParametersOnly, TheCredentials, TheLedger, caller_of
from ledger.errors import Forbidden
from ledger.roles import Role
from projections.audit_verify import digest_of_log

router = APIRouter(tags=["audit"], dependencies=[KnownParametersOnly])


class DigestOut(BaseModel):
    position: int
    hash: str
    count: int
    covered: int  # the stored events the hash covers (the same as ``count``)
    stored: int  # the events stored up to ``position``: all are covered when the two are equal
    time: str


@router.get(
    "/audit/digest",
    summary="The head of the hash chain over every stored event (auditors)",
    response_model=DigestOut,
    responses={status: PROBLEM_RESPONSES[status] for status in (401, 403, 422)},
)
def audit_digest(ledger: TheLedger, credentials: TheCredentials) -> dict[str, Any]:
    """The chain is first brought up to the log; where it cannot be written (a read-only
    database, a full disk) the events past its head are hashed directly from the store.
    `covered` of `stored` says how many stored events the hash covers."""
    caller = caller_of(ledger, credentials)
    if caller.role not in (Role.AUDITOR, Role.OPERATOR):
        raise Forbidden("role_not_allowed", f"a {caller.role} may not read the audit digest")
    ledger.chain_up()
    table = ledger.service.store.table
    return digest_of_log(ledger.runner.engine, table, datetime.now(UTC)).as_dict()
