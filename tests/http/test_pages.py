"""The pages through a real ``bonded serve`` on loopback, on SQLite and PostgreSQL, as a
person's browser uses them (an HTTP client keeping cookies): sign-in with a password or a
token, sessions, CSRF on every form, a page showing exactly what the API shows the same user,
and another's warehouse answering 404."""

from __future__ import annotations

import re
from contextlib import closing

import httpx

from api.wiring import open_ledger
from commands.settings import Settings
from ledger.intents import DisableUser
from tests.http.pages import OWNER, PASSWORD, Site, csrf_of, lot_ids, sign_in, site

__all__ = ["OWNER", "PASSWORD", "Site", "csrf_of", "sign_in", "site"]  # as they were here


def test_signed_in_the_page_shows_what_the_api_shows_the_same_user(site: Site) -> None:
    with site.browser() as browser:
        assert browser.get("/").headers["location"] == "/sign-in"  # not signed in yet
    with closing(site.signed_in()) as browser:
        page = browser.get("/")
        assert page.status_code == 200, page.text
        api = httpx.get(
            f"{site.base}/balances",
            headers={"Authorization": f"Bearer {site.tokens['warehouse_owner']}"},
        )
        assert lot_ids(page) == {row["lot_id"] for row in api.json()} == {"D1/1"}
        assert "D4/1" not in page.text  # another owner's lot, in W4
        as_of = browser.get("/", params={"as_of": "2026-02-10"})  # the day before it arrived
        assert as_of.status_code == 200 and lot_ids(as_of) == set()


def test_a_wrong_password_an_unknown_user_and_a_token(site: Site) -> None:
    with site.browser() as browser:
        for name, password in ((OWNER, "not the password"), ("nobody", PASSWORD)):
            refused = sign_in(browser, name=name, password=password)
            assert refused.status_code == 401
            assert "not valid" in refused.text and "bonded_session" not in refused.headers.get(
                "set-cookie", ""
            )
        by_token = sign_in(browser, token=site.tokens["auditor"])
        assert by_token.status_code == 303
        assert "auditor" in browser.get("/").text


def test_every_form_needs_its_csrf_token_and_sign_out_ends_the_session(site: Site) -> None:
    with site.browser() as browser:
        browser.get("/sign-in")
        forged = browser.post(
            "/sign-in", data={"csrf_token": "forged", "name": OWNER, "password": PASSWORD}
        )
        assert forged.status_code == 403
    browser = site.signed_in()
    cookie = browser.cookies.get("bonded_session")
    assert browser.post("/sign-out", data={"csrf_token": "forged"}).status_code == 403
    assert browser.get("/").status_code == 200  # a forged sign-out ended nothing
    token = csrf_of(browser.get("/"))
    assert browser.post("/sign-out", data={"csrf_token": token}).headers["location"] == "/sign-in"
    with site.browser() as replay:  # the old cookie opens nothing now
        replay.cookies.set("bonded_session", cookie or "")
        assert replay.get("/").status_code == 303
    browser.close()


def test_another_warehouse_by_url_answers_404(site: Site) -> None:
    with closing(site.signed_in()) as browser:
        for warehouse in ("W4", "W9"):  # another owner's, and none at all: alike
            page = browser.get("/", params={"warehouse": warehouse})
            assert page.status_code == 404, warehouse
            assert "D4/1" not in page.text
        assert browser.get("/", params={"warehouse": "W1"}).status_code == 200


def test_a_disabled_user_is_signed_out(site: Site) -> None:
    with closing(site.signed_in()) as browser:
        site.account(DisableUser, name=OWNER)
        assert browser.get("/").status_code == 303


def test_the_session_cookie_and_the_page_headers(site: Site) -> None:
    with site.browser() as browser:
        answer = sign_in(browser, name=OWNER, password=PASSWORD)
        cookie = answer.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie
        page = browser.get("/")
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["cache-control"] == "no-store"
        assets = re.findall(r"""(?:src|href)=['"]([^'"]+)['"]""", page.text)
        assert assets and all(a.startswith(("/", "#")) for a in assets), assets  # nothing elsewhere
        assert browser.get(assets[0]).status_code == 200


HOSTILE = [
    "W1\x00",
    "\u202eW1",
    "x" * 5000,
    "=cmd|' /C calc'!A0",
    "' OR 1=1 --",
    "9999-12-31",
    "0001-01-01T00:00:00+07:00",
    "1795000000",
]


def test_hostile_input_on_the_pages_is_refused_never_a_server_error(site: Site) -> None:
    """Every query parameter of the page and every field of the sign-in form, each hostile
    value alone: never a 5xx, never a page showing another's lots, nothing recorded."""
    ledger = open_ledger(Settings(site.database_url))
    head = ledger.service.store.head()
    ledger.close()
    with closing(site.signed_in()) as browser:
        for name in ("as_of", "known_at", "warehouse", "unknown"):
            for value in HOSTILE:
                page = browser.get("/", params={name: value})
                assert page.status_code < 500, (name, value, page.text[:200])
                assert "D4/1" not in page.text
    for field in ("name", "password", "token"):
        for value in HOSTILE:
            with site.browser() as browser:
                answer = sign_in(browser, **{field: value})
                assert answer.status_code in (401, 403, 413), (field, value, answer.status_code)
    with site.browser() as browser:
        too_big = browser.post("/sign-in", content=b"a=" + b"x" * 10_000)
        assert too_big.status_code == 413
    ledger = open_ledger(Settings(site.database_url))
    try:
        assert ledger.service.store.head() == head  # nothing recorded by any of it
    finally:
        ledger.close()
