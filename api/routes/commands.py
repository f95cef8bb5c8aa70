"""Recording over HTTP: one route per command of DOMAIN.md §6, taking exactly the JSON object
of a ``bonded apply`` line (its ``command`` key may be left out), and a batch route taking
many, applied as ``bonded apply`` applies a file. ``Idempotency-Key`` is the ``command_id``.

201 recorded, 200 an idempotent repeat (the first answer again); a refused command records
nothing and answers a problem: 422 invalid, 409 refused by the ledger's rules, 403 outside
the caller's role or scope, 404 a lot or declaration it may not see or that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterator
from http import HTTPStatus
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.access import proving
from api.examples import example
from api.problems import PROBLEM_RESPONSES, Problem, pointer, spoken
from api.routes.common import (
    KnownParametersOnly,
    TheCredentials,
    TheLedger,
    body_within,
    caller_of,
)
from commands.models import COMMAND_NAMES, COMMAND_TYPES, Command
from commands.parsing import MAX_LINE_BYTES, InvalidCommand, load_json, parse_command
from commands.service import Outcome
from ledger.access import authorize_role
from ledger.errors import LedgerError
from ledger.refusals import localized

MAX_BATCH_BYTES = 32 << 20
MAX_BATCH_COMMANDS = 100_000
NDJSON = "application/x-ndjson"

router = APIRouter(tags=["commands"], dependencies=[KnownParametersOnly])
SCHEMAS: dict[str, Any] = {}  # the command models' schemas, for the OpenAPI components

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="The command's command_id: the same key with the same body answers as the "
        "first time and records nothing new; with another body it is refused (409).",
        max_length=200,
    ),
]


POSITION = Field(
    description="Where the log stood once the command was recorded (for a repeat: the log's "
    "head). Give it to a question as `position` to read your own write from a replica."
)


class Recorded(BaseModel):
    command: str
    status: str  # applied, already_applied
    result: dict[str, Any]
    position: int = POSITION


class LineOutcome(BaseModel):
    line: int
    command: str
    status: str  # applied, already_applied, refused
    result: dict[str, Any] | None = None
    problem: Problem | None = None
    position: int | None = Field(None, description="As a single command's, unless refused.")


class BatchOutcome(BaseModel):
    applied: int
    already_applied: int
    refused: int
    outcomes: list[LineOutcome]


REFUSALS: dict[int | str, dict[str, Any]] = {
    **PROBLEM_RESPONSES,
    409: {**PROBLEM_RESPONSES[422], "description": "Refused by the ledger's rules."},
    413: {**PROBLEM_RESPONSES[422], "description": f"A body over {MAX_LINE_BYTES:,} bytes."},
    503: {**PROBLEM_RESPONSES[422], "description": "Too many concurrent writers; try again."},
}


def command_from(data: Any, name: str, idempotency_key: str | None) -> Command:
    if not isinstance(data, dict):
        raise InvalidCommand("invalid_command", "a command is a JSON object")
    given = data.setdefault("command", name)
    if given != name:
        raise InvalidCommand(
            "command_mismatch",
            f"this route records {name}; the body's command is {given!r}",
            "command",
        )
    if idempotency_key is not None:
        if data.get("command_id", idempotency_key) != idempotency_key:
            raise InvalidCommand(
                "command_id_mismatch",
                "the Idempotency-Key header and the body's command_id differ",
                "command_id",
            )
        data["command_id"] = idempotency_key
    return parse_command(data)


def _route(name: str, model: type[Command]) -> None:
    async def record(
        request: Request,
        ledger: TheLedger,
        credentials: TheCredentials,
        idempotency_key: IdempotencyKey = None,
    ) -> JSONResponse:
        body = await body_within(request, MAX_LINE_BYTES)

        def run() -> Outcome:
            """One thread, one transaction: the token, the role, the scope and the rules
            are checked together where the command is decided."""
            try:
                command = command_from(load_json(body), name, idempotency_key)
            except LedgerError:
                authorize_role(caller_of(ledger, credentials), model.value_type)  # 401, 403 first
                raise
            with proving(credentials):
                return ledger.service.execute(command, credentials)

        outcome = await run_in_threadpool(run)
        status = 201 if outcome.status == "applied" else 200
        answer = {"command": name, "status": outcome.status, "result": outcome.result}
        return JSONResponse({**answer, "position": outcome.position}, status_code=status)

    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    SCHEMAS.update(schema.pop("$defs", {}))
    schema["required"] = [f for f in schema.get("required", []) if f != "command"]
    router.add_api_route(
        f"/commands/{name}",
        record,
        methods=["POST"],
        name=name,
        summary=(model.__doc__ or name).strip().splitlines()[0],
        description=f"Records `{name}` (DOMAIN.md §6). The body is one `bonded apply` line.",
        status_code=201,
        response_model=Recorded,
        responses={200: {"model": Recorded, "description": "An idempotent repeat."}, **REFUSALS},
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": schema, "example": example(name)}},
            }
        },
    )


@router.post(
    "/commands",
    summary="A batch of commands, applied in order as `bonded apply` applies a file",
    response_model=BatchOutcome,
    responses={k: v for k, v in REFUSALS.items() if k in (401, 413, 422)},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "array",
                        "items": {"description": "a command object; anything else is refused"},
                    },
                    "example": [
                        {"command": "register_enterprise", **example("register_enterprise")}
                    ],
                },
                NDJSON: {"schema": {"type": "string"}},
            },
        }
    },
)
async def record_batch(
    request: Request, ledger: TheLedger, credentials: TheCredentials
) -> JSONResponse:
    """Each command succeeds or is refused alone; the answer has one outcome per line. At most
    100,000 commands and 32 MiB."""
    body = await body_within(request, MAX_BATCH_BYTES)
    items = list(_batch_items(body, request.headers.get("content-type", "")))
    if len(items) > MAX_BATCH_COMMANDS:
        raise LedgerError("too_many_commands", f"a batch is at most {MAX_BATCH_COMMANDS:,}")

    def run() -> list[Outcome]:
        return list(ledger.service.execute_many(items, caller_of(ledger, credentials)))

    outcomes = await run_in_threadpool(run)
    counts = {"applied": 0, "already_applied": 0, "refused": 0}
    language = spoken(request)  # each refused line's detail in the caller's language
    lines = []
    for n, outcome in enumerate(outcomes, 1):
        counts[outcome.status] += 1
        line: dict[str, Any] = {"line": n, "command": outcome.command, "status": outcome.status}
        if outcome.error is not None:
            error = outcome.error
            line["problem"] = {
                "type": "about:blank",
                "title": HTTPStatus(error.status).phrase,
                "status": error.status,
                "detail": localized(error, language),
                "code": error.code,
                "field": pointer(error.field),
            }
        else:
            line["result"] = outcome.result
            line["position"] = outcome.position
        lines.append(line)
    return JSONResponse({**counts, "outcomes": lines}, headers={"Content-Language": language})


def _batch_items(body: bytes, content_type: str) -> Iterator[Command | LedgerError]:
    if content_type.startswith(NDJSON):
        for text in body.splitlines():
            if text.strip():
                yield _parsed(lambda t=text: load_json(t))
        return
    data = load_json(body, MAX_BATCH_BYTES)
    if not isinstance(data, list):
        raise InvalidCommand(
            "invalid_batch", f"a batch is a JSON array of commands, or JSON Lines ({NDJSON})"
        )
    for item in data:
        yield _parsed(lambda i=item: i)


def _parsed(data: Any) -> Command | LedgerError:
    try:
        return parse_command(data())
    except LedgerError as error:
        return error


for _name, _model in zip(COMMAND_NAMES, COMMAND_TYPES, strict=True):
    _route(_name, _model)
