"""Signing in and out: with a user name and password (argon2id, ``api/passwords``) or with a
token as ``bonded tokens issue`` printed it. The sign-in form carries a double-submit CSRF
token (there is no session yet); sign-out carries the session's."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.callers import credentials_of, user_named
from api.passwords import verifies
from api.web import sessions
from api.web.language import N_
from api.web.language import gettext as _
from api.web.site import HEADERS, form_of, now, page, same, secure, signed_in
from ledger.errors import LedgerError
from ledger.users import User, authenticate

router = APIRouter(include_in_schema=False)
SIGN_IN_COOKIE = "bonded_sign_in"  # the sign-in form's CSRF token, before any session
NOT_SIGNED_IN = N_("the user name and password, or the token, are not valid")
EXPIRED = N_("the form had expired: sign in again")


@router.get("/sign-in")
def sign_in_form(request: Request) -> Response:
    if signed_in(request) is not None:
        return RedirectResponse("/", status_code=303)
    return _sign_in_page(request)


def _sign_in_page(
    request: Request, error: str | None = None, name: str | None = None, status: int = 200
) -> Response:
    token = secrets.token_urlsafe(32)
    response = page(request, "sign_in.html", status, csrf_token=token, error=error, name=name)
    response.set_cookie(
        SIGN_IN_COOKIE, token, httponly=True, samesite="strict", secure=secure(request)
    )
    return response


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    form = await form_of(request)
    if not same(form.get("csrf_token"), request.cookies.get(SIGN_IN_COOKIE)):
        return _sign_in_page(request, EXPIRED, status=403)
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
    secret, _session = sessions.start(ledger.runner.engine, user.name, now())
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        sessions.COOKIE,
        secret,
        max_age=int(sessions.LONGEST.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=secure(request),
    )
    response.delete_cookie(SIGN_IN_COOKIE)
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    form = await form_of(request)
    found = signed_in(request)
    if found is not None and not same(form.get("csrf_token"), found[1].csrf_token):
        return HTMLResponse(_("the form had expired"), status_code=403, headers=HEADERS)
    sessions.end(request.app.state.ledger.runner.engine, request.cookies.get(sessions.COOKIE))
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(sessions.COOKIE)
    return response
