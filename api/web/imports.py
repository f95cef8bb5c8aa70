"""Import a spreadsheet (issue 22): upload an XLSX or CSV of commands (``commands/sheets.py``;
a template per command to download), see a preview of every row — would be recorded, or
refused and why — then apply it. The preview is the service's dry run
(``LedgerService.preview``): each row decided after the rows above it as if they had been
applied, nothing recorded. Applying is ``execute_many`` for the session's user, as
``POST /commands`` is for a token's: refused exactly as over the API.

A row without a ``command_id`` is given one derived from the file's SHA-256 and its row
(``sheet-SHA256-ROW``): a double click, a reload, or the same file uploaded again records each
row once. Between preview and apply the file is kept on this machine for the session alone
(``api/web/uploads.py``, which says why)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from api.cells import csv_file
from api.routes.common import body_within
from api.sheet_templates import template_csv, template_xlsx
from api.web import uploads
from api.web.labels import field_label
from api.web.language import LANGUAGES, N_
from api.web.navigation import Link
from api.web.site import HEADERS, form_of, now, page, same, signed_in, to_sign_in
from commands.models import COMMAND_NAMES, COMMAND_TYPES
from commands.parsing import parse_command
from commands.service import Outcome
from commands.sheets import (
    MAX_BYTES,
    MAX_ROWS,
    InvalidSheet,
    SheetCommand,
    format_of,
    read_sheet,
    row_command_id,
)
from ledger.access import RECORDS, may_record
from ledger.errors import LedgerError
from ledger.refusals import localized
from ledger.roles import Role
from ledger.users import User

router = APIRouter(include_in_schema=False)
UPLOAD_LIMIT = MAX_BYTES + (64 << 10)  # the file, and the form around it
SHOWN = 1000  # rows of a preview listed in full; every refused row is listed whatever
KEYS = (
    "lot_id",
    "declaration_no",
    "warehouse_id",
    "contract_no",
    "tax_code",
    "licence_no",
    "order_no",
    "notice_ref",
    "list_ref",
    "period",
    "quantity",
    "days",
    "effective_at",
)
MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
EXPIRED = N_("the form had expired: nothing was uploaded or recorded; try again")
NOT_A_SHEET = N_("choose an .xlsx or .csv file")
TOO_BIG = N_("the file is too large: a spreadsheet here is at most 32 MiB")
FULL = N_("too many spreadsheets are waiting to be applied on this server; try again later")

LINK = Link(
    "/import",
    N_("Import"),
    frozenset(
        role
        for role in Role
        if role is not Role.OPERATOR and any(m.value_type in RECORDS[role] for m in COMMAND_TYPES)
    ),
)


def _recordable(user: User) -> list[str]:
    return [
        n
        for n, m in zip(COMMAND_NAMES, COMMAND_TYPES, strict=True)
        if may_record(user, m.value_type)
    ]


@dataclass
class Line:
    """A row of the preview or of what was applied."""

    row: int
    command: str
    keys: list[tuple[str, str]]
    status: str  # applied, already_applied, refused
    result: dict[str, Any] = field(default_factory=dict)
    lots: list[str] = field(default_factory=list)  # the lots it creates, or would
    code: str = ""
    where: str = ""  # the field refused
    message: str = ""
    told: dict[str, str] = field(default_factory=dict)  # the refusal in each language


def judged(service: Any, user: User, upload: uploads.Upload, apply: bool) -> list[Line]:
    """Each row's outcome: recorded (``apply``) or only decided (the preview)."""
    found = read_sheet(upload.data, upload.file_format)
    items: list[Any] = []
    for one in found:
        data = dict(one.data)
        data.setdefault("command_id", row_command_id(upload.sha256, one.row))
        try:
            items.append(parse_command(data))
        except LedgerError as error:
            items.append(error)
    run = service.execute_many if apply else service.preview
    outcomes: list[Outcome] = list(run(items, user))
    return [_line(one, outcome) for one, outcome in zip(found, outcomes, strict=True)]


def _line(one: SheetCommand, outcome: Outcome) -> Line:
    keys = [(name, str(one.data[name])) for name in KEYS if one.data.get(name) is not None]
    keys += [
        (name, str(len(v)))
        for name, v in one.data.items()
        if isinstance(v, list) and v and isinstance(v[0], dict)
    ]
    error = outcome.error
    made = outcome.result.get("lot_ids") or [outcome.result.get("lot_id")]
    lots = [str(lot) for lot in made if lot and lot != one.data.get("lot_id")]
    return Line(
        row=one.row_of(error.field) if error is not None else one.row,
        command=one.data["command"],
        keys=keys[:5],
        status=outcome.status,
        result=outcome.result,
        lots=lots,
        code=error.code if error else "",
        where=(error.field or "") if error else "",
        message=error.message if error else "",
        told={language: localized(error, language) for language in LANGUAGES} if error else {},
    )


def _counts(lines: list[Line]) -> dict[str, int]:
    counts = {"applied": 0, "already_applied": 0, "refused": 0}
    for line in lines:
        counts[line.status] += 1
    return counts


# --- the pages --------------------------------------------------------------------------------


def _index(
    request: Request,
    user: User,
    csrf_token: str,
    status: int = 200,
    problems: list[str] | None = None,
) -> Response:
    return page(
        request,
        "import.html",
        status,
        user=user,
        csrf_token=csrf_token,
        commands=_recordable(user),
        problems=problems or [],
        limit=MAX_BYTES,
        max_rows=MAX_ROWS,
    )


@router.get("/import")
def import_page(request: Request) -> Response:
    found = signed_in(request)
    if found is None:
        return to_sign_in()
    user, session = found
    return _index(request, user, session.csrf_token)


