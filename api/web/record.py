"""Forms for the daily work (issue 22): warehousing, ex-warehousing, transfer, a move's
dispatch and receipt, a customs officer's hold and extension, a periodic report. Each form is
derived from its command's model (``api/web/forms.py``) and recorded by the same service call
as ``POST /commands/{name}``: refused exactly as over HTTP, the reason beside its field,
nothing recorded. Each form carries an idempotency key (its ``command_id``, made when the form
is shown), so a double click or a reload records once."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.routes.commands import command_from
from api.web import written
from api.web.forms import CommandForm, form_of, input_name
from api.web.language import N_
from api.web.navigation import Link
from api.web.site import form_of as read_form
from api.web.site import page, same, signed_in, to_sign_in
from commands.service import Outcome
from ledger.access import RECORDS, may_record
from ledger.errors import FieldProblem, LedgerError
from ledger.roles import Role
from ledger.users import User

router = APIRouter(include_in_schema=False)
FORMS = (
    "warehouse_goods",
    "ex_warehouse",
    "transfer_ownership",
    "dispatch_move",
    "receive_move",
    "place_hold",
    "release_hold",
    "extend_storage",
    "submit_report",
)
FORM_LIMIT = 64 << 10  # bytes: a warehousing of a few lines is a few kB
FORM_FIELDS = 300
EXPIRED = N_("the form had expired: it was not recorded; send it again")


def _recordable(user: User) -> list[CommandForm]:
    found = [form_of(name) for name in FORMS]
    return [f for f in found if may_record(user, f.model.value_type)]


LINK = Link(
    "/record",
    N_("Record"),
    frozenset(
        role
        for role in Role
        if role is not Role.OPERATOR
        and any(form_of(n).model.value_type in RECORDS[role] for n in FORMS)
    ),
)


@router.get("/record")
def record_index(request: Request) -> Response:
    found = signed_in(request)
    if found is None:
        return to_sign_in()
    user, session = found
    return page(
        request,
        "record_index.html",
        user=user,
        csrf_token=session.csrf_token,
        forms=_recordable(user),
    )


def _form_page(
    request: Request,
    user: User,
    csrf_token: str,
    form: CommandForm,
    values: dict[str, str],
    problems: Mapping[str, FieldProblem | LedgerError] | None = None,
    refusal: LedgerError | None = None,
    status: int = 200,
) -> Response:
    return page(
        request,
        "record_form.html",
        status,
        user=user,
        csrf_token=csrf_token,
        form=form,
        values=values,
        problems=problems or {},
        refusal=refusal,
        command_id=_key(values.get("command_id")),
    )


def _key(sent: str | None) -> str:
    """The form's idempotency key: the one it was sent with, when it is shown again refused
    (nothing was recorded under it, and every view of this form then records once), else a
    new one."""
    if sent and len(sent) <= 64 and sent.replace("-", "").isalnum():
        return sent
    return str(uuid.uuid4())


@router.get("/record/{command}")
def record_form(request: Request, command: str) -> Response:
    found = signed_in(request)
    if found is None:
        return to_sign_in()
    user, session = found
    form = _offered(command, user)
    if form is None:
        return page(request, "not_found.html", 404, user=user, csrf_token=session.csrf_token)
    prefilled = {k: v[:200] for k, v in request.query_params.items() if k != "lang"}
    return _form_page(request, user, session.csrf_token, form, prefilled)


def _offered(command: str, user: User) -> CommandForm | None:
    if command not in FORMS:
        return None
    form = form_of(command)
    return form if may_record(user, form.model.value_type) else None


@router.post("/record/{command}")
async def record(request: Request, command: str) -> Response:
    found = signed_in(request)
    if found is None:
        return to_sign_in()
    user, session = found
    sent = await read_form(request, FORM_LIMIT, FORM_FIELDS)
    form = _offered(command, user)
    if form is None:
        return page(request, "not_found.html", 404, user=user, csrf_token=session.csrf_token)
    values = {k: v for k, v in sent.items() if k != "csrf_token"}
    if not same(sent.get("csrf_token"), session.csrf_token):
        expired = LedgerError("csrf", EXPIRED)
        return _form_page(request, user, session.csrf_token, form, values, None, expired, 403)
    data = form.data(sent)
    problems = form.field_problems(data)  # told in the page's language, as the refusal is
    if problems:
        return _form_page(request, user, session.csrf_token, form, values, problems, None, 422)
    ledger = request.app.state.ledger

    def run() -> Outcome:
        done: Outcome = ledger.service.execute(
            command_from(data, command, sent.get("command_id")), user
        )
        return done

    try:
        outcome = await run_in_threadpool(run)
    except LedgerError as refusal:
        beside = input_name(refusal.field)
        shown = {beside: refusal} if beside and _has_input(form, beside) else {}
        return _form_page(
            request,
            user,
            session.csrf_token,
            form,
            values,
            shown,
            None if shown else refusal,
            refusal.status,
        )
    recorded = page(
        request,
        "recorded.html",
        201 if outcome.status == "applied" else 200,
        user=user,
        csrf_token=session.csrf_token,
        form=form,
        outcome=outcome,
        lots=_lots_of(outcome.result),
    )
    written.remember(request, recorded, outcome.position)
    return recorded


def _has_input(form: CommandForm, name: str) -> bool:
    names = {f.name for f in form.fields}
    names |= {f.name for group in form.groups for row in group.rows() for f in row}
    return name in names


def _lots_of(result: dict[str, Any]) -> list[str]:
    """The lots a recorded command names, to link to their pages."""
    found: list[str] = []
    for key, value in result.items():
        if key == "lot_id" and isinstance(value, str):
            found.append(value)
        elif key.endswith("lot_ids") and isinstance(value, list):
            found += [v for v in value if isinstance(v, str)]
    return found
