"""What every page shares: the templates (with the two languages and the locale's formats),
the security headers, the session's user, and a form's fields read within a bound."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from api.access import authenticated
from api.callers import user_named
from api.routes.common import body_within
from api.web import language, sessions
from ledger.users import User

TEMPLATES = Jinja2Templates(
    env=Environment(
        loader=FileSystemLoader(Path(__file__).parent.parent / "templates" / "pages"),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
    )
)
TEMPLATES.env.install_gettext_callables(  # type: ignore[attr-defined]
    language.gettext, language.ngettext, newstyle=True
)
TEMPLATES.env.filters.update(
    number=language.number, money=language.money, day=language.day, moment=language.moment
)
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
FORM_LIMIT = 4096  # bytes: a sign-in, sign-out or daily-work form is far smaller
YEAR = 365 * 24 * 3600


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page in the request's language; ``?lang=`` is remembered in a cookie."""
    spoken = language.chosen(request)
    with language.speaking(spoken):
        context.setdefault("user", None)
        response = TEMPLATES.TemplateResponse(
            request,
            template,
            {
                **context,
                "lang": spoken,
                "languages": language.NAMES,
                "switch_to": {code: switched(request, code) for code in language.LANGUAGES},
            },
            status_code=status,
        )
    response.headers.update(HEADERS)
    response.headers["Content-Language"] = spoken
    if request.query_params.get(language.PARAMETER) in language.LANGUAGES:
        response.set_cookie(
            language.COOKIE, spoken, max_age=YEAR, samesite="lax", secure=secure(request)
        )
    return response


def switched(request: Request, code: str) -> str:
    """This page's URL in another language, its filters kept."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != language.PARAMETER]
    return f"{request.url.path}?{urlencode([*kept, (language.PARAMETER, code)])}"


def secure(request: Request) -> bool:
    return request.url.scheme == "https"


async def form_of(request: Request, limit: int = FORM_LIMIT, fields: int = 40) -> dict[str, str]:
    body = await body_within(request, limit)
    found = parse_qs(body.decode("utf-8", errors="replace"), max_num_fields=fields)
    return {name: values[0] for name, values in found.items() if values}


def same(given: str | None, expected: str | None) -> bool:
    return bool(given and expected) and hmac.compare_digest(str(given), str(expected))


def now() -> datetime:
    return datetime.now(UTC)


def signed_in(request: Request) -> tuple[User, sessions.Session] | None:
    """The active user of the request's session, or None."""
    ledger = request.app.state.ledger
    session = sessions.find(ledger.runner.engine, request.cookies.get(sessions.COOKIE), now())
    if session is None:
        return None
    user = user_named(ledger.service.store, session.user_name)
    if user is None or not user.active:
        return None
    authenticated(user.name)  # for the request's access-log line
    return user, session


def to_sign_in() -> Response:
    return RedirectResponse("/sign-in", status_code=303)


def given(request: Request) -> dict[str, str]:
    """The page's filters: every non-empty query parameter but the language."""
    return {k: v for k, v in request.query_params.items() if v and k != language.PARAMETER}
