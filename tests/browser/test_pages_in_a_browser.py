"""The pages as a person uses them, in Debian's chromium: sign in as each role of the demo
(password or token), the dashboard showing exactly what the API answers the same user, another's
warehouse by URL answering the 404 page, a wrong password refused with its message shown,
sign-out closing the pages, the sign-in form and sign-out with the keyboard alone, on a laptop
and on a phone. Every page visited is screenshot and checked with axe-core (no serious or
critical violation); no request leaves the machine (``conftest.browsing``).

The demo (SQLite) is loaded once and only read; the test that must hold on both backends runs
on the small world, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import (
    Browsing,
    Site,
    Table,
    every_row_on,
    language_of,
    number_shown,
    sign_in_by_keyboard,
    stays_on_the_machine,
    tab_to,
    tables_on,
)

ROLES = (
    "warehouse_owner",
    "goods_owner",
    "customs_officer",
    "provincial_inspector",
    "auditor",
    "admin",
)
SESSION = "bonded_session"
AWAITING = ("awaiting_settlement", "settlement_overdue")
GOODS_NUMBERS = ("Lots", "On hand", "In transit")
# The demo's warehouse owner runs the Saigon operator's warehouses (KNQ-HCM-01..03), not
# the Ha Noi operator's (KNQ-HN-01, KNQ-HN-02).
OWN, OTHERS = "KNQ-HCM-01", "KNQ-HN-01"


def sign_in(page: Page, name: str, password: str) -> None:
    """The sign-in form filled and sent as a person does, with the mouse."""
    page.goto("/sign-in")
    page.get_by_label("User name", exact=True).fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def signed_in(site: Site, page: Page, role: str) -> None:
    name, password = site.sign_ins[role]
    sign_in(page, name, password)
    expect(page).to_have_url(f"{site.base}/")
    expect(page.locator("header")).to_contain_text(name)


def session_cookies(page: Page) -> list[Any]:
    return [c for c in page.context.cookies() if c["name"] == SESSION]


def _with(tables: list[Table], *columns: str, without: str | None = None) -> list[Table]:
    return [
        t
        for t in tables
        if all(c in t.columns for c in columns) and (without is None or without not in t.columns)
    ]


class Dashboard:
    """The dashboard on a page beside the API's answers to the same user, with the same
    filters. Each method lists where they differ (the page's labels are the English ones of
    ``api/web/labels.py``; numbers are read in the page's locale)."""

    def __init__(self, page: Page, site: Site, role: str, params: dict[str, str]) -> None:
        self.page, self.site, self.role, self.params = page, site, role, params
        self.tables = every_row_on(page)  # the paged tables read to their ends
        self.language = language_of(page)

    def differences(self) -> list[str]:
        return self.clocks() + self.stock() + self.settlements() + self.warnings()

    def api(self, question: str, **params: str) -> list[dict[str, Any]] | None:
        """The API's rows for the role's user, or None when its role may not ask."""
        answer = self.site.ask(self.role, question, **params)
        if answer.status_code == 403 and answer.json().get("code") == "role_not_allowed":
            return None
        assert answer.status_code == 200, (question, params, answer.text[:300])
        rows: list[dict[str, Any]] = answer.json()
        return rows

    def number(self, text: str) -> Decimal:
        return number_shown(text, self.language)

    def clocks(self) -> list[str]:
        """Every lot's storage clock: the same lots, the same days in storage and left."""
        clocks = self.api("clocks", **self.params)
        shown = _with(self.tables, "Lot", "Days left")
        if clocks is None:
            return [f"clocks are not the role's, yet shown: {t.heading}" for t in shown]
        found: list[str] = []
        by_lot = {row["lot_id"]: row for row in clocks}
        seen = set()
        for row in (row for table in shown for row in table.rows):
            lot = row["Lot"]
            seen.add(lot)
            for label, key in (("Days in storage", "days_in_storage"), ("Days left", "days_left")):
                api = by_lot.get(lot, {}).get(key)
                if label in row and (api is None or self.number(row[label]) != Decimal(api)):
                    found.append(f"{lot} {label}: page {row[label]}, API {api}")
        if seen != set(by_lot):
            found.append(
                f"clocks: API-only {sorted(set(by_lot) - seen)[:10]}, "
                f"page-only {sorted(seen - set(by_lot))[:10]}"
            )
        return found

    def stock(self) -> list[str]:
        """Stock per goods item (lots, on hand, in transit per warehouse and HS code: the
        API's lots summed) and the lots in transit."""
        balances = self.api("balances", **self.params)
        goods = _with(self.tables, "Warehouse", "HS code", *GOODS_NUMBERS, without="Lot")
        transit = _with(self.tables, "Lot", "In transit")
        if balances is None:
            return [f"stock is not the role's, yet shown: {t.heading}" for t in goods + transit]
        found: list[str] = []
        expected: dict[tuple[str, str], list[Decimal]] = {}
        for row in balances:
            item = expected.setdefault((row["warehouse_id"], row["hs_code"]), [Decimal(0)] * 3)
            item[0] += 1
            item[1] += Decimal(row["on_hand"])
            item[2] += Decimal(row["in_transit"])
        shown: dict[tuple[str, str], list[Decimal]] = {}
        for row in (row for table in goods for row in table.rows):
            item = shown.setdefault((row["Warehouse"], row["HS code"]), [Decimal(0)] * 3)
            for place, label in enumerate(GOODS_NUMBERS):
                item[place] += self.number(row[label])
        if not goods:
            found.append("no table of stock per goods item")
        for key in sorted(set(shown) | set(expected)):
            if goods and shown.get(key) != expected.get(key):
                found.append(
                    f"stock of {key} (lots, on hand, in transit): "
                    f"page {shown.get(key)}, API {expected.get(key)}"
                )
        moving = {r["lot_id"]: Decimal(r["in_transit"]) for r in balances}
        moving = {lot: quantity for lot, quantity in moving.items() if quantity}
        listed = {row["Lot"]: self.number(row["In transit"]) for t in transit for row in t.rows}
        if listed != moving:
            found.append(f"moves in transit: page {listed}, API {moving}")
        return found

    def settlements(self) -> list[str]:
        """The declarations awaiting settlement (overdue or not): the same ones."""
        settlements = self.api("settlements", **self.params)
        if settlements is None:
            return []
        awaiting = {r["declaration_no"] for r in settlements if r["status"] in AWAITING}
        tables = _with(self.tables, "Declaration", "Settlement due")
        listed = {row["Declaration"] for t in tables for row in t.rows}
        if listed == awaiting:
            return []
        return [
            f"declarations awaiting settlement: page-only {sorted(listed - awaiting)[:10]}, "
            f"API-only {sorted(awaiting - listed)[:10]}"
        ]

    def warnings(self) -> list[str]:
        """The warnings in force: one row for each, about the same subjects."""
        asked = {k: v for k, v in self.params.items() if k in ("as_of", "known_at", "warehouse")}
        warnings = self.api("warnings", **asked)
        if warnings is None:
            return []
        tables = _with(self.tables, "Kind", "Subject")
        shown = Counter(row["Subject"] for t in tables for row in t.rows)
        expected = Counter(r["subject"] for r in warnings)
        if shown == expected:
            return []
        return [f"warnings: page-only {shown - expected}, API-only {expected - shown}"]


def differences(page: Page, site: Site, role: str, **params: str) -> list[str]:
    """Where the dashboard on ``page`` differs from what the API answers the role's user with
    the same filters; empty when it shows exactly that."""
    return Dashboard(page, site, role, params).differences()


@pytest.mark.parametrize("role", ROLES)
def test_each_role_signs_in_with_its_password_and_sees_what_the_api_shows(
    demo: Site, browsing: Browsing, role: str
) -> None:
    page = browsing.page(demo.base)
    page.goto("/")
    expect(page).to_have_url(f"{demo.base}/sign-in")  # not signed in yet
    signed_in(demo, page, role)
    assert len(session_cookies(page)) == 1 and session_cookies(page)[0]["httpOnly"]
    browsing.look(page, "dashboard")
    assert differences(page, demo, role) == []
    if role in ("warehouse_owner", "customs_officer", "auditor"):
        assert tables_on(page), "a role that sees lots sees a table of them"
    # every request was seen by the guard, and stayed here (the teardown checks it again)
    assert f"{demo.base}/static/css/pages.css" in browsing.requests
    assert [url for url in browsing.requests if not stays_on_the_machine(url)] == []


def test_the_dashboard_as_of_a_past_day_from_its_form_is_the_apis_answer_then(
    demo: Site, browsing: Browsing
) -> None:
    page = browsing.page(demo.base)
    signed_in(demo, page, "warehouse_owner")
    today = page.locator("main").inner_text()
    some_day = demo.ask("warehouse_owner", "clocks").json()[0]["first_warehoused_on"][:10]
    page.get_by_label("As of", exact=True).fill(some_day)
    page.get_by_label("Warehouse", exact=True).fill(OWN)
    page.get_by_label("Warehouse", exact=True).press("Enter")
    expect(page).to_have_url(re.compile(rf"[?&]as_of={some_day}(&|$)"))
    expect(page).to_have_url(re.compile(rf"[?&]warehouse={OWN}(&|$)"))  # a bookmark
    browsing.look(page, "as-of")
    assert page.locator("main").inner_text() != today
    assert differences(page, demo, "warehouse_owner", as_of=some_day, warehouse=OWN) == []
    # and the comparison can tell: the API's answer as of today is not this page
    assert differences(page, demo, "warehouse_owner", warehouse=OWN) != []
    narrowed = [t for t in tables_on(page) if "Warehouse" in t.columns]
    assert narrowed and {row["Warehouse"] for t in narrowed for row in t.rows} == {OWN}


def test_another_warehouse_by_url_shows_the_404_page(demo: Site, browsing: Browsing) -> None:
    page = browsing.page(demo.base)
    signed_in(demo, page, "warehouse_owner")
    messages = {}
    for warehouse in (OTHERS, "KNQ-NOWHERE-9"):  # another's, and none at all: alike
        answer = page.goto(f"/?warehouse={warehouse}")
        assert answer is not None and answer.status == 404, warehouse
        alert = page.get_by_role("alert")
        expect(alert).to_be_visible()
        message = alert.inner_text()
        messages[warehouse] = message.replace(warehouse, "…")
        assert all(not t.rows for t in tables_on(page)), "a refused page shows no rows"
        assert OTHERS not in page.locator("main").inner_text().replace(message, "")
        browsing.look(page, f"404-{warehouse}")
    assert messages[OTHERS] == messages["KNQ-NOWHERE-9"], messages
    own = page.goto(f"/?warehouse={OWN}")
    assert own is not None and own.status == 200


def test_a_wrong_password_is_refused_with_the_message_shown(demo: Site, browsing: Browsing) -> None:
    page = browsing.page(demo.base)
    name, password = demo.sign_ins["warehouse_owner"]
    with page.expect_response(lambda r: r.request.method == "POST") as answered:
        sign_in(page, name, f"not {password}")
    assert answered.value.status == 401
    expect(page.get_by_role("alert")).to_contain_text("not valid")
    expect(page.get_by_label("User name", exact=True)).to_have_value(name)  # kept
    expect(page.get_by_label("Password", exact=True)).to_have_value("")  # never sent back
    assert session_cookies(page) == []
    browsing.look(page, "refused")
    page.goto("/")
    expect(page).to_have_url(f"{demo.base}/sign-in")  # still signed out
    sign_in(page, name, password)  # the same form, the right password: in
    expect(page).to_have_url(f"{demo.base}/")


def test_a_token_signs_in_too(demo: Site, browsing: Browsing) -> None:
    page = browsing.page(demo.base)
    page.goto("/sign-in")
    page.get_by_label(re.compile("^Token")).fill(demo.tokens["auditor"])
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{demo.base}/")
    expect(page.locator("header")).to_contain_text(demo.sign_ins["auditor"][0])


def test_sign_out_returns_to_sign_in_and_closes_the_pages(demo: Site, browsing: Browsing) -> None:
    page = browsing.page(demo.base)
    signed_in(demo, page, "customs_officer")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{demo.base}/sign-in")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert session_cookies(page) == []
    browsing.look(page, "signed-out")
    page.goto("/")
    expect(page).to_have_url(f"{demo.base}/sign-in")
    # The dashboard was sent no-store: Back asks the server again, which sends it to sign-in
    # (Playwright's chromium runs without the back-forward cache).
    page.go_back()
    expect(page).to_have_url(f"{demo.base}/sign-in")
    assert tables_on(page) == []


def test_the_sign_in_form_and_sign_out_with_the_keyboard_alone(
    demo: Site, browsing: Browsing
) -> None:
    page = browsing.page(demo.base)
    page.goto("/sign-in")
    browsing.look(page, "sign-in")
    name, password = demo.sign_ins["warehouse_owner"]
    sign_in_by_keyboard(page, name, password)  # every focus stop visibly focused
    expect(page).to_have_url(f"{demo.base}/")
    browsing.screenshot(page, "signed-in-by-keyboard")
    # Every control of the dashboard before it is passed with Tab, each visibly focused.
    stops = tab_to(page, page.get_by_role("button", name="Sign out"))
    browsing.screenshot(page, "sign-out-focused", full_page=False)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{demo.base}/sign-in")
    assert session_cookies(page) == []
    assert stops[-1]["element"] == "button[type=submit]", stops


def test_the_pages_on_a_phone(demo: Site, browsing: Browsing) -> None:
    page = browsing.page(demo.base, "phone")
    page.goto("/sign-in")
    browsing.look(page, "sign-in")
    signed_in(demo, page, "warehouse_owner")
    browsing.look(page, "dashboard")
    browsing.screenshot(page, "dashboard-first-screen", full_page=False)
    # Readable on a phone: the page itself never scrolls sideways (wide tables scroll within).
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the phone"


def test_on_both_backends_sign_in_the_dashboard_404_and_sign_out(
    world: Site, browsing: Browsing
) -> None:
    page = browsing.page(world.base)
    signed_in(world, page, "warehouse_owner")
    browsing.look(page, "dashboard")
    assert differences(page, world, "warehouse_owner") == []
    lots = {row["Lot"] for t in tables_on(page) if "Lot" in t.columns for row in t.rows}
    assert lots == {"D1/1"}  # its own lot; D4/1 is another owner's, in W4
    answer = page.goto("/?warehouse=W4")
    assert answer is not None and answer.status == 404
    expect(page.get_by_role("alert")).to_be_visible()
    assert "D4/1" not in page.content()
    browsing.look(page, "404")
    page.goto("/")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{world.base}/sign-in")
    page.goto("/")
    expect(page).to_have_url(f"{world.base}/sign-in")
