"""Subscriptions to warnings (DOMAIN.md §8): a user's own URL and secret; each new warning in
the user's scope is POSTed to it, signed, until it answers 2xx. Its deliveries and failures
are the subscriber's to see.

A URL is taken only if it points where the installation sends (``commands.destinations``:
public addresses, and what ``BONDED_WEBHOOK_ALLOW`` adds). Who subscribed what, and who ended
it, are events of the user's stream (``SubscriptionAdded``, ``SubscriptionEnded``), recorded
in one transaction with the subscription's row, which alone keeps the secret."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from starlette.concurrency import run_in_threadpool

from api.problems import PROBLEM_RESPONSES
from api.routes.common import (
    KnownParametersOnly,
    TheCredentials,
    TheLedger,
    body_within,
    caller_of,
)
from api.wiring import Ledger
from commands.destinations import DestinationRefused, check, shape
from commands.models import ACCOUNT_COMMANDS
from commands.parsing import load_json
from ledger.errors import Invalid, NotFound
from ledger.intents import EndSubscription, SubscribeWarnings
from ledger.users import Credentials
from projections.outbox import (
    add_subscription,
    cancel,
    deliveries_of,
    end_subscription,
    new_subscription,
    public,
    standing_for,
    subscription_of,
    subscriptions_of,
)

router = APIRouter(tags=["warnings"], dependencies=[KnownParametersOnly])


class NewSubscription(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Annotated[str, Field(min_length=8, max_length=2000)]
    secret: Annotated[
        str,
        Field(
            min_length=16,
            max_length=200,
            description="Signs each body: X-Bonded-Signature: sha256=HMAC-SHA256(secret, body)",
        ),
    ]

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        try:
            shape(value)
        except DestinationRefused as refused:
            raise ValueError(str(refused)) from None
        return value


class Subscription(BaseModel):
    subscription_id: str
    url: str
    created_at: str
    active: bool


class Delivery(BaseModel):
    warning_id: str
    created_at: str
    attempts: int
    delivered_at: str | None
    next_attempt_at: str | None
    last_status: int | None
    last_error: str | None


SubscriptionId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=36,
        pattern=r"^[0-9A-Fa-f-]+$",
        description="As its POST answered it: a UUID",
    ),
]
ERRORS: dict[int | str, dict[str, Any]] = {
    s: PROBLEM_RESPONSES[s] for s in (401, 403, 404, 422) if s in PROBLEM_RESPONSES
}
ERRORS[413] = {**PROBLEM_RESPONSES[422], "description": "A body over 16 KiB."}
MAX_BODY_BYTES = 16 * 1024


@router.post(
    "/subscriptions",
    summary="Subscribe a URL to the warnings in your scope: those standing, then each new one",
    status_code=201,
    response_model=Subscription,
    responses=ERRORS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": NewSubscription.model_json_schema(),
                    "example": {
                        "url": "https://hooks.example.vn/bonded",
                        "secret": "a-long-shared-secret",
                    },
                }
            },
        }
    },
)
async def post_subscription(
    request: Request, ledger: TheLedger, credentials: TheCredentials
) -> JSONResponse:
    """The body is JSON whatever its Content-Type says (``curl -d`` sends a form's). A URL
    whose host resolves to an address the installation does not send to (its own network,
    unless ``BONDED_WEBHOOK_ALLOW`` allows it) is refused, 422 ``destination_not_allowed``."""
    body = _new_subscription(load_json(await body_within(request, MAX_BODY_BYTES)))
    row = await run_in_threadpool(_subscribe, ledger, credentials, body)
    return JSONResponse(row, status_code=201)


def _subscribe(ledger: Ledger, credentials: Credentials, body: NewSubscription) -> dict[str, Any]:
    caller = caller_of(ledger, credentials)
    try:
        check(body.url, ledger.settings.webhook_allow)
    except DestinationRefused as refused:
        raise Invalid("destination_not_allowed", f"url: {refused}", "url") from None
    now = datetime.now(UTC)
    row = new_subscription(caller, body.url, body.secret, now)
    standing = standing_for(ledger.read_model, caller, now)
    command = ACCOUNT_COMMANDS[SubscribeWarnings].model_validate(
        {"name": caller.name, "subscription_id": row["subscription_id"], "url": body.url}
    )
    ledger.service.execute(
        command, credentials, along=lambda connection: add_subscription(connection, row, standing)
    )
    return public(row)


def _new_subscription(data: Any) -> NewSubscription:
    try:
        return NewSubscription.model_validate(data)
    except ValidationError as error:
        first = error.errors(include_url=False, include_input=False)[0]
        where = "/".join(str(part) for part in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        raise Invalid(
            "invalid_subscription",
            f"{where}: {message}" if where else message,
            f"/{where}" if where else None,
        ) from None


@router.delete(
    "/subscriptions/{subscription_id}",
    summary="End a subscription of yours: nothing more is sent to it",
    status_code=204,
    responses=ERRORS,
)
def delete_subscription(
    subscription_id: SubscriptionId, ledger: TheLedger, credentials: TheCredentials
) -> Response:
    caller = caller_of(ledger, credentials)
    engine = ledger.read_model.engine
    subscription = subscription_of(engine, caller, subscription_id)
    if subscription is None:
        raise _unknown(subscription_id)
    if subscription["active"]:
        command = ACCOUNT_COMMANDS[EndSubscription].model_validate(
            {"name": caller.name, "subscription_id": subscription_id}
        )
        try:
            ledger.service.execute(
                command,
                credentials,
                along=lambda connection: end_subscription(connection, subscription_id),
            )
        except NotFound as unknown:
            if unknown.code != "unknown_subscription":
                raise
            # made before subscriptions were recorded as events, or ended meanwhile: it ends
            # as it began, in the table alone
            cancel(engine, caller, subscription_id)
    return Response(status_code=204)


@router.get(
    "/users/me/subscriptions",
    summary="Your subscriptions: where each sends, since when, whether it still does",
    response_model=list[Subscription],
    responses={s: PROBLEM_RESPONSES[s] for s in (401, 422) if s in PROBLEM_RESPONSES},
)
def get_my_subscriptions(ledger: TheLedger, credentials: TheCredentials) -> JSONResponse:
    """Your own subscriptions, oldest first (never their secrets, never another user's)."""
    caller = caller_of(ledger, credentials)
    return JSONResponse(subscriptions_of(ledger.read_model.engine, caller))


@router.get(
    "/subscriptions/{subscription_id}/deliveries",
    summary="What was sent to a subscription of yours: attempts, answers, failures",
    response_model=list[Delivery],
    responses=ERRORS,
)
def get_deliveries(
    subscription_id: SubscriptionId, ledger: TheLedger, credentials: TheCredentials
) -> JSONResponse:
    caller = caller_of(ledger, credentials)
    rows = deliveries_of(ledger.read_model.engine, caller, subscription_id)
    if rows is None:
        raise _unknown(subscription_id)
    return JSONResponse(rows)


def _unknown(subscription_id: str) -> NotFound:
    return NotFound(
        "unknown_subscription",
        f"you have no subscription {subscription_id}",
        "subscription_id",
    )
