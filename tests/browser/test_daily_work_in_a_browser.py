"""The daily work in Debian's chromium, on the small world (SQLite): a movement recorded from a
form (refused first, the reason beside its field, then accepted once however often it is
sent), a spreadsheet imported (previewed, then applied), every page of a role reached from
the header and checked with axe-core, the lot page and its numbers against the API, another's
lot by URL answering the 404 page, and the pages switched to Vietnamese and remembered.
Every page visited is screenshot; no request leaves the machine (``conftest.browsing``)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from api.web.language import translations
from tests.browser.support import Browsing, Site, number_shown, tables_on

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
OWNER = "warehouse_owner"


def signed_in(site: Site, page: Page, role: str) -> None:
    name, password = site.sign_ins[role]
    page.goto("/sign-in")
    page.get_by_label("User name", exact=True).fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{site.base}/")


def on_hand(site: Site, lot_id: str) -> Decimal:
    rows = site.ask(OWNER, "balances").json()
    return Decimal(next(row["on_hand"] for row in rows if row["lot_id"] == lot_id))


@SQLITE_ONLY
def test_a_movement_from_a_form_refused_then_recorded_once(world: Site, browsing: Browsing) -> None:
    page = browsing.page(world.base)
    signed_in(world, page, OWNER)
    before = on_hand(world, "D1/1")
    page.get_by_role("link", name="Record", exact=True).click()
    browsing.look(page, "record-index")
    page.get_by_role("link", name="Ex-warehouse goods").click()
    page.get_by_label(re.compile(r"^Lot")).fill("D1/1")
    page.get_by_label("Effective").fill("2026-03-01T10:00")
    page.get_by_label("Quantity").fill(str(before + 1))
    page.get_by_label("Destination").fill("abroad")
    page.get_by_label("Bill of lading").fill("B-1")
    page.get_by_label("Export declaration").fill("EX-1")
    page.get_by_label("Border gate").fill("Cat Lai")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was recorded")
    expect(page.locator("#f-quantity-problem")).to_contain_text("on-hand")  # beside its field
    browsing.look(page, "refused")
    assert on_hand(world, "D1/1") == before  # nothing recorded
    page.get_by_label("Quantity").fill("3")
    page.get_by_label("Border gate").fill("")  # a field the ledger requires here
    page.get_by_role("button", name="Record").click()
    problem = page.locator("#f-border_gate-problem")
    expect(problem).to_contain_text("border gate")  # the reason beside its field
    expect(page.get_by_label("Border gate")).to_have_attribute("aria-invalid", "true")
    browsing.look(page, "refused-beside-its-field")
    page.get_by_label("Border gate").fill("Cat Lai")
    posted: list[int] = []
    page.on("response", lambda r: posted.append(r.status) if r.request.method == "POST" else None)
    page.get_by_role("button", name="Record").dblclick()  # an impatient double click
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("^(Recorded|Already recorded)$")
    )
    browsing.look(page, "recorded")
    assert posted and set(posted) <= {200, 201}
    assert on_hand(world, "D1/1") == before - 3  # once, however often it was sent


@SQLITE_ONLY
def test_a_spreadsheet_previewed_then_applied(
    world: Site, browsing: Browsing, tmp_path: Path
) -> None:
    sheet = tmp_path / "moves.csv"
    sheet.write_text(
        "command,lot_id,effective_at,quantity,destination,bill_no,"
        "export_declaration_no,border_gate\n"
        "ex_warehouse,D1/1,2026-03-02T10:00:00+07:00,2,abroad,B-2,EX-2,Cat Lai\n"
        "ex_warehouse,D4/1,2026-03-02T10:00:00+07:00,1,abroad,B-3,EX-3,Cat Lai\n"
    )
    page = browsing.page(world.base)
    signed_in(world, page, OWNER)
    before = on_hand(world, "D1/1")
    page.get_by_role("link", name="Import", exact=True).click()
    browsing.look(page, "import")
    page.get_by_label("An XLSX or CSV file of commands").set_input_files(sheet)
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("button", name="Apply: record 1 row")).to_be_visible()
    expect(page.locator("body")).to_contain_text("D4/1")  # refused: another owner's lot
    browsing.look(page, "preview")
    assert on_hand(world, "D1/1") == before  # a preview records nothing
    page.get_by_role("button", name="Apply: record 1 row").click()
    expect(page.locator("body")).to_contain_text("recorded")
    browsing.look(page, "applied")
    assert on_hand(world, "D1/1") == before - 2


@SQLITE_ONLY
def test_every_page_of_the_header_and_the_lot_page_against_the_api(
    world: Site, browsing: Browsing
) -> None:
    page = browsing.page(world.base)
    signed_in(world, page, OWNER)
    header = [
        link.get_attribute("href")
        for link in page.get_by_role("navigation").get_by_role("link").all()
    ]
    assert {"/", "/record", "/import", "/ecommerce", "/as-known"} <= set(header)
    for href in header:
        page.goto(str(href))
        browsing.look(page, f"page-{href}")
    page.goto("/")
    page.get_by_role("link", name="D1/1").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("D1/1")
    browsing.look(page, "lot")
    card = world.ask(OWNER, "lots/D1%2F1/stock-card").json()
    shown = next(t for t in tables_on(page) if "Balance" in t.columns)
    balances = {number_shown(row["Balance"], "en") for row in shown.rows}
    assert balances == {Decimal(row["balance"]) for row in card}
    answer = page.goto("/lots/D4/1")  # another owner's lot: as an unknown one
    assert answer is not None and answer.status == 404
    expect(page.locator("main")).not_to_contain_text("W4")
    browsing.look(page, "another-s-lot")


@SQLITE_ONLY
def test_the_province_workbench_for_its_inspector(world: Site, browsing: Browsing) -> None:
    page = browsing.page(world.base)
    signed_in(world, page, "provincial_inspector")
    page.get_by_role("link", name="Province", exact=False).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ho Chi Minh City")
    browsing.look(page, "province")
    with page.expect_download() as downloaded:
        page.get_by_role("link", name="XLSX").first.click()
    assert downloaded.value.suggested_filename.endswith(".xlsx")


@SQLITE_ONLY
def test_the_pages_in_vietnamese_remembered_and_by_keyboard(
    world: Site, browsing: Browsing
) -> None:
    vi = translations("vi")
    page = browsing.page(world.base)
    signed_in(world, page, OWNER)
    page.get_by_role("link", name="Tiếng Việt").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("button", name=vi.gettext("Sign out"))).to_be_visible()
    browsing.look(page, "dashboard-vi")
    page.get_by_role("link", name=vi.gettext("Record"), exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")  # the choice remembered
    browsing.look(page, "record-vi")
    page.goto("/")
    first_lot = page.get_by_role("link", name="D1/1").first
    for _ in range(80):  # the keyboard alone reaches the lot and opens it
        page.keyboard.press("Tab")
        if first_lot.evaluate("node => node === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the lot's link")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("D1/1")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    browsing.look(page, "lot-vi")
