"""The audit door over HTTP: the chain's head, for an auditor to keep outside the database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from api.problems import PROBLEM_RESPONSES
from api.routes.common import KnownParametersOnly, TheCredentials, TheLedger, caller_of
from ledger.access import Role
from ledger.errors import Forbidden
from projections.audit import digest

router = APIRouter(tags=["audit"], dependencies=[KnownParametersOnly])


class DigestOut(BaseModel):
    position: int
    hash: str
    count: int
    time: str


@router.get(
    "/audit/digest",
    summary="The head of the hash chain over every stored event (auditors)",
    response_model=DigestOut,
    responses={status: PROBLEM_RESPONSES[status] for status in (401, 403, 422)},
)
def audit_digest(ledger: TheLedger, credentials: TheCredentials) -> dict[str, Any]:
    caller = caller_of(ledger, credentials)
    if caller.role not in (Role.AUDITOR, Role.OPERATOR):
        raise Forbidden("role_not_allowed", f"a {caller.role} may not read the audit digest")
    ledger.catch_up()
    with ledger.runner.engine.connect() as connection:
        return digest(connection, datetime.now(UTC)).as_dict()
