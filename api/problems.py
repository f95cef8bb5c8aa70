"""Every HTTP error as ``application/problem+json`` (RFC 9457): the status, a ``detail`` naming
the rule, the stable ``code`` and the ``field`` at fault as a JSON pointer into the request
body (``/lines/0/quantity``) or, for a query parameter, to its name (``/as_of``).

The ``detail`` follows the request's ``Accept-Language`` (issue 22): English by default, as
raised; Vietnamese when the caller prefers it (``ledger.refusals.localized``), the answer
then saying so in ``Content-Language``. ``title`` stays the HTTP status phrase."""

from __future__ import annotations

import logging
import re
import uuid
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from commands.faults import database_failure
from ledger.errors import FieldProblem, Invalid, LedgerError
from ledger.refusals import localized, rule

PROBLEM = "application/problem+json"
HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 406: "not_acceptable"}
HTTP_ERROR = "http_error"  # any other status Starlette raises
log = logging.getLogger("bonded.http")
RETRY_AFTER_SECONDS = 5  # how long a caller waits after a 503 before asking again


class Problem(BaseModel):
    """RFC 9457 problem details, with the ledger's ``code`` and ``field``."""

    type: str = Field("about:blank", examples=["about:blank"])
    title: str = Field(examples=["Conflict"])
    status: int = Field(examples=[409])
    detail: str = Field(
        examples=[
            "lot TK-1/1 holds 5 at 2026-03-02T14:00:00+07:00; ex-warehousing 7 would go below 0"
        ]
    )
    code: str = Field(examples=["insufficient_balance"])
    field: str | None = Field(None, examples=["/quantity"])
    error_id: str | None = Field(
        None,
        examples=["3f9c2a7d41b0"],
        description="A server error's id (500 only), as the server's log records it.",
    )


class PayloadTooLarge(LedgerError):
    status = 413


def pointer(field: str | None) -> str | None:
    """``lines[0].quantity`` as the JSON pointer ``/lines/0/quantity``."""
    if not field:
        return None
    if field.startswith("/"):
        return field
    parts = [p for p in re.split(r"[.\[\]]+", field) if p]
    return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def problem(
    status: int, code: str, detail: str, field: str | None = None, **headers: str
) -> JSONResponse:
    body = problem_body(status, code, detail, field)
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers or None)


def problem_body(status: int, code: str, detail: str, field: str | None = None) -> dict[str, Any]:
    return {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
        "field": pointer(field),
    }


def unexpected(error: BaseException, request_line: str) -> JSONResponse:
    """A server error, logged once with its traceback under a fresh id that the problem
    repeats: a caller's report finds the log line, and the body says nothing of the cause.
    The database failing (gone, full, locked too long) is no bug: 503 with ``Retry-After``,
    nothing recorded by this request (its transaction was not committed), logged as a
    warning; the next request takes a fresh connection."""
    error_id = uuid.uuid4().hex[:12]
    reason = database_failure(error)
    if reason is not None:
        log.warning("database unavailable %s on %s: %s", error_id, request_line, reason)
        detail = "the database does not answer: nothing was recorded; try again shortly"
        body = {**problem_body(503, "database_unavailable", detail), "error_id": error_id}
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        return JSONResponse(body, status_code=503, media_type=PROBLEM, headers=headers)
    log.error("unexpected error %s on %s", error_id, request_line, exc_info=error)
    detail = f"the server failed to answer (error {error_id}); report that id to the operator"
    body = {**problem_body(500, "internal_error", detail), "error_id": error_id}
    return JSONResponse(body, status_code=500, media_type=PROBLEM)


def spoken(request: Request) -> str:
    """The language a caller prefers for a problem's detail: ``vi`` or ``en`` (the default)."""
    from api.web.language import accepted  # imported late: api.web's pages import this module

    return accepted(request.headers.get("accept-language", ""))


def of_error(error: LedgerError, language: str = "en") -> JSONResponse:
    """A refusal as a problem, its detail in ``language``."""
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else {}
    if error.status == 503:  # try again: how soon
        headers["Retry-After"] = str(getattr(error, "retry_after", RETRY_AFTER_SECONDS))
    headers["Content-Language"] = language
    detail = localized(error, language)
    return problem(error.status, error.code, detail, error.field, **headers)


def install(app: FastAPI) -> None:
    """Every error the app can meet answers as a problem; none shows a traceback."""

    @app.exception_handler(LedgerError)
    async def _ledger_error(request: Request, error: LedgerError) -> JSONResponse:
        return of_error(error, spoken(request))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        first: dict[str, Any] = error.errors()[0] if error.errors() else {}
        where = [
            str(p) for p in first.get("loc", ()) if p not in ("query", "path", "header", "body")
        ]
        detail = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ())[1:])}: {e.get('msg')}"
            for e in error.errors()
        )
        found = tuple(
            FieldProblem(
                ".".join(str(p) for p in e.get("loc", ())[1:]),
                str(e.get("type", "")),
                e.get("ctx") or {},
                str(e.get("msg", "")).removeprefix("Value error, "),
            )
            for e in error.errors()
        )
        refused = Invalid(
            "invalid_parameter", detail, "/".join(where) or None, field_problems=found
        )
        return of_error(refused, spoken(request))

    @app.exception_handler(HTTPException)
    async def _http(request: Request, error: HTTPException) -> JSONResponse:
        code = HTTP_CODES.get(error.status_code, HTTP_ERROR)
        language = spoken(request)
        detail = str(error.detail)
        if language == "vi":
            phrase = HTTPStatus(error.status_code).phrase
            sentence = rule(code, "vi") or phrase
            detail = sentence if detail == phrase else f"{sentence} ({detail})"
        headers = {**(error.headers or {}), "Content-Language": language}
        return problem(error.status_code, code, detail, **headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        # what api.access.AccessLog lets through: an error of the middleware itself
        return unexpected(error, f"{request.method} {request.url.path}")


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {PROBLEM: {}}, "description": description}
    for status, description in {
        401: "No token, or one that is not valid.",
        403: "Outside the caller's role or scope.",
        404: "Nothing the caller may see by that name.",
        409: "Refused by the ledger's rules against what it holds.",
        422: "Invalid input: shape, types, unknown fields, codes that fail their check.",
    }.items()
}