@router.post("/import")
async def upload(request: Request) -> Response:
    found = signed_in(request)
    if found is None:
        return to_sign_in()
    user, session = found
    try:
        body = await body_within(request, UPLOAD_LIMIT)
    except LedgerError:
        return _index(request, user, session.csrf_token, 413, [TOO_BIG])
    try:
        form = await _replayed(request, body).form(max_files=1, max_fields=4, max_part_size=4096)
    except (HTTPException, MultiPartException):
        return _index(request, user, session.csrf_token, 400, [NOT_A_SHEET])
    try:
        if not same(_text(form.get("csrf_token")), session.csrf_token):
            return _index(request, user, session.csrf_token, 403, [EXPIRED])
        sent = form.get("file")
        file_format = format_of(sent.filename or "") if isinstance(sent, UploadFile) else None
        if not isinstance(sent, UploadFile) or file_format is None:
            return _index(request, user, session.csrf_token, 422, [NOT_A_SHEET])
        data = await sent.read()
        file_name = (sent.filename or "")[-200:]
    finally:
        await form.close()
    try:
        await run_in_threadpool(read_sheet, data, file_format)
    except InvalidSheet as refused:
        return _index(request, user, session.csrf_token, 422, refused.problems)
    ledger = request.app.state.ledger
    try:
        kept = uploads.keep(
            uploads.folder(ledger.settings.database_url),
            uploads.session_key(session.csrf_token),
            user.name,
            file_name,
            file_format,
            data,
            now(),
        )
    except uploads.TooManyUploads:
        return _index(request, user, session.csrf_token, 503, [FULL])
    return RedirectResponse(f"/import/{kept.upload_id}", status_code=303)


@router.get("/import/templates/{file_name}")
def template(request: Request, file_name: str) -> Response:
    """The template of a command (``COMMAND.xlsx`` or ``COMMAND.csv``), as ``bonded
    template`` writes it."""
    found = signed_in(request)
    if found is None:
        return to_sign_in()
    user, session = found
    command, _, file_format = file_name.rpartition(".")
    if command not in COMMAND_NAMES or file_format not in MEDIA:
        return page(request, "not_found.html", 404, user=user, csrf_token=session.csrf_token)
    content = (
        template_xlsx(command)
        if file_format == "xlsx"
        else csv_file(template_csv(command)).encode("utf-8")
    )
    headers = {**HEADERS, "Content-Disposition": f'attachment; filename="{command}.{file_format}"'}
    return Response(content, media_type=MEDIA[file_format], headers=headers)


def _found(request: Request, upload_id: str) -> tuple[User, str, uploads.Upload | None] | None:
    found = signed_in(request)
    if found is None:
        return None
    user, session = found
    ledger = request.app.state.ledger
    upload = uploads.find(
        uploads.folder(ledger.settings.database_url),
        upload_id,
        uploads.session_key(session.csrf_token),
        user.name,
        now(),
    )
    return user, session.csrf_token, upload


@router.get("/import/{upload_id}")
def preview(request: Request, upload_id: str) -> Response:
    found = _found(request, upload_id)
    if found is None:
        return to_sign_in()
    user, csrf_token, upload = found
    if upload is None:
        return page(request, "not_found.html", 404, user=user, csrf_token=csrf_token)
    ledger = request.app.state.ledger
    where = uploads.folder(ledger.settings.database_url)
    applied = uploads.result(where, upload_id)
    lines: list[Line] = []
    problems: list[str] = []
    if applied is not None:
        lines = [Line(**line) for line in applied["refused"]]
    elif not uploads.applying(where, upload_id):
        try:
            lines = judged(ledger.service, user, upload, apply=False)
        except InvalidSheet as invalid:
            problems = invalid.problems
    counts = applied["counts"] if applied is not None else _counts(lines)
    shown = [*lines[:SHOWN], *(line for line in lines[SHOWN:] if line.status == "refused")]
    return page(
        request,
        "import.html",
        user=user,
        csrf_token=csrf_token,
        commands=_recordable(user),
        problems=problems,
        limit=MAX_BYTES,
        max_rows=MAX_ROWS,
        upload=upload,
        applied=applied,
        applying=applied is None and uploads.applying(where, upload_id),
        lines=shown,
        hidden=len(lines) - len(shown),
        counts=counts,
        field_label=field_label,
    )


@router.post("/import/{upload_id}/apply")
async def apply(request: Request, upload_id: str) -> Response:
    found = _found(request, upload_id)
    if found is None:
        return to_sign_in()
    user, csrf_token, upload = found
    form = await form_of(request)
    if upload is None:
        return page(request, "not_found.html", 404, user=user, csrf_token=csrf_token)
    if not same(_text(form.get("csrf_token")), csrf_token):
        return _index(request, user, csrf_token, 403, [EXPIRED])
    ledger = request.app.state.ledger
    where = uploads.folder(ledger.settings.database_url)
    if uploads.claim(where, upload_id):  # a second click finds it claimed: once
        try:
            lines = await run_in_threadpool(judged, ledger.service, user, upload, True)
        except BaseException:
            uploads.release(where, upload_id)  # it may be applied again: once, by its ids
            raise
        outcome = {
            "counts": _counts(lines),
            "refused": [vars(line) for line in lines if line.status == "refused"],
            "applied_at": now().isoformat(),
        }
        uploads.keep_result(where, upload_id, outcome)
    return RedirectResponse(f"/import/{upload_id}", status_code=303)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _replayed(request: Request, body: bytes) -> Request:
    """The request again, its body the one already read within the limit."""
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return Request(request.scope, receive)
