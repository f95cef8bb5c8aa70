"""Every question (``projections/questions``) over HTTP, registered in one loop: its
parameters as query and path parameters, its rows as JSON (the OpenAPI schema from its row
model) or CSV on ``Accept: text/csv``. Every answer is limited to the caller's scope; a
warehouse, owner or province named outside it is refused (403), a lot outside it is not found
(404). The read models are caught up with everything recorded before each answer."""

from __future__ import annotations

import inspect
from dataclasses import MISSING
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from api.asking import ask
from api.cells import csv_file
from api.problems import PROBLEM_RESPONSES
from api.render import render
from api.routes.common import KnownParametersOnly, TheCredentials, TheLedger, caller_of
from projections.questions import questions
from projections.questions.question import Ask, Question

router = APIRouter(dependencies=[KnownParametersOnly])

CSV = "text/csv"
ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"content": {CSV: {"schema": {"type": "string"}}}},
    **{status: PROBLEM_RESPONSES[status] for status in (401, 403, 404, 422)},
    409: {
        **PROBLEM_RESPONSES[409],
        "description": "`position` lies beyond the log's head: no command was answered with it.",
    },
    503: {
        **PROBLEM_RESPONSES[422],
        "description": "The replica answering has not reached `position` within 5 s; ask "
        "again after Retry-After seconds.",
    },
}


def answer(
    request: Request, rows: list[dict[str, Any]], columns: list[str], after: str | None = None
) -> Response:
    """The rows as JSON or CSV; when more follow (``after``: where the next page starts), a
    ``Link`` header to the next page (RFC 8288, as GitHub's API pages)."""
    headers = {}
    if after is not None:
        following = request.url.include_query_params(after=after)
        headers["Link"] = f'<{following}>; rel="next"'
    if CSV in request.headers.get("accept", ""):
        text = csv_file(render(rows, "csv", "", columns) + "\n")
        return PlainTextResponse(text, media_type=CSV, headers=headers)
    return JSONResponse(rows, headers=headers)


def _parameter(name: str, kind: Any, how: Ask, default: Any) -> inspect.Parameter:
    bounds: dict[str, Any] = {"description": how.help}
    if how.max_length is not None:
        bounds.update(min_length=1, max_length=how.max_length)
    if how.ge is not None or how.le is not None:
        bounds.update(ge=how.ge, le=how.le)
    if how.example is not None:
        bounds["examples"] = [how.example]
    where = Path(**bounds) if how.subject else Query(alias=how.flag, **bounds)
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=Annotated[kind, where]
    )


POSITION = inspect.Parameter(
    "position",
    inspect.Parameter.KEYWORD_ONLY,
    default=None,
    annotation=Annotated[
        int | None,
        Query(
            ge=0,
            le=2**63 - 1,
            description="Answer only once the read models have reached this position (a "
            "command's answer gives it): where questions are answered by a replica, your own "
            "write is then in the answer (503 with Retry-After if the replica takes more than "
            "5 s). Without it, the answer is as the replica has it.",
        ),
    ],
)


def _default(field: Any) -> Any:
    return inspect.Parameter.empty if field.default is MISSING else field.default


def _route(question: Question[Any]) -> None:
    columns = question.row.columns()
    fields = question.asked.__dataclass_fields__
    parameters = [
        inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request),
        inspect.Parameter("ledger", inspect.Parameter.KEYWORD_ONLY, annotation=TheLedger),
        inspect.Parameter("credentials", inspect.Parameter.KEYWORD_ONLY, annotation=TheCredentials),
        *(
            _parameter(name, kind, how, _default(fields[name]))
            for name, kind, how in question.asked.parameters()
        ),
        POSITION,
    ]

    def asked(
        request: Request,
        ledger: TheLedger,
        credentials: TheCredentials,
        position: int | None = None,
        **given: Any,
    ) -> Response:
        caller = caller_of(ledger, credentials)
        found = ask(
            question,
            question.asked(**given),
            caller,
            ledger.answering,
            lambda: ledger.catch_up(position),
        )
        return answer(request, found.rows, columns, found.next)

    asked.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    subject = any(how.subject for _, _, how in question.asked.parameters())
    router.add_api_route(
        question.route,
        asked,
        methods=["GET"],
        name=question.name.replace("-", "_"),
        summary=question.summary,
        tags=[question.area],
        response_model=list[question.row],  # type: ignore[name-defined]
        responses={**ANSWERS, 404: PROBLEM_RESPONSES[404]} if subject else ANSWERS,
    )


for _question in questions():
    _route(_question)
