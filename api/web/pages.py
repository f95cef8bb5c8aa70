"""The pages' routes: sign-in and sign-out, and the stock-and-clocks page. Each page asks the
same questions by the same path as the API and the CLI (``api/asking.ask``) for the user of
the session, so it shows exactly what the API shows that user; a URL naming another's
warehouse answers 404, as an unknown one does."""

from __future__ import annotations

import hmac
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from api.access import authenticated
from api.asking import ask
from api.callers import credentials_of, user_named
from api.passwords import verifies
from api.routes.common import body_within
from api.web import sessions
from ledger.errors import LedgerError
from ledger.users import User, authenticate
from projections.questions import question_named

router = APIRouter(include_in_schema=False)
TEMPLATES = Jinja2Templates(directory=Path(__file__).parent.parent / "templates" / "pages")
SIGN_IN_COOKIE = "bonded_sign_in"  # the sign-in form's CSRF token, before any session
FORM_LIMIT = 4096  # bytes: a sign-in or sign-out form is far smaller
NOT_SIGNED_IN = "the user name and password, or the token, are not valid"
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
DASHBOARD = ("balances", "clocks", "warnings")


def _page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    response = TEMPLATES.TemplateResponse(request, template, context, status_code=status)
    response.headers.update(HEADERS)
    return response


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


async def _form(request: Request) -> dict[str, str]:
    body = await body_within(request, FORM_LIMIT)
    fields = parse_qs(body.decode("utf-8", errors="replace"), max_num_fields=10)
    return {name: values[0] for name, values in fields.items() if values}


def _same(given: str | None, expected: str | None) -> bool:
    return bool(given and expected) and hmac.compare_digest(str(given), str(expected))


def _now() -> datetime:
    return datetime.now(UTC)


def signed_in(request: Request) -> tuple[User, sessions.Session] | None:
    """The active user of the request's session, or None."""
    ledger = request.app.state.ledger
    session = sessions.find(ledger.runner.engine, request.cookies.get(sessions.COOKIE), _now())
    if session is None:
        return None
    user = user_named(ledger.service.store, session.user_name)
    if user is None or not user.active:
        return None
    authenticated(user.name)  # for the request's access-log line
    return user, session


@router.get("/sign-in")
def sign_in_form(request: Request) -> Response:
    if signed_in(request) is not None:
        return RedirectResponse("/", status_code=303)
    return _sign_in_page(request)


def _sign_in_page(
    request: Request, error: str | None = None, name: str | None = None, status: int = 200
) -> Response:
    token = secrets.token_urlsafe(32)
    response = _page(
        request, "sign_in.html", status, csrf_token=token, error=error, name=name, user=None
    )
    response.set_cookie(
        SIGN_IN_COOKIE, token, httponly=True, samesite="strict", secure=_secure(request)
    )
    return response


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    form = await _form(request)
    if not _same(form.get("csrf_token"), request.cookies.get(SIGN_IN_COOKIE)):
        return _sign_in_page(request, "the form had expired: sign in again", status=403)
    ledger = request.app.state.ledger
    store = ledger.service.store
    name = form.get("name", "").strip()
    user: User | None = None
    if form.get("token"):
        try:
            credentials = credentials_of(f"Bearer {form['token'].strip()}")
            user = authenticate(user_named(store, credentials.name), credentials)
        except LedgerError:
            user = None
    elif name and form.get("password"):
        found = user_named(store, name) if len(name) <= 64 else None
        hashed = found.password_hash if found is not None and found.active else None
        user = found if verifies(hashed, form["password"]) else None
    if user is None:
        return _sign_in_page(request, NOT_SIGNED_IN, name=name[:64], status=401)
    secret, _ = sessions.start(ledger.runner.engine, user.name, _now())
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        sessions.COOKIE,
        secret,
        max_age=int(sessions.LONGEST.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )
    response.delete_cookie(SIGN_IN_COOKIE)
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    form = await _form(request)
    found = signed_in(request)
    if found is not None and not _same(form.get("csrf_token"), found[1].csrf_token):
        return HTMLResponse("the form had expired", status_code=403, headers=HEADERS)
    sessions.end(request.app.state.ledger.runner.engine, request.cookies.get(sessions.COOKIE))
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(sessions.COOKIE)
    return response


@router.get("/")
def dashboard(request: Request) -> Response:
    found = signed_in(request)
    if found is None:
        return RedirectResponse("/sign-in", status_code=303)
    user, session = found
    ledger = request.app.state.ledger
    given = {k: v for k, v in request.query_params.items() if v}
    answers: list[dict[str, Any]] = []
    error: str | None = None
    status = 200
    for name in DASHBOARD:
        question = question_named(name)
        fields = question.asked.__dataclass_fields__
        try:
            asked = question.asked(**{k: v for k, v in given.items() if k in fields})
            found_rows = ask(question, asked, user, ledger.read_model, ledger.catch_up)
        except LedgerError as refusal:
            if refusal.code == "role_not_allowed":
                continue  # a question the user's role does not ask: not on its page
            error, status = refusal.message, 404 if refusal.status in (403, 404) else refusal.status
            break
        answers.append(
            {
                "title": question.title(asked, found_rows.when),
                "columns": question.row.columns(),
                "numeric": question.row.numeric(),
                "rows": found_rows.rows,
            }
        )
    return _page(
        request,
        "dashboard.html",
        status,
        user=user,
        csrf_token=session.csrf_token,
        asked=given,
        answers=[] if error else answers,
        error=error,
    )
